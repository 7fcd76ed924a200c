// Mean local entropy (docs/DEFINITIONS.md 6): hand-computed cases, the study's algorithm written
// naively in tests/support (one histogram per window as its NumPy loop, with the test's own
// luminance) on real and random images, the unquantised colour luminance, and images smaller
// than the window.

#include "Picture.h"
#include "ReferenceStatistics.h"
#include "Fixtures.h"

#include "common/Errors.h"
#include "dataset/DatasetReader.h"
#include "statistics/LocalEntropy.h"
#include "statistics/Luminance.h"

#include <QtTest>

#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <vector>

using namespace orderlens;
using test::Picture;
using test::paint;

namespace {

Picture noise(int height, int width, int channels, int levels, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    return paint(height, width, channels, [&](int, int, int) { return int(rng() % unsigned(levels)) * (255 / (levels - 1)); });
}

}  // namespace

class TestEntropy : public QObject {
    Q_OBJECT

private slots:
    void constantImageHasZeroEntropy()
    {
        const LocalEntropy entropy;
        QCOMPARE(entropy.meanEntropy(paint(28, 28, 1, [](int, int, int) { return 77; }).view()), 0.0);
        QCOMPARE(entropy.meanEntropy(paint(32, 32, 3, [](int, int, int c) { return 10 * c; }).view()), 0.0);
    }

    void hundredDistinctValuesGiveLog2Of100()
    {
        const LocalEntropy entropy;
        const Picture grey = paint(10, 10, 1, [](int y, int x, int) { return y * 10 + x; });
        QCOMPARE(entropy.meanEntropy(grey.view()), std::log2(100.0));
        // 100 colours with 100 different luminances (only red varies).
        const Picture colour = paint(10, 10, 3, [](int y, int x, int c) { return c == 0 ? y * 10 + x : 50; });
        QCOMPARE(entropy.meanEntropy(colour.view()), std::log2(100.0));
    }

    void handComputedSmallWindows()
    {
        // 2 x 4 image, window 2: windows [0 0 | 1 1] (two values, 1 bit), [0 1 | 1 2] (0:1, 1:2, 2:1 ->
        // 1.5 bits), [1 1 | 2 2] (1 bit). Mean 3.5 / 3.
        const Picture p = paint(2, 4, 1, [](int y, int x, int) {
            const int v[2][4] = {{0, 0, 1, 1}, {1, 1, 2, 2}};
            return v[y][x];
        });
        QCOMPARE(LocalEntropy(2).meanEntropy(p.view()), 3.5 / 3.0);
        // Window 1: every window holds one value.
        QCOMPARE(LocalEntropy(1).meanEntropy(p.view()), 0.0);
    }

    void matchesTheStudysLoopOnRandomImages()
    {
        int seed = 1;
        for (int channels : {1, 3})
            for (int w : {3, 5, 10})
                for (auto [h, wd] : {std::pair{10, 10}, {12, 31}, {29, 17}, {32, 32}})
                    for (int levels : {2, 6, 256}) {
                        const Picture p = noise(h, wd, channels, levels, std::uint32_t(seed++));
                        const double fast = LocalEntropy(w).meanEntropy(p.view());
                        const double slow = test::referenceMeanEntropy(p.view(), w);
                        QVERIFY2(std::fabs(fast - slow) < 1e-12,
                                 (std::to_string(fast) + " vs " + std::to_string(slow)).c_str());
                    }
    }

    void matchesTheStudysLoopOnFashionMnist()
    {
        if (test::fashionMnistDir().empty())
            QSKIP("dataset-fashion-mnist is not installed");
        const Dataset ds = loadDataset("fashion-mnist", 200, 100);
        const LocalEntropy entropy;
        for (std::size_t i = 0; i < ds.size(); ++i) {
            const double fast = entropy.meanEntropy(ds.image(i));
            QVERIFY(std::fabs(fast - test::referenceMeanEntropy(ds.image(i), kEntropyWindow)) < 1e-12);
            QVERIFY(fast > 0 && fast < std::log2(100.0));
        }
    }

