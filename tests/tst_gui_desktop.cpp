// Desktop conventions of the main window: its icon, recent runs in the File menu, the run in the
// title, the remembered geometry, panel layout and folder, About, and run files named on the
// command line (the menu entry's %F). Settings land in the test's temporary HOME
// (tests/isolation/TemporaryHome.cpp).

#include "DialogAnswers.h"
#include "MainWindow.h"
#include "SyntheticRun.h"
#include "setup/ExperimentSetupDialog.h"
#include "training/TrainingSession.h"

#include <QAbstractButton>
#include <QApplication>
#include <QDir>
#include <QDirIterator>
#include <QDockWidget>
#include <QFileDialog>
#include <QImage>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolBar>
#include <QTabWidget>
#include <QtTest>

#include <csignal>

using namespace orderlens;
using namespace orderlens::ui;
using namespace orderlens::test;

namespace {
constexpr int kOpenTimeoutMs = 60000;
constexpr int kProcessTimeoutMs = 120000;

QString writeRun(const QString& path)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    test::SyntheticRun spec;
    spec.correct = [](RecordSet, int, int epoch, std::size_t image) { return epoch >= int(image % 3); };
    test::writeSyntheticRun(path.toStdString(), spec);
    return QFileInfo(path).absoluteFilePath();
}

QMenu* menuOf(QMainWindow& window, const QString& title)
{
    QAction* a = findAction(window.menuBar()->actions(), title);
    return a ? a->menu() : nullptr;
}

// The folder a file dialog opened by `open` starts in; the dialog is then cancelled. The dialog
// runs its own event loop inside `open`, so it is looked for by a timer.
QString fileDialogFolder(const std::function<void()>& open)
{
    QString folder;
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, [&] {
        for (QWidget* w : QApplication::topLevelWidgets())
            if (auto* dialog = qobject_cast<QFileDialog*>(w); dialog && dialog->isVisible()) {
                folder = dialog->directory().absolutePath();
                dialog->reject();
            }
    });
    poll.start(50);
    open();
    if (!QTest::qWaitFor([&] { return !folder.isEmpty(); }, kOpenTimeoutMs))
        return "(no file dialog appeared)";
    return folder;
}

// Ends every process started with this HOME (the program and the windows it started for
// further runs): they are found by their environment, so nothing else is touched.
void endProcessesWithHome(const QString& home)
{
    const QByteArray marker = "HOME=" + home.toLocal8Bit();
    QDirIterator procs("/proc", QDir::Dirs | QDir::NoDotAndDotDot);
    while (procs.hasNext()) {
        const QString dir = procs.next();
        bool isPid = false;
        const qint64 pid = QFileInfo(dir).fileName().toLongLong(&isPid);
        if (!isPid)
            continue;
        QFile environ(dir + "/environ");
        if (environ.open(QIODevice::ReadOnly) && environ.readAll().split('\0').contains(marker))
            ::kill(pid_t(pid), SIGKILL);
    }
}
}  // namespace

class TestGuiDesktop : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void settingsLiveInTheTemporaryHome();
    void iconsAreCompiledIn();
    void recentRunsAndTitle();
    void geometryAndPanelsRestored();
    void lastFolderRemembered();
    void aboutNamesVersionLicenceAndStudy();
    void commandLineOpensEveryRun();
    void commandLineRefusesWhatIsNotARun();
    void menusFollowTheOpenRun();
    void demoShortcutAsksFirst();

private:
    QString home_;
};

void TestGuiDesktop::initTestCase()
{
    // The names the application uses, so the settings file is the one it reads.
    QApplication::setOrganizationName("OrderLens");
    QApplication::setApplicationName("OrderLens");
    home_ = QDir(QDir::homePath()).canonicalPath();
}

void TestGuiDesktop::init()
{
    QSettings().clear();
}

void TestGuiDesktop::settingsLiveInTheTemporaryHome()
{
    QVERIFY2(home_.startsWith(QDir(QDir::tempPath()).canonicalPath() + "/"), qPrintable(home_));
    QCOMPARE(QSettings().fileName(), home_ + "/.config/OrderLens/OrderLens.conf");
}

