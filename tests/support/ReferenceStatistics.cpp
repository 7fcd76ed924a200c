#include "ReferenceStatistics.h"

#include <cmath>
#include <map>
#include <numeric>

namespace orderlens::test {

std::vector<double> referenceLuminance(const ImageView& image)
{
    std::vector<double> y(std::size_t(image.height) * std::size_t(image.width));
    for (std::size_t p = 0; p < y.size(); ++p) {
        const std::uint8_t* px = image.data + p * std::size_t(image.channels);
        if (image.channels == 1) {
            y[p] = px[0];
        } else {
            // Each product stored before the sum, so no fused multiply-add can change a digit.
            volatile double red = 0.2989 * px[0];
            volatile double green = 0.5870 * px[1];
            volatile double blue = 0.1140 * px[2];
            y[p] = (red + green) + blue;
        }
    }
    return y;
}

double referenceMeanEntropy(const ImageView& image, int window)
{
    const std::vector<double> y = referenceLuminance(image);
    double sum = 0;
    int windows = 0;
    for (int r = 0; r + window <= image.height; ++r)
        for (int c = 0; c + window <= image.width; ++c) {
            std::map<double, int> counts;
            for (int i = r; i < r + window; ++i)
                for (int j = c; j < c + window; ++j)
                    ++counts[y[std::size_t(i) * std::size_t(image.width) + std::size_t(j)]];
            double h = 0;
            for (const auto& [value, n] : counts) {
                const double p = n / double(window * window);
                h -= p * std::log2(p);
            }
            sum += h;
            ++windows;
        }
    return sum / windows;
}

double referencePearson(const std::vector<double>& x, const std::vector<double>& y)
{
    const double n = double(x.size());
    const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
    const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / std::sqrt(sxx * syy);
}

namespace {

// Rank 1 + (number of smaller values) + (ties - 1) / 2: the mean of the tied positions.
std::vector<double> averageRanks(const std::vector<double>& v)
{
    std::vector<double> ranks(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
        std::size_t smaller = 0, equal = 0;
        for (double w : v) {
            smaller += w < v[i];
            equal += w == v[i];
        }
        ranks[i] = 1.0 + double(smaller) + (double(equal) - 1.0) / 2.0;
    }
    return ranks;
}

}  // namespace

double referenceSpearman(const std::vector<double>& x, const std::vector<double>& y)
{
    return referencePearson(averageRanks(x), averageRanks(y));
}

double referenceKendallTauB(const std::vector<double>& x, const std::vector<double>& y)
{
    // tau-b = (C - D) / sqrt((n0 - n1)(n0 - n2)) with n1, n2 the pairs tied in x, in y.
    double concordant = 0, discordant = 0, tiedX = 0, tiedY = 0, pairs = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
        for (std::size_t j = i + 1; j < x.size(); ++j) {
            ++pairs;
            const double dx = x[i] - x[j], dy = y[i] - y[j];
            tiedX += dx == 0;
            tiedY += dy == 0;
            if (dx * dy > 0)
                ++concordant;
            else if (dx * dy < 0)
                ++discordant;
        }
    return (concordant - discordant) / std::sqrt((pairs - tiedX) * (pairs - tiedY));
}

}  // namespace orderlens::test
