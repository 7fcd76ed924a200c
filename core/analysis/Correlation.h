#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace orderlens {

enum class CorrelationMethod { Spearman, Kendall, Pearson };
constexpr std::array<CorrelationMethod, 3> kCorrelationMethods = {CorrelationMethod::Spearman,
                                                                  CorrelationMethod::Kendall,
                                                                  CorrelationMethod::Pearson};
const char* correlationMethodName(CorrelationMethod method);  // "spearman", "kendall", "pearson"

// One coefficient with its two-sided p-value and bootstrap interval. Everything is NaN when
// fewer than 3 pairs have values or one side is constant (as scipy returns).
struct Correlation {
    double coefficient = std::numeric_limits<double>::quiet_NaN();
    double pValue = std::numeric_limits<double>::quiet_NaN();
    double ciLow = std::numeric_limits<double>::quiet_NaN();
    double ciHigh = std::numeric_limits<double>::quiet_NaN();
    std::size_t n = 0;  // pairs used (both values present)
};

// Bootstrap of the coefficient: pairs resampled with replacement, percentile interval (linear
// interpolation between order statistics, numpy's default). The generator is seeded, so the same
// seed and data give the same interval on every machine.
struct CorrelationOptions {
    int bootstrapResamples = 1000;  // 0 = no interval
    double confidenceLevel = 0.95;
    std::uint64_t seed = 0;
};

// Point estimates; pairs with a NaN on either side are dropped first.
double pearsonR(const std::vector<double>& x, const std::vector<double>& y);
double spearmanRho(const std::vector<double>& x, const std::vector<double>& y);
// Kendall's tau-b with Knight's O(n log n) algorithm (JASA 1966): sort by (x, y), then count
// the discordant pairs as the swaps of a merge sort on y; ties on x, on y and on both corrected.
double kendallTauB(const std::vector<double>& x, const std::vector<double>& y);

// Ranks 1..n, ties given the average of their ranks (scipy.stats.rankdata "average").
std::vector<double> averageRanks(const std::vector<double>& values);

// All three methods on the same data and the same bootstrap resamples, in kCorrelationMethods
// order. p-values:
//   Pearson r and Spearman rho: t = r sqrt((n - 2) / (1 - r^2)), Student's t with n - 2 degrees
//     of freedom (for Pearson this is exactly scipy's beta distribution of r; for Spearman it is
//     scipy's approximation).
//   Kendall tau-b: the exact distribution of the discordant pairs when there are no ties and
//     n <= 33 (as scipy's "auto"), otherwise the normal approximation of S = con - dis with the
//     tie-corrected variance (Kendall 1970).
std::array<Correlation, 3> correlate(const std::vector<double>& x, const std::vector<double>& y,
                                     const CorrelationOptions& options);
Correlation correlate(CorrelationMethod method, const std::vector<double>& x, const std::vector<double>& y,
                      const CorrelationOptions& options);

// Distributions used by the p-values, exposed for tests.
double regularizedIncompleteBeta(double a, double b, double x);
double studentTTwoSidedP(double t, double degreesOfFreedom);
double normalTwoSidedP(double z);
// Exact two-sided p-value of Kendall's tau without ties: P(min(dis, pairs - dis) or fewer
// discordant pairs), doubled and capped at 1.
double kendallExactP(std::size_t n, std::uint64_t discordant);

}  // namespace orderlens