void TestGuiDesktop::iconsAreCompiledIn()
{
    MainWindow window;
    // The window icon at 48 px is the PNG rendered from the SVG master, pixel for pixel
    // (compared premultiplied, as a pixmap keeps it).
    const QImage expected = QImage(QString(ORDERLENS_SOURCE_DIR) + "/resources/icons/hicolor/48x48/apps/orderlens.png")
                                .convertToFormat(QImage::Format_ARGB32_Premultiplied);
    QVERIFY(!expected.isNull());
    const QImage shown =
        window.windowIcon().pixmap(QSize(48, 48)).toImage().convertToFormat(QImage::Format_ARGB32_Premultiplied);
    QCOMPARE(shown, expected);

    auto* toolBar = window.findChild<QToolBar*>("mainToolBar");
    QVERIFY(toolBar);
    QStringList texts;
    for (QAction* a : toolBar->actions()) {
        texts << QString(a->text()).remove('&');
        // Drawn (theme or our SVG): some pixel of the 24 px icon is not transparent.
        const QImage icon = a->icon().pixmap(QSize(24, 24)).toImage();
        QVERIFY2(!icon.isNull(), qPrintable(a->text()));
        bool drawn = false;
        for (int y = 0; y < icon.height() && !drawn; ++y)
            for (int x = 0; x < icon.width() && !drawn; ++x)
                drawn = qAlpha(icon.pixel(x, y)) > 0;
        QVERIFY2(drawn, qPrintable(a->text() + " has an empty icon"));
    }
    QCOMPARE(texts, QStringList({"New experiment...", "Open run...", "Run the Fashion-MNIST demo", "Cancel training",
                                 "Figures (PDF, SVG, PNG)..."}));
}

void TestGuiDesktop::recentRunsAndTitle()
{
    const QString a = writeRun(home_ + "/runs/a.h5");
    const QString b = writeRun(home_ + "/runs/b.h5");
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy opened(&window, &MainWindow::runOpened);

        window.openRun(a, MainWindow::ResumeChoice::DontResume);
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, kOpenTimeoutMs);
        QCOMPARE(window.windowTitle(), QString("OrderLens - a.h5"));
        window.openRun(b, MainWindow::ResumeChoice::DontResume);
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 2, kOpenTimeoutMs);
        QCOMPARE(window.windowTitle(), QString("OrderLens - b.h5"));

        // The newest first, numbered for the keyboard, then a way to clear the list.
        QMenu* recent = nullptr;
        for (QMenu* m : menuOf(window, "File")->findChildren<QMenu*>())
            if (QString(m->title()).remove('&') == "Recent runs")
                recent = m;
        QVERIFY(recent);
        QCOMPARE(entryTexts(recent), QStringList({"1  b.h5", "2  a.h5", "Clear list"}));

        // a.h5 has its tab already: the recent entry brings that tab up rather than a second copy.
        clickMenuPath(window, {"File", "Recent runs", "2  a.h5"});
        QVERIFY(!QTest::currentTestFailed());
        QCOMPARE(window.currentRun(), a);
        QCOMPARE(window.documents()->count(), 3);  // the welcome page, a.h5 and b.h5
        QCOMPARE(opened.size(), 2);
        QCOMPARE(window.windowTitle(), QString("OrderLens - a.h5"));
        QCOMPARE(entryTexts(recent), QStringList({"1  a.h5", "2  b.h5", "Clear list"}));
        QCOMPARE(window.recentRuns(), QStringList({a, b}));
        window.close();
    }
    // A new window (the next start) lists the same runs.
    MainWindow next;
    QCOMPARE(next.recentRuns(), QStringList({a, b}));
    next.show();
    QVERIFY(QTest::qWaitForWindowExposed(&next));
    clickMenuPath(next, {"File", "Recent runs", "Clear list"});
    QVERIFY(!QTest::currentTestFailed());
    QCOMPARE(next.recentRuns(), QStringList());
    QCOMPARE(QSettings().value("recentRuns").toStringList(), QStringList());
}

void TestGuiDesktop::geometryAndPanelsRestored()
{
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.resize(1401, 801);
        QTRY_COMPARE(window.size(), QSize(1401, 801));
        auto* log = window.findChild<QDockWidget*>("logDock");
        QVERIFY(log);
        // The Log panel shares a tab with the Experiment panel: bring it up, then close it.
        log->raise();
        auto* close = log->findChild<QAbstractButton*>("qt_dockwidget_closebutton");
        QVERIFY(close);
        QTRY_VERIFY(close->isVisible());
        QTest::mouseClick(close, Qt::LeftButton);
        QVERIFY(!log->isVisible());
        clickMenuPath(window, {"View", "Main toolbar"});
        QVERIFY(!QTest::currentTestFailed());
        QVERIFY(!window.findChild<QToolBar*>("mainToolBar")->isVisible());
        window.close();
    }
    MainWindow restored;
    restored.show();
    QVERIFY(QTest::qWaitForWindowExposed(&restored));
    QCOMPARE(restored.size(), QSize(1401, 801));
    // Closed panels are hidden explicitly (isHidden), not merely covered by another tab.
    QVERIFY(restored.findChild<QDockWidget*>("logDock")->isHidden());
    QVERIFY(restored.findChild<QToolBar*>("mainToolBar")->isHidden());
    QVERIFY(!restored.findChild<QDockWidget*>("progressDock")->isHidden());

    clickMenuPath(restored, {"View", "Reset panel layout"});
    QVERIFY(!QTest::currentTestFailed());
    QVERIFY(!restored.findChild<QDockWidget*>("logDock")->isHidden());
    QVERIFY(!restored.findChild<QToolBar*>("mainToolBar")->isHidden());
}

