// How long the window's event loop is kept busy while it trains: the tiny experiment of
// tst_gui_training (2 x LeNet-5, 300 + 100 Fashion-MNIST images, batch 50, one thread) started
// from the setup form, with a 5 ms timer ticking on the GUI thread from the first batch to the
// end. Reports the longest stretch of the GUI thread's own CPU time between two ticks (its work:
// slots, layouts, replots) and the longest wall-clock gap, which on a loaded machine also counts
// the time the thread waited for a core.
// Run: QT_QPA_PLATFORM=offscreen bench_gui_training [epochs=2]

#include "Fixtures.h"
#include "FormFields.h"
#include "MainWindow.h"
#include "explorer/ExplorationView.h"
#include "setup/ExperimentSetupDialog.h"
#include "training/TrainingSession.h"

#include <QApplication>
#include <QCheckBox>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>

using namespace orderlens;
using namespace orderlens::ui;
using test::field;

namespace {

constexpr int kHeartbeatMs = 5;

qint64 threadCpuNs()
{
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return qint64(t.tv_sec) * 1000000000 + t.tv_nsec;
}

// Between two ticks of a 5 ms timer: the GUI thread's CPU time and the wall-clock time.
class Heartbeat {
public:
    Heartbeat()
    {
        timer_.setInterval(kHeartbeatMs);
        timer_.setTimerType(Qt::PreciseTimer);
        QObject::connect(&timer_, &QTimer::timeout, [this] {
            const qint64 wall = clock_.nsecsElapsed();
            const qint64 cpu = threadCpuNs();
            maxWallGap_ = std::max(maxWallGap_, wall - lastWall_);
            maxBusy_ = std::max(maxBusy_, cpu - lastCpu_);
            lastWall_ = wall;
            lastCpu_ = cpu;
        });
        clock_.start();
        lastCpu_ = threadCpuNs();
        timer_.start();
    }
    double maxBusyMs() const { return double(maxBusy_) / 1e6; }
    double maxWallGapMs() const { return double(maxWallGap_) / 1e6; }

private:
    QTimer timer_;
    QElapsedTimer clock_;
    qint64 lastWall_ = 0, lastCpu_ = 0, maxWallGap_ = 0, maxBusy_ = 0;
};

}  // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    if (test::fashionMnistDir().empty()) {
        std::fprintf(stderr, "dataset-fashion-mnist is not installed\n");
        return 1;
    }
    const int epochs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 2;
    QTemporaryDir dir;
    MainWindow window;
    window.resize(1600, 1000);
    window.show();
    ExperimentSetupDialog* dialog = window.newExperiment();
    field<QSpinBox>(dialog, "limit_train")->setValue(300);
    field<QSpinBox>(dialog, "limit_test")->setValue(100);
    field<QSpinBox>(dialog, "networks")->setValue(2);
    field<QSpinBox>(dialog, "epochs")->setValue(epochs);
    field<QSpinBox>(dialog, "batch_size")->setValue(50);
    field<QSpinBox>(dialog, "threads")->setValue(1);  // the other core stays with the event loop
    field<QLineEdit>(dialog, "run_path")->setText(dir.filePath("bench.h5"));
    QElapsedTimer waiting;
    waiting.start();
    while (dialog->datasetLoading() && waiting.elapsed() < 60000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    if (!dialog->canStart()) {
        std::fprintf(stderr, "the form refuses to start: %s\n", qPrintable(dialog->problem()));
        return 1;
    }

    std::unique_ptr<Heartbeat> heartbeat;
    QEventLoop loop;
    QString error;
    QObject::connect(&window, &MainWindow::trainingFinished, &loop,
                     [&](TrainingSession::Outcome, const QString& e) {
                         error = e;
                         loop.quit();
                     });
    field<QPushButton>(dialog, "start")->click();
    QObject::connect(window.session(), &TrainingSession::batchDone, &loop, [&] {
        if (!heartbeat)
            heartbeat = std::make_unique<Heartbeat>();
    });
    loop.exec();
    if (!error.isEmpty() || !heartbeat) {
        std::fprintf(stderr, "training failed: %s\n", qPrintable(error));
        return 1;
    }
    std::printf("2 x LeNet-5, %d epochs of 300 images: longest event-loop stall %.1f ms busy "
                "(%.1f ms wall-clock between 5 ms timer ticks)\n",
                epochs, heartbeat->maxBusyMs(), heartbeat->maxWallGapMs());

    // A signal that ends a phase is emitted at the end of the slot that did its last work: let
    // the heartbeat tick once more so that this work is counted.
    auto settle = [] {
        QEventLoop wait;
        QTimer::singleShot(4 * kHeartbeatMs, &wait, &QEventLoop::quit);
        wait.exec();
    };

    // Then what follows a training: its statistics, the Analysis tab's analysis and the Explore
    // tab's load (all in the background), until Explore shows the run.
    heartbeat = std::make_unique<Heartbeat>();
    QObject::connect(window.exploration(), &ExplorationView::loaded, &loop, &QEventLoop::quit);
    QObject::connect(window.exploration(), &ExplorationView::failed, &loop, &QEventLoop::quit);
    loop.exec();
    settle();
    std::printf("statistics, analysis and Explore's load after it: longest stall %.1f ms busy (%.1f ms wall)\n",
                heartbeat->maxBusyMs(), heartbeat->maxWallGapMs());

    // Export > Analysis report: the bootstrap analysis in the background, the figures and
    // report.pdf drawn on the GUI thread.
    heartbeat = std::make_unique<Heartbeat>();
    int files = 0;
    QObject::connect(window.exploration(), &ExplorationView::reportWritten, &loop,
                     [&](const QStringList& written, const QString& e) {
                         files = int(written.size());
                         error = e;
                         loop.quit();
                     });
    window.exploration()->writeReportInBackground(dir.filePath("report"));
    loop.exec();
    settle();
    if (!error.isEmpty()) {
        std::fprintf(stderr, "the report failed: %s\n", qPrintable(error));
        return 1;
    }
    std::printf("analysis report (1000-resample bootstrap, %d files: tables, figures, report.pdf): longest stall "
                "%.1f ms busy (%.1f ms wall)\n",
                files, heartbeat->maxBusyMs(), heartbeat->maxWallGapMs());
    return 0;
}
