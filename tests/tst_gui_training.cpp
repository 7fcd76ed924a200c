// The main window driving real training: the setup form starts it, the monitor's curves
// receive points, Cancel keeps completed epochs, a failure is reported, and a run reopens (and
// resumes) from its file. How long the event loop stalls meanwhile is measured by
// tests/bench/bench_gui_training (docs/PERFORMANCE.md), never asserted here.

#include "DialogAnswers.h"
#include "Fixtures.h"
#include "FormFields.h"
#include "QuickTraining.h"
#include "TabClick.h"
#include "MainWindow.h"
#include "analysis/AnalysisPage.h"
#include "explorer/ExplorationView.h"
#include "monitor/LiveMonitor.h"
#include "monitor/ProgressPanel.h"
#include "plot/InteractivePlot.h"
#include "setup/ExperimentSetupDialog.h"
#include "storage/RunFile.h"
#include "training/Trainer.h"
#include "workspace/RunWorkspace.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QThreadPool>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using namespace orderlens;
using namespace orderlens::ui;
using test::field;

namespace {
constexpr int kTrainingTimeoutMs = 180000;

void fillTinyExperiment(ExperimentSetupDialog* dialog, int epochs, const QString& runPath)
{
    field<QSpinBox>(dialog, "limit_train")->setValue(300);
    field<QSpinBox>(dialog, "limit_test")->setValue(100);
    field<QSpinBox>(dialog, "networks")->setValue(2);
    field<QSpinBox>(dialog, "epochs")->setValue(epochs);
    field<QSpinBox>(dialog, "batch_size")->setValue(50);
    // One thread leaves the other core to the event loop on a two-core machine.
    field<QSpinBox>(dialog, "threads")->setValue(1);
    field<QLineEdit>(dialog, "run_path")->setText(runPath);
}

// The tiny experiment of the form, trained directly (no window) for the tests that need a run
// file: `cancelAfter` network-epochs when positive (then the run is interrupted).
void trainTinyRun(const QString& runPath, int epochs, int cancelAfter)
{
    ExperimentConfig c = ExperimentConfig::preset("demo");
    c.limitTrain = 300;
    c.limitTest = 100;
    c.networks = 2;
    c.epochs = epochs;
    c.batchSize = 50;
    c.threads = 1;
    c.parallelNetworks = false;
    c.device = "cpu";
    test::trainRun(c, runPath.toStdString(), cancelAfter);
}
}  // namespace

class TestGuiTraining : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void tinyTrainingFromTheForm();
    void cancelKeepsCompletedEpochs();
    void reopenShowsTheRunAndResumes();
    void plotsExportAndShowValues();
    void failureIsReported();
    void trainingRunNumbersEpochsAndSaysWhatItWaitsFor();
    void exportsFromTheMenuAskBeforeReplacing();

private:
    QTemporaryDir tmp_;
};

void TestGuiTraining::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("OrderLensTests");
    QCoreApplication::setApplicationName("tst_gui_training");
    QVERIFY(tmp_.isValid());
    if (test::fashionMnistDir().empty())
        QSKIP("dataset-fashion-mnist is not installed");
}

void TestGuiTraining::tinyTrainingFromTheForm()
{
    MainWindow window;
    window.show();
    ExperimentSetupDialog* dialog = window.newExperiment();
    QVERIFY(dialog && dialog->isVisible());
    const QString finishedRun = tmp_.filePath("tiny.h5");
    fillTinyExperiment(dialog, 2, finishedRun);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->datasetLoading(), 60000);
    auto* start = field<QPushButton>(dialog, "start");
    QVERIFY2(start->isEnabled(), qPrintable(dialog->problem()));

    QSignalSpy finished(&window, &MainWindow::trainingFinished);
    QTest::mouseClick(start, Qt::LeftButton);
    QVERIFY(window.session());
    QSignalSpy batches(window.session(), &TrainingSession::batchDone);
    QSignalSpy epochs(window.session(), &TrainingSession::epochDone);
    QVERIFY(finished.wait(kTrainingTimeoutMs));
    QVERIFY2(finished.first().at(1).toString().isEmpty(), qPrintable(finished.first().at(1).toString()));

    QCOMPARE(finished.first().at(0).value<TrainingSession::Outcome>(), TrainingSession::Outcome::Completed);
    QCOMPARE(epochs.size(), 4);  // 2 networks x 2 epochs
    QCOMPARE(batches.size(), 2 * 2 * 6);  // 300 images / 50 per batch
    LiveMonitor* monitor = window.monitor();
    QCOMPARE(monitor->agreementPoints(RecordSet::Train), 2);
    QCOMPARE(monitor->agreementPoints(RecordSet::Test), 2);
    for (int n = 0; n < 2; ++n) {
        QCOMPARE(monitor->batchPoints(n), 12);
        QCOMPARE(monitor->epochPoints(n), 2);
    }
    QCOMPARE(window.progress()->overallPercent(), 100);

    const RunFile run(finishedRun.toStdString());
    QCOMPARE(run.epochsDone(), (std::vector<int>{2, 2}));
    QCOMPARE(window.recentRuns().value(0), QFileInfo(finishedRun).absoluteFilePath());
}

