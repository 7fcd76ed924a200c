#include "dataset/ImageNetReader.h"

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

namespace {

// torchvision.datasets.folder.IMG_EXTENSIONS: the files ImageFolder (and so the study) loads.
const std::set<std::string> kImageExtensions = {".jpg", ".jpeg", ".png",  ".ppm",  ".bmp",
                                                ".pgm", ".tif",  ".tiff", ".webp"};

bool isImageFile(const fs::path& p)
{
    const std::string ext = lowerExtension(p);
    return kImageExtensions.count(ext) > 0;
}

// The options, the class folders and the image files of both splits, in dataset order.
struct ImageNetListing {
    DecodePolicy policy;
    bool resizeGiven = false;
    bool cache = true;
    fs::path root;
    std::vector<std::string> classNames;
    struct Entry {
        fs::path file;
        Split split;
        int label;
    };
    std::vector<Entry> entries;
    std::vector<std::string> notes;
};

ImageNetListing listImageNet(const std::string& location, const std::string& scheme)
{
    ImageNetListing listing;
    LocationOptions options(location);
    listing.resizeGiven = options.has("resize");
    const std::string resize = options.take("resize", std::to_string(kImageNetShorterSide));
    listing.cache = parseSwitch("cache", options.take("cache", "on"));
    options.rejectUnknown(scheme, "resize, cache");
    if (resize != "none") {
        const bool digits = !resize.empty() && resize.size() <= 5 &&
                            std::all_of(resize.begin(), resize.end(), [](unsigned char c) { return std::isdigit(c); });
        if (!digits || std::stoi(resize) < 1 || std::stoi(resize) > 65535)
            throw ConfigError("dataset option resize=" + resize + ": expected none or a shorter-side length in pixels");
        listing.policy.shorterSide = std::stoi(resize);
    }

    const fs::path root(options.path());
    listing.root = root;
    if (!fs::is_directory(root))
        throw InputError(options.path(), "not a folder");
    const fs::path trainDir = root / "train";
    if (!fs::is_directory(trainDir))
        throw InputError(trainDir.string(), "missing: expected train/<class>/<image> and val/<class>/<image>");
    const char* testName = fs::is_directory(root / "val") ? "val" : "test";
    const fs::path testDir = root / testName;
    if (!fs::is_directory(testDir))
        throw InputError(root.string(), "no val/ or test/ folder for the test split");

    for (const auto& c : sortedEntries(trainDir, true))
        listing.classNames.push_back(c.filename().string());
    if (listing.classNames.empty())
        throw InputError(trainDir.string(), "no class folders");

    std::size_t skipped = 0;
    for (const auto& [dir, split] : {std::pair{trainDir, Split::Train}, std::pair{testDir, Split::Test}}) {
        const auto classDirs = sortedEntries(dir, true);
        if (classDirs.empty()) {
            const bool flat = std::any_of(fs::directory_iterator(dir), fs::directory_iterator(),
                                          [](const auto& e) { return e.is_regular_file() && isImageFile(e.path()); });
            throw InputError(dir.string(), flat ? "holds images but no class folders: sort them into "
                                                  "<class>/ folders (for ImageNet's val/, e.g. with the "
                                                  "devkit's ground truth)"
                                                : "no class folders");
        }
        for (const auto& classDir : classDirs) {
            const std::string cls = classDir.filename().string();
            const auto it = std::lower_bound(listing.classNames.begin(), listing.classNames.end(), cls);
            if (it == listing.classNames.end() || *it != cls)
                throw InputError(classDir.string(), "class folder '" + cls + "' has no counterpart in train/");
            std::size_t found = 0;
            for (const auto& file : sortedEntries(classDir, false)) {
                if (!isImageFile(file)) {
                    ++skipped;
                    continue;
                }
                listing.entries.push_back({file, split, int(it - listing.classNames.begin())});
                ++found;
            }
            if (found == 0)
                throw InputError(classDir.string(), "empty class folder (no image files)");
        }
    }
    listing.notes.push_back(std::string("test split: ") + testName + "/");
    if (skipped > 0)
        listing.notes.push_back("ignored " + std::to_string(skipped) + " files without an image extension");
    return listing;
}

}  // namespace

Dataset ImageNetReader::read(const std::string& location) const
{
    ImageNetListing listing = listImageNet(location, scheme());
    DecodePolicy& policy = listing.policy;
    const bool resizeGiven = listing.resizeGiven;
    const bool cache = listing.cache;
    const fs::path& root = listing.root;
    const auto& entries = listing.entries;
    Dataset ds;
    ds.name = "imagenet";
    ds.classNames = listing.classNames;
    ds.notes = listing.notes;
    std::vector<std::string> files;
    files.reserve(entries.size());
    for (const auto& e : entries)
        files.push_back(e.file.string());
    const std::string cacheRoot = cache ? decodedCacheRoot() : std::string();
    DecodedImages decoded = decodeImages(files, policy, cacheRoot);
    // docs/DEFINITIONS.md 8: images of one fixed size smaller than the input are not resized (e.g.
    // Tiny ImageNet's 64 x 64). Unless ?resize= asked for it, such a set is kept at its size.
    const DecodedImage first = decoded.images.front();
    const bool oneSize = std::all_of(decoded.images.begin(), decoded.images.end(), [&](const DecodedImage& d) {
        return d.originalHeight == first.originalHeight && d.originalWidth == first.originalWidth;
    });
    if (!resizeGiven && oneSize && std::min(first.originalHeight, first.originalWidth) < policy.shorterSide) {
        policy.shorterSide = 0;
        decoded = decodeImages(files, policy, cacheRoot);
        ds.notes.push_back("every image is " + std::to_string(first.originalHeight) + " x " +
                           std::to_string(first.originalWidth) + ", smaller than " +
                           std::to_string(kImageNetShorterSide) +
                           ": stored at that size, not enlarged (docs/DEFINITIONS.md 8; ?resize=N overrides)");
    }
    ds.notes.push_back(policy.shorterSide > 0 ? "images stored with the shorter side resized to " +
                                                    std::to_string(policy.shorterSide) + " pixels"
                                              : std::string("images stored at their original size"));
    ds.notes.push_back(decoded.note());
    ds.setPixelStore(decoded.pixels);
    ds.reserve(entries.size(), 0);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const DecodedImage& d = decoded.images[i];
        ds.addStored(fs::relative(entries[i].file, root).generic_string(), entries[i].split, entries[i].label,
                     d.offset, d.height, d.width, d.channels);
    }
    return ds;
}

DatasetOutline ImageNetReader::outline(const std::string& location, std::size_t samples) const
{
    const ImageNetListing listing = listImageNet(location, scheme());
    ListedOutline outline("imagenet", listing.classNames, samples);
    for (const auto& e : listing.entries)
        if (outline.add(e.split, e.label))
            outline.addSample(fs::relative(e.file, listing.root).generic_string(), e.file.string(), e.label);
    DatasetOutline o = outline.finish(listing.policy);
    o.notes = listing.notes;
    o.notes.push_back("image sizes are read when the images are decoded for training");
    return o;
}

}  // namespace orderlens
