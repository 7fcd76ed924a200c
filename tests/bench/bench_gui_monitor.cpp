// How long the live monitor keeps the event loop busy: the time to add one batch's points and
// to replot each plot, with the demo's full history on screen (5 networks x 15 epochs x 79
// batches, 15 agreement points per split); with a run file as argument, also the time to read
// the monitor's snapshot of it, which the training thread pays after every epoch.
// Run: QT_QPA_PLATFORM=offscreen bench_gui_monitor [RUN.h5]

#include "monitor/LiveMonitor.h"
#include "plot/InteractivePlot.h"

#include <QApplication>
#include <QElapsedTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

using namespace orderlens;
using namespace orderlens::ui;

namespace {
constexpr int kNetworks = 5;
constexpr int kEpochs = 15;
constexpr int kBatches = 79;  // 10000 images / 128
constexpr int kRepeats = 30;

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}
}  // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    LiveMonitor monitor;
    monitor.resize(1250, 900);  // the central area of a 1600 x 1000 window
    monitor.show();
    monitor.reset(kNetworks, kEpochs);

    QElapsedTimer clock;
    clock.start();
    for (int n = 0; n < kNetworks; ++n)
        for (int e = 0; e < kEpochs; ++e)
            for (int b = 0; b < kBatches; ++b) {
                BatchProgress p;
                p.network = n;
                p.epoch = e;
                p.batch = b;
                p.batches = kBatches;
                p.loss = 2.3 * std::exp(-0.1 * (e + double(b) / kBatches)) + 0.05 * std::sin(b);
                p.runningAccuracy = 1 - std::exp(-0.3 * (e + 1));
                monitor.addBatch(p);
            }
    const double perBatchUs = 1e3 * double(clock.nsecsElapsed()) / 1e6 / (kNetworks * kEpochs * kBatches);

    RunSnapshot s;
    s.shape.networks = kNetworks;
    s.shape.epochs = kEpochs;
    s.summaries.assign(kNetworks, std::vector<EpochSummary>(kEpochs));
    s.epochsDone.assign(kNetworks, kEpochs);
    AgreementCurve curve;
    for (int n = 0; n < kNetworks; ++n)
        curve.networks.push_back(n);
    for (int e = 0; e < kEpochs; ++e) {
        EpochAgreement a;
        a.epoch = e;
        a.meanAccuracy = 90 - 30 * std::exp(-0.3 * e);
        a.stdAccuracy = 1.5;
        a.agreement = a.meanAccuracy - 8;
        a.lowerBound = std::max(0.0, 100 - kNetworks * (100 - a.meanAccuracy));
        curve.epochs.push_back(a);
    }
    s.train = curve;
    s.test = curve;
    clock.restart();
    monitor.showSnapshot(s);
    const double snapshotMs = double(clock.nsecsElapsed()) / 1e6;

    std::printf("monitor with %d networks x %d epochs x %d batches per plot\n", kNetworks, kEpochs, kBatches);
    std::printf("  add one batch's points:   %8.2f us\n", perBatchUs);
    std::printf("  show an epoch snapshot:   %8.2f ms\n", snapshotMs);
    const char* names[] = {"agreement (train)", "agreement (test)", "loss", "accuracy"};
    int i = 0;
    for (InteractivePlot* plot : monitor.plots()) {
        plot->resetView();
        std::vector<double> times;
        for (int r = 0; r < kRepeats; ++r) {
            clock.restart();
            plot->replot(QCustomPlot::rpImmediateRefresh);
            times.push_back(double(clock.nsecsElapsed()) / 1e6);
        }
        std::printf("  replot %-18s %8.2f ms (median of %d)\n", names[i++], median(times), kRepeats);
    }
    if (argc > 1) {
        std::vector<double> times;
        RunSnapshot snapshot;
        for (int r = 0; r < 5; ++r) {
            clock.restart();
            snapshot = RunSnapshot::read(QString::fromLocal8Bit(argv[1]));
            times.push_back(double(clock.nsecsElapsed()) / 1e6);
        }
        if (!snapshot.ok()) {
            std::fprintf(stderr, "%s\n", snapshot.error.toUtf8().constData());
            return 1;
        }
        std::printf("run file %s: %d networks x %d epochs, %zu images\n", argv[1], snapshot.shape.networks,
                    snapshot.shape.epochs, snapshot.train ? std::size_t(snapshot.train->epochs.front().images) : 0);
        std::printf("  read the snapshot (summaries, train and test agreement): %.1f ms (median of 5)\n",
                    median(times));
    }
    return 0;
}
