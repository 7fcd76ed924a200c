// Several runs open at once, each in a tab of its own (ui/workspace/RunWorkspace): tab titles
// with the run's name and state, views that say which run they show, a training that goes on
// while another run is opened and browsed, closing a training's tab (cancel, keep, don't close),
// files dropped on the window; and the first-run helps: the welcome page's demo sentence, the
// offer to compute a run's missing statistics, the setup form that reopens with the last
// experiment.

#include "Fixtures.h"
#include "FormFields.h"
#include "MainWindow.h"
#include "TabClick.h"
#include "QuickTraining.h"
#include "SyntheticRun.h"
#include "WelcomePage.h"
#include "analysis/AnalysisPage.h"
#include "browser/ImageBrowser.h"
#include "browser/ImageBrowserModel.h"
#include "explorer/ExplorationView.h"
#include "monitor/LiveMonitor.h"
#include "setup/ExperimentSetupDialog.h"
#include "storage/RunFile.h"
#include "workspace/RunWorkspace.h"
#include "workspace/StatisticsOffer.h"

#include <QAbstractButton>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QUrl>
#include <QtTest>

#include <cmath>

using namespace orderlens;
using namespace orderlens::ui;
using test::clickTab;
using test::field;

namespace {
constexpr int kOpenTimeoutMs = 60000;
constexpr int kTrainingTimeoutMs = 300000;
const QString kDash = QStringLiteral(" \u2013 ");

// The close button of `page`'s tab (its side depends on the style).
QAbstractButton* closeButton(QTabWidget* tabs, QWidget* page)
{
    const int index = tabs->indexOf(page);
    if (index < 0)
        return nullptr;
    QWidget* b = tabs->tabBar()->tabButton(index, QTabBar::RightSide);
    if (!b)
        b = tabs->tabBar()->tabButton(index, QTabBar::LeftSide);
    return qobject_cast<QAbstractButton*>(b);
}

QStringList tabTexts(QTabWidget* tabs)
{
    QStringList texts;
    for (int i = 0; i < tabs->count(); ++i)
        texts << tabs->tabText(i);
    return texts;
}

QAction* findAction(const QList<QAction*>& actions, const QString& text)
{
    for (QAction* a : actions)
        if (QString(a->text()).remove('&') == text)
            return a;
    return nullptr;
}

// Clicks the close button of `run`'s tab and returns the question it raises.
QMessageBox* askToClose(MainWindow& window, RunWorkspace* run)
{
    QAbstractButton* close = closeButton(window.documents(), run);
    if (!close)
        return nullptr;
    QTest::mouseClick(close, Qt::LeftButton);
    QMessageBox* box = nullptr;
    if (!QTest::qWaitFor([&] { return (box = window.findChild<QMessageBox*>("closeTraining")) && box->isVisible(); }))
        return nullptr;
    return box;
}

void answer(QMessageBox* box, const char* button)
{
    QPointer<QMessageBox> alive = box;
    auto* b = box->findChild<QAbstractButton*>(button);
    QVERIFY2(b, button);
    QTest::mouseClick(b, Qt::LeftButton);
    QTRY_VERIFY(!alive);
}
}  // namespace

class TestGuiWorkspace : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void twoRunsTwoTabsSayingWhichRun();
    void trainingGoesOnWhileAnotherRunIsBrowsed();
    void closingATrainingAsks();
    void keptTrainingEndsInTheBackground();
    void welcomeSaysWhatTheDemoDoes();
    void offersToComputeMissingStatistics();
    void setupFormReopensWithTheLastExperiment();

private:
    QString quickRun(const QString& name);
    QTemporaryDir tmp_;
};

void TestGuiWorkspace::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("OrderLensTests");
    QCoreApplication::setApplicationName("tst_gui_workspace");
    QVERIFY(tmp_.isValid());
}

// A finished run of the quick fixture (a real dataset, so that its images can be browsed),
// trained without the GUI and so without statistics.
QString TestGuiWorkspace::quickRun(const QString& name)
{
    const QString path = tmp_.filePath(name);
    if (!QFileInfo::exists(path))
        test::trainRun(test::quickFixtureConfig(tmp_), path.toStdString());
    return path;
}