void TestGuiTraining::cancelKeepsCompletedEpochs()
{
    MainWindow window;
    window.show();
    ExperimentSetupDialog* dialog = window.newExperiment();
    const QString cancelledRun = tmp_.filePath("cancelled.h5");
    constexpr int kEpochs = 30;
    fillTinyExperiment(dialog, kEpochs, cancelledRun);
    // One network after another: the agreement curves then cover the networks started so far.
    field<QCheckBox>(dialog, "parallel_networks")->setChecked(false);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->canStart(), 60000);
    QTest::mouseClick(field<QPushButton>(dialog, "start"), Qt::LeftButton);
    TrainingSession* session = window.session();
    QVERIFY(session);
    QSignalSpy epochs(session, &TrainingSession::epochDone);
    QSignalSpy finished(&window, &MainWindow::trainingFinished);
    QVERIFY(epochs.wait(kTrainingTimeoutMs));

    auto* cancel = window.progress()->findChild<QPushButton*>("cancel");
    QVERIFY(cancel && cancel->isEnabled());
    QTest::mouseClick(cancel, Qt::LeftButton);
    QVERIFY(finished.wait(kTrainingTimeoutMs));
    QCOMPARE(finished.first().at(0).value<TrainingSession::Outcome>(), TrainingSession::Outcome::Cancelled);
    QVERIFY(!window.session());
    QVERIFY(!cancel->isEnabled());

    const RunFile run(cancelledRun.toStdString());
    const int done = run.epochsDone()[0];
    QVERIFY2(done >= 1 && done < kEpochs, qPrintable(QString::number(done)));
    // One after another: network 1 has not started. Every epoch the window reported is in the
    // file, and the file has no epoch the window did not report.
    QCOMPARE(run.epochsDone()[1], 0);
    QCOMPARE(int(epochs.size()), done);
    for (int k = 0; k < done; ++k) {
        const auto reported = epochs.at(k).at(0).value<EpochProgress>();
        QCOMPARE(reported.network, 0);
        QCOMPARE(reported.epoch, k);
        QCOMPARE(reported.summary.testAccuracy, run.readSummary(0, k).testAccuracy);
    }
    const SplitRecords first = run.readRecords(RecordSet::Train, 0, 0);
    QCOMPARE(first.correct.size(), std::size_t(300));
    QVERIFY(run.readSummary(0, done - 1).testAccuracy > 0);
}

