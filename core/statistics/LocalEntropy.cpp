#include "statistics/LocalEntropy.h"

#include "common/Errors.h"
#include "statistics/Luminance.h"

#include <cmath>
#include <limits>

namespace orderlens {

LocalEntropy::LocalEntropy(int window) : window_(window)
{
    // The c log2 c table has w^2 entries: 1024 (8 MiB) is beyond any image the study used.
    if (window < 1 || window > kMaxEntropyWindow)
        throw ConfigError("entropy window " + std::to_string(window) + " is not from 1 to " +
                          std::to_string(kMaxEntropyWindow));
    const std::int64_t n = std::int64_t(window) * window;
    // The largest sum is T(n) = n log2 n; leave two bits of headroom below 2^63.
    const double largest = std::max(double(n) * std::log2(double(n)), 1.0);
    scale_ = std::ldexp(1.0, 61 - int(std::ceil(std::log2(largest))));
    std::vector<std::int64_t> table(std::size_t(n) + 1);
    for (std::int64_t c = 1; c <= n; ++c)
        table[std::size_t(c)] = std::llround(double(c) * std::log2(double(c)) * scale_);
    step_.resize(std::size_t(n));
    for (std::int64_t c = 0; c < n; ++c)
        step_[std::size_t(c)] = table[std::size_t(c) + 1] - table[std::size_t(c)];
    total_ = table[std::size_t(n)];
}

std::string LocalEntropy::parameterTag() const { return "window=" + std::to_string(window_); }

void LocalEntropy::compute(const ImageView& image, double* values, std::string& warning) const
{
    values[0] = meanEntropy(image);
    if (std::isnan(values[0]))
        warning = "smaller than the " + std::to_string(window_) + " x " + std::to_string(window_) +
                  " entropy window";
}

double LocalEntropy::meanEntropy(const ImageView& image) const
{
    const int w = window_;
    const int height = image.height, width = image.width;
    if (height < w || width < w)
        return std::numeric_limits<double>::quiet_NaN();
    thread_local LuminanceLevels levels;
    thread_local std::vector<std::uint32_t> counts;
    luminanceLevels(image, levels);
    counts.assign(levels.idBound, 0);
    const std::uint32_t* id = levels.ids.data();
    const std::int64_t* step = step_.data();
    std::uint32_t* count = counts.data();

    // S = sum over the window's distinct values of T(count); entropy = (T(n) - S) / (n scale).
    std::int64_t s = 0;
    auto add = [&](int y, int x) {
        std::uint32_t& c = count[id[std::size_t(y) * width + x]];
        s += step[c];
        ++c;
    };
    auto remove = [&](int y, int x) {
        std::uint32_t& c = count[id[std::size_t(y) * width + x]];
        --c;
        s -= step[c];
    };
    const double norm = 1.0 / (double(w) * w * scale_);
    double sum = 0;
    for (int y = 0; y < w; ++y)
        for (int x = 0; x < w; ++x)
            add(y, x);
    // Serpentine: slide right along even window rows, left along odd ones, down in between, so
    // every move adds and removes one row or column of w pixels.
    const int rows = height - w + 1, cols = width - w + 1;
    int x0 = 0;
    for (int y0 = 0; y0 < rows; ++y0) {
        const bool rightwards = (y0 % 2) == 0;
        for (int i = 0; i < cols; ++i) {
            sum += double(total_ - s) * norm;
            if (i + 1 == cols)
                break;
            if (rightwards) {
                for (int y = y0; y < y0 + w; ++y) {
                    remove(y, x0);
                    add(y, x0 + w);
                }
                ++x0;
            } else {
                for (int y = y0; y < y0 + w; ++y) {
                    remove(y, x0 + w - 1);
                    add(y, x0 - 1);
                }
                --x0;
            }
        }
        if (y0 + 1 < rows)
            for (int x = x0; x < x0 + w; ++x) {
                remove(y0, x);
                add(y0 + w, x);
            }
    }
    return sum / (double(rows) * cols);
}

}  // namespace orderlens