void TestGuiWorkspace::twoRunsTwoTabsSayingWhichRun()
{
    // complete.h5 has every epoch; interrupted.h5 stopped with network 1 after 1 of 3 epochs.
    test::SyntheticRun spec;
    spec.correct = [](RecordSet, int, int epoch, std::size_t image) { return epoch >= int(image % 3); };
    const QString complete = tmp_.filePath("complete.h5");
    test::writeSyntheticRun(complete.toStdString(), spec);
    spec.epochsWritten = [](int network) { return network == 0 ? 3 : 1; };
    const QString interrupted = tmp_.filePath("interrupted.h5");
    test::writeSyntheticRun(interrupted.toStdString(), spec);

    MainWindow window;
    window.resize(1600, 1000);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy opened(&window, &MainWindow::runOpened);
    window.openRun(complete, MainWindow::ResumeChoice::DontResume);
    // The second is dropped on the window from a file manager.
    QMimeData data;
    data.setUrls({QUrl::fromLocalFile(interrupted)});
    QDragEnterEvent enter(QPoint(200, 200), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(200, 200), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &drop);
    QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 2, kOpenTimeoutMs);
    // Dropped runs open as File > Open does: an interrupted one asks whether to resume.
    QMessageBox* question = nullptr;
    QTRY_VERIFY((question = window.findChild<QMessageBox*>("resumeQuestion")) && question->isVisible());
    QVERIFY2(question->text().contains("interrupted.h5 stopped early"), qPrintable(question->text()));
    QPointer<QMessageBox> alive = question;
    QTest::mouseClick(question->button(QMessageBox::No), Qt::LeftButton);
    QTRY_VERIFY(!alive);

    QCOMPARE(tabTexts(window.documents()),
             QStringList({"Welcome", "complete.h5" + kDash + "complete", "interrupted.h5" + kDash + "interrupted"}));
    QCOMPARE(window.workspaces().size(), 2);
    RunWorkspace* first = window.workspaces().at(0);
    RunWorkspace* second = window.workspaces().at(1);
    QCOMPARE(window.currentWorkspace(), second);
    QCOMPARE(window.windowTitle(), QString("OrderLens - interrupted.h5"));

    // Each run's training monitor, analysis and explore views are its own, under a header naming
    // the run and its state; the other run's header is not on screen.
    for (RunWorkspace* run : {first, second}) {
        clickTab(window.documents(), run);
        QCOMPARE(window.currentWorkspace(), run);
        QCOMPARE(window.windowTitle(), "OrderLens - " + QFileInfo(run->path()).fileName());
        RunWorkspace* other = run == first ? second : first;
        for (QWidget* view : {static_cast<QWidget*>(run->monitor()), static_cast<QWidget*>(run->analysis()),
                              static_cast<QWidget*>(run->exploration())}) {
            clickTab(run->views(), view);
            QVERIFY(view->isVisible());
            QVERIFY(run->isAncestorOf(view));
            QVERIFY(!other->isAncestorOf(view));
            QVERIFY(run->header()->isVisible());
            QVERIFY(!other->header()->isVisible());
            const QString header = run->header()->text();
            QVERIFY2(header.contains(QFileInfo(run->path()).fileName()), qPrintable(header));
            QVERIFY2(header.contains(run == first ? "complete" : "interrupted"), qPrintable(header));
        }
    }
    // The menus act on the current run: only the interrupted one can be resumed.
    QMenu* training = findAction(window.menuBar()->actions(), "Training")->menu();
    QAction* resume = findAction(training->actions(), "Resume training");
    clickTab(window.documents(), first);
    QVERIFY(!resume->isEnabled());
    clickTab(window.documents(), second);
    QVERIFY(resume->isEnabled());
    // Ctrl+1 shows the welcome page, Ctrl+3 the analysis of the run shown last.
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier);
    QCOMPARE(window.documents()->currentWidget(), static_cast<QWidget*>(window.welcome()));
    QTest::keyClick(&window, Qt::Key_3, Qt::ControlModifier);
    QCOMPARE(window.currentWorkspace(), second);
    QCOMPARE(second->views()->currentWidget(), static_cast<QWidget*>(second->analysis()));

    // Opening a run that has a tab brings that tab up instead of a second copy.
    QCOMPARE(window.openRun(complete), first);
    QCOMPARE(window.currentWorkspace(), first);
    QCOMPARE(window.documents()->count(), 3);
}

