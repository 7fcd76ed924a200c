#include "statistics/DctCompaction.h"

#include "statistics/Luminance.h"
#include "statistics/RadixSort.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <sstream>

namespace orderlens {

namespace {

// The N x N orthonormal DCT-II matrix, row k = a(k) cos(pi (2n + 1) k / 2N), n = 0..N-1, and
// its transpose (so both products below run along contiguous rows).
struct DctBasis {
    std::vector<double> rows, transposed;
};

const DctBasis& dctBasis(int n)
{
    // Per thread, so workers never wait for each other; a dataset has few distinct sizes.
    thread_local std::map<int, DctBasis> cache;
    auto it = cache.find(n);
    if (it != cache.end())
        return it->second;
    DctBasis basis;
    basis.rows.resize(std::size_t(n) * n);
    basis.transposed.resize(std::size_t(n) * n);
    const double pi = std::acos(-1.0);
    for (int k = 0; k < n; ++k) {
        const double a = std::sqrt((k == 0 ? 1.0 : 2.0) / n);
        for (int i = 0; i < n; ++i) {
            const double c = a * std::cos(pi * (2.0 * i + 1.0) * k / (2.0 * n));
            basis.rows[std::size_t(k) * n + i] = c;
            basis.transposed[std::size_t(i) * n + k] = c;
        }
    }
    return cache.emplace(n, std::move(basis)).first->second;
}

}  // namespace

void dct2Orthonormal(const double* x, int height, int width, std::vector<double>& out)
{
    const std::vector<double>& rowsBasis = dctBasis(height).rows;
    const std::vector<double>& colsTransposed = dctBasis(width).transposed;
    thread_local std::vector<double> t;
    // t = C_H x (transform the columns), then out = t C_W^T (transform the rows). Both are
    // written as sums of scaled rows, which the compiler vectorises; dot products would not be
    // (their reduction order is fixed without -ffast-math).
    t.assign(std::size_t(height) * width, 0.0);
    for (int k = 0; k < height; ++k) {
        double* tk = t.data() + std::size_t(k) * width;
        for (int n = 0; n < height; ++n) {
            const double c = rowsBasis[std::size_t(k) * height + n];
            const double* xn = x + std::size_t(n) * width;
            for (int j = 0; j < width; ++j)
                tk[j] += c * xn[j];
        }
    }
    out.assign(std::size_t(height) * width, 0.0);
    for (int k = 0; k < height; ++k) {
        const double* tk = t.data() + std::size_t(k) * width;
        double* zk = out.data() + std::size_t(k) * width;
        for (int m = 0; m < width; ++m) {
            const double v = tk[m];
            const double* cm = colsTransposed.data() + std::size_t(m) * width;  // C_W[l][m] over l
            for (int l = 0; l < width; ++l)
                zk[l] += v * cm[l];
        }
    }
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
