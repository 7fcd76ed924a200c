#pragma once

#include "statistics/ImageStatistic.h"

namespace orderlens {

// Edge strength, built in (column "edge_strength"): the sum over pixels of the Sobel gradient
// magnitude sqrt(gx^2 + gy^2) of Y/255, with OpenCV's 3 x 3 Sobel kernels and its default
// border (BORDER_REFLECT_101: gfedcb|abcdefgh|gfedcba). The study's crisp-boundary sums are
// imported separately (ScoreImport.h), as column "edge_strength_crisp".
class EdgeStrength : public ImageStatistic {
public:
    std::vector<std::string> columns() const override { return {"edge_strength"}; }
    std::string parameterTag() const override { return "sobel=3;border=reflect101"; }
    void compute(const ImageView& image, double* values, std::string& warning) const override;
};

}  // namespace orderlens
