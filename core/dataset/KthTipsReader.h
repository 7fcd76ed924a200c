#pragma once

#include "dataset/DatasetReader.h"

#include <filesystem>

namespace orderlens {

// KTH-TIPS2-b (docs/DEFINITIONS.md 7): DIR/<class>/sample_{a,b,c,d}/*.png, 11 texture classes
// indexed in sorted folder order. sample_c is the test split, the other samples train. File
// names carry the scale (2..10) and the image index (1..12) as their 2nd and 4th
// '_'-separated fields ("22a-scale_2_im_1_col.png"). Dataset metrics: rotation and
// illumination (category codes, distinct-valued; see kthRotation / kthIllumination) and scale.
// Keys: paths relative to DIR ("wool/sample_a/22a-scale_2_im_1_col.png"). Images are stored
// at their own size (200 x 200 in the published set). Option: cache=on|off.
class KthTipsReader : public DatasetReader {
public:
    std::string scheme() const override { return "kth-tips2b"; }
    std::string title() const override { return "KTH-TIPS2-b textures"; }
    std::string description() const override
    {
        return "kth-tips2b:DIR   KTH-TIPS2-b: DIR/<class>/sample_a..d/*.png, sample_c = test; option ?cache=on|off";
    }
    Dataset read(const std::string& location) const override;
    // Names, classes and splits from the folders and file names, sizes from the PNG headers;
    // only the samples are decoded.
    DatasetOutline outline(const std::string& location, std::size_t samples) const override;
};

// The scale (2..10) and image index (1..12) a file name carries as its 2nd and 4th
// '_'-separated fields; an InputError naming the file otherwise.
void parseKthFileName(const std::filesystem::path& file, int& scale, int& index);

// Category codes from the image index 1..12 (docs/DEFINITIONS.md 7); -1 for an index out of range.
// Rotation: 0 frontal (1, 2, 3, 10), 1 rotated right (4, 5, 6, 11), 2 rotated left (7, 8, 9, 12).
int kthRotation(int imageIndex);
// Illumination: 0 frontal (1, 4, 7), 1 from the top (2, 5, 8), 2 from the side (3, 6, 9),
// 3 ambient (10, 11, 12).
int kthIllumination(int imageIndex);

extern const char* const kRotationMetric;
extern const char* const kIlluminationMetric;
extern const char* const kScaleMetric;

}  // namespace orderlens
