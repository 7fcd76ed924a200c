#include "statistics/Colourfulness.h"

#include <cmath>

namespace orderlens {

namespace {
// Hasler & Suesstrunk 2003, eq. (2): the weight of the mean opponent colour.
constexpr double kMeanWeight = 0.3;
}  // namespace

void Colourfulness::compute(const ImageView& image, double* values, std::string&) const
{
    if (image.channels == 1) {
        values[0] = 0;
        return;
    }
    const std::size_t pixels = std::size_t(image.height) * image.width;
    double sumRg = 0, sumYb = 0;
    const std::uint8_t* p = image.data;
    for (std::size_t i = 0; i < pixels; ++i, p += 3) {
        sumRg += double(p[0]) - double(p[1]);
        sumYb += 0.5 * (double(p[0]) + double(p[1])) - double(p[2]);
    }
    const double meanRg = sumRg / double(pixels), meanYb = sumYb / double(pixels);
    double varRg = 0, varYb = 0;
    p = image.data;
    for (std::size_t i = 0; i < pixels; ++i, p += 3) {
        const double rg = double(p[0]) - double(p[1]) - meanRg;
        const double yb = 0.5 * (double(p[0]) + double(p[1])) - double(p[2]) - meanYb;
        varRg += rg * rg;
        varYb += yb * yb;
    }
    varRg /= double(pixels);
    varYb /= double(pixels);
    values[0] = std::sqrt(varRg + varYb) + kMeanWeight * std::sqrt(meanRg * meanRg + meanYb * meanYb);
}

}  // namespace orderlens
