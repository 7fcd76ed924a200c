#pragma once

#include "statistics/ImageStatistic.h"

namespace orderlens {

// docs/DEFINITIONS.md 6: the share of the L2 norm (not of the energy) the kept coefficients must
// reach; the study follows MATLAB's dct example ("99.98 % of the energy").
constexpr double kDctNormRatio = 0.9998;

// DCT energy compaction (columns "dct_percent", "dct_max"): the orthonormal 2-D DCT-II of
// Y/255 in double precision; k = the fewest largest-magnitude coefficients whose L2 norm
// reaches kDctNormRatio of the norm of all; dct_percent = (k - 1) / (H W) * 100 (the study's
// minus one), dct_max = the largest |coefficient|. Any size, square or not.
class DctCompaction : public ImageStatistic {
public:
    std::vector<std::string> columns() const override { return {"dct_percent", "dct_max"}; }
    std::string parameterTag() const override;
    void compute(const ImageView& image, double* values, std::string& warning) const override;
};

// The orthonormal 2-D DCT-II of a row-major height x width array:
// Z[k][l] = a(k) a(l) sum_n sum_m X[n][m] cos(pi (2n+1) k / 2H) cos(pi (2m+1) l / 2W), with
// a(0) = sqrt(1/N) and a(k > 0) = sqrt(2/N) for the axis length N.
void dct2Orthonormal(const double* x, int height, int width, std::vector<double>& out);

// The study's numbers from given coefficients: {percentage, largest |coefficient|}.
struct DctCompactionResult {
    double percent = 0;
    double maxCoefficient = 0;
    std::size_t kept = 0;  // k
};
DctCompactionResult dctCompaction(const std::vector<double>& coefficients);

}  // namespace orderlens
