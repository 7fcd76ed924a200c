#pragma once

#include "statistics/ImageStatistic.h"

namespace orderlens {

// Distinct luminance values (column "distinct_luminance"): how many different Y doubles the
// image has, with the same notion of "different" as the entropy (Luminance.h).
class DistinctLuminance : public ImageStatistic {
public:
    std::vector<std::string> columns() const override { return {"distinct_luminance"}; }
    std::string parameterTag() const override { return "unquantised"; }
    void compute(const ImageView& image, double* values, std::string& warning) const override;
};

}  // namespace orderlens