void TestGuiDesktop::lastFolderRemembered()
{
    const QString run = writeRun(home_ + "/elsewhere/deep/c.h5");
    const QString folder = QFileInfo(run).absolutePath();
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // Nothing opened yet: the dialog starts at home.
        QCOMPARE(fileDialogFolder([&] { clickMenuPath(window, {"File", "Open run..."}); }), home_);
        QSignalSpy opened(&window, &MainWindow::runOpened);
        window.openRun(run, MainWindow::ResumeChoice::DontResume);
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, kOpenTimeoutMs);
        QCOMPARE(fileDialogFolder([&] { clickMenuPath(window, {"File", "Open run..."}); }), folder);
        window.close();
    }
    MainWindow next;
    next.show();
    QVERIFY(QTest::qWaitForWindowExposed(&next));
    QCOMPARE(fileDialogFolder([&] { clickMenuPath(next, {"File", "Open run..."}); }), folder);
}

void TestGuiDesktop::aboutNamesVersionLicenceAndStudy()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    clickMenuPath(window, {"Help", "About OrderLens"});
    QVERIFY(!QTest::currentTestFailed());
    QMessageBox* about = nullptr;
    QTRY_VERIFY((about = window.findChild<QMessageBox*>("aboutBox")) && about->isVisible());
    const QString text = about->text();
    QVERIFY2(text.contains(QString("OrderLens %1").arg(ORDERLENS_VERSION)), qPrintable(text));
    QVERIFY2(text.contains("GPL-3.0-or-later"), qPrintable(text));
    QVERIFY2(text.contains("Pliushch, Mundt, Lupp and Ramesh"), qPrintable(text));
    QVERIFY2(text.contains("When Deep Classifiers Agree") && text.contains("ECCV 2022"), qPrintable(text));
    QVERIFY2(text.contains(QString("Qt %1").arg(qVersion())), qPrintable(text));
    QVERIFY(!about->iconPixmap().isNull());

    auto* ok = about->findChild<QPushButton*>();
    QVERIFY(ok);
    QPointer<QMessageBox> box = about;
    QTest::mouseClick(ok, Qt::LeftButton);
    QTRY_VERIFY(!box);
}

void TestGuiDesktop::commandLineOpensEveryRun()
{
    // As the file manager starts it from the menu entry (Exec=orderlens %F) with two run files:
    // both open in the window, a tab each, and land in the recent runs of the (separate) home
    // the program is given.
    const QString a = writeRun(home_ + "/cli/first.h5");
    const QString b = writeRun(home_ + "/cli/second.hdf5");
    QTemporaryDir programHome;
    QVERIFY(programHome.isValid());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("HOME", programHome.path());
    env.insert("XDG_CONFIG_HOME", programHome.path() + "/.config");
    env.insert("XDG_DATA_HOME", programHome.path() + "/.local/share");
    env.insert("XDG_CACHE_HOME", programHome.path() + "/.cache");
    env.insert("QT_QPA_PLATFORM", "offscreen");
    QProcess program;
    program.setProcessEnvironment(env);
    program.setWorkingDirectory(home_ + "/cli");
    program.start(ORDERLENS_BINARY, {"first.h5", "second.hdf5"});
    QVERIFY(program.waitForStarted());

    const QString conf = programHome.path() + "/.config/OrderLens/OrderLens.conf";
    QStringList recent;
    QTRY_VERIFY_WITH_TIMEOUT((recent = QSettings(conf, QSettings::IniFormat).value("recentRuns").toStringList(),
                              recent.contains(a) && recent.contains(b)),
                             kProcessTimeoutMs);
    QCOMPARE(program.state(), QProcess::Running);
    endProcessesWithHome(programHome.path());
    QVERIFY(program.waitForFinished(kOpenTimeoutMs));
}

