#pragma once

#include "dataset/Dataset.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace orderlens {

// What can be said of a dataset before training without decoding all of it: what the setup
// form shows and checks (counts, classes, geometry, a few images to look at).
struct DatasetOutline {
    struct Sample {
        std::string key;
        int label = 0;
        int height = 0, width = 0, channels = 0;
        std::vector<std::uint8_t> pixels;  // as Dataset::image() would give them
    };
    std::string name;
    std::vector<std::string> classNames;
    bool multiLabel = false;
    std::size_t trainImages = 0, testImages = 0;
    // As Dataset's: height and width shared by every image, else 0; channels the most any image
    // has. All 0 when the sizes were not read.
    int height = 0, width = 0, channels = 0;
    int smallestSide = 0;                     // of any image; 0 when the sizes were not read
    // One training image per class, in the order the classes first appear, at most the number
    // asked for.
    std::vector<Sample> samples;
    std::vector<std::string> notes;

    // The outline of a loaded dataset.
    static DatasetOutline of(const Dataset& dataset, std::size_t samples);
};

// One dataset format. A format is added by implementing this interface and registering it in
// DatasetReader.cpp; everything else finds it through loadDataset().
class DatasetReader {
public:
    virtual ~DatasetReader() = default;
    // The scheme in a dataset spec "scheme:location", e.g. "cifar10".
    virtual std::string scheme() const = 0;
    // One line for --help.
    virtual std::string description() const = 0;
    // The name people know the dataset or format by, for the GUI and messages.
    virtual std::string title() const { return scheme(); }
    // Whether the spec needs a location after the colon.
    virtual bool needsLocation() const { return true; }
    // Reads every image. Throws InputError naming the file and the problem.
    virtual Dataset read(const std::string& location) const = 0;
    // The outline with at most `samples` sample images. By default from read(); formats whose
    // datasets are too large to decode for a look (image folders, ImageNet) list their files
    // and decode only the samples. Throws as read() does for what it reads.
    virtual DatasetOutline outline(const std::string& location, std::size_t samples) const;
};

const std::vector<std::unique_ptr<DatasetReader>>& datasetReaders();
// The reader of a spec's scheme ("cifar10:/data" or "cifar10"), or nullptr for an unknown one.
const DatasetReader* findDatasetReader(const std::string& spec);

// A spec is "scheme:location" (e.g. "cifar10:/data/cifar-10-batches-bin") or a bare scheme
// when the reader knows where its data lives ("fashion-mnist").
struct DatasetSpec {
    std::string scheme;
    std::string location;
    static DatasetSpec parse(const std::string& spec);  // throws ConfigError
    std::string str() const { return location.empty() ? scheme : scheme + ":" + location; }
};

// Loads, validates and (when limits are given) subsets a dataset.
Dataset loadDataset(const std::string& spec, std::size_t limitTrain = 0, std::size_t limitTest = 0,
                    std::uint64_t subsetSeed = 0);

// The outline of a spec's dataset (DatasetReader::outline), checked as loadDataset checks the
// dataset (an empty split is refused).
DatasetOutline outlineDataset(const std::string& spec, std::size_t samples);

// The default dataset shipped by Debian's dataset-fashion-mnist package.
extern const char* const kDefaultDatasetSpec;

}  // namespace orderlens
