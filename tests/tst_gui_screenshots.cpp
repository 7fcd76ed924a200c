// Renders the welcome page, the setup form, the live monitor mid-training, the About box, and every
// tab of a window with two runs open (one finished, one training) at 1600 x 1000 and 1024 x 700,
// and checks what they show. With ORDERLENS_SCREENSHOT_DIR set, the images are kept there:
// docs/screenshots/take-screenshots.sh runs this under Xvfb to refresh the README's screenshots.

#include "Fixtures.h"
#include "MainWindow.h"
#include "TabClick.h"
#include "WelcomePage.h"
#include "analysis/AnalysisPage.h"
#include "monitor/LiveMonitor.h"
#include "plot/InteractivePlot.h"
#include "setup/ExperimentPresets.h"
#include "setup/ExperimentSetupDialog.h"
#include "explorer/ExplorationView.h"
#include "workspace/RunWorkspace.h"

#include <QCommandLinkButton>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QTabBar>
#include <QTabWidget>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace orderlens;
using namespace orderlens::ui;
using test::clickTab;

namespace {
const QSize kScreen(1600, 1000);
constexpr int kTimeoutMs = 240000;

// Whether `widget` was painted into `shot` where it sits: the shot's pixels there are those of
// the widget rendered on its own (up to the parent's background showing through: at most 1 %
// differ by more than a few levels), and not all one colour.
bool showsWidget(const QImage& shot, QWidget* top, QWidget* widget)
{
    if (!widget)
        return false;
    const QImage alone = widget->grab().toImage().convertToFormat(QImage::Format_RGB32);
    const QRect area(widget->mapTo(top, QPoint(0, 0)), widget->size());
    const QImage inShot = shot.copy(area).convertToFormat(QImage::Format_RGB32);
    if (alone.size() != inShot.size())
        return false;
    int different = 0;
    bool uniform = true;
    for (int y = 0; y < alone.height(); ++y)
        for (int x = 0; x < alone.width(); ++x) {
            const QRgb a = alone.pixel(x, y), b = inShot.pixel(x, y);
            different += std::abs(qRed(a) - qRed(b)) > 4 || std::abs(qGreen(a) - qGreen(b)) > 4 ||
                         std::abs(qBlue(a) - qBlue(b)) > 4;
            uniform = uniform && a == alone.pixel(0, 0);
        }
    return !uniform && different * 100 <= alone.width() * alone.height();
}

// Pixels of `colour` (each channel within 12) in the part of `shot` covered by `widget`.
int pixelsOfColour(const QImage& shot, QWidget* top, QWidget* widget, const QColor& colour)
{
    const QRect area = QRect(widget->mapTo(top, QPoint(0, 0)), widget->size()).intersected(shot.rect());
    int count = 0;
    for (int y = area.top(); y <= area.bottom(); ++y)
        for (int x = area.left(); x <= area.right(); ++x) {
            const QColor c = shot.pixelColor(x, y);
            count += std::abs(c.red() - colour.red()) <= 12 && std::abs(c.green() - colour.green()) <= 12 &&
                     std::abs(c.blue() - colour.blue()) <= 12;
        }
    return count;
}

// The colour of the first graph of `plot` whose name contains `name`.
QColor graphColour(QCustomPlot* plot, const QString& name)
{
    for (int i = 0; i < plot->graphCount(); ++i)
        if (plot->graph(i)->name().contains(name, Qt::CaseInsensitive))
            return plot->graph(i)->pen().color();
    return {};
}
}  // namespace

class TestGuiScreenshots : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void welcomePage();
    void setupForm();
    void monitorMidTraining();
    void aboutWithIcon();
    void twoRunsOneTraining();

private:
    void save(const QImage& image, const QString& name);
    QString outDir_;
    QTemporaryDir tmp_;
};

void TestGuiScreenshots::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("OrderLensTests");
    QCoreApplication::setApplicationName("tst_gui_screenshots");
    QSettings().clear();
    QVERIFY(tmp_.isValid());
    outDir_ = qEnvironmentVariable("ORDERLENS_SCREENSHOT_DIR", tmp_.path());
    QDir().mkpath(outDir_);
    if (test::fashionMnistDir().empty())
        QSKIP("dataset-fashion-mnist is not installed");
}

void TestGuiScreenshots::save(const QImage& image, const QString& name)
{
    const QString path = QDir(outDir_).filePath(name);
    QVERIFY2(image.save(path), qPrintable(path));
    qInfo("wrote %s", qPrintable(path));
}

void TestGuiScreenshots::welcomePage()
{
    MainWindow window;
    window.resize(kScreen);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.welcome()->isVisible());
    QVERIFY(window.welcome()->demoButton()->isVisible());
    QVERIFY(window.welcome()->demoButton()->description().contains("LeNet5"));
    const QImage shot = window.grab().toImage();
    QCOMPARE(shot.size() / shot.devicePixelRatio(), kScreen);
    QVERIFY(showsWidget(shot, &window, window.welcome()->demoButton()));
    save(shot, "welcome.png");
}