void TestGuiTraining::reopenShowsTheRunAndResumes()
{
    // A run interrupted after network 0's third epoch, made here so that this test stands alone.
    const QString cancelledRun = tmp_.filePath("reopened.h5");
    constexpr int kEpochs = 6;
    trainTinyRun(cancelledRun, kEpochs, 3);
    const std::vector<int> before = RunFile(cancelledRun.toStdString()).epochsDone();
    QCOMPARE(before, (std::vector<int>{3, 0}));

    MainWindow window;
    window.show();
    QSignalSpy opened(&window, &MainWindow::runOpened);
    window.openRun(cancelledRun, MainWindow::ResumeChoice::DontResume);
    QVERIFY(opened.wait(30000));
    const auto snapshot = opened.first().at(0).value<RunSnapshot>();
    QVERIFY2(snapshot.ok(), qPrintable(snapshot.error));
    QVERIFY(snapshot.interrupted());
    QCOMPARE(snapshot.epochsDone, before);
    QCOMPARE(window.monitor()->epochPoints(0), before[0]);
    // Agreement covers the networks that started, over the epochs all of them finished.
    const int common = before[1] > 0 ? std::min(before[0], before[1]) : before[0];
    QCOMPARE(window.monitor()->agreementPoints(RecordSet::Train), common);
    QCOMPARE(window.currentRun(), cancelledRun);
    QVERIFY(!window.session());

    // Its tab closed (no training: it closes without a question) and opened again the ordinary
    // way, the window asks; "Just look" leaves it as it is and analyses it.
    QTabBar* tabs = window.documents()->tabBar();
    const int tab = window.documents()->indexOf(window.currentWorkspace());
    auto* close = qobject_cast<QAbstractButton*>(tabs->tabButton(tab, QTabBar::RightSide));
    QVERIFY(close);
    QTest::mouseClick(close, Qt::LeftButton);
    QTRY_VERIFY(window.workspaces().isEmpty());
    RunWorkspace* reopened = window.openRun(cancelledRun);
    QSignalSpy analysed(reopened->analysis(), &AnalysisPage::analysed);
    QMessageBox* question = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((question = window.findChild<QMessageBox*>()) && question->isVisible(), 30000);
    const QString done = QString("completed %1, %2 of %3 epochs").arg(before[0]).arg(before[1]).arg(kEpochs);
    QVERIFY2(question->text().contains(done), qPrintable(question->text()));
    QTest::mouseClick(question->button(QMessageBox::No), Qt::LeftButton);
    QVERIFY(analysed.wait(60000));
    QVERIFY(!window.session());
    QVERIFY(window.analysis()->figureCount() > 0);

    // Training > Resume (Ctrl+R) finishes the remaining epochs of both networks.
    QSignalSpy finished(&window, &MainWindow::trainingFinished);
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QTest::keyClick(&window, Qt::Key_R, Qt::ControlModifier);
    QTRY_VERIFY_WITH_TIMEOUT(window.session() != nullptr, 30000);
    QVERIFY(window.session()->isResume());
    QVERIFY(finished.wait(kTrainingTimeoutMs));
    QCOMPARE(finished.first().at(0).value<TrainingSession::Outcome>(), TrainingSession::Outcome::Completed);
    const RunFile run(cancelledRun.toStdString());
    QCOMPARE(run.epochsDone(), (std::vector<int>{kEpochs, kEpochs}));
    QCOMPARE(window.monitor()->agreementPoints(RecordSet::Test), kEpochs);
}

