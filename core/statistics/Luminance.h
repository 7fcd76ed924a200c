#pragma once

#include "dataset/Dataset.h"

#include <cstdint>
#include <vector>

namespace orderlens {

// docs/DEFINITIONS.md 6: Y = 0.2989 R + 0.5870 G + 0.1140 B for colour images (MATLAB's rgb2gray
// weights, as the study used them).
constexpr double kLumaRed = 0.2989;
constexpr double kLumaGreen = 0.5870;
constexpr double kLumaBlue = 0.1140;

// Luminance of one RGB pixel in double precision, evaluated as the study's NumPy code does
// ((0.2989 R + 0.5870 G) + 0.1140 B, each product rounded, no fused multiply-add) and not
// re-quantised: the exact double matters because "distinct values" means distinct doubles.
// Two colours with the same exact weighted sum can round to different doubles (about six
// million such RGB pairs exist), so no integer encoding of the sum can stand in for it.
double lumaOf(std::uint8_t r, std::uint8_t g, std::uint8_t b);

// Y of every pixel, row-major, on the 0..255 scale (grey images: the 8-bit value).
void luminance(const ImageView& image, std::vector<double>& out);

// Each pixel's luminance replaced by a small id: equal ids <=> equal Y doubles. Grey images
// use the byte itself as the id; colour images number their distinct doubles 0, 1, 2, ...
struct LuminanceLevels {
    std::vector<std::uint32_t> ids;
    std::uint32_t distinct = 0;  // number of distinct Y values in the image
    std::uint32_t idBound = 0;   // every id is < idBound
};
void luminanceLevels(const ImageView& image, LuminanceLevels& out);

}  // namespace orderlens
