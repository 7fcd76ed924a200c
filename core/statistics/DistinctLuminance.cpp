#include "statistics/DistinctLuminance.h"

#include "statistics/Luminance.h"

namespace orderlens {

void DistinctLuminance::compute(const ImageView& image, double* values, std::string&) const
{
    thread_local LuminanceLevels levels;
    luminanceLevels(image, levels);
    values[0] = double(levels.distinct);
}

}  // namespace orderlens