void TestGuiScreenshots::setupForm()
{
    MainWindow window;
    window.resize(kScreen);
    window.show();
    ExperimentSetupDialog* dialog = window.newExperiment();
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->datasetLoading(), 60000);
    QVERIFY2(dialog->canStart(), qPrintable(dialog->problem()));
    // Every field fits without scrolling at the default size on a 1600 x 1000 screen.
    QVERIFY(dialog->width() <= kScreen.width() && dialog->height() <= kScreen.height());
    QVERIFY(dialog->minimumSizeHint().width() <= dialog->width());
    QVERIFY(dialog->minimumSizeHint().height() <= dialog->height());
    QTest::qWait(200);
    const QImage shot = dialog->grab().toImage();
    // The dataset check's thumbnails and the form's fields are in the picture.
    QVERIFY(showsWidget(shot, dialog, dialog->findChild<QWidget*>("dataset_preview")));
    QVERIFY(showsWidget(shot, dialog, dialog->findChild<QWidget*>("start")));
    save(shot, "setup.png");
}

void TestGuiScreenshots::monitorMidTraining()
{
    MainWindow window;
    window.resize(kScreen);
    window.show();
    // The demo's recipe on a smaller subset, networks side by side so that all agreement curves
    // grow together.
    ExperimentConfig config = demoExperiment();
    config.limitTrain = 2000;
    config.limitTest = 500;
    config.epochs = 12;
    config.parallelNetworks = true;
    int epochsBeforeShot = 6;
    if (!qEnvironmentVariableIsSet("ORDERLENS_SCREENSHOT_DIR")) {
        // In the test suite: the same views on a quarter of the work.
        config.networks = 3;
        config.limitTrain = 600;
        config.limitTest = 200;
        config.epochs = 6;
        epochsBeforeShot = 3;
    }
    TrainingSession* session = window.startTraining(config, tmp_.filePath("screenshot.h5"), true);
    QVERIFY(session);
    QSignalSpy epochs(session, &TrainingSession::epochDone);
    QSignalSpy finished(&window, &MainWindow::trainingFinished);
    QTRY_VERIFY_WITH_TIMEOUT(epochs.size() >= config.networks * epochsBeforeShot || !finished.isEmpty(), kTimeoutMs);
    QVERIFY2(finished.isEmpty(), qPrintable(finished.value(0).value(1).toString()));
    // Let the snapshot of the last epoch and a few batches of the next one arrive.
    QTRY_VERIFY_WITH_TIMEOUT(window.monitor()->agreementPoints(RecordSet::Test) >= epochsBeforeShot, 30000);
    QTest::qWait(600);
    QVERIFY(window.monitor()->batchPoints(0) > 0);
    const QImage shot = window.grab().toImage();
    // The agreement curves are drawn in their colour inside the agreement plot.
    InteractivePlot* agreement = window.monitor()->plots().at(1);
    const QColor curve = graphColour(agreement, "true-positive agreement");
    QVERIFY(curve.isValid());
    QVERIFY2(pixelsOfColour(shot, &window, agreement, curve) > 20, "no agreement curve in the screenshot");
    save(shot, "monitor.png");

    // Cancelled, the run's completed epochs are analysed like a finished run.
    // (A fast machine may have finished the run already; then there is nothing to cancel.)
    window.cancelTraining();
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!window.analysis()->isAnalysing() && window.analysis()->figureCount() > 0, kTimeoutMs);
    qInfo("analysis figures: %s", qPrintable(window.analysis()->figureTitles().join(" | ")));
    window.runTabs()->setCurrentWidget(window.analysis());
    const QStringList titles = window.analysis()->figureTitles();
    const int heatMap = int(titles.indexOf(QRegularExpression("(?i).*label agreement.*test.*")));
    window.analysis()->showFigure(heatMap >= 0 ? heatMap : 0);
    QTest::qWait(300);
    const QImage analysis = window.grab().toImage();
    QVERIFY(window.analysis()->plot()->plottableCount() > 0);
    QVERIFY(showsWidget(analysis, &window, window.analysis()->plot()));
    save(analysis, "analysis.png");
}

