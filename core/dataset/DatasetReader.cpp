#include "dataset/DatasetReader.h"

#include "common/Errors.h"
#include "dataset/CifarReader.h"
#include "dataset/FolderReader.h"
#include "dataset/IdxReader.h"
#include "dataset/ImageNetReader.h"
#include "dataset/KthTipsReader.h"
#include "dataset/VocReader.h"

namespace orderlens {

const char* const kDefaultDatasetSpec = "fashion-mnist";

const std::vector<std::unique_ptr<DatasetReader>>& datasetReaders()
{
    static const std::vector<std::unique_ptr<DatasetReader>> readers = [] {
        std::vector<std::unique_ptr<DatasetReader>> r;
        r.push_back(std::make_unique<FashionMnistReader>());
        r.push_back(std::make_unique<IdxReader>());
        r.push_back(std::make_unique<CifarReader>(10));
        r.push_back(std::make_unique<CifarReader>(100));
        r.push_back(std::make_unique<FolderReader>());
        r.push_back(std::make_unique<VocReader>());
        r.push_back(std::make_unique<KthTipsReader>());
        r.push_back(std::make_unique<ImageNetReader>());
        return r;
    }();
    return readers;
}

DatasetSpec DatasetSpec::parse(const std::string& spec)
{
    DatasetSpec out;
    const auto colon = spec.find(':');
    out.scheme = spec.substr(0, colon);
    if (colon != std::string::npos)
        out.location = spec.substr(colon + 1);
    for (const auto& r : datasetReaders()) {
        if (r->scheme() != out.scheme)
            continue;
        if (r->needsLocation() && out.location.empty())
            throw ConfigError("dataset '" + spec + "' needs a folder: " + out.scheme + ":DIR");
        return out;
    }
    std::string known;
    for (const auto& r : datasetReaders())
        known += (known.empty() ? "" : ", ") + r->scheme();
    throw ConfigError("unknown dataset format '" + out.scheme + "' (known: " + known + ")");
}

const DatasetReader* findDatasetReader(const std::string& spec)
{
    const std::string scheme = spec.substr(0, spec.find(':'));
    for (const auto& r : datasetReaders())
        if (r->scheme() == scheme)
            return r.get();
    return nullptr;
}

Dataset loadDataset(const std::string& spec, std::size_t limitTrain, std::size_t limitTest,
                    std::uint64_t subsetSeed)
{
    const DatasetSpec parsed = DatasetSpec::parse(spec);
    for (const auto& r : datasetReaders()) {
        if (r->scheme() != parsed.scheme)
            continue;
        Dataset ds = r->read(parsed.location);
        ds.source = parsed.str();
        ds.validate();
        if (limitTrain || limitTest) {
            Dataset sub = ds.subset(limitTrain, limitTest, subsetSeed);
            sub.source = ds.source;
            return sub;
        }
        return ds;
    }
    throw ConfigError("unknown dataset format '" + parsed.scheme + "'");
}

}  // namespace orderlens
