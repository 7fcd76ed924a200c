// Benchmark: the image browser's ordering (filter + sort over ImageNet's 1,281,167 train images
// plus 50,000 test images of synthetic measures) and the explorer's scatter replot of 100,000
// points (density map and plain dots), on an offscreen widget.
// Usage: QT_QPA_PLATFORM=offscreen bench_browser [repetitions]

#include "analysis/LearningMeasures.h"
#include "browser/ImageTable.h"
#include "explorer/ScatterPlot.h"

#include <QApplication>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <vector>

using namespace orderlens;
using namespace orderlens::ui;
using Clock = std::chrono::steady_clock;

namespace {

// ImageNet (ILSVRC-2012): 1,281,167 train images, 50,000 validation images, 1000 classes.
constexpr std::size_t kImageNetTrain = 1281167;
constexpr std::size_t kImageNetTest = 50000;
constexpr int kClasses = 1000;
constexpr int kEpochs = 90;
constexpr std::size_t kScatterPoints = 100000;

double medianMs(int reps, const std::function<void()>& f)
{
    std::vector<double> t;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = Clock::now();
        f();
        t.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

ImageTable syntheticTable()
{
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0, 1);
    ImageTable t;
    const std::size_t n = kImageNetTrain + kImageNetTest;
    t.splits.resize(n);
    t.labels.resize(n);
    t.learnedEpoch.resize(n);
    ImageColumn confidence{"confidence", true, false, std::vector<double>(n)};
    ImageColumn entropy{"entropy", false, false, std::vector<double>(n)};
    for (std::size_t i = 0; i < n; ++i) {
        t.splits[i] = i < kImageNetTrain ? Split::Train : Split::Test;
        t.labels[i] = int(rng() % kClasses);
        // About 15 % never learned, the rest spread over the epochs.
        t.learnedEpoch[i] = u(rng) < 0.15 ? kNeverLearned : int(rng() % kEpochs);
        confidence.values[i] = u(rng);
        entropy.values[i] = u(rng) < 0.01 ? std::nan("") : 3.0 + 4.0 * u(rng);
    }
    t.columns = {confidence, entropy};
    return t;
}

}  // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    const int reps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;

    const ImageTable table = syntheticTable();
    std::printf("browser ordering, %zu rows (median of %d):\n", table.size(), reps);
    std::size_t shown = 0;
    auto order = [&](const char* what, const ImageFilter& f, const ImageSort& s) {
        const double ms = medianMs(reps, [&] { shown = orderImages(table, f, s).size(); });
        std::printf("  %-50s %7.1f ms (%zu rows)\n", what, ms, shown);
    };
    order("learned epoch, no filter:", {}, {});
    order("learned epoch, descending:", {}, {-1, true});
    order("confidence (double), no filter:", {}, {0, false});
    ImageFilter train;
    train.anySplit = false;
    order("entropy (double, 1% missing), train split, desc.:", train, {1, true});
    ImageFilter many;
    many.anySplit = false;
    many.learned = ImageFilter::Learned::Learned;
    many.minEpoch = 10;
    many.maxEpoch = 60;
    many.column = 1;
    many.minValue = 4;
    many.maxValue = 6;
    order("confidence, train + learned 10-60 + entropy 4-6:", many, {0, false});
    ImageFilter oneClass;
    oneClass.label = 17;
    order("learned epoch, one class:", oneClass, {});
    {
        // For scale: std::stable_sort of an index by the same double key.
        const double ms = medianMs(reps, [&] {
            std::vector<std::uint32_t> idx(table.size());
            for (std::size_t i = 0; i < idx.size(); ++i)
                idx[i] = std::uint32_t(i);
            const auto& v = table.columns[0].values;
            std::stable_sort(idx.begin(), idx.end(), [&](std::uint32_t a, std::uint32_t b) { return v[a] < v[b]; });
        });
        std::printf("  %-50s %7.1f ms\n", "(reference: std::stable_sort by confidence)", ms);
    }

    std::mt19937_64 rng(11);
    std::normal_distribution<double> g(0, 1);
    std::vector<double> x(kScatterPoints), y(kScatterPoints);
    std::vector<std::uint32_t> ids(kScatterPoints);
    for (std::size_t k = 0; k < kScatterPoints; ++k) {
        x[k] = g(rng);
        y[k] = 0.5 * x[k] + g(rng);
        ids[k] = std::uint32_t(k);
    }
    std::printf("scatter replot, 1000 x 700 offscreen widget (median of %d):\n", reps * 4);
    struct Case {
        const char* name;
        std::size_t points;
        bool density;
    };
    const Case cases[] = {{"density map (the default here):", kScatterPoints, true},
                          {"translucent dots (forced):", kScatterPoints, false},
                          {"dots at the density threshold:", ScatterPlot::kDensityThreshold, false}};
    for (const Case& c : cases) {
        ScatterPlot plot;
        plot.resize(1000, 700);
        plot.show();
        plot.setDensityThreshold(c.density ? ScatterPlot::kDensityThreshold : kScatterPoints + 1);
        plot.setPoints(std::vector<double>(x.begin(), x.begin() + std::ptrdiff_t(c.points)),
                       std::vector<double>(y.begin(), y.begin() + std::ptrdiff_t(c.points)),
                       std::vector<std::uint32_t>(ids.begin(), ids.begin() + std::ptrdiff_t(c.points)), false, false);
        plot.replot();
        QApplication::processEvents();
        const double still = medianMs(reps * 4, [&] { plot.replot(QCustomPlot::rpImmediateRefresh); });
        // A zoom step: new ranges (the density map re-bins) and a replot.
        int step = 0;
        const double zoom = medianMs(reps * 4, [&] {
            const double f = 1.0 + 0.05 * (++step % 10);
            plot.xAxis->setRange(-4 / f, 4 / f);
            plot.yAxis->setRange(-5 / f, 5 / f);
            plot.replot(QCustomPlot::rpImmediateRefresh);
        });
        std::printf("  %-34s %6zu points: replot %6.1f ms, zoom + replot %6.1f ms\n", c.name, c.points, still, zoom);
    }
    return 0;
}
