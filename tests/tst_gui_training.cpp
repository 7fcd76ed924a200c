// The main window driving real training: the setup form starts it, the monitor's curves
// receive points, Cancel keeps completed epochs, a failure is reported, and a run reopens (and
// resumes) from its file. How long the event loop stalls meanwhile is measured by
// tests/bench/bench_gui_training (docs/PERFORMANCE.md), never asserted here.

#include "Fixtures.h"
#include "FormFields.h"
#include "QuickTraining.h"
#include "MainWindow.h"
#include "analysis/AnalysisPage.h"
#include "monitor/LiveMonitor.h"
#include "monitor/ProgressPanel.h"
#include "plot/InteractivePlot.h"
#include "setup/ExperimentSetupDialog.h"
#include "storage/RunFile.h"
#include "training/Trainer.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabBar>
#include <QTabWidget>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QThreadPool>
#include <QtTest>

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

QTEST_MAIN(TestGuiTraining)
#include "tst_gui_training.moc"
