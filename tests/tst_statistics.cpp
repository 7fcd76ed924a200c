// The statistics as a whole: the registry, the extra statistics and the built-in edge
// strength by hand, the parallel engine (same numbers on any thread count, progress, cancel,
// missing values) and the per-dataset metrics cache.

#include "Fixtures.h"
#include "Picture.h"
#include "ReferenceStatistics.h"

#include "common/Errors.h"
#include "dataset/DatasetReader.h"
#include "numeric/RadixSort.h"
#include "statistics/Colourfulness.h"
#include "statistics/DistinctLuminance.h"
#include "statistics/EdgeStrength.h"
#include "statistics/MeanLuminance.h"
#include "statistics/MetricsCache.h"
#include "statistics/PngBitsPerPixel.h"
#include "statistics/RmsContrast.h"
#include "statistics/StatisticsEngine.h"

#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

using namespace orderlens;
using test::Picture;
using test::paint;
namespace fs = std::filesystem;

namespace {

double valueOf(const ImageStatistic& s, const Picture& p)
{
    double v = NAN;
    std::string warning;
    s.compute(p.view(), &v, warning);
    return v;
}

// Colour and grey images of several sizes, one smaller than the entropy window.
Dataset mixedDataset(int images)
{
    Dataset ds;
    ds.name = "mixed";
    ds.classNames = {"a", "b"};
    std::mt19937 rng(3);
    for (int i = 0; i < images; ++i) {
        const int h = i == 5 ? 6 : 10 + int(rng() % 20), w = i == 5 ? 40 : 10 + int(rng() % 20);
        const int c = i % 3 == 0 ? 3 : 1;
        const Picture p = paint(h, w, c, [&](int y, int x, int) { return int(rng() % 4) * 60 + (x > w / 2 ? 15 : 0) + y; });
        ds.add((i % 4 == 0 ? "test/" : "train/") + std::to_string(i), i % 4 == 0 ? Split::Test : Split::Train, i % 2,
               p.pixels.data(), h, w, c);
    }
    return ds;
}

std::vector<std::string> allStatistics()
{
    std::vector<std::string> names;
    for (const StatisticKind& k : statisticKinds())
        names.push_back(k.name);
    return names;
}

bool sameValues(const std::vector<double>& a, const std::vector<double>& b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i]))))
            return false;
    return true;
}

}  // namespace

class TestStatistics : public QObject {
    Q_OBJECT

private slots:
    void registryNamesEveryColumn()
    {
        std::vector<std::string> columns;
        for (const auto& s : createStatistics(allStatistics(), StatisticParameters()))
            for (const std::string& c : s->columns())
                columns.push_back(c);
        const std::vector<std::string> expected = {"entropy",
                                                   "dct_percent",
                                                   "dct_max",
                                                   "segment_count",
                                                   "sobel_edge_strength",
                                                   "crisp_edge_strength",
                                                   "crisp_edge_mean",
                                                   "rms_contrast",
                                                   "mean_luminance",
                                                   "colourfulness",
                                                   "png_bits_per_pixel",
                                                   "distinct_luminance"};
        QCOMPARE(columns, expected);
        try {
            createStatistics({"entropy", "sharpness"}, StatisticParameters());
            QFAIL("no error for an unknown statistic");
        } catch (const ConfigError& e) {
            QVERIFY(std::string(e.what()).find("'sharpness'") != std::string::npos);
            QVERIFY(std::string(e.what()).find("segments") != std::string::npos);
        }
    }

    void sobelEdgeStrengthByHand()
    {
        // A 0 | 255 step between columns 3 and 4 of an 5 x 8 image: Y/255 is 0 | 1; the
        // Sobel x response is (1 + 2 + 1) * 1 = 4 on columns 3 and 4 (reflected borders add
        // nothing), y response 0: 2 columns * 5 rows * 4 = 40.
        const Picture step = paint(5, 8, 1, [](int, int x, int) { return x < 4 ? 0 : 255; });
        QCOMPARE(valueOf(EdgeStrength(), step), 40.0);
        QCOMPARE(valueOf(EdgeStrength(), paint(9, 9, 3, [](int, int, int) { return 100; })), 0.0);
        // Transposed step: the same sum from the y response.
        const Picture transposed = paint(8, 5, 1, [](int y, int, int) { return y < 4 ? 0 : 255; });
        QCOMPARE(valueOf(EdgeStrength(), transposed), 40.0);
        QCOMPARE(valueOf(EdgeStrength(), paint(1, 1, 1, [](int, int, int) { return 9; })), 0.0);
    }