void TestGuiDesktop::commandLineRefusesWhatIsNotARun()
{
    // A picture, a missing file and a folder are named with what they are, before any window
    // opens; a word that is no file stays an unknown command.
    const QString dir = home_ + "/notruns";
    QVERIFY(QDir().mkpath(dir));
    QImage picture(8, 8, QImage::Format_RGB32);
    picture.fill(Qt::red);
    QVERIFY(picture.save(dir + "/picture.png"));
    struct Case {
        QString argument;
        QString expected;
    };
    const Case cases[] = {
        {"picture.png", "picture.png: not an OrderLens run file"},
        {"missing.hdf5", "missing.hdf5: no such run file"},
        {".", ".: a folder, not a run file"},
        {"trian", "unknown command 'trian'"},
    };
    for (const Case& c : cases) {
        QProcess program;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        program.setProcessEnvironment(env);
        program.setWorkingDirectory(dir);
        program.start(ORDERLENS_BINARY, {c.argument});
        QVERIFY(program.waitForFinished(kProcessTimeoutMs));
        const QString err = QString::fromUtf8(program.readAllStandardError());
        QCOMPARE(program.exitStatus(), QProcess::NormalExit);
        QVERIFY2(program.exitCode() == 1, qPrintable(c.argument + ": exit " + QString::number(program.exitCode())));
        QVERIFY2(err.contains(c.expected), qPrintable(c.argument + ": " + err));
    }
}

void TestGuiDesktop::menusFollowTheOpenRun()
{
    // No run: nothing to export a report of, nothing to resume. An interrupted run (network 1
    // stopped after 1 of 3 epochs): both apply, and the "Reading ..." message is gone.
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QMenu* file = findAction(window.menuBar()->actions(), "File")->menu();
    QMenu* exportMenu = findAction(file->actions(), "Export")->menu();
    QAction* report = findAction(exportMenu->actions(), "Analysis report (PDF and figures)...");
    QMenu* training = findAction(window.menuBar()->actions(), "Training")->menu();
    QAction* resume = findAction(training->actions(), "Resume training");
    QVERIFY(report && resume);
    QVERIFY(!report->isEnabled());
    QVERIFY(!resume->isEnabled());

    const QString path = home_ + "/menus/interrupted.h5";
    QDir().mkpath(home_ + "/menus");
    test::SyntheticRun spec;
    spec.correct = [](RecordSet, int, int epoch, std::size_t image) { return epoch >= int(image % 3); };
    spec.epochsWritten = [](int network) { return network == 0 ? 3 : 1; };
    test::writeSyntheticRun(path.toStdString(), spec);
    QSignalSpy opened(&window, &MainWindow::runOpened);
    window.openRun(path, MainWindow::ResumeChoice::DontResume);
    QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, kOpenTimeoutMs);
    QVERIFY2(!window.statusBar()->currentMessage().contains("Reading"),
             qPrintable(window.statusBar()->currentMessage()));
    QVERIFY(report->isEnabled());
    QVERIFY(resume->isEnabled());

    // A complete run has nothing to resume.
    const QString complete = writeRun(home_ + "/menus/complete.h5");
    window.openRun(complete, MainWindow::ResumeChoice::DontResume);
    QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 2, kOpenTimeoutMs);
    QVERIFY(report->isEnabled());
    QVERIFY(!resume->isEnabled());
}

void TestGuiDesktop::demoShortcutAsksFirst()
{
    // Ctrl+D explains what the demo trains (the README's demo: 5 x LeNet-5, 15 epochs,
    // 10,000 + 2,000 images) and starts nothing when cancelled.
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTest::keyClick(&window, Qt::Key_D, Qt::ControlModifier);
    QMessageBox* box = nullptr;
    QTRY_VERIFY((box = window.findChild<QMessageBox*>("demoConfirmation")) && box->isVisible());
    const QString text = box->text();
    QVERIFY2(text.contains("5 LeNet5 networks for 15 epochs"), qPrintable(text));
    QVERIFY2(text.contains("minutes"), qPrintable(text));
    QPointer<QMessageBox> alive = box;
    QTest::mouseClick(box->button(QMessageBox::Cancel), Qt::LeftButton);
    QTRY_VERIFY(!alive);
    QVERIFY(!window.findChild<TrainingSession*>());
    QMenu* training = findAction(window.menuBar()->actions(), "Training")->menu();
    QVERIFY(!findAction(training->actions(), "Cancel training")->isEnabled());
}

QTEST_MAIN(TestGuiDesktop)
#include "tst_gui_desktop.moc"
