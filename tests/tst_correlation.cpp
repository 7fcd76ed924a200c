// Correlations: Spearman, Kendall tau-b and Pearson against published reference values (with
// ties), p-value distributions, NaN handling and the seeded bootstrap.

#include "analysis/Correlation.h"
#include "common/Errors.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace orderlens;

namespace {

bool near(double a, double b, double tol) { return std::abs(a - b) <= tol; }

// Kendall's tau-b by its definition, O(n^2), for comparison with Knight's algorithm.
double bruteTauB(const std::vector<double>& x, const std::vector<double>& y)
{
    double c = 0, d = 0, tx = 0, ty = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
        for (std::size_t j = i + 1; j < x.size(); ++j) {
            const double dx = x[i] - x[j], dy = y[i] - y[j];
            if (dx == 0 && dy == 0)
                continue;
            if (dx == 0)
                ++tx;
            else if (dy == 0)
                ++ty;
            else if (dx * dy > 0)
                ++c;
            else
                ++d;
        }
    return (c - d) / std::sqrt((c + d + tx) * (c + d + ty));
}

}  // namespace

class TestCorrelation : public QObject {
    Q_OBJECT

private slots:
    void kendallWithTiesMatchesScipyExample()
    {
        // scipy.stats.kendalltau documentation: tau = -0.47140452079103173, p = 0.2827454599327748
        // (ties on both sides, so the tie-corrected normal approximation).
        const std::vector<double> x = {12, 2, 1, 12, 2}, y = {1, 4, 7, 1, 0};
        const Correlation k = correlate(CorrelationMethod::Kendall, x, y, {0, 0.95, 0});
        QVERIFY(near(k.coefficient, -0.47140452079103173, 1e-15));
        QVERIFY(near(k.pValue, 0.2827454599327748, 1e-12));
        QCOMPARE(k.n, std::size_t(5));
        QVERIFY(near(kendallTauB(x, y), -0.47140452079103173, 1e-15));
    }

    void spearmanWithTiesMatchesScipyExample()
    {
        // scipy.stats.spearmanr documentation: rho = 0.8207826816681233, p = 0.08858700531354381.
        const std::vector<double> x = {1, 2, 3, 4, 5}, y = {5, 6, 7, 8, 7};
        const Correlation s = correlate(CorrelationMethod::Spearman, x, y, {0, 0.95, 0});
        QVERIFY(near(s.coefficient, 0.8207826816681233, 1e-15));
        QVERIFY(near(s.pValue, 0.08858700531354381, 1e-12));
    }

    void pearsonMatchesScipyExample()
    {
        // scipy.stats.pearsonr documentation: r = -0.828503883588428, p = 0.021280260007523286.
        const std::vector<double> x = {1, 2, 3, 4, 5, 6, 7}, y = {10, 9, 2.5, 6, 4, 3, 2};
        const Correlation r = correlate(CorrelationMethod::Pearson, x, y, {0, 0.95, 0});
        QVERIFY(near(r.coefficient, -0.828503883588428, 1e-14));
        QVERIFY(near(r.pValue, 0.021280260007523286, 1e-12));
    }

    void kendallExactWithoutTies()
    {
        // 3 discordant pairs of 15: tau = 0.6; 49 of the 720 permutations of 6 have at most 3
        // inversions, so p = 2 * 49 / 720.
        const std::vector<double> x = {1, 2, 3, 4, 5, 6}, y = {2, 1, 4, 3, 6, 5};
        const Correlation k = correlate(CorrelationMethod::Kendall, x, y, {0, 0.95, 0});
        QVERIFY(near(k.coefficient, 0.6, 1e-15));
        QVERIFY(near(k.pValue, 2.0 * 49 / 720, 1e-12));
        QVERIFY(near(kendallExactP(6, 3), 0.1361111111111111, 1e-12));
        QCOMPARE(kendallExactP(4, 0), 2.0 / 24);  // perfect order: one permutation of 24
        QCOMPARE(kendallExactP(4, 6), 2.0 / 24);  // perfect reverse order
    }

    void averageRanksWithTies()
    {
        QCOMPARE(averageRanks({10, 20, 10, 30, 20, 20}), (std::vector<double>{1.5, 4, 1.5, 6, 4, 4}));
        QCOMPARE(averageRanks({}), std::vector<double>{});
    }