void TestGuiWorkspace::trainingGoesOnWhileAnotherRunIsBrowsed()
{
    if (test::fashionMnistDir().empty())
        QSKIP("dataset-fashion-mnist is not installed");
    const QString other = quickRun("browsed.h5");
    MainWindow window;
    window.resize(1600, 1000);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    // A tiny Fashion-MNIST training: 2 networks, 1 epoch over 600 images.
    ExperimentConfig config;
    config.dataset = "fashion-mnist";
    config.networks = 2;
    config.epochs = 1;
    config.limitTrain = 600;
    config.limitTest = 200;
    config.batchSize = 50;
    config.device = "cpu";
    config.threads = 1;
    const QString trained = tmp_.filePath("trained.h5");
    QSignalSpy finished(&window, &MainWindow::trainingFinished);
    TrainingSession* session = window.startTraining(config, trained, true);
    QVERIFY(session);
    RunWorkspace* training = window.currentWorkspace();
    QVERIFY(training->isTraining());
    QCOMPARE(window.documents()->tabText(window.documents()->indexOf(training)), "trained.h5" + kDash + "training");

    // Opened while it trains (the trainer is still reading its dataset: nothing has returned to
    // the event loop since it started), the other run gets a tab of its own.
    RunWorkspace* browsed = window.openRun(other, MainWindow::ResumeChoice::DontResume);
    QVERIFY(training->isTraining());
    QVERIFY(browsed != training);
    QCOMPARE(window.currentWorkspace(), browsed);
    QCOMPARE(window.documents()->count(), 3);

    // Browsed: its images load and one is clicked into the detail panel.
    QSignalSpy loaded(browsed->exploration(), &ExplorationView::loaded);
    QVERIFY(loaded.wait(kOpenTimeoutMs));
    clickTab(browsed->views(), browsed->exploration());
    ImageBrowser* browser = browsed->exploration()->browser();
    QCOMPARE(browser->model()->rowCount(), 96 + 32);
    QListView* images = browser->view();
    QTRY_VERIFY(images->isVisible());
    const QRect third = images->visualRect(images->model()->index(2, 0));
    QTest::mouseClick(images->viewport(), Qt::LeftButton, {}, third.center());
    QCOMPARE(browser->currentImage(), int(browser->model()->imageAt(2)));

    // The training ends in its own tab: complete, its curves there, the browsed run untouched
    // and still the current tab.
    QVERIFY(finished.wait(kTrainingTimeoutMs) || !finished.isEmpty());
    QCOMPARE(finished.first().at(0).value<TrainingSession::Outcome>(), TrainingSession::Outcome::Completed);
    QCOMPARE(window.documents()->tabText(window.documents()->indexOf(training)), "trained.h5" + kDash + "complete");
    QCOMPARE(training->monitor()->agreementPoints(RecordSet::Test), 1);
    QCOMPARE(RunFile(trained.toStdString()).epochsDone(), (std::vector<int>{1, 1}));
    QCOMPARE(window.currentWorkspace(), browsed);
    QCOMPARE(browsed->monitor()->agreementPoints(RecordSet::Test), 2);  // the quick fixture's 2 epochs
    QCOMPARE(browser->currentImage(), int(browser->model()->imageAt(2)));
}

