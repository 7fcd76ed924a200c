#pragma once

#include "statistics/ImageStatistic.h"

namespace orderlens {

// zlib's strongest setting: compressibility should measure the image, not the encoder's haste.
constexpr int kPngCompressionLevel = 9;

// Compressibility (column "png_bits_per_pixel"): the size in bits of the whole PNG file OpenCV
// writes for the image (8-bit grey or RGB, compression level 9, default filter strategy),
// divided by H W. The file's fixed overhead (signature, IHDR, IEND: 57 bytes) is included,
// which matters for tiny images: compare images of one size.
class PngBitsPerPixel : public ImageStatistic {
public:
    std::vector<std::string> columns() const override { return {"png_bits_per_pixel"}; }
    std::string parameterTag() const override;
    void compute(const ImageView& image, double* values, std::string& warning) const override;
};

}  // namespace orderlens