    void colourLuminanceIsNotRequantised()
    {
        // Same exact weighted sum 20.545, but NumPy's double arithmetic gives two different
        // values (20.544999999999998 and 20.545000000000002): the study counts two values.
        QVERIFY(2989 * 0 + 5870 * 35 + 1140 * 0 == 2989 * 10 + 5870 * 0 + 1140 * 154);
        QVERIFY(lumaOf(0, 35, 0) != lumaOf(10, 0, 154));
        const Picture split = paint(2, 2, 3, [](int y, int, int c) {
            const int a[3] = {0, 35, 0}, b[3] = {10, 0, 154};
            return y == 0 ? a[c] : b[c];
        });
        QCOMPARE(LocalEntropy(2).meanEntropy(split.view()), 1.0);
        // Two colours whose luminance is the same double are one value.
        QCOMPARE(lumaOf(0, 35, 2), lumaOf(10, 0, 156));
        const Picture same = paint(2, 2, 3, [](int y, int, int c) {
            const int a[3] = {0, 35, 2}, b[3] = {10, 0, 156};
            return y == 0 ? a[c] : b[c];
        });
        QCOMPARE(LocalEntropy(2).meanEntropy(same.view()), 0.0);
        // Luminance is evaluated as (0.2989 R + 0.5870 G) + 0.1140 B.
        QCOMPARE(lumaOf(10, 0, 154), (0.2989 * 10 + 0.5870 * 0) + 0.1140 * 154);
    }

    void greyAndEqualChannelColourAgree()
    {
        // R = G = B = v maps v to distinct luminance doubles, so the partition is the grey one.
        const Picture grey = noise(20, 24, 1, 256, 99);
        const Picture colour = paint(20, 24, 3, [&](int y, int x, int) { return grey.pixels[std::size_t(y) * 24 + x]; });
        const LocalEntropy entropy;
        QCOMPARE(entropy.meanEntropy(colour.view()), entropy.meanEntropy(grey.view()));
    }

    void invariantUnderTransposeAndFlip()
    {
        const Picture p = noise(19, 33, 1, 5, 7);
        const Picture transposed = paint(33, 19, 1, [&](int y, int x, int) { return p.pixels[std::size_t(x) * 33 + y]; });
        const Picture flipped = paint(19, 33, 1, [&](int y, int x, int) { return p.pixels[std::size_t(y) * 33 + (32 - x)]; });
        const LocalEntropy entropy(6);
        const double e = entropy.meanEntropy(p.view());
        QVERIFY(std::fabs(entropy.meanEntropy(transposed.view()) - e) < 1e-12);
        QVERIFY(std::fabs(entropy.meanEntropy(flipped.view()) - e) < 1e-12);
    }

    void imageSmallerThanTheWindowIsMissing()
    {
        const LocalEntropy entropy;
        const Picture narrow = noise(30, 9, 1, 256, 3);
        QVERIFY(std::isnan(entropy.meanEntropy(narrow.view())));
        double value = 0;
        std::string warning;
        entropy.compute(narrow.view(), &value, warning);
        QVERIFY(std::isnan(value));
        QVERIFY(warning.find("10 x 10") != std::string::npos);
        // Exactly the window size: one window.
        const Picture exact = noise(10, 10, 1, 256, 3);
        entropy.compute(exact.view(), &value, warning = {});
        QCOMPARE(value, test::referenceMeanEntropy(exact.view(), 10));
        QVERIFY(warning.empty());
    }

    void windowIsAParameter()
    {
        QCOMPARE(LocalEntropy(7).parameterTag(), std::string("window=7"));
        QCOMPARE(LocalEntropy().columns(), std::vector<std::string>{"entropy"});
        QVERIFY_THROWS_EXCEPTION(ConfigError, LocalEntropy(0));
    }
};

QTEST_GUILESS_MAIN(TestEntropy)
#include "tst_entropy.moc"
