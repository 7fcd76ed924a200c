#include "dataset/VocReader.h"

#include "common/Errors.h"
#include "dataset/DecodedImageCache.h"
#include "dataset/LocationOptions.h"
#include "dataset/OutlineReading.h"

#include <pugixml.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>

namespace fs = std::filesystem;

namespace orderlens {

const std::array<const char*, 20> kVocClasses = {
    "aeroplane", "bicycle", "bird",  "boat",      "bottle", "bus",         "car",   "cat",  "chair", "cow",
    "diningtable", "dog",  "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor"};

const char* const kObjectSizeMetric = "object_size";
const char* const kInstancesMetric = "instances";
const char* const kVisualSearchDifficultyMetric = "visual_search_difficulty";

namespace {

std::string trim(const std::string& s)
{
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

bool parseNumber(const std::string& text, double& value)
{
    const std::string t = trim(text);
    if (t.empty())
        return false;
    char* end = nullptr;
    value = std::strtod(t.c_str(), &end);
    return end == t.c_str() + t.size() && std::isfinite(value);
}

std::string classList()
{
    std::string out;
    for (const char* c : kVocClasses)
        out += (out.empty() ? "" : ", ") + std::string(c);
    return out;
}

}  // namespace

VocAnnotation parseVocAnnotation(const fs::path& xml)
{
    pugi::xml_document doc;
    const pugi::xml_parse_result parsed = doc.load_file(xml.c_str());
    if (parsed.status == pugi::status_file_not_found)
        throw InputError(xml.string(), "missing annotation for an image listed in ImageSets/Main");
    if (parsed.status == pugi::status_io_error || parsed.status == pugi::status_out_of_memory)
        throw InputError(xml.string(), std::string("cannot read the annotation: ") + parsed.description());
    if (!parsed)
        throw InputError(xml.string(), std::string("malformed XML: ") + parsed.description() + " at byte " +
                                           std::to_string(parsed.offset));
    const pugi::xml_node root = doc.child("annotation");
    if (!root)
        throw InputError(xml.string(), "not a Pascal VOC annotation (no <annotation> element)");

    VocAnnotation out;
    const pugi::xml_node size = root.child("size");
    double w = 0, h = 0;
    if (size && parseNumber(size.child_value("width"), w) && parseNumber(size.child_value("height"), h) && w > 0 &&
        h > 0) {
        out.width = w;
        out.height = h;
    }
    int number = 0;
    for (const pugi::xml_node object : root.children("object")) {
        ++number;
        const std::string name = trim(object.child_value("name"));
        const auto it = std::find(kVocClasses.begin(), kVocClasses.end(), name);
        if (it == kVocClasses.end())
            throw InputError(xml.string(), "object " + std::to_string(number) + " has unknown class '" + name +
                                               "' (Pascal VOC's classes: " + classList() + ")");
        VocObject o;
        o.classIndex = int(it - kVocClasses.begin());
        o.difficult = trim(object.child_value("difficult")) == "1";
        const pugi::xml_node box = object.child("bndbox");
        double xmin = 0, ymin = 0, xmax = 0, ymax = 0;
        if (!box || !parseNumber(box.child_value("xmin"), xmin) || !parseNumber(box.child_value("ymin"), ymin) ||
            !parseNumber(box.child_value("xmax"), xmax) || !parseNumber(box.child_value("ymax"), ymax))
            throw InputError(xml.string(), "object " + std::to_string(number) + " (" + name +
                                               ") has no complete <bndbox> (xmin, ymin, xmax, ymax)");
        // The box as its corners give it, without the +1 of inclusive pixel counting, as
        // (xmax - xmin) * (ymax - ymin) on the annotation values (docs/METRICS.md).
        o.boxArea = std::max(0.0, xmax - xmin) * std::max(0.0, ymax - ymin);
        out.labelBits |= std::uint64_t(1) << o.classIndex;
        out.objects.push_back(o);
    }
    if (out.objects.empty())
        throw InputError(xml.string(), "no <object> elements: every Pascal VOC image has at least one object");
    return out;
}

namespace {

std::vector<std::string> readImageSet(const fs::path& list)
{
    std::ifstream in(list);
    if (!in)
        throw InputError(list.string(), "missing image list (Pascal VOC devkit layout: ImageSets/Main/" +
                                            list.filename().string() + ")");
    std::vector<std::string> ids;
    std::set<std::string> seen;
    std::string line;
    int lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        const std::string t = trim(line);
        if (t.empty())
            continue;
        const std::string id = t.substr(0, t.find_first_of(" \t"));
        if (id.find('/') != std::string::npos || id == "." || id == "..")
            throw InputError(list.string(), "line " + std::to_string(lineNo) + ": '" + id + "' is not an image id");
        if (!seen.insert(id).second)
            throw InputError(list.string(), "line " + std::to_string(lineNo) + ": image " + id + " is listed twice");
        ids.push_back(id);
    }
    if (ids.empty())
        throw InputError(list.string(), "lists no images");
    return ids;
}

struct VocEntry {
    std::string year;  // "VOC2007"
    std::string id;
    Split split = Split::Train;
    fs::path xml, jpeg;
    VocAnnotation annotation;
};

// The images of one year's image set, annotations parsed, image files checked.
std::size_t addImageSet(const fs::path& root, const std::string& year, const std::string& set, Split split,
                        std::vector<VocEntry>& out)
{
    const fs::path yearDir = root / year;
    const auto ids = readImageSet(yearDir / "ImageSets" / "Main" / (set + ".txt"));
    for (const auto& id : ids) {
        VocEntry e;
        e.year = year;
        e.id = id;
        e.split = split;
        e.xml = yearDir / "Annotations" / (id + ".xml");
        e.jpeg = yearDir / "JPEGImages" / (id + ".jpg");
        e.annotation = parseVocAnnotation(e.xml);
        if (!fs::is_regular_file(e.jpeg))
            throw InputError(e.jpeg.string(), "missing image for the annotation " + e.xml.string());
        out.push_back(std::move(e));
    }
    return ids.size();
}

// "VOC2012/2008_000008" and "2008_000008.jpg" both give "2008_000008".
std::string stemOf(const std::string& name)
{
    const auto slash = name.find_last_of("/\\");
    const std::string base = slash == std::string::npos ? name : name.substr(slash + 1);
    const auto dot = base.rfind('.');
    return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

}  // namespace

VisualSearchDifficulty importVisualSearchDifficulty(const Dataset& dataset, const std::string& csvPath)
{
    std::ifstream in(csvPath);
    if (!in)
        throw InputError(csvPath, "cannot open the visual search difficulty file");
    std::map<std::string, double> scores;
    std::string line;
    int lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        const std::string t = trim(line);
        if (t.empty())
            continue;
        const auto comma = t.find(',');
        if (comma == std::string::npos)
            throw InputError(csvPath, "line " + std::to_string(lineNo) + ": expected 'image name,score'");
        std::string name = trim(t.substr(0, comma));
        if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
            name = name.substr(1, name.size() - 2);
        double score = 0;
        if (!parseNumber(t.substr(comma + 1), score)) {
            // The file is headerless, but a header line some tools add is tolerated.
            if (lineNo == 1 && scores.empty())
                continue;
            throw InputError(csvPath, "line " + std::to_string(lineNo) + ": score '" + trim(t.substr(comma + 1)) +
                                          "' is not a number");
        }
        if (!scores.emplace(stemOf(name), score).second)
            throw InputError(csvPath, "line " + std::to_string(lineNo) + ": image " + stemOf(name) +
                                          " has a second score");
    }
    VisualSearchDifficulty out;
    out.rows = scores.size();
    out.values.assign(dataset.size(), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t i = 0; i < dataset.size(); ++i) {
        const auto it = scores.find(stemOf(dataset.key(i)));
        if (it != scores.end()) {
            out.values[i] = it->second;
            ++out.matched;
        }
    }
    return out;
}

namespace {

// The options, the root and the annotated images of every part of the devkit that is read, in
// dataset order (train: VOC2007 trainval, VOC2012 trainval; test: VOC2007 test).
struct VocListing {
    DecodePolicy policy;
    bool cache = true;
    std::string visualSearch;
    std::vector<VocEntry> entries;
    std::vector<std::string> notes;
};

VocListing listVoc(const std::string& location, const std::string& scheme)
{
    VocListing listing;
    LocationOptions options(location);
    listing.visualSearch = options.take("visual-search", "");
    const std::string resize = options.take("resize", "none");
    listing.cache = parseSwitch("cache", options.take("cache", "on"));
    options.rejectUnknown(scheme, "visual-search, resize, cache");
    if (resize != "none") {
        double side = 0;
        if (!parseNumber(resize, side) || side < 1 || side > 65535 || side != std::floor(side))
            throw ConfigError("dataset option resize=" + resize + ": expected none or a shorter-side length in pixels");
        listing.policy.shorterSide = int(side);
    }

    fs::path root(options.path());
    if (!fs::is_directory(root))
        throw InputError(options.path(), "not a folder");
    if (!fs::is_directory(root / "VOC2007") && !fs::is_directory(root / "VOC2012") &&
        fs::is_directory(root / "VOCdevkit"))
        root /= "VOCdevkit";
    if (!fs::is_directory(root / "VOC2007"))
        throw InputError((root / "VOC2007").string(),
                         "missing: the test split is VOC2007 test (docs/DEFINITIONS.md 7), expected VOC2007/ with "
                         "Annotations/, JPEGImages/ and ImageSets/Main/test.txt");

    std::vector<VocEntry>& entries = listing.entries;
    std::string trainParts;
    if (fs::exists(root / "VOC2007" / "ImageSets" / "Main" / "trainval.txt")) {
        const std::size_t n = addImageSet(root, "VOC2007", "trainval", Split::Train, entries);
        trainParts = "VOC2007 trainval (" + std::to_string(n) + " images)";
    } else {
        listing.notes.push_back("VOC2007 trainval not found (no VOC2007/ImageSets/Main/trainval.txt)");
    }
    if (fs::is_directory(root / "VOC2012")) {
        const std::size_t n = addImageSet(root, "VOC2012", "trainval", Split::Train, entries);
        trainParts += (trainParts.empty() ? "" : " + ") + std::string("VOC2012 trainval (") + std::to_string(n) +
                      " images)";
    } else {
        listing.notes.push_back("VOC2012 not found under " + root.string());
    }
    if (trainParts.empty())
        throw InputError(root.string(), "no training images: neither VOC2007/ImageSets/Main/trainval.txt nor "
                                        "VOC2012/ImageSets/Main/trainval.txt exists");
    const std::size_t tested = addImageSet(root, "VOC2007", "test", Split::Test, entries);
    listing.notes.insert(listing.notes.begin(), {"train split: " + trainParts,
                                                 "test split: VOC2007 test (" + std::to_string(tested) + " images)"});
    return listing;
}

std::vector<std::string> vocClassNames() { return {kVocClasses.begin(), kVocClasses.end()}; }

}  // namespace

Dataset VocReader::read(const std::string& location) const
{
    const VocListing listing = listVoc(location, scheme());
    const std::vector<VocEntry>& entries = listing.entries;
    Dataset ds;
    ds.name = "voc";
    ds.multiLabel = true;
    ds.classNames = vocClassNames();
    ds.notes = listing.notes;

    std::vector<std::string> files;
    files.reserve(entries.size());
    for (const auto& e : entries)
        files.push_back(e.jpeg.string());
    const DecodedImages decoded =
        decodeImages(files, listing.policy, listing.cache ? decodedCacheRoot() : std::string());
    ds.notes.push_back(decoded.note());
    ds.setPixelStore(decoded.pixels);
    ds.reserve(entries.size(), 0);

    std::vector<double>& objectSize = ds.metrics[kObjectSizeMetric];
    std::vector<double>& instances = ds.metrics[kInstancesMetric];
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const VocEntry& e = entries[i];
        const DecodedImage& d = decoded.images[i];
        ds.addMultiLabelStored(e.year + "/" + e.id, e.split, e.annotation.labelBits, d.offset, d.height, d.width,
                               d.channels);
        // Ratios of the annotation's own geometry; the decoded size stands in when <size> is absent.
        const double area = e.annotation.width > 0
                                ? e.annotation.width * e.annotation.height
                                : double(d.originalWidth) * double(d.originalHeight);
        double boxes = 0;
        int count = 0;
        for (const VocObject& o : e.annotation.objects) {
            if (o.difficult && e.split == Split::Test)
                continue;
            boxes += o.boxArea;
            ++count;
        }
        objectSize.push_back(boxes / area);
        instances.push_back(count);
    }