void TestGuiTraining::plotsExportAndShowValues()
{
    const QString finishedRun = tmp_.filePath("finished.h5");
    trainTinyRun(finishedRun, 2, 0);
    MainWindow window;
    window.resize(1600, 1000);
    window.show();
    QSignalSpy opened(&window, &MainWindow::runOpened);
    QSignalSpy analysed(window.openRun(finishedRun, MainWindow::ResumeChoice::DontResume)->analysis(),
                        &AnalysisPage::analysed);
    QVERIFY(opened.wait(30000));
    QVERIFY(!opened.first().at(0).value<RunSnapshot>().interrupted());

    // The analysis figures of the finished run, built by the report's figure builders.
    QVERIFY(analysed.wait(60000));
    QVERIFY2(analysed.first().at(1).toString().isEmpty(), qPrintable(analysed.first().at(1).toString()));
    const QStringList titles = window.analysis()->figureTitles();
    QVERIFY2(titles.size() >= 4, qPrintable(titles.join(", ")));
    QVERIFY2(titles.filter("agreement", Qt::CaseInsensitive).size() >= 2, qPrintable(titles.join(", ")));
    window.analysis()->showFigure(titles.size() - 1);
    QVERIFY(window.analysis()->plot()->plottableCount() > 0);

    InteractivePlot* agreement = window.monitor()->plots().at(1);
    agreement->resetView();
    agreement->replot();
    QCPGraph* curve = nullptr;
    for (int i = 0; i < agreement->graphCount(); ++i)
        if (agreement->graph(i)->name() == "true-positive agreement")
            curve = agreement->graph(i);
    QVERIFY(curve);
    QCOMPARE(curve->data()->size(), 2);
    const auto point = curve->data()->at(1);
    const QPointF pixel(agreement->xAxis->coordToPixel(point->key), agreement->yAxis->coordToPixel(point->value));
    const QString text = agreement->valueTextAt(pixel);
    QVERIFY2(text.contains("true-positive agreement") && text.contains("epoch 1:"), qPrintable(text));
    QVERIFY(agreement->valueTextAt(QPointF(-500, -500)).isEmpty());

    // Zooming away and double-clicking brings the data back into view.
    agreement->xAxis->setRange(100, 200);
    QTest::mouseDClick(agreement, Qt::LeftButton, {}, agreement->rect().center());
    QVERIFY(agreement->xAxis->range().contains(0.0) && agreement->xAxis->range().contains(1.0));

    QTemporaryDir out;
    QString error;
    const QStringList files = window.monitor()->exportFigures(out.path(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(files.size(), 12);
    for (const QString& f : files)
        QVERIFY2(QFileInfo(f).size() > 1000, qPrintable(f));
}

void TestGuiTraining::failureIsReported()
{
    // A dataset that breaks between the form's check and Start: the trainer fails, the window
    // says so (status line, a message naming the file) and leaves no run file behind.
    const std::string data = tmp_.filePath("breaking").toStdString();
    test::FixtureSpec spec;
    spec.height = spec.width = 8;
    test::writeIdxDataset(data, spec, false);
    MainWindow window;
    window.show();
    ExperimentSetupDialog* dialog = window.newExperiment();
    ExperimentConfig config = dialog->config();
    config.dataset = "idx:" + data;
    config.limitTrain = config.limitTest = 0;
    config.networks = 2;
    config.epochs = 2;
    config.batchSize = 10;
    config.threads = 1;
    dialog->setConfig(config);
    const QString runPath = tmp_.filePath("failed.h5");
    field<QLineEdit>(dialog, "run_path")->setText(runPath);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->datasetLoading(), 60000);
    QVERIFY2(dialog->canStart(), qPrintable(dialog->problem()));

    std::filesystem::resize_file(data + "/train-labels-idx1-ubyte", 10);
    QSignalSpy finished(&window, &MainWindow::trainingFinished);
    QTest::mouseClick(field<QPushButton>(dialog, "start"), Qt::LeftButton);
    // The form's threads setting is the application's thread budget, Qt's pool included.
    QCOMPARE(QThreadPool::globalInstance()->maxThreadCount(), 1);
    QVERIFY(finished.wait(kTrainingTimeoutMs));
    QCOMPARE(finished.first().at(0).value<TrainingSession::Outcome>(), TrainingSession::Outcome::Failed);
    const QString error = finished.first().at(1).toString();
    QVERIFY2(error.contains("train-labels-idx1-ubyte"), qPrintable(error));
    QVERIFY(!window.session());
    QVERIFY(!QFileInfo::exists(runPath));

    auto* status = window.progress()->findChild<QLabel*>("status");
    QVERIFY(status);
    QCOMPARE(status->text(), "Training failed: " + error);
    QMessageBox* message = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((message = window.findChild<QMessageBox*>()) && message->isVisible(), 10000);
    QCOMPARE(message->windowTitle(), QStringLiteral("Training failed"));
    QCOMPARE(message->text(), error);
    QTest::mouseClick(message->button(QMessageBox::Ok), Qt::LeftButton);
}

namespace {
// Explore of `workspace` fits its scroll area's width (no sideways scrolling); empty when it does.
QString exploreOverflow(RunWorkspace* workspace)
{
    auto* area = workspace->findChild<QScrollArea*>("exploreArea");
    if (!area)
        return "no exploreArea";
    if (area->horizontalScrollBar()->isVisible() || area->widget()->width() > area->viewport()->width())
        return QStringLiteral("Explore is %1 px wide in %2 px (minimum %3 px)")
            .arg(area->widget()->width())
            .arg(area->viewport()->width())
            .arg(area->widget()->minimumSizeHint().width());
    return {};
}
}  // namespace

void TestGuiTraining::trainingRunNumbersEpochsAndSaysWhatItWaitsFor()
{
    // A 1024 x 700 window trains 2 networks one after the other for 2 epochs of 6 batches
    // (300 images, 50 per batch). Epochs are the run's numbers from 0 everywhere (docs/GUI.md):
    // the first epoch is "epoch 0 (1 of 2)" in the status bar, the Progress panel and the Log.
    MainWindow window;
    window.resize(1024, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    ExperimentSetupDialog* dialog = window.newExperiment();
    // The form reopens with the experiment started last (another test's); the demo preset first.
    auto* preset = field<QComboBox>(dialog, "preset");
    preset->setFocus();
    QTest::keyClick(preset, Qt::Key_Home);
    QTest::keyClick(preset, Qt::Key_Down);
    QCOMPARE(preset->currentIndex(), 1);
    const QString runPath = tmp_.filePath("numbered.h5");
    fillTinyExperiment(dialog, 2, runPath);
    field<QCheckBox>(dialog, "parallel_networks")->setChecked(false);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->canStart(), 60000);
    QSignalSpy finished(&window, &MainWindow::trainingFinished);
    QTest::mouseClick(field<QPushButton>(dialog, "start"), Qt::LeftButton);
    TrainingSession* session = window.session();
    QVERIFY(session);
    RunWorkspace* workspace = window.currentWorkspace();
    QSignalSpy analysed(workspace->analysis(), &AnalysisPage::analysed);
    QSignalSpy loaded(workspace->exploration(), &ExplorationView::loaded);

    // What Analysis and Explore wait for: the end of the training (the trainer writes the run file
    // until then), with the network-epochs recorded of 2 x 2.
    const QString waitingAnalysis = "numbered.h5 is being trained. Its analysis is computed when the training ends "
                                    "(finished or cancelled); %1 of 4 network-epochs are recorded so far.";
    const QString waitingExplore = "numbered.h5 is being trained. Its images open here after its analysis, which is "
                                   "computed when the training ends; %1 of 4 network-epochs are recorded so far.";
    QCOMPARE(workspace->analysis()->statusText(), waitingAnalysis.arg(0));
    QCOMPARE(workspace->exploration()->messageText(), waitingExplore.arg(0));
    test::clickTab(workspace->views(), workspace->exploration());
    QTest::qWait(50);
    QVERIFY2(exploreOverflow(workspace).isEmpty(), qPrintable(exploreOverflow(workspace)));

    // The texts as they are right after the window took the first batch and the first epoch (these
    // handlers are connected after the window's own, so they run after it).
    auto* log = window.findChild<QPlainTextEdit*>();
    QVERIFY(log);
    QLabel* firstNetwork = window.progress()->findChild<QLabel*>("networkProgress0");
    QVERIFY(firstNetwork);
    BatchProgress firstBatch;
    EpochProgress firstEpoch;
    QString statusAtBatch, logAtEpoch, progressAtEpoch, analysisAtEpoch, exploreAtEpoch;
    int batchesSeen = 0, epochsSeen = 0;
    connect(session, &TrainingSession::batchDone, &window, [&](const BatchProgress& p) {
        if (batchesSeen++ > 0)
            return;
        firstBatch = p;
        for (QLabel* label : window.statusBar()->findChildren<QLabel*>())
            if (label->text().contains("batch"))
                statusAtBatch = label->text();
    });
    connect(session, &TrainingSession::epochDone, &window, [&](const EpochProgress& p) {
        if (epochsSeen++ > 0)
            return;
        firstEpoch = p;
        logAtEpoch = log->toPlainText().section('\n', -1);
        progressAtEpoch = firstNetwork->text();
        analysisAtEpoch = workspace->analysis()->statusText();
        exploreAtEpoch = workspace->exploration()->messageText();
    });
    QVERIFY(finished.wait(kTrainingTimeoutMs));
    QCOMPARE(finished.first().at(0).value<TrainingSession::Outcome>(), TrainingSession::Outcome::Completed);
    QCOMPARE(batchesSeen, 2 * 2 * 6);
    QCOMPARE(epochsSeen, 4);

    // One after the other: the first batch is network 1's (index 0) first batch of epoch 0.
    QCOMPARE(firstBatch.network, 0);
    QCOMPARE(firstBatch.epoch, 0);
    QCOMPARE(firstBatch.batch, 0);
    QVERIFY2(statusAtBatch.startsWith("numbered.h5: network 1, epoch 0 (1 of 2), batch 1/6  |  "), qPrintable(statusAtBatch));
    QCOMPARE(firstEpoch.network, 0);
    QCOMPARE(firstEpoch.epoch, 0);
    QCOMPARE(progressAtEpoch, QString("network 1: epoch 0 (1 of 2), test accuracy %1 %")
                                  .arg(100.0 * firstEpoch.summary.testAccuracy, 0, 'f', 1));
    QVERIFY2(logAtEpoch.contains("numbered.h5: network 1 epoch 0 (1 of 2): train accuracy "), qPrintable(logAtEpoch));
    QCOMPARE(analysisAtEpoch, waitingAnalysis.arg(1));
    QCOMPARE(exploreAtEpoch, waitingExplore.arg(1));

    // When the training ends, the analysis and then the images arrive in place of the messages.
    QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 120000);
    QCOMPARE(analysed.size(), 1);
    QVERIFY2(analysed.first().at(1).toString().isEmpty(), qPrintable(analysed.first().at(1).toString()));
    QVERIFY(workspace->analysis()->figureCount() > 0);
    test::clickTab(workspace->views(), workspace->exploration());
    QTest::qWait(50);
    QTabWidget* exploreTabs = workspace->exploration()->tabs();
    QVERIFY(exploreTabs->isVisible());
    for (int tab = 0; tab < exploreTabs->count(); ++tab) {
        test::clickTab(exploreTabs, exploreTabs->widget(tab));
        QTest::qWait(50);
        QVERIFY2(exploreOverflow(workspace).isEmpty(), qPrintable(exploreTabs->tabText(tab) + ": " + exploreOverflow(workspace)));
    }

    // The loss plot: epoch e's mean training loss at x = e (as read from the run file), its batches
    // from e - 1 to e; hovering names the epoch the same way.
    test::clickTab(workspace->views(), workspace->monitor());
    InteractivePlot* loss = workspace->monitor()->plots().at(2);
    QCOMPARE(loss->xAxis->label(), QString("epoch (epoch e's batches run from e - 1 to e)"));
    loss->resetView();
    loss->replot();
    QCPGraph* batches = nullptr;
    QCPGraph* means = nullptr;
    for (int g = 0; g < loss->graphCount(); ++g) {
        if (loss->graph(g)->name() == "network 1")
            batches = loss->graph(g);
        if (loss->graph(g)->name() == "network 1, epoch mean (train)")
            means = loss->graph(g);
    }
    QVERIFY(batches && means);
    const RunFile run(runPath.toStdString());
    QCOMPARE(means->data()->size(), 2);
    for (int e = 0; e < 2; ++e) {
        QCOMPARE(means->data()->at(e)->key, double(e));
        QCOMPARE(means->data()->at(e)->value, double(run.readSummary(0, e).trainLoss));
    }
    auto hover = [loss](const QCPGraphData& point) {
        return loss->valueTextAt(QPointF(loss->xAxis->coordToPixel(point.key), loss->yAxis->coordToPixel(point.value)));
    };
    QString text = hover(*means->data()->at(1));
    QVERIFY2(text.startsWith("network 1, epoch mean (train)\nepoch 1: "), qPrintable(text));
    // Batch 3 of epoch 0's six sits at -1 + 3/6 = -0.5: half-way through epoch 0.
    QCOMPARE(batches->data()->size(), 12);
    QCOMPARE(batches->data()->at(2)->key, -0.5);
    text = hover(*batches->data()->at(2));
    QVERIFY2(text.startsWith("network 1\nepoch 0, 50 % through: "), qPrintable(text));
}