void TestGuiWorkspace::closingATrainingAsks()
{
    // The quick fixture for as many epochs as it takes: the training outlives every question.
    ExperimentConfig config = test::quickFixtureConfig(tmp_);
    config.epochs = 2000;
    const QString path = tmp_.filePath("long.h5");
    MainWindow window;
    window.resize(1600, 1000);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy finished(&window, &MainWindow::trainingFinished);
    TrainingSession* session = window.startTraining(config, path, true);
    QVERIFY(session);
    RunWorkspace* run = window.currentWorkspace();
    QSignalSpy epochs(session, &TrainingSession::epochDone);
    QVERIFY(epochs.wait(kTrainingTimeoutMs));

    // "Don't close": nothing changes.
    QMessageBox* box = askToClose(window, run);
    QVERIFY(box);
    QVERIFY2(box->text().contains("long.h5 is training"), qPrintable(box->text()));
    answer(box, "dontClose");
    QVERIFY(!QTest::currentTestFailed());
    QVERIFY(window.documents()->indexOf(run) >= 0);
    QVERIFY(run->isTraining());

    // "Keep training": the tab goes, the training goes on and Training > Trainings in the
    // background brings the tab back.
    box = askToClose(window, run);
    QVERIFY(box);
    answer(box, "keepTraining");
    QVERIFY(!QTest::currentTestFailed());
    QCOMPARE(window.documents()->indexOf(run), -1);
    QVERIFY(window.workspaces().contains(run));
    const int before = int(epochs.size());
    QTRY_VERIFY_WITH_TIMEOUT(int(epochs.size()) > before + 1, kTrainingTimeoutMs);
    QVERIFY(run->isTraining());
    QVERIFY(finished.isEmpty());
    QMenu* training = findAction(window.menuBar()->actions(), "Training")->menu();
    QMenu* background = findAction(training->actions(), "Trainings in the background")->menu();
    QVERIFY(background->isEnabled());
    QAction* show = findAction(background->actions(), "Show long.h5");
    QVERIFY(show);
    show->trigger();
    QCOMPARE(window.currentWorkspace(), run);
    QVERIFY(!background->isEnabled());

    // "Cancel training": the tab goes at once, the trainer stops after its batch and keeps every
    // completed epoch, and the run's document goes with it.
    box = askToClose(window, run);
    QVERIFY(box);
    answer(box, "cancelTraining");
    QVERIFY(!QTest::currentTestFailed());
    QCOMPARE(window.documents()->indexOf(run), -1);
    QVERIFY(finished.wait(kTrainingTimeoutMs) || !finished.isEmpty());
    QCOMPARE(finished.first().at(0).value<TrainingSession::Outcome>(), TrainingSession::Outcome::Cancelled);
    QTRY_VERIFY(window.workspaces().isEmpty());
    QCOMPARE(window.documents()->count(), 1);
    const std::vector<int> done = RunFile(path.toStdString()).epochsDone();
    QVERIFY(done[0] >= 2 && done[0] < config.epochs);
}

void TestGuiWorkspace::keptTrainingEndsInTheBackground()
{
    // Kept training with its tab closed, a run trains to its end; then its document goes, the
    // status line says so, the file is complete and the run is first in File > Recent runs.
    ExperimentConfig config = test::quickFixtureConfig(tmp_);
    config.epochs = 400;
    const QString path = tmp_.filePath("kept.h5");
    MainWindow window;
    window.resize(1600, 1000);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy finished(&window, &MainWindow::trainingFinished);
    TrainingSession* session = window.startTraining(config, path, true);
    QVERIFY(session);
    RunWorkspace* run = window.currentWorkspace();
    QMessageBox* box = askToClose(window, run);
    QVERIFY(box);
    answer(box, "keepTraining");
    QVERIFY(!QTest::currentTestFailed());
    QCOMPARE(window.documents()->count(), 1);
    QVERIFY(finished.wait(kTrainingTimeoutMs) || !finished.isEmpty());
    QCOMPARE(finished.first().at(0).value<TrainingSession::Outcome>(), TrainingSession::Outcome::Completed);
    QTRY_VERIFY(window.workspaces().isEmpty());
    const QString message = window.statusBar()->currentMessage();
    QVERIFY2(message.contains("kept.h5 stopped training in the background (now complete)"), qPrintable(message));
    QCOMPARE(RunFile(path.toStdString()).epochsDone(), (std::vector<int>{config.epochs, config.epochs}));
    QCOMPARE(window.recentRuns().value(0), QFileInfo(path).absoluteFilePath());
}

