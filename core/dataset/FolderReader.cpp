#include "dataset/FolderReader.h"

#include "common/Errors.h"
#include "dataset/DirectoryListing.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <filesystem>
#include <set>

namespace fs = std::filesystem;

namespace orderlens {

Dataset FolderReader::read(const std::string& location) const
{
    const fs::path root(location);
    if (!fs::is_directory(root))
        throw InputError(location, "not a folder");
    Dataset ds;
    ds.name = "folder";
    std::set<std::string> classSet;
    for (const char* split : {"train", "test"}) {
        const fs::path dir = root / split;
        if (!fs::is_directory(dir))
            throw InputError(dir.string(), "missing: an image folder dataset needs train/<class>/ and test/<class>/");
        for (const auto& c : sortedEntries(dir, true))
            classSet.insert(c.filename().string());
    }
    ds.classNames.assign(classSet.begin(), classSet.end());
    if (ds.classNames.empty())
        throw InputError(location, "no class folders under train/ or test/");

    for (Split split : {Split::Train, Split::Test}) {
        const fs::path dir = root / splitName(split);
        for (const auto& classDir : sortedEntries(dir, true)) {
            const std::string cls = classDir.filename().string();
            const int label = int(std::lower_bound(ds.classNames.begin(), ds.classNames.end(), cls) -
                                  ds.classNames.begin());
            const auto files = sortedEntries(classDir, false);
            if (files.empty())
                throw InputError(classDir.string(), "empty class folder");
            for (const auto& file : files) {
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
                if (!out.isContinuous())
                    out = out.clone();
                ds.add(fs::relative(file, root).generic_string(), split, label, out.data, out.rows, out.cols,
                       out.channels());
            }
        }
    }
    return ds;
}

}  // namespace orderlens
