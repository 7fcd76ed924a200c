// Every float operation below mirrors the authors' program, which was built without fused
// multiply-add; a fused one would move weights by an ulp and reorder ties.
#pragma GCC optimize("fp-contract=off")

#include "statistics/SegmentCount.h"

#include "common/Errors.h"
#include "numeric/RadixSort.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

namespace orderlens {

namespace {

// The program's mask spans ceil(4 sigma) taps on each side of the centre.
constexpr double kMaskWidth = 4.0;

// Smooths one channel along rows, then along columns, clamping at the borders. Like the
// program it writes each pass transposed, so the second pass reads rows again.
void smooth(const float* src, int height, int width, const std::vector<float>& mask, float* tmp, float* dst)
{
    const int len = int(mask.size());
    auto pass = [len, &mask](const float* in, int h, int w, float* out) {
        for (int y = 0; y < h; ++y) {
            const float* row = in + std::size_t(y) * w;
            for (int x = 0; x < w; ++x) {
                float sum = mask[0] * row[x];
                for (int i = 1; i < len; ++i)
                    sum += mask[std::size_t(i)] * (row[std::max(x - i, 0)] + row[std::min(x + i, w - 1)]);
                out[std::size_t(x) * h + y] = sum;
            }
        }
    };
    pass(src, height, width, tmp);
    pass(tmp, width, height, dst);
}

class DisjointSets {
public:
    explicit DisjointSets(int n) : parent_(std::size_t(n)), size_(std::size_t(n), 1), sets_(n)
    {
        for (int i = 0; i < n; ++i)
            parent_[std::size_t(i)] = i;
    }
    int find(int x)
    {
        // Path halving: one pass, paths stay short.
        while (parent_[std::size_t(x)] != x) {
            const int grandparent = parent_[std::size_t(parent_[std::size_t(x)])];
            parent_[std::size_t(x)] = grandparent;
            x = grandparent;
        }
        return x;
    }
    // Joins two roots; returns the new root.
    int join(int a, int b)
    {
        if (size_[std::size_t(a)] < size_[std::size_t(b)])
            std::swap(a, b);
        parent_[std::size_t(b)] = a;
        size_[std::size_t(a)] += size_[std::size_t(b)];
        --sets_;
        return a;
    }
    int size(int root) const { return size_[std::size_t(root)]; }
    int sets() const { return sets_; }

private:
    std::vector<int> parent_, size_;
    int sets_;
};

}  // namespace

SegmentCount::SegmentCount(float sigma, float k, int minSize) : sigma_(sigma), k_(k), minSize_(minSize)
{
    if (!(sigma >= 0) || sigma > 100)
        throw ConfigError("segment sigma " + std::to_string(sigma) + " is not from 0 to 100");
    if (!(k > 0) || !std::isfinite(k))
        throw ConfigError("segment k " + std::to_string(k) + " must be a positive number");
    if (minSize < 0)
        throw ConfigError("segment min size " + std::to_string(minSize) + " must not be negative");
    // The program's make_fgauss: sigma at least 0.01, taps exp(-0.5 (i / sigma)^2) with i / sigma
    // and its square in float, the exponential in double, stored as float.
    const float s = std::max(sigma, 0.01f);
    const int len = int(std::ceil(s * kMaskWidth)) + 1;
    mask_.resize(std::size_t(len));
    for (int i = 0; i < len; ++i) {
        const float r = float(i) / s;
        const float r2 = r * r;
        mask_[std::size_t(i)] = float(std::exp(-0.5 * double(r2)));
    }
    // Normalised so the full (two-sided) mask sums to one, in float.
    float sum = 0;
    for (int i = 1; i < len; ++i)
        sum += std::fabs(mask_[std::size_t(i)]);
    sum = 2 * sum + std::fabs(mask_[0]);
    for (float& m : mask_)
        m /= sum;
}

std::string SegmentCount::parameterTag() const
{
    std::ostringstream s;
    s << "sigma=" << sigma_ << ";k=" << k_ << ";min_size=" << minSize_;
    return s.str();
}

void SegmentCount::compute(const ImageView& image, double* values, std::string&) const
{
    values[0] = double(count(image));
}

int SegmentCount::count(const ImageView& image) const
{
    const int height = image.height, width = image.width;
    const std::size_t pixels = std::size_t(height) * width;
    // A grey image is the program's RGB image with three equal channels: smooth it once.
    const int planes = image.channels == 1 ? 1 : 3;
    thread_local std::vector<float> channel, tmp, smoothed;
    channel.resize(pixels);
    tmp.resize(pixels);
    smoothed.resize(pixels * std::size_t(planes));
    for (int c = 0; c < planes; ++c) {
        const std::uint8_t* p = image.data + c;
        for (std::size_t i = 0; i < pixels; ++i, p += image.channels)
            channel[i] = float(*p);
        smooth(channel.data(), height, width, mask_, tmp.data(), smoothed.data() + std::size_t(c) * pixels);
    }
    const float* r = smoothed.data();
    const float* g = planes == 3 ? r + pixels : r;
    const float* b = planes == 3 ? r + 2 * pixels : r;
    auto diff = [r, g, b](std::size_t i, std::size_t j) {
        const float dr = r[i] - r[j], dg = g[i] - g[j], db = b[i] - b[j];
        const float sum = dr * dr + dg * dg + db * db;
        return std::sqrt(sum);
    };

    // The program's 8-connected graph: per pixel in row-major order, the edges to the right,
    // down, down-right and up-right neighbours.
    thread_local std::vector<int> from, to;
    thread_local std::vector<std::uint64_t> order;
    from.resize(pixels * 4);
    to.resize(pixels * 4);
    order.resize(pixels * 4);
    std::uint32_t edges = 0;
    auto addEdge = [&](int i, int j) {
        const float w = diff(std::size_t(i), std::size_t(j));
        std::uint32_t bits;
        std::memcpy(&bits, &w, sizeof bits);
        from[edges] = i;
        to[edges] = j;
        order[edges] = std::uint64_t(bits) << 32 | edges;
        ++edges;
    };
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const int i = y * width + x;
            if (x < width - 1)
                addEdge(i, i + 1);
            if (y < height - 1)
                addEdge(i, i + width);
            if (x < width - 1 && y < height - 1)
                addEdge(i, i + width + 1);
            if (x < width - 1 && y > 0)
                addEdge(i, i - width + 1);
        }
    }
    // The program sorts its edge records with std::sort on the weight alone, so equal weights
    // end up in whatever order that unstable sort leaves them. That order can matter only in
    // the final min-size pass:
    //  - in the merging pass, among edges of one weight w, a component below w's threshold
    //    cannot merge, and every merge leaves a component whose threshold (w + k / size) is at
    //    least w; so the merges are the connected pieces of those edges between components at or
    //    above w, and each merged component ends with threshold w + k / final size, in any order;
    //  - in the min-size pass an edge that does nothing when its group of equal weights starts
    //    (same component, or both components at least min size) does nothing during the group
    //    (components only grow and merge), so a group with at most one edge that can act has the
    //    same outcome in any order.
    // Hence: sort by weight with a fast stable radix sort; only when a group of equal weights has
    // two or more edges that can act in the min-size pass, redo that pass in std::sort's order.
    // (Weights are square roots of sums of squares: never negative, -0 or NaN, so their bit
    // patterns order like the floats.)
    thread_local std::vector<std::uint64_t> sorted, scratch;
    sorted.assign(order.begin(), order.begin() + edges);
    radixSort(sorted.data(), edges, 4, scratch);
    auto weightOf = [](std::uint64_t word) {
        const std::uint32_t bits = std::uint32_t(word >> 32);
        float w;
        std::memcpy(&w, &bits, sizeof w);
        return w;
    };

    DisjointSets sets{int(pixels)};
    thread_local std::vector<float> threshold;
    threshold.assign(pixels, k_ / 1);
    for (std::uint32_t n = 0; n < edges; ++n) {
        const std::uint32_t e = std::uint32_t(sorted[n]);
        const int a = sets.find(from[e]), b = sets.find(to[e]);
        if (a == b)
            continue;
        const float w = weightOf(sorted[n]);
        if (w <= threshold[std::size_t(a)] && w <= threshold[std::size_t(b)]) {
            const int root = sets.join(a, b);
            threshold[std::size_t(root)] = w + k_ / float(sets.size(root));
        }
    }

    // Components below the minimum size; once there are none, the last pass has nothing to do.
    int small = 0;
    for (int i = 0; i < int(pixels); ++i)
        small += (sets.find(i) == i && sets.size(i) < minSize_) ? 1 : 0;
    auto canAct = [this, &sets](int a, int b) {
        return a != b && (sets.size(a) < minSize_ || sets.size(b) < minSize_);
    };
    auto join = [this, &sets, &small](int a, int b) {
        small -= (sets.size(a) < minSize_ ? 1 : 0) + (sets.size(b) < minSize_ ? 1 : 0);
        const int root = sets.join(a, b);
        small += sets.size(root) < minSize_ ? 1 : 0;
    };
    const DisjointSets merged = sets;
    const int smallAfterMerging = small;
    bool orderMatters = false;
    for (std::uint32_t n = 0; n < edges && small > 0 && !orderMatters;) {
        std::uint32_t end = n + 1;
        while (end < edges && (sorted[end] >> 32) == (sorted[n] >> 32))
            ++end;
        // Weight 0 joined everything it touches in the merging pass (0 is below every threshold).
        if (end - n > 1 && (sorted[n] >> 32) != 0) {
            int acting = 0;
            for (std::uint32_t m = n; m < end && acting < 2; ++m) {
                const std::uint32_t e = std::uint32_t(sorted[m]);
                acting += canAct(sets.find(from[e]), sets.find(to[e])) ? 1 : 0;
            }
            orderMatters = acting > 1;
        }
        for (; n < end && !orderMatters; ++n) {
            const std::uint32_t e = std::uint32_t(sorted[n]);
            const int a = sets.find(from[e]), b = sets.find(to[e]);
            if (canAct(a, b))
                join(a, b);
        }
    }
    if (orderMatters) {
        sets = merged;
        small = smallAfterMerging;
        std::sort(order.begin(), order.begin() + edges,
                  [](std::uint64_t e, std::uint64_t f) { return (e >> 32) < (f >> 32); });
        for (std::uint32_t n = 0; n < edges && small > 0; ++n) {
            const std::uint32_t e = std::uint32_t(order[n]);
            const int a = sets.find(from[e]), b = sets.find(to[e]);
            if (canAct(a, b))
                join(a, b);
        }
    }
    return sets.sets();
}

}  // namespace orderlens
