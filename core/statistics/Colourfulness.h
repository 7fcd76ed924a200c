#pragma once

#include "statistics/ImageStatistic.h"

namespace orderlens {

// Colourfulness (column "colourfulness"), Hasler & Suesstrunk (SPIE 2003): with rg = R - G and
// yb = (R + G) / 2 - B per pixel on the 0..255 scale, M = sqrt(sd(rg)^2 + sd(yb)^2) +
// 0.3 sqrt(mean(rg)^2 + mean(yb)^2), population standard deviations. Grey images give 0.
class Colourfulness : public ImageStatistic {
public:
    std::vector<std::string> columns() const override { return {"colourfulness"}; }
    std::string parameterTag() const override { return "hasler2003"; }
    void compute(const ImageView& image, double* values, std::string& warning) const override;
};

}  // namespace orderlens
