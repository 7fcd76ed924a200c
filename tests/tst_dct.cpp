// DCT energy compaction (docs/DEFINITIONS.md 6): the orthonormal DCT-II against hand-computed and
// textbook-formula values, the norm-ratio rule with the study's k - 1, and its invariances.

#include "Picture.h"
#include "Fixtures.h"

#include "dataset/DatasetReader.h"
#include "statistics/DctCompaction.h"

#include <QtTest>

#include <algorithm>
#include <functional>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

using namespace orderlens;
using test::Picture;
using test::paint;

namespace {

// The DCT-II written out: sum over all pixels of the cosine products, O(H^2 W^2).
std::vector<double> textbookDct(const std::vector<double>& x, int h, int w)
{
    const double pi = std::acos(-1.0);
    std::vector<double> z(std::size_t(h) * w);
    for (int k = 0; k < h; ++k)
        for (int l = 0; l < w; ++l) {
            double s = 0;
            for (int n = 0; n < h; ++n)
                for (int m = 0; m < w; ++m)
                    s += x[std::size_t(n) * w + m] * std::cos(pi * (2 * n + 1) * k / (2.0 * h)) *
                         std::cos(pi * (2 * m + 1) * l / (2.0 * w));
            z[std::size_t(k) * w + l] = s * std::sqrt((k ? 2.0 : 1.0) / h) * std::sqrt((l ? 2.0 : 1.0) / w);
        }
    return z;
}

// The compaction rule written out: sort |z| descending, k = the smallest count whose norm ratio
// reaches 0.9998 (an all-zero input never compares below it: k = 1); percent (k - 1) / N * 100.
struct TextbookCompaction {
    double percent, maxCoefficient;
};
TextbookCompaction textbookCompaction(const std::vector<double>& z)
{
    std::vector<double> magnitudes;
    for (double v : z)
        magnitudes.push_back(std::fabs(v));
    std::sort(magnitudes.begin(), magnitudes.end(), std::greater<>());
    double all = 0;
    for (double m : magnitudes)
        all += m * m;
    std::size_t k = 1;
    double top = magnitudes[0] * magnitudes[0];
    while (k < magnitudes.size() && std::sqrt(top) / std::sqrt(all) < 0.9998) {
        top += magnitudes[k] * magnitudes[k];
        ++k;
    }
    return {double(k - 1) / double(z.size()) * 100.0, magnitudes[0]};
}

std::vector<double> compute(const ImageView& image)
{
    std::vector<double> values(2);
    std::string warning;
    DctCompaction().compute(image, values.data(), warning);
    return values;
}

}  // namespace

class TestDct : public QObject {
    Q_OBJECT

private slots:
    void twoByTwoByHand()
    {
        // For [[a, b], [c, d]] the orthonormal DCT-II is 1/2 [[a+b+c+d, a-b+c-d], [a+b-c-d, a-b-c+d]].
        const std::vector<double> x = {1, 2, 3, 5};
        std::vector<double> z;
        dct2Orthonormal(x.data(), 2, 2, z);
        QCOMPARE(z.size(), std::size_t(4));
        QCOMPARE(z[0], 5.5);
        QCOMPARE(z[1], -1.5);
        QCOMPARE(z[2], -2.5);
        QVERIFY(std::fabs(z[3] - 0.5) < 1e-15);
    }

    void fourByFourRowByHand()
    {
        // One row [1 0 0 0] of a 1 x 4 image: Z[l] = a(l) cos(pi l / 8), a(0) = 1/2, a(l) = 1/sqrt(2).
        const std::vector<double> x = {1, 0, 0, 0};
        std::vector<double> z;
        dct2Orthonormal(x.data(), 1, 4, z);
        QCOMPARE(z[0], 0.5);
        QCOMPARE(z[1], std::cos(std::acos(-1.0) / 8) / std::sqrt(2.0));
        QCOMPARE(z[2], 0.5);  // cos(pi / 4) / sqrt(2)
        QCOMPARE(z[3], std::cos(3 * std::acos(-1.0) / 8) / std::sqrt(2.0));
    }

