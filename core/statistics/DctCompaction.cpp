#include "statistics/DctCompaction.h"

#include "numeric/RadixSort.h"
#include "statistics/Luminance.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <sstream>

namespace orderlens {

namespace {

// Row k of the N x N orthonormal DCT-II matrix is a(k) cos(pi (2n + 1) k / 2N), n = 0..N-1.
const std::vector<double>& dctBasis(int n)
{
    // Per thread, so workers never wait for each other; a dataset has few distinct sizes.
    thread_local std::map<int, std::vector<double>> cache;
    auto it = cache.find(n);
    if (it != cache.end())
        return it->second;
    std::vector<double> basis(std::size_t(n) * n);
    const double pi = std::acos(-1.0);
    for (int k = 0; k < n; ++k) {
        const double a = std::sqrt((k == 0 ? 1.0 : 2.0) / n);
        for (int i = 0; i < n; ++i)
            basis[std::size_t(k) * n + i] = a * std::cos(pi * (2.0 * i + 1.0) * k / (2.0 * n));
    }
    return cache.emplace(n, std::move(basis)).first->second;
}

// out = C_n in for an n x width row-major `in`: the 1-D DCT of every column. Row k of C_n is
// symmetric (k even) or antisymmetric (k odd) about the middle, so it is applied to the sums
// or differences of mirrored rows: half the multiplications. The inner loops are sums of scaled
// rows, which the compiler vectorises (dot products would stay scalar without -ffast-math).
void transformColumns(const double* in, int n, int width, double* out)
{
    const std::vector<double>& basis = dctBasis(n);
    const int half = n / 2;
    thread_local std::vector<double> sums, diffs;
    sums.resize(std::size_t(half) * width);
    diffs.resize(std::size_t(half) * width);
    for (int i = 0; i < half; ++i) {
        const double* top = in + std::size_t(i) * width;
        const double* bottom = in + std::size_t(n - 1 - i) * width;
        double* s = sums.data() + std::size_t(i) * width;
        double* d = diffs.data() + std::size_t(i) * width;
        for (int j = 0; j < width; ++j) {
            s[j] = top[j] + bottom[j];
            d[j] = top[j] - bottom[j];
        }
    }
    for (int k = 0; k < n; ++k) {
        double* o = out + std::size_t(k) * width;
        std::fill(o, o + width, 0.0);
        const double* rows = (k % 2 == 0 ? sums : diffs).data();
        const double* c = basis.data() + std::size_t(k) * n;
        for (int i = 0; i < half; ++i) {
            const double ci = c[i];
            const double* r = rows + std::size_t(i) * width;
            for (int j = 0; j < width; ++j)
                o[j] += ci * r[j];
        }
        // The middle row of an odd size: cos(pi k / 2), zero for odd k.
        if (n % 2 == 1 && k % 2 == 0) {
            const double cm = c[half];
            const double* r = in + std::size_t(half) * width;
            for (int j = 0; j < width; ++j)
                o[j] += cm * r[j];
        }
    }
}

void transpose(const double* in, int rows, int cols, double* out)
{
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            out[std::size_t(c) * rows + r] = in[std::size_t(r) * cols + c];
}

}  // namespace

void dct2Orthonormal(const double* x, int height, int width, std::vector<double>& out)
{
    // Columns, then rows (as columns of the transpose).
    thread_local std::vector<double> t, tt, zt;
    const std::size_t size = std::size_t(height) * width;
    t.resize(size);
    tt.resize(size);
    zt.resize(size);
    out.resize(size);
    transformColumns(x, height, width, t.data());
    transpose(t.data(), height, width, tt.data());
    transformColumns(tt.data(), width, height, zt.data());
    transpose(zt.data(), width, height, out.data());
}

DctCompactionResult dctCompaction(const std::vector<double>& coefficients)
{
    DctCompactionResult r;
    const std::size_t n = coefficients.size();
    if (n == 0)
        return r;
    // Squares of magnitudes sort like the magnitudes; as non-negative doubles their bit patterns
    // sort like their values, so a radix sort of the patterns does it.
    thread_local std::vector<std::uint64_t> bits, scratch;
    bits.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double e = coefficients[i] * coefficients[i];
        std::memcpy(&bits[i], &e, sizeof e);
        r.maxCoefficient = std::max(r.maxCoefficient, std::fabs(coefficients[i]));
    }
    // By the high half (sign, exponent, 20 mantissa bits) first, then an insertion pass settles
    // the rare words whose high halves are equal: half the radix passes of a full sort.
    radixSort(bits.data(), n, 4, scratch);
    for (std::size_t i = 1; i < n; ++i) {
        const std::uint64_t w = bits[i];
        std::size_t j = i;
        for (; j > 0 && bits[j - 1] > w; --j)
            bits[j] = bits[j - 1];
        bits[j] = w;
    }
    thread_local std::vector<double> prefix;  // prefix[j] = energy of the j + 1 largest
    prefix.resize(n);
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {  // ascending: small first, less rounding
        double e;
        std::memcpy(&e, &bits[i], sizeof e);
        total += e;
    }
    double partial = 0;
    for (std::size_t j = 0; j < n; ++j) {
        double e;
        std::memcpy(&e, &bits[n - 1 - j], sizeof e);
        partial += e;
        prefix[j] = partial;
    }
    const double totalNorm = std::sqrt(total);
    // The study's loop: k starts at 1 and grows while norm(top k) / norm(all) < ratio. An
    // all-zero image gives 0/0, which is not < ratio, so k = 1 as there.
    auto below = [&](std::size_t k) { return std::sqrt(prefix[k - 1]) / totalNorm < kDctNormRatio; };
    // Find k by energies (no square roots), then settle it with the study's own comparison.
    const double target = (kDctNormRatio * totalNorm) * (kDctNormRatio * totalNorm);
    std::size_t k = std::size_t(std::lower_bound(prefix.begin(), prefix.end(), target) - prefix.begin()) + 1;
    k = std::min(k, n);
    while (k > 1 && !below(k - 1))
        --k;
    while (k < n && below(k))
        ++k;
    r.kept = k;
    r.percent = double(k - 1) / double(n) * 100.0;
    return r;
}

std::string DctCompaction::parameterTag() const
{
    std::ostringstream s;
    s << "ratio=" << kDctNormRatio;
    return s.str();
}

void DctCompaction::compute(const ImageView& image, double* values, std::string&) const
{
    thread_local std::vector<double> y, z;
    luminance(image, y);
    for (double& v : y)
        v /= 255.0;
    dct2Orthonormal(y.data(), image.height, image.width, z);
    const DctCompactionResult r = dctCompaction(z);
    values[0] = r.percent;
    values[1] = r.maxCoefficient;
}

}  // namespace orderlens
