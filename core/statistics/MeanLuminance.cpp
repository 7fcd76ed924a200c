#include "statistics/MeanLuminance.h"

#include "statistics/Luminance.h"

namespace orderlens {

void MeanLuminance::compute(const ImageView& image, double* values, std::string&) const
{
    thread_local std::vector<double> y;
    luminance(image, y);
    double sum = 0;
    for (double v : y)
        sum += v;
    values[0] = sum / double(y.size()) / 255.0;
}

}  // namespace orderlens
