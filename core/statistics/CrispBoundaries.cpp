#include "statistics/CrispBoundaries.h"

#include "numeric/Hashing.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <random>

namespace orderlens::crisp {

namespace {

// Every random draw comes from this: the 64-bit Mersenne Twister's output is fixed by the C++
// standard, and the conversions below are ours, so values are the same on every platform.
class Random {
public:
    explicit Random(std::uint64_t seed) : engine_(seed) {}
    double uniform() { return double(engine_() >> 11) * 0x1.0p-53; }
    std::size_t below(std::size_t n) { return std::size_t(uniform() * double(n)) % n; }
    double normal()
    {
        if (spare_) {
            spare_ = false;
            return spareValue_;
        }
        double u = 0;
        while (u <= 0)
            u = uniform();
        const double v = uniform();
        const double radius = std::sqrt(-2.0 * std::log(u));
        spareValue_ = radius * std::sin(2 * M_PI * v);
        spare_ = true;
        return radius * std::cos(2 * M_PI * v);
    }

private:
    std::mt19937_64 engine_;
    bool spare_ = false;
    double spareValue_ = 0;
};

std::uint64_t derive(std::uint64_t seed, std::uint64_t stream) { return splitMix64(seed ^ splitMix64(stream)); }

}  // namespace

void orderPair(double* pair)
{
    if (pair[0] <= pair[3])
        std::swap(pair[0], pair[3]);
}

PixelPairs localPairs(int height, int width)
{
    PixelPairs pairs;
    const int r2 = kPairRadius * kPairRadius;
    for (int r = 0; r < height; ++r)
        for (int c = 0; c < width; ++c) {
            const std::uint32_t j = std::uint32_t(r) * std::uint32_t(width) + std::uint32_t(c);
            // Earlier pixels i < j at row offset dy >= 0 (and column offset dx > 0 on the same row),
            // visited so that i increases.
            for (int dy = kPairRadius; dy >= 0; --dy)
                for (int dx = kPairRadius; dx >= -kPairRadius; --dx) {
                    if (dy == 0 && dx <= 0)
                        continue;
                    if (dy * dy + dx * dx > r2 || r - dy < 0 || c - dx < 0 || c - dx >= width)
                        continue;
                    pairs.first.push_back(std::uint32_t(r - dy) * std::uint32_t(width) + std::uint32_t(c - dx));
                    pairs.second.push_back(j);
                }
        }
    return pairs;
}

std::vector<double> kernelCentres(const FeatureMap& map, std::uint64_t seed)
{
    Random random(seed);
    const std::size_t n = map.pixels();
    std::vector<char> drawn(n, 0);
    for (int i = 0; i < kKernelCount; ++i)
        drawn[random.below(n)] = 1;
    // sampleF.m: offsets ~ N(0, sig) per axis, pushed one pixel outwards, capped at 4 sig + 1.
    const double spread = std::sqrt(kOffsetVariance);
    const double cap = 4 * kOffsetVariance + 1;
    std::vector<double> centres;
    for (std::size_t p = 0; p < n; ++p) {
        if (!drawn[p])
            continue;
        double dy = random.normal() * spread, dx = random.normal() * spread;
        const double norm = std::sqrt(dy * dy + dx * dx);
        if (norm == 0)
            continue;
        dy += dy / norm;
        dx += dx / norm;
        dy = std::copysign(std::min(std::abs(dy), cap), dy);
        dx = std::copysign(std::min(std::abs(dx), cap), dx);
        const double r = double(p / std::size_t(map.width)), c = double(p % std::size_t(map.width));
        const double r1 = std::round(r + dy), c1 = std::round(c + dx);
        const double r2 = std::round(r - dy), c2 = std::round(c - dx);
        if (std::min({r1, c1, r2, c2}) < 0 || std::max(r1, r2) >= map.height || std::max(c1, c2) >= map.width)
            continue;
        const double* a = map.at(std::size_t(r1) * map.width + std::size_t(c1));
        const double* b = map.at(std::size_t(r2) * map.width + std::size_t(c2));
        centres.insert(centres.end(), a, a + 3);
        centres.insert(centres.end(), b, b + 3);
        orderPair(&centres[centres.size() - 6]);
    }
    return centres;
}

namespace {

// Identical points merged, each with its multiplicity (flat or nearly flat images give many
// equal kernel centres, and each costs a kernel evaluation per query).
struct WeightedPoints {
    std::vector<double> points;
    std::vector<double> weights;
};

WeightedPoints merged(const std::vector<double>& points, int dimensions)
{
    const std::size_t count = points.size() / std::size_t(dimensions);
    std::vector<std::uint32_t> order(count);
    for (std::size_t i = 0; i < count; ++i)
        order[i] = std::uint32_t(i);
    auto row = [&](std::uint32_t i) { return points.begin() + std::ptrdiff_t(i) * dimensions; };
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return std::lexicographical_compare(row(a), row(a) + dimensions, row(b), row(b) + dimensions);
    });
    WeightedPoints out;
    for (std::size_t i = 0; i < count; ++i) {
        if (i > 0 && std::equal(row(order[i]), row(order[i]) + dimensions, row(order[i - 1]))) {
            out.weights.back() += 1;
            continue;
        }
        out.points.insert(out.points.end(), row(order[i]), row(order[i]) + dimensions);
        out.weights.push_back(1);
    }
    return out;
}

