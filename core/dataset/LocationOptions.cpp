#include "dataset/LocationOptions.h"

#include "common/Errors.h"

#include <algorithm>

namespace orderlens {

LocationOptions::LocationOptions(const std::string& location)
{
    // The last '?' starts the options: folder names with a '?' still work when no option follows.
    const auto mark = location.rfind('?');
    path_ = location.substr(0, mark);
    if (mark == std::string::npos)
        return;
    const std::string options = location.substr(mark + 1);
    std::size_t start = 0;
    while (start <= options.size()) {
        const auto end = std::min(options.find('&', start), options.size());
        const std::string item = options.substr(start, end - start);
        start = end + 1;
        if (item.empty())
            continue;
        const auto eq = item.find('=');
        const std::string key = item.substr(0, eq);
        const std::string value = eq == std::string::npos ? std::string() : item.substr(eq + 1);
        if (key.empty())
            throw ConfigError("dataset option '" + item + "' has no name (expected name=value)");
        if (!values_.emplace(key, value).second)
            throw ConfigError("dataset option '" + key + "' is given twice");
    }
}

std::string LocationOptions::take(const std::string& key, const std::string& fallback)
{
    taken_.insert(key);
    const auto it = values_.find(key);
    return it == values_.end() ? fallback : it->second;
}

void LocationOptions::rejectUnknown(const std::string& scheme, const std::string& known) const
{
    for (const auto& [key, value] : values_)
        if (!taken_.count(key))
            throw ConfigError("unknown option '" + key + "' for " + scheme + " datasets (known: " + known + ")");
}

bool parseSwitch(const std::string& option, const std::string& value)
{
    if (value == "on" || value == "true" || value == "1" || value == "yes")
        return true;
    if (value == "off" || value == "false" || value == "0" || value == "no")
        return false;
    throw ConfigError("dataset option " + option + "=" + value + ": expected on or off");
}

}  // namespace orderlens
