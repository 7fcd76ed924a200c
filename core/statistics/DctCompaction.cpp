#include "statistics/DctCompaction.h"

#include "statistics/Luminance.h"

#include <algorithm>
#include <cmath>
#include <functional>
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

}  // namespace

void dct2Orthonormal(const double* x, int height, int width, std::vector<double>& out)
{
    const std::vector<double>& rowsBasis = dctBasis(height);
    const std::vector<double>& colsBasis = dctBasis(width);
    thread_local std::vector<double> t;
    // t = C_H x (transform the columns), then out = t C_W^T (transform the rows).
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
    out.resize(std::size_t(height) * width);
    for (int k = 0; k < height; ++k) {
        const double* tk = t.data() + std::size_t(k) * width;
        for (int l = 0; l < width; ++l) {
            const double* cl = colsBasis.data() + std::size_t(l) * width;
            double s = 0;
            for (int m = 0; m < width; ++m)
                s += tk[m] * cl[m];
            out[std::size_t(k) * width + l] = s;
        }
    }
}

DctCompactionResult dctCompaction(const std::vector<double>& coefficients)
{
    DctCompactionResult r;
    thread_local std::vector<double> energy;
    energy.resize(coefficients.size());
    for (std::size_t i = 0; i < coefficients.size(); ++i) {
        energy[i] = coefficients[i] * coefficients[i];
        r.maxCoefficient = std::max(r.maxCoefficient, std::fabs(coefficients[i]));
    }
    // Sorting the squares sorts the magnitudes.
    std::sort(energy.begin(), energy.end(), std::greater<double>());
    double total = 0;
    for (auto it = energy.rbegin(); it != energy.rend(); ++it)  // small first: less rounding
        total += *it;
    const double totalNorm = std::sqrt(total);
    // As the study's loop: k starts at 1 and grows while norm(top k) / norm(all) < ratio. An
    // all-zero image gives 0/0, which is not < ratio, so k = 1 as there.
    std::size_t k = 1;
    double partial = energy.empty() ? 0 : energy[0];
    while (k < energy.size() && std::sqrt(partial) / totalNorm < kDctNormRatio) {
        partial += energy[k];
        ++k;
    }
    r.kept = k;
    r.percent = coefficients.empty() ? 0 : double(k - 1) / double(coefficients.size()) * 100.0;
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