void TestGuiTraining::exportsFromTheMenuAskBeforeReplacing()
{
    // File > Export > Figures writes the monitor's 12 files (4 plots x PDF, SVG, PNG) into a folder
    // and File > Export > Configuration the run's JSON; each asks before replacing what is there.
    const QString runPath = tmp_.filePath("exported.h5");
    trainTinyRun(runPath, 1, 0);
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy opened(&window, &MainWindow::runOpened);
    window.openRun(runPath, MainWindow::ResumeChoice::DontResume);
    QVERIFY(opened.wait(30000));

    QTemporaryDir out;
    const QString folder = out.path();
    test::answerFileDialog(folder);
    test::clickMenuPath(window, {"File", "Export", "Figures (PDF, SVG, PNG)..."});
    QVERIFY(!QTest::currentTestFailed());
    const QStringList names = {"agreement_train", "agreement_test", "loss", "accuracy"};
    for (const QString& name : names)
        for (const QString ext : {"pdf", "svg", "png"})
            QVERIFY2(QFileInfo(folder + "/" + name + "." + ext).size() > 1000, qPrintable(name + "." + ext));
    QVERIFY2(window.statusBar()->currentMessage().startsWith("12 figure files (PDF, SVG, PNG) saved to "),
             qPrintable(window.statusBar()->currentMessage()));

    // Again into the same folder: asked (all 12 exist); No leaves a marked file as it is, Yes
    // replaces it with the figure.
    const QString marked = folder + "/loss.png";
    auto mark = [](const QString& path) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("marker\n");
    };
    auto contents = [](const QString& path) {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    mark(marked);
    QString question;
    test::answerFileDialog(folder);
    test::answerReplace(false, &question);
    test::clickMenuPath(window, {"File", "Export", "Figures (PDF, SVG, PNG)..."});
    QVERIFY2(question.startsWith("12 of the 12 files of this export already exist in "), qPrintable(question));
    QVERIFY2(question.contains("loss.png"), qPrintable(question));
    QCOMPARE(contents(marked), QByteArray("marker\n"));
    question.clear();
    test::answerFileDialog(folder);
    test::answerReplace(true, &question);
    test::clickMenuPath(window, {"File", "Export", "Figures (PDF, SVG, PNG)..."});
    QVERIFY(!question.isEmpty());
    QVERIFY(contents(marked).startsWith("\x89PNG"));

    // The configuration: the run's stored JSON (compared as parsed JSON with the run file's).
    const QString json = folder + "/experiment.json";
    test::answerFileDialog(json);
    test::clickMenuPath(window, {"File", "Export", "Configuration (JSON)..."});
    QVERIFY(!QTest::currentTestFailed());
    const RunFile run(runPath.toStdString());
    QCOMPARE(nlohmann::json::parse(contents(json).toStdString()), nlohmann::json::parse(run.configJson()));
    QVERIFY2(window.statusBar()->currentMessage().contains(" saved to " + QDir::toNativeSeparators(json)),
             qPrintable(window.statusBar()->currentMessage()));
    mark(json);
    question.clear();
    test::answerFileDialog(json);
    test::answerReplace(false, &question);
    test::clickMenuPath(window, {"File", "Export", "Configuration (JSON)..."});
    QVERIFY2(question.contains("experiment.json already exists"), qPrintable(question));
    QCOMPARE(contents(json), QByteArray("marker\n"));
    test::answerFileDialog(json);
    test::answerReplace(true, &question);
    test::clickMenuPath(window, {"File", "Export", "Configuration (JSON)..."});
    QCOMPARE(nlohmann::json::parse(contents(json).toStdString()), nlohmann::json::parse(run.configJson()));

    // The analysis report into the same folder, which now holds 13 files of the report's kinds
    // (the 12 figures and experiment.json): asked; No writes nothing, Yes writes the report.
    const QString reportPdf = folder + "/report.pdf";
    const QStringList before = QDir(folder).entryList(QDir::Files);
    question.clear();
    test::answerFileDialog(folder);
    test::answerReplace(false, &question);
    test::clickMenuPath(window, {"File", "Export", "Analysis report (PDF and figures)..."});
    QVERIFY2(question.startsWith("13 tables, figures or reports already exist in "), qPrintable(question));
    // The first 8 names in order (accuracy.pdf ... agreement_train.png), then "and 5 more".
    QVERIFY2(question.contains(": accuracy.pdf, accuracy.png, accuracy.svg, agreement_test.pdf, "), qPrintable(question));
    QVERIFY2(question.contains("agreement_train.png and 5 more."), qPrintable(question));
    QCOMPARE(QDir(folder).entryList(QDir::Files), before);
    QVERIFY(window.exploration());
    QSignalSpy reported(window.exploration(), &ExplorationView::reportWritten);
    question.clear();
    test::answerFileDialog(folder);
    test::answerReplace(true, &question);
    test::clickMenuPath(window, {"File", "Export", "Analysis report (PDF and figures)..."});
    QVERIFY(!question.isEmpty());
    QVERIFY(reported.wait(kTrainingTimeoutMs));
    QVERIFY2(reported.first().at(1).toString().isEmpty(), qPrintable(reported.first().at(1).toString()));
    QVERIFY(contents(reportPdf).startsWith("%PDF"));
}

QTEST_MAIN(TestGuiTraining)
#include "tst_gui_training.moc"
