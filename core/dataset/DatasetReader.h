#pragma once

#include "dataset/Dataset.h"

#include <memory>
#include <string>
#include <vector>

namespace orderlens {

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

// The default dataset shipped by Debian's dataset-fashion-mnist package.
extern const char* const kDefaultDatasetSpec;

}  // namespace orderlens
