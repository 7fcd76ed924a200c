#include "dataset/KthTipsReader.h"

#include "common/Errors.h"
#include "dataset/DecodedImageCache.h"
#include "dataset/DirectoryListing.h"
#include "dataset/LocationOptions.h"
#include "dataset/OutlineReading.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

namespace fs = std::filesystem;

namespace orderlens {

const char* const kRotationMetric = "rotation";
const char* const kIlluminationMetric = "illumination";
const char* const kScaleMetric = "scale";

namespace {

// KTH-TIPS2-b's acquisition grid (docs/DEFINITIONS.md 7): scales 2..10, image indices 1..12.
constexpr int kFirstScale = 2, kLastScale = 10;
constexpr int kImagesPerScale = 12;
// The test sample (docs/DEFINITIONS.md 7); the study trains on the other three.
constexpr const char* kTestSample = "sample_c";
constexpr const char* kSamples[] = {"sample_a", "sample_b", "sample_c", "sample_d"};

bool isPng(const fs::path& p)
{
    const std::string ext = lowerExtension(p);
    return ext == ".png";
}

// A whole decimal number, or -1.
int parseIndex(const std::string& field)
{
    if (field.empty() || field.size() > 4 || !std::all_of(field.begin(), field.end(), ::isdigit))
        return -1;
    return std::stoi(field);
}

}  // namespace

void parseKthFileName(const fs::path& file, int& scale, int& index)
{
    const std::string stem = file.stem().string();
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (std::size_t at; (at = stem.find('_', start)) != std::string::npos; start = at + 1)
        fields.push_back(stem.substr(start, at - start));
    fields.push_back(stem.substr(start));
    scale = fields.size() >= 4 ? parseIndex(fields[1]) : -1;
    index = fields.size() >= 4 ? parseIndex(fields[3]) : -1;
    if (scale < kFirstScale || scale > kLastScale || index < 1 || index > kImagesPerScale)
        throw InputError(file.string(), "the file name does not carry the scale (2..10) and the image index (1..12) "
                                        "as its 2nd and 4th '_'-separated fields (e.g. 22a-scale_2_im_1_col.png)");
}

int kthRotation(int imageIndex)
{
    if (imageIndex < 1 || imageIndex > kImagesPerScale)
        return -1;
    return imageIndex >= 10 ? imageIndex - 10 : (imageIndex - 1) / 3;
}

int kthIllumination(int imageIndex)
{
    if (imageIndex < 1 || imageIndex > kImagesPerScale)
        return -1;
    return imageIndex >= 10 ? 3 : (imageIndex - 1) % 3;
}

namespace {

// The option, the root, the classes and the PNG images of every class's samples, in dataset
// order (class by class, sample_a .. sample_d, files sorted).
struct KthListing {
    bool cache = true;
    fs::path root;
    std::vector<std::string> classNames;
    struct Entry {
        fs::path file;
        Split split;
        int label, scale, index;
    };
    std::vector<Entry> entries;
    std::vector<std::string> notes;
};

KthListing listKth(const std::string& location, const std::string& scheme)
{
    KthListing listing;
    LocationOptions options(location);
    listing.cache = parseSwitch("cache", options.take("cache", "on"));
    options.rejectUnknown(scheme, "cache");
    fs::path root(options.path());
    if (!fs::is_directory(root))
        throw InputError(options.path(), "not a folder");
    // The archive unpacks into KTH-TIPS2-b/; accept its parent too.
    if (fs::is_directory(root / "KTH-TIPS2-b") && sortedEntries(root, true).size() == 1)
        root /= "KTH-TIPS2-b";
    listing.root = root;

    const auto classDirs = sortedEntries(root, true);
    if (classDirs.empty())
        throw InputError(root.string(), "no class folders (expected <class>/sample_a..sample_d/*.png)");
    std::size_t skipped = 0;
    for (const auto& classDir : classDirs) {
        const int label = int(listing.classNames.size());
        listing.classNames.push_back(classDir.filename().string());
        const std::set<std::string> known(std::begin(kSamples), std::end(kSamples));
        for (const auto& sub : sortedEntries(classDir, true))
            if (!known.count(sub.filename().string()))
                throw InputError(sub.string(), "unexpected folder: a KTH-TIPS2-b class holds sample_a .. sample_d");
        for (const char* sample : kSamples) {
            const fs::path sampleDir = classDir / sample;
            if (!fs::is_directory(sampleDir))
                throw InputError(sampleDir.string(), "missing: every KTH-TIPS2-b class has sample_a .. sample_d");
            const Split split = std::string(sample) == kTestSample ? Split::Test : Split::Train;
            std::size_t found = 0;
            for (const auto& file : sortedEntries(sampleDir, false)) {
                if (!isPng(file)) {
                    ++skipped;
                    continue;
                }
                KthListing::Entry e{file, split, label, 0, 0};
                parseKthFileName(file, e.scale, e.index);
                listing.entries.push_back(std::move(e));
                ++found;
            }
            if (found == 0)
                throw InputError(sampleDir.string(), "no PNG images");
        }
    }
    if (skipped > 0)
        listing.notes.push_back("ignored " + std::to_string(skipped) + " files that are not PNG images");
    return listing;
}

}  // namespace

Dataset KthTipsReader::read(const std::string& location) const
{
    const KthListing listing = listKth(location, scheme());
    const fs::path& root = listing.root;
    const auto& entries = listing.entries;
    Dataset ds;
    ds.name = "kth-tips2b";
    ds.classNames = listing.classNames;
    ds.notes = listing.notes;

    std::vector<std::string> files;
    files.reserve(entries.size());
    for (const auto& e : entries)
        files.push_back(e.file.string());
    const DecodedImages decoded =
        decodeImages(files, DecodePolicy{}, listing.cache ? decodedCacheRoot() : std::string());
    ds.notes.push_back(decoded.note());
    ds.setPixelStore(decoded.pixels);
    ds.reserve(entries.size(), 0);
    std::vector<double>& rotation = ds.metrics[kRotationMetric];
    std::vector<double>& illumination = ds.metrics[kIlluminationMetric];
    std::vector<double>& scale = ds.metrics[kScaleMetric];
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const KthListing::Entry& e = entries[i];
        const DecodedImage& d = decoded.images[i];
        ds.addStored(fs::relative(e.file, root).generic_string(), e.split, e.label, d.offset, d.height, d.width,
                     d.channels);
        rotation.push_back(kthRotation(e.index));
        illumination.push_back(kthIllumination(e.index));
        scale.push_back(e.scale);
    }
    ds.distinctValued = {kRotationMetric, kIlluminationMetric};
    return ds;
}

DatasetOutline KthTipsReader::outline(const std::string& location, std::size_t samples) const
{
    const KthListing listing = listKth(location, scheme());
    ListedOutline outline("kth-tips2b", listing.classNames, samples);
    for (const KthListing::Entry& e : listing.entries) {
        outline.addSize(storedGeometry(e.file.string(), DecodePolicy{}));
        if (outline.add(e.split, e.label))
            outline.addSample(fs::relative(e.file, listing.root).generic_string(), e.file.string(), e.label);
    }
    DatasetOutline o = outline.finish(DecodePolicy{});
    o.notes = listing.notes;
    return o;
}

}  // namespace orderlens
