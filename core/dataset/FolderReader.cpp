#include "dataset/FolderReader.h"

#include "common/Errors.h"
#include "dataset/DirectoryListing.h"
#include "dataset/ImageHeader.h"
#include "dataset/OutlineReading.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <filesystem>
#include <set>

namespace fs = std::filesystem;

namespace orderlens {

namespace {

// The class folders of both splits (names sorted: the label order) and each split's class
// folders with their files, in dataset order.
struct FolderListing {
    struct ClassFolder {
        fs::path dir;
        int label = 0;
        std::vector<fs::path> files;
    };
    std::vector<std::string> classNames;
    std::vector<ClassFolder> train, test;
};

FolderListing listFolders(const std::string& location)
{
    const fs::path root(location);
    if (!fs::is_directory(root))
        throw InputError(location, "not a folder");
    FolderListing listing;
    std::set<std::string> classSet;
    for (const char* split : {"train", "test"}) {
        const fs::path dir = root / split;
        if (!fs::is_directory(dir))
            throw InputError(dir.string(), "missing: an image folder dataset needs train/<class>/ and test/<class>/");
        for (const auto& c : sortedEntries(dir, true))
            classSet.insert(c.filename().string());
    }
    listing.classNames.assign(classSet.begin(), classSet.end());
    if (listing.classNames.empty())
        throw InputError(location, "no class folders under train/ or test/");
    for (Split split : {Split::Train, Split::Test}) {
        for (const auto& classDir : sortedEntries(root / splitName(split), true)) {
            FolderListing::ClassFolder folder;
            folder.dir = classDir;
            folder.label = int(std::lower_bound(listing.classNames.begin(), listing.classNames.end(),
                                                classDir.filename().string()) -
                               listing.classNames.begin());
            folder.files = sortedEntries(classDir, false);
            if (folder.files.empty())
                throw InputError(classDir.string(), "empty class folder");
            (split == Split::Train ? listing.train : listing.test).push_back(std::move(folder));
        }
    }
    return listing;
}

// The image as the dataset stores it: 8 bits, grey or RGB, continuous.
cv::Mat decodeImage(const fs::path& file)
{
    cv::Mat img = cv::imread(file.string(), cv::IMREAD_UNCHANGED);
    if (img.empty())
        throw InputError(file.string(), "unreadable image (not a format OpenCV can decode)");
    if (img.depth() == CV_16U)
        img.convertTo(img, CV_8U, 1.0 / 257.0);
    if (img.depth() != CV_8U)
        throw InputError(file.string(), "unsupported pixel depth (expected 8 or 16 bits)");
    cv::Mat out;
    switch (img.channels()) {
    case 1: out = img; break;
    case 3: cv::cvtColor(img, out, cv::COLOR_BGR2RGB); break;
    case 4: cv::cvtColor(img, out, cv::COLOR_BGRA2RGB); break;
    default:
        throw InputError(file.string(), "unsupported channel count " + std::to_string(img.channels()));
    }
    return out.isContinuous() ? out : out.clone();
}

}  // namespace

Dataset FolderReader::read(const std::string& location) const
{
    const FolderListing listing = listFolders(location);
    const fs::path root(location);
    Dataset ds;
    ds.name = "folder";
    ds.classNames = listing.classNames;
    for (Split split : {Split::Train, Split::Test})
        for (const auto& folder : split == Split::Train ? listing.train : listing.test)
            for (const auto& file : folder.files) {
                const cv::Mat image = decodeImage(file);
                ds.add(fs::relative(file, root).generic_string(), split, folder.label, image.data, image.rows,
                       image.cols, image.channels());
            }
    return ds;
}

DatasetOutline FolderReader::outline(const std::string& location, std::size_t samples) const
{
    const FolderListing listing = listFolders(location);
    const fs::path root(location);
    DatasetOutline o;
    o.name = "folder";
    o.classNames = listing.classNames;
    // Sizes from each file's header; only files whose header says nothing are decoded.
    OutlineSizes sizes;
    for (Split split : {Split::Train, Split::Test})
        for (const auto& folder : split == Split::Train ? listing.train : listing.test) {
            (split == Split::Train ? o.trainImages : o.testImages) += folder.files.size();
            for (const auto& file : folder.files) {
                if (const auto header = readImageHeader(file)) {
                    sizes.add(header->height, header->width, header->channels);
                } else {
                    const cv::Mat image = decodeImage(file);
                    sizes.add(image.rows, image.cols, image.channels());
                }
            }
        }
    sizes.writeTo(o);
    for (const auto& folder : listing.train) {
        if (o.samples.size() >= samples)
            break;
        const fs::path& file = folder.files.front();
        const cv::Mat image = decodeImage(file);
        o.samples.push_back({fs::relative(file, root).generic_string(), folder.label, image.rows, image.cols,
                             image.channels(),
                             std::vector<std::uint8_t>(image.data, image.data + image.total() * image.elemSize())});
    }
    return o;
}

}  // namespace orderlens