// Points bucketed on a 3-D grid over three chosen coordinates (all coordinates lie in [0, 1]), so
// that a query visits only the cells that can hold points within the Epanechnikov kernel's
// support: cells one bandwidth wide, a query visits the 3 x 3 x 3 around its own.
class KernelGrid {
public:
    KernelGrid(const std::vector<double>& points, int dimensions, std::array<int, 3> axes) :
        points_(points), dimensions_(dimensions), axes_(axes)
    {
        const std::size_t count = points.size() / std::size_t(dimensions);
        start_.assign(kCells * kCells * kCells + 1, 0);
        for (std::size_t i = 0; i < count; ++i)
            ++start_[cellOf(point(i)) + 1];
        for (std::size_t c = 0; c + 1 < start_.size(); ++c)
            start_[c + 1] += start_[c];
        order_.resize(count);
        std::vector<std::uint32_t> fill(start_.begin(), start_.end() - 1);
        for (std::size_t i = 0; i < count; ++i)
            order_[fill[cellOf(point(i))]++] = std::uint32_t(i);
    }

    // Calls f(i, k) for every point i within the support around q (q[a] is the query's value on
    // axis a of the grid), k = prod_a (1 - ((q[a] - x_i[axis a]) / h)^2) > 0.
    template <typename Visit>
    void forEachWithinReach(const double* q, Visit&& f) const
    {
        int centre[3];
        for (int a = 0; a < 3; ++a)
            centre[a] = cell(q[a]);
        for (int a = std::max(0, centre[0] - 1); a <= std::min(kLast, centre[0] + 1); ++a)
            for (int b = std::max(0, centre[1] - 1); b <= std::min(kLast, centre[1] + 1); ++b)
                for (int c = std::max(0, centre[2] - 1); c <= std::min(kLast, centre[2] + 1); ++c) {
                    const std::size_t cellIndex = (std::size_t(a) * kCells + std::size_t(b)) * kCells + std::size_t(c);
                    for (std::uint32_t i = start_[cellIndex]; i < start_[cellIndex + 1]; ++i) {
                        const std::uint32_t p = order_[i];
                        const double* x = point(p);
                        double k = 1;
                        for (int d = 0; d < 3 && k > 0; ++d) {
                            const double t = (q[d] - x[axes_[std::size_t(d)]]) / kBandwidth;
                            k *= t * t < 1 ? 1 - t * t : 0;
                        }
                        if (k > 0)
                            f(p, k);
                    }
                }
    }

private:
    static constexpr std::size_t kCells = std::size_t(1 / kBandwidth) + 1;
    static constexpr int kLast = int(kCells) - 1;
    static int cell(double x) { return std::clamp(int(x / kBandwidth), 0, kLast); }
    const double* point(std::size_t i) const { return &points_[i * std::size_t(dimensions_)]; }
    std::size_t cellOf(const double* x) const
    {
        return (std::size_t(cell(x[axes_[0]])) * kCells + std::size_t(cell(x[axes_[1]]))) * kCells +
               std::size_t(cell(x[axes_[2]]));
    }

    const std::vector<double>& points_;
    int dimensions_;
    std::array<int, 3> axes_;
    std::vector<std::uint32_t> start_;
    std::vector<std::uint32_t> order_;
};

// Each pixel's number among the distinct feature vectors of the map, and one pixel of each.
struct DistinctFeatures {
    std::vector<std::uint32_t> id;
    std::vector<std::uint32_t> pixel;
};