    void matchesTheTextbookFormulaOnAnySize()
    {
        std::mt19937 rng(5);
        for (auto [h, w] : {std::pair{4, 4}, {5, 9}, {9, 5}, {1, 7}, {13, 13}, {8, 3}}) {
            std::vector<double> x(std::size_t(h) * w);
            for (double& v : x)
                v = double(rng() % 256) / 255.0;
            std::vector<double> z;
            dct2Orthonormal(x.data(), h, w, z);
            const std::vector<double> expected = textbookDct(x, h, w);
            double energyIn = 0, energyOut = 0;
            for (std::size_t i = 0; i < x.size(); ++i) {
                QVERIFY(std::fabs(z[i] - expected[i]) < 1e-12);
                energyIn += x[i] * x[i];
                energyOut += z[i] * z[i];
            }
            QVERIFY(std::fabs(energyIn - energyOut) < 1e-12);  // orthonormal: Parseval
        }
    }

    void normRatioRuleWithTheStudysMinusOne()
    {
        // |4| then |3|: norm of the top one / all = 4/5 < 0.9998, both = 1 -> k = 2 of 4,
        // reported as (2 - 1) / 4 = 25 %.
        DctCompactionResult r = dctCompaction({3, -4, 0, 0});
        QCOMPARE(r.kept, std::size_t(2));
        QCOMPARE(r.percent, 25.0);
        QCOMPARE(r.maxCoefficient, 4.0);
        // A ratio of norms, not of energies: with a norm share of 0.99985 one coefficient is
        // enough, though its energy share (0.99970) is below 0.9998.
        r = dctCompaction({1, std::sqrt(1 / (0.99985 * 0.99985) - 1), 0, 0, 0});
        QCOMPARE(r.kept, std::size_t(1));
        QCOMPARE(r.percent, 0.0);
        // Just below the threshold: one more coefficient.
        r = dctCompaction({1, std::sqrt(1 / (0.9997 * 0.9997) - 1), 0, 0});
        QCOMPARE(r.kept, std::size_t(2));
    }

    void constantAndBlackImages()
    {
        // Constant v: only the DC coefficient, v/255 * sqrt(H W); one coefficient -> 0 %.
        std::vector<double> v = compute(paint(28, 28, 1, [](int, int, int) { return 51; }).view());
        QCOMPARE(v[0], 0.0);
        QCOMPARE(v[1], 51.0 / 255.0 * 28.0);
        // All zero: the study's 0/0 ratio never compares below 0.9998, so k = 1 -> 0 %.
        v = compute(paint(7, 9, 3, [](int, int, int) { return 0; }).view());
        QCOMPARE(v[0], 0.0);
        QCOMPARE(v[1], 0.0);
    }

    void transposeAndColourInvariance()
    {
        std::mt19937 rng(11);
        const Picture p = paint(12, 20, 1, [&](int, int, int) { return int(rng() % 256); });
        const Picture t = paint(20, 12, 1, [&](int y, int x, int) { return p.pixels[std::size_t(x) * 20 + y]; });
        const std::vector<double> a = compute(p.view()), b = compute(t.view());
        QCOMPARE(a[0], b[0]);
        QVERIFY(std::fabs(a[1] - b[1]) < 1e-12);
        // Grey v as R = G = B = v: Y = (0.2989 + 0.5870 + 0.1140) v = 0.9999 v.
        const Picture rgb = paint(12, 20, 3, [&](int y, int x, int) { return p.pixels[std::size_t(y) * 20 + x]; });
        const std::vector<double> c = compute(rgb.view());
        QVERIFY(std::fabs(c[1] - 0.9999 * a[1]) < 1e-12);
        QVERIFY(a[0] > 50 && a[0] < 100);  // noise does not compact
    }

    void fashionMnistAgainstTheTextbookDct()
    {
        if (test::fashionMnistDir().empty())
            QSKIP("dataset-fashion-mnist is not installed");
        const Dataset ds = loadDataset("fashion-mnist", 20, 10);
        for (std::size_t i = 0; i < ds.size(); ++i) {
            const ImageView image = ds.image(i);
            std::vector<double> x(784);
            for (int p = 0; p < 784; ++p)
                x[std::size_t(p)] = image.data[p] / 255.0;
            const TextbookCompaction expected = textbookCompaction(textbookDct(x, 28, 28));
            const std::vector<double> v = compute(image);
            QCOMPARE(v[0], expected.percent);
            QVERIFY(std::fabs(v[1] - expected.maxCoefficient) < 1e-12);
            QVERIFY(v[0] > 0 && v[0] < 100);
        }
    }

    void columns()
    {
        QCOMPARE(DctCompaction().columns(), (std::vector<std::string>{"dct_percent", "dct_max"}));
        QCOMPARE(DctCompaction().parameterTag(), std::string("ratio=0.9998"));
    }
};

QTEST_GUILESS_MAIN(TestDct)
#include "tst_dct.moc"