    void luminanceMomentsByHand()
    {
        const Picture half = paint(4, 6, 1, [](int, int x, int) { return x < 3 ? 0 : 255; });
        QCOMPARE(valueOf(MeanLuminance(), half), 0.5);
        QCOMPARE(valueOf(RmsContrast(), half), 0.5);
        const Picture flat = paint(7, 3, 3, [](int, int, int c) { return 40 * (c + 1); });
        QCOMPARE(valueOf(RmsContrast(), flat), 0.0);
        QCOMPARE(valueOf(MeanLuminance(), flat), (0.2989 * 40 + 0.5870 * 80 + 0.1140 * 120) / 255.0);
    }

    void colourfulnessByHand()
    {
        // Pure red: rg = 255, yb = 127.5 everywhere, no spread: 0.3 * sqrt(255^2 + 127.5^2).
        const Picture red = paint(4, 4, 3, [](int, int, int c) { return c == 0 ? 255 : 0; });
        QCOMPARE(valueOf(Colourfulness(), red), 0.3 * std::sqrt(255.0 * 255.0 + 127.5 * 127.5));
        // Half red, half green: rg = +-255 (mean 0, sd 255), yb = 127.5 (sd 0): 255 + 0.3 * 127.5.
        const Picture redGreen = paint(4, 4, 3, [](int, int x, int c) { return c == (x < 2 ? 0 : 1) ? 255 : 0; });
        QCOMPARE(valueOf(Colourfulness(), redGreen), 255.0 + 0.3 * 127.5);
        QCOMPARE(valueOf(Colourfulness(), paint(5, 5, 1, [](int y, int x, int) { return x * y; })), 0.0);
        QCOMPARE(valueOf(Colourfulness(), paint(5, 5, 3, [](int y, int x, int) { return x * y; })), 0.0);
    }

    void compressibilityAndDistinctValues()
    {
        std::mt19937 rng(1);
        const Picture noise = paint(28, 28, 1, [&](int, int, int) { return int(rng() % 256); });
        const Picture flat = paint(28, 28, 1, [](int, int, int) { return 128; });
        // Random bytes do not compress: more than 8 bits per pixel with the file's overhead.
        QVERIFY(valueOf(PngBitsPerPixel(), noise) > 8.0);
        QVERIFY(valueOf(PngBitsPerPixel(), flat) < 1.0);
        QVERIFY(valueOf(PngBitsPerPixel(), paint(28, 28, 3, [&](int, int, int) { return int(rng() % 256); })) > 24.0);
        QCOMPARE(valueOf(DistinctLuminance(), flat), 1.0);
        QCOMPARE(valueOf(DistinctLuminance(), paint(10, 10, 1, [](int y, int x, int) { return 10 * y + x; })), 100.0);
        // Equal exact weighted sums, different doubles: two values (see tst_entropy).
        const Picture pair = paint(1, 2, 3, [](int, int x, int c) {
            const int a[3] = {0, 35, 0}, b[3] = {10, 0, 154};
            return x == 0 ? a[c] : b[c];
        });
        QCOMPARE(valueOf(DistinctLuminance(), pair), 2.0);
    }

    void engineGivesTheSameNumbersOnAnyThreadCount()
    {
        const Dataset ds = mixedDataset(300);
        const auto statistics = createStatistics(allStatistics(), StatisticParameters());
        std::vector<const ImageStatistic*> raw;
        for (const auto& s : statistics)
            raw.push_back(s.get());
        EngineOptions one;
        one.threads = 1;
        std::vector<std::string> warningsOne, warningsMany;
        const MetricTable a = computeStatistics(ds, raw, one, &warningsOne);
        EngineOptions many;
        many.threads = 7;
        const MetricTable b = computeStatistics(ds, raw, many, &warningsMany);
        QCOMPARE(a.names(), b.names());
        for (const std::string& name : a.names())
            QVERIFY2(sameValues(a.column(name), b.column(name)), name.c_str());
        // Each value lands in its image's row: against the textbook entropy and mean luminance of
        // tests/support, written independently of the statistics.
        for (std::size_t i : {std::size_t(0), std::size_t(1), std::size_t(299)}) {
            const std::vector<double> y = test::referenceLuminance(ds.image(i));
            double sum = 0;
            for (double v : y)
                sum += v;
            QVERIFY(std::fabs(b.column("mean_luminance")[i] - sum / double(y.size()) / 255.0) < 1e-12);
            QVERIFY(std::fabs(b.column("entropy")[i] - test::referenceMeanEntropy(ds.image(i), 10)) < 1e-12);
        }
        // Image 5 (6 x 40) is smaller than the entropy window: missing, with one warning.
        QVERIFY(std::isnan(a.column("entropy")[5]));
        QCOMPARE(a.missing("entropy"), std::size_t(1));
        QCOMPARE(a.missing("dct_percent"), std::size_t(0));
        // Crisp boundaries need two nodes after the half-resolution map is decimated twice by 2
        // (floor(ceil(H / 2) / 4) floor(ceil(W / 2) / 4) >= 2); image 5 and the smallest others lack them.
        std::size_t tooSmall = 0;
        for (std::size_t i = 0; i < ds.size(); ++i) {
            const ImageView im = ds.image(i);
            const bool small = ((im.height + 1) / 2 / 4) * ((im.width + 1) / 2 / 4) < 2;
            tooSmall += small;
            QCOMPARE(std::isnan(a.column("crisp_edge_strength")[i]), small);
        }
        QVERIFY(std::isnan(a.column("crisp_edge_strength")[5]));
        QCOMPARE(a.missing("crisp_edge_strength"), tooSmall);
        QCOMPARE(warningsOne.size(), std::size_t(2));
        QCOMPARE(warningsOne, warningsMany);
        QVERIFY(warningsOne[0].find("entropy: no value for 1 of 300 images") != std::string::npos);
        QVERIFY(warningsOne[0].find("train/5") != std::string::npos);
        QVERIFY(warningsOne[1].find("crisp_edge_strength: no value for " + std::to_string(tooSmall) + " of 300 images") !=
                std::string::npos);
    }

