#pragma once

#include "dataset/Dataset.h"

#include <map>
#include <string>
#include <vector>

namespace orderlens {

// Statistics are computed once per dataset, not once per run: this cache keeps them in one CSV
// per dataset content, DIR/<name>-<content fingerprint>.csv (a comment line with the layout
// version and fingerprint, then `key,<column id>...`, one row per image in dataset order,
// empty = missing). A column id is "<column>@<parameter tag>", so values computed with other
// parameters never stand in for the requested ones. A file that does not match the dataset is
// ignored and rewritten.
class MetricsCache {
public:
    static constexpr int kLayoutVersion = 1;

    // The cache of one dataset's content in a folder (the fingerprint is computed here, once).
    MetricsCache(std::string directory, const Dataset& dataset);

    // $ORDERLENS_METRICS_CACHE, else $XDG_CACHE_HOME/orderlens/metrics, else
    // ~/.cache/orderlens/metrics.
    static std::string defaultDirectory();
    static std::string columnId(const std::string& column, const std::string& parameterTag)
    {
        return column + "@" + parameterTag;
    }
    // Keys, splits, labels and every pixel: a changed image is a different dataset.
    static std::string contentFingerprint(const Dataset& dataset);

    const std::string& path() const { return path_; }
    // The wanted columns the cache has (by id), each with one value per dataset image.
    std::map<std::string, std::vector<double>> load(const std::vector<std::string>& ids) const;
    // Adds or replaces columns, keeping the others. Written beside the file and renamed into
    // place. Throws InputError when the directory or file cannot be written.
    void store(const std::map<std::string, std::vector<double>>& columns) const;

private:
    std::map<std::string, std::vector<double>> readAll() const;
    std::string directory_;
    const Dataset& dataset_;
    std::string header_;  // the file's first line: layout version, fingerprint, image count
    std::string path_;
};

}  // namespace orderlens