void TestGuiWorkspace::welcomeSaysWhatTheDemoDoes()
{
    // The demo of the README: 5 x LeNet5, 15 epochs, 10,000 + 2,000 Fashion-MNIST images; the
    // duration is the one measured for docs/PERFORMANCE.md.
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* plan = window.welcome()->findChild<QLabel*>("demoPlan");
    QVERIFY(plan);
    QVERIFY(plan->isVisible());
    const QString text = plan->text();
    for (const char* part : {"5 LeNet5 networks for 15 epochs", "10,000 training and 2,000 test images of Fashion-MNIST",
                             "minutes on two CPU cores"})
        QVERIFY2(text.contains(part), qPrintable(text));
    // Ctrl+D asks with the same sentence.
    QTest::keyClick(&window, Qt::Key_D, Qt::ControlModifier);
    QMessageBox* box = nullptr;
    QTRY_VERIFY((box = window.findChild<QMessageBox*>("demoConfirmation")) && box->isVisible());
    QVERIFY2(box->text().startsWith(text), qPrintable(box->text()));
    QTest::mouseClick(box->button(QMessageBox::Cancel), Qt::LeftButton);
}

void TestGuiWorkspace::offersToComputeMissingStatistics()
{
    const QString path = quickRun("nostats.h5");
    const QString stats = QString::fromStdString(RunFile::statisticsPathFor(path.toStdString()));
    QVERIFY(!QFileInfo::exists(stats));
    MainWindow window;
    window.resize(1600, 1000);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    RunWorkspace* run = window.openRun(path, MainWindow::ResumeChoice::DontResume);
    QSignalSpy analysed(run->analysis(), &AnalysisPage::analysed);
    QVERIFY(analysed.wait(kOpenTimeoutMs));
    const int figuresWithout = run->analysis()->figureCount();
    StatisticsOffer* offer = run->statisticsOffer();
    QVERIFY(offer->isVisible());
    QVERIFY(offer->computeButton()->isVisible());

    QTest::mouseClick(offer->computeButton(), Qt::LeftButton);
    QVERIFY(offer->isComputing());
    QTRY_VERIFY_WITH_TIMEOUT(!offer->isComputing() && !offer->isVisible(), kTrainingTimeoutMs);
    QVERIFY(QFileInfo::exists(stats));
    // Analysed again, now with the metric figures.
    QTRY_VERIFY_WITH_TIMEOUT(analysed.size() == 2, kOpenTimeoutMs);
    QVERIFY2(analysed.last().at(1).toString().isEmpty(), qPrintable(analysed.last().at(1).toString()));
    QVERIFY2(run->analysis()->figureCount() > figuresWithout,
             qPrintable(run->analysis()->figureTitles().join(" | ")));

    // The same statistics as `orderlens metrics --run` stores for a copy of the run.
    const QString copy = tmp_.filePath("copy-of-nostats.h5");
    QVERIFY(QFile::copy(path, copy));
    QProcess metrics;
    metrics.start(ORDERLENS_BINARY, {"metrics", "--run", copy});
    QVERIFY(metrics.waitForFinished(kTrainingTimeoutMs));
    QVERIFY2(metrics.exitCode() == 0, metrics.readAllStandardError().constData());
    const RunFile gui(path.toStdString()), cli(copy.toStdString());
    QCOMPARE(gui.metricNames(), cli.metricNames());
    QVERIFY(gui.metricNames().size() >= 5);
    for (const std::string& name : cli.metricNames()) {
        const std::vector<double> a = gui.readMetric(name), b = cli.readMetric(name);
        QCOMPARE(a.size(), b.size());
        for (std::size_t i = 0; i < a.size(); ++i)
            QVERIFY2((std::isnan(a[i]) && std::isnan(b[i])) || a[i] == b[i], name.c_str());
    }

    // Opened again, the run has statistics: no offer.
    QAbstractButton* close = closeButton(window.documents(), run);
    QVERIFY(close);
    QTest::mouseClick(close, Qt::LeftButton);
    QTRY_VERIFY(window.workspaces().isEmpty());
    RunWorkspace* again = window.openRun(path, MainWindow::ResumeChoice::DontResume);
    QSignalSpy analysedAgain(again->analysis(), &AnalysisPage::analysed);
    QVERIFY(analysedAgain.wait(kOpenTimeoutMs));
    QVERIFY(!again->statisticsOffer()->isVisible());
}