DistinctFeatures distinctFeatures(const FeatureMap& map)
{
    std::vector<std::uint32_t> order(map.pixels());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = std::uint32_t(i);
    auto less = [&](std::uint32_t a, std::uint32_t b) {
        return std::lexicographical_compare(map.at(a), map.at(a) + 3, map.at(b), map.at(b) + 3);
    };
    std::sort(order.begin(), order.end(), less);
    DistinctFeatures out;
    out.id.resize(map.pixels());
    for (std::size_t i = 0; i < order.size(); ++i) {
        if (i == 0 || less(order[i - 1], order[i]))
            out.pixel.push_back(order[i]);
        out.id[order[i]] = std::uint32_t(out.pixel.size() - 1);
    }
    return out;
}

// For each distinct feature vector f, the kernels (merged centres) whose support over three of
// their six coordinates holds f, with the product of those three Epanechnikov factors: a sparse
// matrix, one row per distinct feature vector.
struct KernelRows {
    std::vector<std::uint32_t> start;
    std::vector<std::uint32_t> kernel;
    std::vector<double> value;
};

KernelRows kernelRows(const FeatureMap& map, const DistinctFeatures& distinct, const WeightedPoints& kernels,
                      std::array<int, 3> axes)
{
    const KernelGrid grid(kernels.points, 6, axes);
    KernelRows rows;
    rows.start.reserve(distinct.pixel.size() + 1);
    rows.start.push_back(0);
    for (std::uint32_t p : distinct.pixel) {
        grid.forEachWithinReach(map.at(p), [&](std::uint32_t kernel, double k) {
            rows.kernel.push_back(kernel);
            rows.value.push_back(k);
        });
        rows.start.push_back(std::uint32_t(rows.kernel.size()));
    }
    return rows;
}

}  // namespace

// Each Epanechnikov kernel is a product of six factors, one per coordinate, so its value at the
// ordered query (A, B) splits into a factor of A's features and one of B's. When orderPair leaves
// the pair as it is (A_0 > B_0), the query is (A_0, A_1, A_2, B_0, B_1, B_2) and the kernel is
// [A on coordinates 0, 1, 2] x [B on 3, 4, 5]; when it swaps the first channels, the query is
// (B_0, A_1, A_2, A_0, B_1, B_2) and the kernel is [A on 3, 1, 2] x [B on 0, 4, 5]. With those four
// sparse rows per distinct feature vector (the kernels in reach and their partial products), each
// pair's joint density is a sparse dot product, and each pixel's marginal density is the sum of its
// rows on coordinates 0, 1, 2 and on 3, 4, 5. Every kernel within reach is summed: the density is
// exact, only the order of the floating-point operations differs from a kernel-by-kernel sum.
std::vector<double> pointwiseMutualInformation(const FeatureMap& map, const std::vector<double>& centres,
                                               const PixelPairs& pairs)
{
    const std::size_t count = centres.size() / 6;
    std::vector<double> pmi(pairs.size(), std::numeric_limits<double>::quiet_NaN());
    if (count == 0)
        return pmi;
    // The KDE toolbox normalises each Epanechnikov factor 1 - (t / h)^2 by its integral 4 h / 3
    // and weights every kernel 1 / count.
    const double unit = 4.0 / 3.0 * kBandwidth;
    const double jointNorm = 1.0 / (double(count) * std::pow(unit, 6));
    // P(A) P(B) (evalPMI.m): the marginal is the equal mixture of the kernels' A and B halves,
    // i.e. the centres read as 2 count points of 3 values.
    const double marginalNorm = 1.0 / (2.0 * double(count) * std::pow(unit, 3));
    const WeightedPoints kernels = merged(centres, 6);
    const DistinctFeatures distinct = distinctFeatures(map);
    const KernelRows firstA = kernelRows(map, distinct, kernels, {0, 1, 2});
    const KernelRows firstB = kernelRows(map, distinct, kernels, {3, 4, 5});
    const KernelRows swappedA = kernelRows(map, distinct, kernels, {3, 1, 2});
    const KernelRows swappedB = kernelRows(map, distinct, kernels, {0, 4, 5});

    std::vector<double> marginal(distinct.pixel.size(), 0.0);
    for (std::size_t f = 0; f < marginal.size(); ++f) {
        double sum = 0;
        for (std::uint32_t e = firstA.start[f]; e < firstA.start[f + 1]; ++e)
            sum += kernels.weights[firstA.kernel[e]] * firstA.value[e];
        for (std::uint32_t e = firstB.start[f]; e < firstB.start[f + 1]; ++e)
            sum += kernels.weights[firstB.kernel[e]] * firstB.value[e];
        marginal[f] = sum * marginalNorm;
    }

    // B's rows scattered into dense vectors over the kernels (weights included), A's rows gathered
    // from them. Pairs come grouped by their second pixel, so each B is scattered once per group,
    // and within a group each distinct A is evaluated once (flat backgrounds repeat features).
    std::vector<double> denseFirst(kernels.weights.size(), 0.0), denseSwapped(kernels.weights.size(), 0.0);
    auto scatter = [&](const KernelRows& rows, std::uint32_t f, std::vector<double>& dense, bool set) {
        for (std::uint32_t e = rows.start[f]; e < rows.start[f + 1]; ++e)
            dense[rows.kernel[e]] = set ? kernels.weights[rows.kernel[e]] * rows.value[e] : 0.0;
    };
    auto gather = [](const KernelRows& rows, std::uint32_t f, const std::vector<double>& dense) {
        double sum = 0;
        for (std::uint32_t e = rows.start[f]; e < rows.start[f + 1]; ++e)
            sum += rows.value[e] * dense[rows.kernel[e]];
        return sum;
    };
    constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
    std::uint32_t scattered = kNone, group = 0;
    std::vector<double> jointSum(distinct.pixel.size(), 0.0);
    std::vector<std::uint32_t> jointGroup(distinct.pixel.size(), 0);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        const std::uint32_t a = distinct.id[pairs.first[i]], b = distinct.id[pairs.second[i]];
        if (b != scattered) {
            if (scattered != kNone) {
                scatter(firstB, scattered, denseFirst, false);
                scatter(swappedB, scattered, denseSwapped, false);
            }
            scatter(firstB, b, denseFirst, true);
            scatter(swappedB, b, denseSwapped, true);
            scattered = b;
            ++group;
        }
        if (jointGroup[a] != group) {
            const bool swapped = map.at(pairs.first[i])[0] <= map.at(pairs.second[i])[0];  // orderPair
            jointSum[a] = swapped ? gather(swappedA, a, denseSwapped) : gather(firstA, a, denseFirst);
            jointGroup[a] = group;
        }
        // Only half of the joint space was modelled, so the density there is halved.
        const double pJoint = kPmiRegulariser + jointSum[a] * jointNorm / 2;
        const double pProduct = marginal[a] * marginal[b] + kPmiRegulariser;
        pmi[i] = kJointExponent * std::log(pJoint) - std::log(pProduct);
    }
    return pmi;
}

