#pragma once

#include "dataset/DatasetReader.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace orderlens {

// The 20 Pascal VOC classes in the devkit's order: label bit c is kVocClasses[c].
extern const std::array<const char*, 20> kVocClasses;

// Pascal VOC devkit layout (docs/DEFINITIONS.md 7), multi-label:
//   DIR/VOC2007/{Annotations/*.xml, JPEGImages/*.jpg, ImageSets/Main/{trainval,test}.txt}
//   DIR/VOC2012/... (optional; only trainval.txt is read)
// DIR may also be the folder that holds VOCdevkit/. train = VOC2007 trainval + VOC2012
// trainval (Dataset::notes says which were found), test = VOC2007 test. Labels: the set of
// object classes in each annotation. Dataset metrics: object_size (summed bounding-box area /
// image area) and instances (object count), difficult objects excluded in the test split;
// with ?visual-search=CSV also visual_search_difficulty. Keys: "VOC2007/000005".
// Options: visual-search=CSV, resize=none|N (shorter side; default none, since the study
// computed VOC statistics on the original images), cache=on|off (decoded-image cache, on).
class VocReader : public DatasetReader {
public:
    std::string scheme() const override { return "voc"; }
    std::string title() const override { return "Pascal VOC (multi-label)"; }
    std::string description() const override
    {
        return "voc:DIR   Pascal VOC devkit (VOC2007 [+ VOC2012]), multi-label; options "
               "?visual-search=CSV&resize=none|N&cache=on|off";
    }
    Dataset read(const std::string& location) const override;
    // Lists the image sets and parses the annotations (small) as read() does; sizes from the
    // JPEG headers (else the annotation's <size>), only the samples decoded.
    DatasetOutline outline(const std::string& location, std::size_t samples) const override;
};

// One annotation file (Annotations/NAME.xml): the image's object classes as label bits, its
// size from <size>, and each object's class, difficult flag and bounding-box area. A missing,
// malformed or incomplete file (unknown class, box without its four corners, no object) is an
// InputError naming it.
struct VocObject {
    int classIndex = 0;
    bool difficult = false;
    double boxArea = 0;
};
struct VocAnnotation {
    std::uint64_t labelBits = 0;
    double width = 0, height = 0;  // from <size>; 0 when absent
    std::vector<VocObject> objects;
};
VocAnnotation parseVocAnnotation(const std::filesystem::path& xml);

// Visual search difficulty (Ionescu et al., CVPR 2016) from a headerless CSV of "image name,
// score" lines, matched to the dataset's images by file stem ("2008_000008" matches the key
// "VOC2012/2008_000008" and a name "2008_000008.jpg"). Images without a score are NaN.
struct VisualSearchDifficulty {
    std::vector<double> values;  // one per dataset image
    std::size_t matched = 0;     // images that got a score
    std::size_t rows = 0;        // scores in the file
};
// Throws InputError naming the file and line for a malformed line or a name given twice.
VisualSearchDifficulty importVisualSearchDifficulty(const Dataset& dataset, const std::string& csvPath);

// The dataset metric column names this reader fills (docs/METRICS.md, "Datasets").
extern const char* const kObjectSizeMetric;
extern const char* const kInstancesMetric;
extern const char* const kVisualSearchDifficultyMetric;

}  // namespace orderlens