void TestGuiWorkspace::setupFormReopensWithTheLastExperiment()
{
    if (test::fashionMnistDir().empty())
        QSKIP("dataset-fashion-mnist is not installed");
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    ExperimentSetupDialog* dialog = window.newExperiment();
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    // The first time: the demo preset (5 networks, 15 epochs, batch 128, as in the README).
    QCOMPARE(field<QComboBox>(dialog, "preset")->currentIndex(), 1);
    QCOMPARE(field<QSpinBox>(dialog, "networks")->value(), 5);

    // A small experiment typed in: 3 networks, 1 epoch of batch 50 over 300 + 100 images (each
    // field left with Tab: Return would press Start).
    auto retype = [](QWidget* w, const QString& text) {
        w->setFocus();
        QTest::keyClick(w, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClicks(w, text);
        QTest::keyClick(w, Qt::Key_Tab);
    };
    retype(field<QSpinBox>(dialog, "networks"), "3");
    retype(field<QSpinBox>(dialog, "epochs"), "1");
    retype(field<QSpinBox>(dialog, "batch_size"), "50");
    retype(field<QSpinBox>(dialog, "limit_train"), "300");
    retype(field<QSpinBox>(dialog, "limit_test"), "100");
    retype(field<QSpinBox>(dialog, "threads"), "1");
    retype(field<QLineEdit>(dialog, "run_path"), tmp_.filePath("remembered.h5"));
    QCOMPARE(field<QComboBox>(dialog, "preset")->currentIndex(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->datasetLoading(), kOpenTimeoutMs);
    QVERIFY2(dialog->canStart(), qPrintable(dialog->problem()));
    QSignalSpy finished(&window, &MainWindow::trainingFinished);
    QTest::mouseClick(field<QPushButton>(dialog, "start"), Qt::LeftButton);
    QVERIFY(finished.wait(kTrainingTimeoutMs));
    QCOMPARE(finished.first().at(0).value<TrainingSession::Outcome>(), TrainingSession::Outcome::Completed);

    // Opened again (a new form: Start closed the old one), it shows that experiment as "Custom",
    // with a fresh run file name; choosing the demo preset starts over.
    dialog = window.newExperiment();
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    auto* preset = field<QComboBox>(dialog, "preset");
    QCOMPARE(preset->currentIndex(), 0);
    QCOMPARE(field<QSpinBox>(dialog, "networks")->value(), 3);
    QCOMPARE(field<QSpinBox>(dialog, "epochs")->value(), 1);
    QCOMPARE(field<QSpinBox>(dialog, "batch_size")->value(), 50);
    QCOMPARE(field<QSpinBox>(dialog, "limit_train")->value(), 300);
    QCOMPARE(field<QSpinBox>(dialog, "limit_test")->value(), 100);
    QVERIFY(dialog->runPath() != tmp_.filePath("remembered.h5"));
    preset->setFocus();
    QTest::keyClick(preset, Qt::Key_Down);  // Custom -> the first preset, the demo
    QCOMPARE(preset->currentIndex(), 1);
    QCOMPARE(field<QSpinBox>(dialog, "networks")->value(), 5);
    QCOMPARE(field<QSpinBox>(dialog, "epochs")->value(), 15);
    QCOMPARE(field<QSpinBox>(dialog, "limit_train")->value(), 10000);
    dialog->reject();
}

QTEST_MAIN(TestGuiWorkspace)
#include "tst_gui_workspace.moc"