std::uint64_t imageSeed(std::uint64_t runSeed, const std::string& key)
{
    Fnv1a64 hash;
    hash.add(key);
    return derive(runSeed, hash.value());
}

namespace {

std::vector<double> singleMap(const Features& f, const PixelPairs& pairs, std::uint64_t seed)
{
    const std::vector<double> colour =
        pointwiseMutualInformation(f.colour, kernelCentres(f.colour, derive(seed, 1)), pairs);
    const std::vector<double> variance =
        pointwiseMutualInformation(f.variance, kernelCentres(f.variance, derive(seed, 2)), pairs);
    std::vector<double> affinity(pairs.size());
    for (std::size_t i = 0; i < pairs.size(); ++i)
        affinity[i] = std::exp(colour[i] + variance[i]);
    return boundaryMap(f.colour.height, f.colour.width, pairs, affinity, derive(seed, 3));
}

}  // namespace

std::vector<std::uint8_t> previewPixels(const BoundaryMap& map)
{
    double peak = 0;
    for (double v : map.values)
        peak = std::max(peak, v);
    std::vector<std::uint8_t> out(map.values.size(), 0);
    if (peak > 0)
        for (std::size_t i = 0; i < out.size(); ++i)
            out[i] = std::uint8_t(std::lround(255 * std::clamp(map.values[i] / peak, 0.0, 1.0)));
    return out;
}

BoundaryMap boundaries(const ImageView& image, std::uint64_t seed, int repeats)
{
    const Features f = features(image);
    BoundaryMap out;
    out.height = f.colour.height;
    out.width = f.colour.width;
    const PixelPairs pairs = localPairs(out.height, out.width);
    for (int r = 0; r < std::max(1, repeats); ++r) {
        // Repeat 0 uses the seed itself, so one repeat is the single map of that seed.
        const std::vector<double> map = singleMap(f, pairs, r == 0 ? seed : derive(seed, 1000 + std::uint64_t(r)));
        if (map.empty())
            return {out.height, out.width, {}};
        if (out.values.empty())
            out.values.assign(map.size(), 0.0);
        for (std::size_t i = 0; i < map.size(); ++i)
            out.values[i] += map[i];
    }
    for (double& v : out.values)
        v /= double(std::max(1, repeats));
    return out;
}

}  // namespace orderlens::crisp
