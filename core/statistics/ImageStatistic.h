#pragma once

#include "dataset/Dataset.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace orderlens {

// The options of the built-in statistics (docs/DEFINITIONS.md 6). Defaults are the study's.
struct StatisticParameters {
    int entropyWindow = 10;      // docs/DEFINITIONS.md 6: mean local entropy, window w = 10
    float segmentSigma = 0.5f;   // docs/DEFINITIONS.md 6: the study ran `segment 0.5 500 20`
    float segmentK = 500.0f;
    int segmentMinSize = 20;
    // Crisp boundaries: the run's seed (each image's seed is derived from it and the image's key),
    // the number of independently seeded maps averaged (1 = the study's procedure), and a folder
    // that receives every map as CSV and PNG (empty: none).
    std::uint64_t crispSeed = 0;
    int crispRepeats = 1;
    std::string crispMapDirectory;
};

// One per-image statistic. A statistic produces one or more named columns (e.g. "dct_percent"
// and "dct_max") from one image; it is added by implementing this interface and registering a
// factory in ImageStatistic.cpp. compute() must be thread-safe: the engine calls it from every
// worker at once.
class ImageStatistic {
public:
    virtual ~ImageStatistic() = default;
    // The columns it writes, in order; these names appear in CSVs and run files.
    virtual std::vector<std::string> columns() const = 0;
    // What identifies the values besides the column name (the parameters and the definition's
    // version), e.g. "window=10", parts separated by ";" (never ","): the metrics cache keys
    // columns by name and this tag.
    virtual std::string parameterTag() const = 0;
    // Writes columns().size() values. A value that does not exist for this image (e.g. an image
    // smaller than the window) is NaN, and `warning` then says why (left untouched otherwise).
    virtual void compute(const ImageView& image, double* values, std::string& warning) const = 0;
    // What the engine calls, with the image's key: a statistic that draws random numbers derives
    // them from the key, so that a value does not depend on which other images are computed.
    virtual void computeForKey(const ImageView& image, const std::string& key, double* values,
                               std::string& warning) const
    {
        compute(image, values, warning);
    }
    // True when compute() also writes files (e.g. edge maps): such a statistic is always computed,
    // never read from the metrics cache.
    virtual bool writesFiles() const { return false; }
};

// The built-in statistics by the name used on the command line (`--metrics entropy,dct`).
struct StatisticKind {
    std::string name;
    std::string description;
    std::vector<std::string> columns;
    std::unique_ptr<ImageStatistic> (*create)(const StatisticParameters&);
};
const std::vector<StatisticKind>& statisticKinds();

// Creates the named statistics; throws ConfigError naming an unknown one and the known ones.
std::vector<std::unique_ptr<ImageStatistic>> createStatistics(const std::vector<std::string>& names,
                                                              const StatisticParameters& parameters);

}  // namespace orderlens
