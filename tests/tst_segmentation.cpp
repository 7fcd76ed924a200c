// Segment count: Felzenszwalb-Huttenlocher as the authors' `segment` program computes it.
// Expected counts for real and tie-heavy images were produced by that program's own code
// (pff's segment.zip, built with g++ -O3; tests/support/SegmentReference.h says how to
// regenerate them), so these tests pin the exact behaviour: float arithmetic, edge order and the
// unstable sort's handling of equal weights. The Fashion-MNIST counts below are the program's on
// the images of Debian's dataset-fashion-mnist in file order (train: train-images-idx3-ubyte.gz,
// test: t10k-images-idx3-ubyte.gz), each written as a PPM with the grey value in every channel.

#include "Picture.h"
#include "SegmentReference.h"
#include "Fixtures.h"

#include "common/Errors.h"
#include "dataset/DatasetReader.h"
#include "statistics/SegmentCount.h"

#include <QtTest>

#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

using namespace orderlens;
using test::Picture;
using test::paint;

class TestSegmentation : public QObject {
    Q_OBJECT

private slots:
    void constantImageIsOneSegment()
    {
        const SegmentCount seg;
        QCOMPARE(seg.count(paint(28, 28, 1, [](int, int, int) { return 0; }).view()), 1);
        QCOMPARE(seg.count(paint(17, 40, 3, [](int, int, int c) { return 30 + c; }).view()), 1);
    }

    void twoRegionsAreTwoSegments()
    {
        const SegmentCount seg;
        QCOMPARE(seg.count(paint(16, 32, 1, [](int, int x, int) { return x < 16 ? 0 : 255; }).view()), 2);
        // Taller, the two blurred columns along the step (values about 27 and 228) hold 32
        // pixels each, above the minimum size, and stay separate: 4, as the program says.
        QCOMPARE(seg.count(paint(32, 32, 1, [](int, int x, int) { return x < 16 ? 0 : 255; }).view()), 4);
        // Red above green: colour differences count, luminance alone would be nearly equal.
        QCOMPARE(seg.count(paint(20, 16, 3, [](int y, int, int c) { return y < 10 ? (c == 0 ? 200 : 0) : (c == 1 ? 120 : 0); })
                               .view()),
                 2);
    }

    void smallRegionsMergeIntoLargerOnes()
    {
        const SegmentCount seg;
        // A 3 x 3 bright square (9 pixels < min size 20) in a dark field joins the field.
        const Picture dot = paint(30, 30, 1, [](int y, int x, int) { return (y >= 10 && y < 13 && x >= 10 && x < 13) ? 255 : 0; });
        QCOMPARE(seg.count(dot.view()), 1);
        // With min size 1 the square and its blurred rim stay on their own (the program: 3).
        QCOMPARE(SegmentCount(kSegmentSigma, kSegmentK, 1).count(dot.view()), 3);
        // An image smaller than the minimum size is one segment.
        QCOMPARE(seg.count(paint(3, 3, 1, [](int y, int x, int) { return (x * 90 + y * 40) % 256; }).view()), 1);
        QCOMPARE(seg.count(paint(1, 1, 3, [](int, int, int) { return 7; }).view()), 1);
    }

    void greyEqualsReplicatedRgb()
    {
        const SegmentCount seg;
        for (int kind = 1; kind <= 6; ++kind) {
            const Picture p = test::segmentPattern(kind);
            const Picture grey = paint(p.height, p.width, 1, [&](int y, int x, int) {
                return p.pixels[(std::size_t(y) * p.width + x) * p.channels];
            });
            const Picture rgb = paint(p.height, p.width, 3, [&](int y, int x, int) {
                return grey.pixels[std::size_t(y) * p.width + x];
            });
            QCOMPARE(seg.count(grey.view()), seg.count(rgb.view()));
        }
    }

    void tieHeavyPatternsMatchTheAuthorsProgram()
    {
        // `segment 0.5 500 20` and `segment 0.8 300 10` on these images.
        const auto& studyParameters = test::kPatternSegmentsStudy;
        const auto& otherParameters = test::kPatternSegmentsOther;
        const SegmentCount study;
        const SegmentCount other(0.8f, 300.0f, 10);
        for (int kind = 1; kind <= 6; ++kind) {
            QCOMPARE(study.count(test::segmentPattern(kind).view()), studyParameters[kind - 1]);
            QCOMPARE(other.count(test::segmentPattern(kind).view()), otherParameters[kind - 1]);
        }
    }

    void fashionMnistMatchesTheAuthorsProgram()
    {
        if (test::fashionMnistDir().empty())
            QSKIP("dataset-fashion-mnist is not installed");
        const Dataset ds = loadDataset("fashion-mnist");
        const SegmentCount seg;
        const int firstTrain[] = {5, 7, 6, 3, 4, 8, 5, 6, 4, 8, 5, 7, 6, 3, 5, 5, 8, 4, 6, 4};
        for (int i = 0; i < 20; ++i)
            QCOMPARE(seg.count(ds.image(std::size_t(i))), firstTrain[i]);
        const int firstTest[] = {4, 7, 7, 5, 3, 7, 7, 4, 3, 5};
        for (int i = 0; i < 10; ++i)
            QCOMPARE(seg.count(ds.image(60000 + std::size_t(i))), firstTest[i]);
        // Sums over the first 1000 images of each split, from the program: one count off shows.
        long train = 0, test = 0;
        for (std::size_t i = 0; i < 1000; ++i) {
            train += seg.count(ds.image(i));
            test += seg.count(ds.image(60000 + i));
        }
        QCOMPARE(train, 5455L);
        QCOMPARE(test, 5512L);
    }

    void largerKMeansFewerSegments()
    {
        const Picture p = test::segmentPattern(5);
        int previous = 1 << 30;
        for (float k : {50.0f, 200.0f, 500.0f, 2000.0f, 1e6f}) {
            const int n = SegmentCount(kSegmentSigma, k, kSegmentMinSize).count(p.view());
            QVERIFY2(n <= previous, ("k = " + std::to_string(k)).c_str());
            previous = n;
        }
        QCOMPARE(previous, 1);
    }

    void statisticInterface()
    {
        const SegmentCount seg;
        QCOMPARE(seg.columns(), std::vector<std::string>{"segment_count"});
        QCOMPARE(seg.parameterTag(), std::string("sigma=0.5;k=500;min_size=20"));
        double value = NAN;
        std::string warning;
        seg.compute(test::segmentPattern(4).view(), &value, warning);
        QCOMPARE(value, 2.0);
        QVERIFY(warning.empty());
    }

    void badParametersAreConfigErrors()
    {
        QVERIFY_THROWS_EXCEPTION(ConfigError, SegmentCount(-1.0f, 500.0f, 20));
        QVERIFY_THROWS_EXCEPTION(ConfigError, SegmentCount(0.5f, 0.0f, 20));
        QVERIFY_THROWS_EXCEPTION(ConfigError, SegmentCount(0.5f, 500.0f, -3));
    }
};

QTEST_GUILESS_MAIN(TestSegmentation)
#include "tst_segmentation.moc"