    void engineReportsProgressAndCancels()
    {
        const Dataset ds = mixedDataset(500);
        const auto statistics = createStatistics({"segments"}, StatisticParameters());
        std::vector<std::size_t> seen;
        EngineOptions options;
        options.threads = 2;
        options.progress = [&](std::size_t done, std::size_t total) {
            QCOMPARE(total, std::size_t(500));
            seen.push_back(done);
        };
        computeStatistics(ds, {statistics[0].get()}, options);
        QVERIFY(!seen.empty());
        QCOMPARE(seen.back(), std::size_t(500));
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));

        // Cancelled while it runs: a statistic raises the flag at its 100th image; the workers
        // stop at their next claim of images instead of finishing all 500.
        struct CancelAtImage : ImageStatistic {
            std::atomic<bool>* cancel = nullptr;
            mutable std::atomic<int> images{0};
            std::vector<std::string> columns() const override { return {"counted"}; }
            std::string parameterTag() const override { return "test"; }
            void compute(const ImageView&, double* values, std::string&) const override
            {
                if (++images == 100)
                    cancel->store(true);
                values[0] = 1;
            }
        } counting;
        std::atomic<bool> cancel{false};
        counting.cancel = &cancel;
        options.cancel = &cancel;
        options.progress = nullptr;
        QVERIFY_THROWS_EXCEPTION(Cancelled, computeStatistics(ds, {&counting}, options));
        QVERIFY2(counting.images >= 100 && counting.images < 500, qPrintable(QString::number(counting.images)));
    }

    void cacheComputesEachColumnOnce()
    {
        QTemporaryDir dir;
        const Dataset ds = mixedDataset(120);
        StatisticsRequest request;
        request.statistics = {"entropy", "dct"};
        request.cacheDirectory = dir.path().toStdString();
        EngineOptions options;
        StatisticsOutcome first = datasetStatistics(ds, request, options);
        QCOMPARE(first.computed, (std::vector<std::string>{"entropy", "dct_percent", "dct_max"}));
        QVERIFY(first.fromCache.empty());
        const std::string file = MetricsCache(request.cacheDirectory, ds).path();
        QVERIFY(fs::exists(file));
        QVERIFY(file.find("mixed-") != std::string::npos);

        // Again, plus a new statistic: only the new one is computed; cached values are exact.
        request.statistics = {"entropy", "dct", "segments"};
        StatisticsOutcome second = datasetStatistics(ds, request, options);
        QCOMPARE(second.computed, std::vector<std::string>{"segment_count"});
        QCOMPARE(second.fromCache, (std::vector<std::string>{"entropy", "dct_percent", "dct_max"}));
        for (const std::string& c : first.table.names())
            QVERIFY2(sameValues(first.table.column(c), second.table.column(c)), c.c_str());
        QCOMPARE(second.table.names(), (std::vector<std::string>{"entropy", "dct_percent", "dct_max", "segment_count"}));

        // Another window is another column: recomputed, and both are kept in the file.
        request.statistics = {"entropy"};
        request.parameters.entropyWindow = 5;
        StatisticsOutcome third = datasetStatistics(ds, request, options);
        QCOMPARE(third.computed, std::vector<std::string>{"entropy"});
        QVERIFY(!std::isnan(third.table.column("entropy")[5]));  // 6 x 40 fits a 5 x 5 window
        std::ifstream in(file);
        std::string comment, header;
        std::getline(in, comment);
        std::getline(in, header);
        QVERIFY(header.find("entropy@window=10") != std::string::npos);
        QVERIFY(header.find("entropy@window=5") != std::string::npos);
        QVERIFY(header.find("segment_count@sigma=0.5;k=500;min_size=20") != std::string::npos);
    }

    void damagedOrForeignCacheIsIgnored()
    {
        QTemporaryDir dir;
        const Dataset ds = mixedDataset(40);
        StatisticsRequest request;
        request.statistics = {"contrast"};
        request.cacheDirectory = dir.path().toStdString();
        const StatisticsOutcome good = datasetStatistics(ds, request, EngineOptions());
        const std::string file = MetricsCache(request.cacheDirectory, ds).path();
        // Truncate the file mid-way: the next run recomputes and repairs it.
        fs::resize_file(file, fs::file_size(file) / 2);
        StatisticsOutcome again = datasetStatistics(ds, request, EngineOptions());
        QCOMPARE(again.computed, std::vector<std::string>{"rms_contrast"});
        QVERIFY(sameValues(good.table.column("rms_contrast"), again.table.column("rms_contrast")));
        QCOMPARE(datasetStatistics(ds, request, EngineOptions()).fromCache, std::vector<std::string>{"rms_contrast"});

        // One changed pixel (as loading a changed file sees it) is another dataset content, hence
        // another cache file.
        Dataset changed;
        changed.name = ds.name;
        changed.classNames = ds.classNames;
        for (std::size_t i = 0; i < ds.size(); ++i) {
            const ImageView v = ds.image(i);
            std::vector<std::uint8_t> pixels(v.data, v.data + v.bytes());
            if (i == 7)
                pixels[3] ^= 1;
            changed.add(ds.key(i), ds.split(i), ds.label(i), pixels.data(), v.height, v.width, v.channels);
        }
        QVERIFY(MetricsCache::contentFingerprint(changed) != MetricsCache::contentFingerprint(ds));
        QCOMPARE(datasetStatistics(changed, request, EngineOptions()).computed, std::vector<std::string>{"rms_contrast"});

        // An unwritable cache folder costs a warning, not the results.
        request.cacheDirectory = "/proc/orderlens-cannot-write-here";
        const StatisticsOutcome unwritable = datasetStatistics(ds, request, EngineOptions());
        QVERIFY(sameValues(unwritable.table.column("rms_contrast"), good.table.column("rms_contrast")));
        QCOMPARE(unwritable.warnings.size(), std::size_t(1));
        QVERIFY(unwritable.warnings[0].find("metrics cache not updated") != std::string::npos);
    }

    void radixSortIsAStableSort()
    {
        std::mt19937_64 rng(9);
        std::vector<std::uint64_t> scratch;
        for (std::size_t n : {std::size_t(1), std::size_t(2), std::size_t(7), std::size_t(3000)}) {
            // Few distinct high halves (many ties), low halves recording the original position.
            std::vector<std::uint64_t> words(n);
            for (std::size_t i = 0; i < n; ++i)
                words[i] = (rng() % 5) << 40 | (rng() % 3) << 33 | i;
            std::vector<std::uint64_t> expected = words;
            std::stable_sort(expected.begin(), expected.end(),
                             [](std::uint64_t a, std::uint64_t b) { return (a >> 32) < (b >> 32); });
            std::vector<std::uint64_t> byHigh = words;
            radixSort(byHigh.data(), n, 4, scratch);
            QCOMPARE(byHigh, expected);
            // All bytes: a full sort, e.g. of non-negative doubles' bit patterns.
            std::vector<double> values(n);
            for (double& v : values)
                v = double(rng() % 1000) * 1e-3 + double(rng() % 7) * 1e10;
            std::vector<std::uint64_t> bits(n);
            std::memcpy(bits.data(), values.data(), n * sizeof(double));
            radixSort(bits.data(), n, 0, scratch);
            std::sort(values.begin(), values.end());
            std::vector<std::uint64_t> sortedBits(n);
            std::memcpy(sortedBits.data(), values.data(), n * sizeof(double));
            QCOMPARE(bits, sortedBits);
        }
    }

    void metricTextRoundTrips()
    {
        for (double v : {0.1, 1.0 / 3.0, 4.393393168237679, 1e-300, 123456789.0, -2.5}) {
            double back = 0;
            QVERIFY(parseMetricText(metricText(v), back));
            QCOMPARE(back, v);
        }
        QCOMPARE(metricText(NAN), std::string());
        double v = 0;
        QVERIFY(parseMetricText("", v) && std::isnan(v));
        QVERIFY(parseMetricText("nan", v) && std::isnan(v));
        QVERIFY(parseMetricText(" 2.5\r", v) && v == 2.5);
        QVERIFY(!parseMetricText("2.5x", v));
        QVERIFY(!parseMetricText("abc", v));
    }
};

QTEST_GUILESS_MAIN(TestStatistics)
#include "tst_statistics.moc"
