#pragma once

#include "statistics/ImageStatistic.h"

namespace orderlens {

// RMS contrast (column "rms_contrast"): the population standard deviation (divide by H W) of
// Y/255 over the pixels (Peli, JOSA A 1990), in [0, 0.5].
class RmsContrast : public ImageStatistic {
public:
    std::vector<std::string> columns() const override { return {"rms_contrast"}; }
    std::string parameterTag() const override { return "scale=1/255;population"; }
    void compute(const ImageView& image, double* values, std::string& warning) const override;
};

}  // namespace orderlens