void TestGuiScreenshots::aboutWithIcon()
{
    // The window with its icon on the welcome page and the About box over it (Help > About),
    // composed as the screen shows them.
    MainWindow window;
    window.resize(kScreen);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QMenuBar* bar = window.menuBar();
    QAction* help = nullptr;
    for (QAction* a : bar->actions())
        if (QString(a->text()).remove('&') == "Help")
            help = a;
    QVERIFY(help);
    QTest::mouseClick(bar, Qt::LeftButton, {}, bar->actionGeometry(help).center());
    QTRY_VERIFY(help->menu()->isVisible());
    QAction* aboutEntry = help->menu()->actions().last();
    QCOMPARE(QString(aboutEntry->text()).remove('&'), QString("About OrderLens"));
    QTest::mouseClick(help->menu(), Qt::LeftButton, {}, help->menu()->actionGeometry(aboutEntry).center());
    QMessageBox* about = nullptr;
    QTRY_VERIFY((about = window.findChild<QMessageBox*>("aboutBox")) && about->isVisible());
    QVERIFY(!about->iconPixmap().isNull());
    // Centred over the window, as a window manager places it.
    about->move(window.geometry().center() - about->rect().center());
    QTest::qWait(200);
    QImage shot = window.grab().toImage();
    {
        QPainter painter(&shot);
        painter.drawImage(window.mapFromGlobal(about->mapToGlobal(QPoint(0, 0))), about->grab().toImage());
    }
    // The box is drawn with its icon and text.
    const QImage box = about->grab().toImage();
    QVERIFY(showsWidget(box, about, about->findChild<QLabel*>("qt_msgboxex_icon_label")));
    QVERIFY(showsWidget(box, about, about->findChild<QLabel*>("qt_msgbox_label")));
    save(shot, "about.png");
    about->close();
}

void TestGuiScreenshots::twoRunsOneTraining()
{
    // A finished run (trained here, so with its statistics) and a second one training, each in
    // its tab; every tab and every view of each run is shot at both window sizes.
    MainWindow window;
    window.resize(kScreen);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const bool forDocs = qEnvironmentVariableIsSet("ORDERLENS_SCREENSHOT_DIR");
    ExperimentConfig config = demoExperiment();
    config.networks = 3;
    config.limitTrain = forDocs ? 2000 : 400;
    config.limitTest = forDocs ? 500 : 150;
    config.epochs = forDocs ? 6 : 2;
    config.parallelNetworks = true;
    QSignalSpy finished(&window, &MainWindow::trainingFinished);
    QVERIFY(window.startTraining(config, tmp_.filePath("finished-run.h5"), true));
    RunWorkspace* complete = window.currentWorkspace();
    QVERIFY(finished.wait(kTimeoutMs));
    QCOMPARE(finished.first().at(0).value<TrainingSession::Outcome>(), TrainingSession::Outcome::Completed);
    QTRY_VERIFY_WITH_TIMEOUT(complete->exploration()->run() && !complete->exploration()->loading(), kTimeoutMs);

    // Long enough to be still training while every view is shot.
    config.epochs = forDocs ? 40 : 200;
    const int epochsBeforeShots = forDocs ? 6 : 2;
    TrainingSession* session = window.startTraining(config, tmp_.filePath("training-run.h5"), true);
    QVERIFY(session);
    RunWorkspace* live = window.currentWorkspace();
    QSignalSpy epochs(session, &TrainingSession::epochDone);
    QTRY_VERIFY_WITH_TIMEOUT(epochs.size() >= config.networks * epochsBeforeShots, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(live->monitor()->agreementPoints(RecordSet::Test) >= epochsBeforeShots, 30000);
    const QStringList titles = complete->analysis()->figureTitles();
    const int heatMap = int(titles.indexOf(QRegularExpression("(?i).*label agreement.*test.*")));
    complete->analysis()->showFigure(heatMap >= 0 ? heatMap : 0);

    const char* const viewNames[] = {"training", "analysis", "explore"};
    for (const QSize size : {kScreen, QSize(1024, 700)}) {
        window.resize(size);
        QTRY_COMPARE(window.size(), size);
        const QString prefix = QString("workspace-%1x%2-").arg(size.width()).arg(size.height());
        clickTab(window.documents(), window.welcome());
        QTest::qWait(300);
        QImage shot = window.grab().toImage();
        QVERIFY(showsWidget(shot, &window, window.welcome()->demoButton()));
        save(shot, prefix + "welcome.png");
        for (RunWorkspace* run : {complete, live}) {
            clickTab(window.documents(), run);
            QCOMPARE(window.currentWorkspace(), run);
            for (int view = 0; view < 3; ++view) {
                clickTab(run->views(), run->views()->widget(view));
                QTest::qWait(400);
                shot = window.grab().toImage();
                // Every view sits under the header that names its run and its state.
                QVERIFY(showsWidget(shot, &window, run->header()));
                QVERIFY(run->header()->text().contains(QFileInfo(run->path()).fileName()));
                QVERIFY(run->views()->currentWidget()->isVisible());
                save(shot, prefix + (run == live ? "training-run-" : "finished-run-") + viewNames[view] + ".png");
            }
        }
    }
    // (A fast machine may have finished the run already; then there is nothing to cancel.)
    clickTab(window.documents(), live);
    window.cancelTraining();
    QTRY_VERIFY_WITH_TIMEOUT(finished.size() == 2, kTimeoutMs);
}

QTEST_MAIN(TestGuiScreenshots)
#include "tst_gui_screenshots.moc"
