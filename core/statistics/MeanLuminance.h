#pragma once

#include "statistics/ImageStatistic.h"

namespace orderlens {

// Mean luminance (column "mean_luminance"): the mean of Y/255 over the pixels, in [0, 1].
class MeanLuminance : public ImageStatistic {
public:
    std::vector<std::string> columns() const override { return {"mean_luminance"}; }
    std::string parameterTag() const override { return "scale=1/255"; }
    void compute(const ImageView& image, double* values, std::string& warning) const override;
};

}  // namespace orderlens
