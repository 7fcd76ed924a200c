#include "statistics/RmsContrast.h"

#include "statistics/Luminance.h"

#include <cmath>

namespace orderlens {

void RmsContrast::compute(const ImageView& image, double* values, std::string&) const
{
    thread_local std::vector<double> y;
    luminance(image, y);
    double sum = 0;
    for (double v : y)
        sum += v;
    const double mean = sum / double(y.size());
    // Two passes: the one-pass formula loses digits for nearly constant images.
    double squares = 0;
    for (double v : y)
        squares += (v - mean) * (v - mean);
    values[0] = std::sqrt(squares / double(y.size())) / 255.0;
}

}  // namespace orderlens
