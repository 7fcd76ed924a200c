#pragma once

#include "statistics/ImageStatistic.h"

namespace orderlens {

// Sobel edge strength (column "sobel_edge_strength", called "edge_strength" before the study's
// measure was built in): the sum over pixels of the Sobel gradient magnitude sqrt(gx^2 + gy^2)
// of Y/255, with OpenCV's 3 x 3 Sobel kernels and its default border (BORDER_REFLECT_101:
// gfedcb|abcdefgh|gfedcba). The study's edge strength is CrispEdgeStrength.
class EdgeStrength : public ImageStatistic {
public:
    std::vector<std::string> columns() const override { return {"sobel_edge_strength"}; }
    std::string parameterTag() const override { return "sobel=3;border=reflect101"; }
    void compute(const ImageView& image, double* values, std::string& warning) const override;
};

}  // namespace orderlens