    void knightEqualsDefinitionOnTiedData()
    {
        std::mt19937 rng(11);
        for (int round = 0; round < 5; ++round) {
            std::vector<double> x, y;
            for (int i = 0; i < 300; ++i) {
                x.push_back(double(rng() % 7));          // heavy ties
                y.push_back(double(rng() % 13) + x.back() * 0.5);
            }
            QVERIFY(near(kendallTauB(x, y), bruteTauB(x, y), 1e-12));
        }
    }

    void missingValuesAreExcluded()
    {
        const double nan = std::nan("");
        const std::vector<double> x = {12, nan, 2, 1, 12, 2, 5}, y = {1, 3, 4, 7, 1, 0, nan};
        const auto all = correlate(x, y, {0, 0.95, 0});
        QCOMPARE(all[1].n, std::size_t(5));
        QVERIFY(near(all[1].coefficient, -0.47140452079103173, 1e-15));
    }

    void degenerateInputsGiveNaN()
    {
        const auto constant = correlate({1, 1, 1, 1}, {1, 2, 3, 4}, {100, 0.95, 1});
        for (const Correlation& c : constant) {
            QVERIFY(std::isnan(c.coefficient));
            QVERIFY(std::isnan(c.pValue));
            QVERIFY(std::isnan(c.ciLow));
        }
        const auto tooFew = correlate({1, 2}, {2, 1}, {100, 0.95, 1});
        QVERIFY(std::isnan(tooFew[0].coefficient));
        QCOMPARE(tooFew[0].n, std::size_t(2));
        QVERIFY_THROWS_EXCEPTION(Error, correlate({1, 2, 3}, {1, 2}, {}));
        QVERIFY_THROWS_EXCEPTION(ConfigError, correlate({1, 2, 3}, {1, 2, 3}, {10, 1.5, 0}));
    }

    void perfectCorrelation()
    {
        const auto all = correlate({1, 2, 3, 4, 5, 6, 7, 8}, {2, 4, 6, 8, 10, 12, 14, 16}, {200, 0.95, 3});
        for (const Correlation& c : all) {
            QCOMPARE(c.coefficient, 1.0);
            QVERIFY(c.pValue < 1e-3);
            QCOMPARE(c.ciLow, 1.0);  // every resample is perfectly ordered too
            QCOMPARE(c.ciHigh, 1.0);
        }
        QCOMPARE(all[2].pValue, 0.0);
    }

    void bootstrapIsReproducibleWithASeed()
    {
        std::mt19937 rng(5);
        std::vector<double> x, y;
        for (int i = 0; i < 400; ++i) {
            x.push_back(double(rng() % 20));
            y.push_back(x.back() + double(rng() % 15));
        }
        const CorrelationOptions options{500, 0.95, 42};
        const auto a = correlate(x, y, options);
        const auto b = correlate(x, y, options);
        CorrelationOptions other = options;
        other.seed = 43;
        const auto c = correlate(x, y, other);
        for (std::size_t m = 0; m < 3; ++m) {
            QCOMPARE(a[m].ciLow, b[m].ciLow);
            QCOMPARE(a[m].ciHigh, b[m].ciHigh);
            QVERIFY(a[m].ciLow != c[m].ciLow || a[m].ciHigh != c[m].ciHigh);
            QVERIFY(a[m].ciLow < a[m].coefficient && a[m].coefficient < a[m].ciHigh);
            // A 95 % interval of n = 400 is a few hundredths wide, not zero and not huge.
            QVERIFY(a[m].ciHigh - a[m].ciLow > 0.02);
            QVERIFY(a[m].ciHigh - a[m].ciLow < 0.3);
        }
    }

    void distributions()
    {
        QVERIFY(near(regularizedIncompleteBeta(2, 3, 0.5), 11.0 / 16, 1e-14));
        QVERIFY(near(regularizedIncompleteBeta(0.5, 0.5, 0.5), 0.5, 1e-14));
        QVERIFY(near(regularizedIncompleteBeta(5, 2, 0.9), 0.885735, 1e-6));  // 6 x^5 - 5 x^6 at 0.9
        QVERIFY(near(normalTwoSidedP(1.959963984540054), 0.05, 1e-12));
        QVERIFY(near(studentTTwoSidedP(2.228138851986274, 10), 0.05, 1e-10));  // t(0.975, 10)
        QVERIFY(near(studentTTwoSidedP(0, 5), 1.0, 1e-14));
    }
};

QTEST_GUILESS_MAIN(TestCorrelation)
#include "tst_correlation.moc"
