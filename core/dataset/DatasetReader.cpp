#include "dataset/DatasetReader.h"

#include "common/Errors.h"
#include "dataset/CifarReader.h"
#include "dataset/FolderReader.h"
#include "dataset/IdxReader.h"
#include "dataset/ImageNetReader.h"
#include "dataset/KthTipsReader.h"
#include "dataset/OutlineReading.h"
#include "dataset/VocReader.h"

#include <algorithm>
#include <limits>

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

DatasetOutline DatasetOutline::of(const Dataset& ds, std::size_t samples)
{
    DatasetOutline o;
    o.name = ds.name;
    o.classNames = ds.classNames;
    o.multiLabel = ds.multiLabel;
    o.trainImages = ds.count(Split::Train);
    o.testImages = ds.count(Split::Test);
    o.height = ds.height();
    o.width = ds.width();
    o.channels = ds.channels();
    o.notes = ds.notes;
    o.smallestSide = std::numeric_limits<int>::max();
    OutlineSampleChoice choice(ds.classNames.size(), samples);
    for (std::size_t i = 0; i < ds.size(); ++i) {
        const ImageView v = ds.image(i);
        o.smallestSide = std::min({o.smallestSide, v.height, v.width});
        const int label = ds.label(i);
        if (!choice.wants(ds.split(i), label))
            continue;
        o.samples.push_back({ds.key(i), label, v.height, v.width, v.channels,
                             std::vector<std::uint8_t>(v.data, v.data + v.bytes())});
    }
    if (ds.size() == 0)
        o.smallestSide = 0;
    return o;
}

DatasetOutline DatasetReader::outline(const std::string& location, std::size_t samples) const
{
    Dataset ds = read(location);
    ds.source = DatasetSpec{scheme(), location}.str();
    ds.validate();
    return DatasetOutline::of(ds, samples);
}

DatasetOutline outlineDataset(const std::string& spec, std::size_t samples)
{
    const DatasetSpec parsed = DatasetSpec::parse(spec);
    const DatasetReader* reader = findDatasetReader(parsed.scheme);
    if (!reader)
        throw ConfigError("unknown dataset format '" + parsed.scheme + "'");
    DatasetOutline o = reader->outline(parsed.location, samples);
    if (o.trainImages == 0 || o.testImages == 0)
        throw InputError(parsed.str(), std::string("the ") + (o.trainImages == 0 ? "train" : "test") +
                                           " split has no images");
    return o;
}

}  // namespace orderlens
