#pragma once

#include <map>
#include <set>
#include <string>

namespace orderlens {

// A dataset location with reader options after a '?', URL style:
//   "/data/VOCdevkit?visual-search=/data/VSD_dataset.csv&resize=256"
// Keeps the options inside the one dataset spec string that ExperimentConfig stores, so a run
// file records exactly how its dataset was read.
class LocationOptions {
public:
    // Throws ConfigError for an empty option name or one given twice.
    explicit LocationOptions(const std::string& location);

    const std::string& path() const { return path_; }
    bool has(const std::string& key) const { return values_.count(key) > 0; }
    // The value of `key` (marking it as understood), or `fallback` when it was not given.
    std::string take(const std::string& key, const std::string& fallback);
    // Throws ConfigError naming the first option no take() asked for, and the known ones.
    void rejectUnknown(const std::string& scheme, const std::string& known) const;

private:
    std::string path_;
    std::map<std::string, std::string> values_;
    std::set<std::string> taken_;
};

// "on"/"off" style switches in options; throws ConfigError naming the option otherwise.
bool parseSwitch(const std::string& option, const std::string& value);

}  // namespace orderlens