    if (const std::string& visualSearch = listing.visualSearch; !visualSearch.empty()) {
        VisualSearchDifficulty vsd = importVisualSearchDifficulty(ds, visualSearch);
        ds.notes.push_back("visual search difficulty: " + std::to_string(vsd.matched) + " of " +
                           std::to_string(ds.size()) + " images matched a score (" + std::to_string(vsd.rows) +
                           " scores in " + visualSearch + ")");
        ds.metrics[kVisualSearchDifficultyMetric] = std::move(vsd.values);
    }
    return ds;
}

DatasetOutline VocReader::outline(const std::string& location, std::size_t samples) const
{
    const VocListing listing = listVoc(location, scheme());
    if (!listing.visualSearch.empty() && !std::ifstream(listing.visualSearch))
        throw InputError(listing.visualSearch, "cannot open the visual search difficulty file");
    ListedOutline outline("voc", vocClassNames(), samples);
    for (const VocEntry& e : listing.entries) {
        // The size from the JPEG's header, else from the annotation's <size>.
        outline.addSize(storedGeometry(e.jpeg.string(), listing.policy,
                                       {int(e.annotation.height), int(e.annotation.width), 3}));
        // The lowest class, as Dataset::label (an annotation has at least one object).
        const int label = __builtin_ctzll(e.annotation.labelBits);
        if (outline.add(e.split, label))
            outline.addSample(e.year + "/" + e.id, e.jpeg.string(), label);
    }
    DatasetOutline o = outline.finish(listing.policy);
    o.multiLabel = true;
    o.notes = listing.notes;
    return o;
}

}  // namespace orderlens
