// A run interrupted while it trained its networks one after another (network 0 finished three
// epochs, network 1 one, network 2 none) opens everywhere: the Analysis and Explore tabs of the
// window, clicked as a user does, and `orderlens analyze`. Each analyses the networks that have
// epochs over the epochs all of them completed, and says so.

#include "DatasetFixtures.h"
#include "SyntheticRun.h"

#include "MainWindow.h"
#include "TabClick.h"
#include "analysis/AnalysisPage.h"
#include "browser/ImageBrowser.h"
#include "browser/ImageBrowserModel.h"
#include "explorer/ExplorationView.h"
#include "setup/ExperimentSetupDialog.h"

#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace orderlens;
using namespace orderlens::ui;
using test::clickTab;

namespace {

// What the analysis of the interrupted run covers, written out by hand from the epochs above.
// Networks are counted from 1 as on screen, with the files' indices from 0 in brackets.
const QString kCoverage = "Analysed networks 1 and 2 (indices 0 and 1) of 3, epochs 0 to 0 (0-based) of the 4 planned; "
                          "network 3 (index 2) has not completed an epoch; epochs completed per network (network 1: 3, "
                          "network 2: 1).";

}  // namespace

class TestGuiPartialRun : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString run_;
    test::SyntheticRun spec_;

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        spec_.train = 40;
        spec_.test = 20;
        spec_.networks = 3;
        spec_.epochs = 4;
        spec_.correct = [](RecordSet, int network, int epoch, std::size_t image) {
            return (image + std::size_t(network)) % 4 <= std::size_t(epoch);
        };
        spec_.epochsWritten = [](int network) { return network == 0 ? 3 : network == 1 ? 1 : 0; };
        run_ = dir_.filePath("interrupted.h5");
        test::writeSyntheticRun(run_.toStdString(), spec_);
    }

    void analysisAndExploreOpenIt()
    {
        MainWindow window;
        window.resize(1200, 800);
        window.show();
        RunWorkspace* opened = window.openRun(run_, MainWindow::ResumeChoice::DontResume);
        QCOMPARE(window.currentWorkspace(), opened);
        QSignalSpy analysed(opened->analysis(), &AnalysisPage::analysed);
        QSignalSpy loaded(opened->exploration(), &ExplorationView::loaded);
        QSignalSpy failed(opened->exploration(), &ExplorationView::failed);
        QVERIFY(loaded.wait(120000));
        QVERIFY(failed.isEmpty());
        QCOMPARE(analysed.size(), 1);
        QCOMPARE(analysed.first().at(1).toString(), QString());

        clickTab(window.runTabs(), window.analysis());
        QCOMPARE(window.runTabs()->currentWidget(), static_cast<QWidget*>(window.analysis()));
        QVERIFY(window.analysis()->figureCount() > 0);
        auto* analysisCoverage = window.analysis()->findChild<QLabel*>("coverage");
        QVERIFY(analysisCoverage);
        QVERIFY(analysisCoverage->isVisible());
        QCOMPARE(analysisCoverage->text(), kCoverage);

        clickTab(window.runTabs(), window.exploration());
        QVERIFY(window.runTabs()->currentWidget()->isAncestorOf(window.exploration()));
        QVERIFY(window.exploration()->isVisible());
        QCOMPARE(window.exploration()->browser()->model()->rowCount() > 0, true);
        const RunAnalysis& analysis = window.exploration()->run()->analysis();
        QCOMPARE(analysis.networks, (std::vector<int>{0, 1}));
        QCOMPARE(analysis.endEpoch, 1);
        auto* exploreCoverage = window.exploration()->findChild<QLabel*>("coverage");
        QVERIFY(exploreCoverage);
        QVERIFY(exploreCoverage->isVisible());
        QCOMPARE(exploreCoverage->text(), kCoverage);
    }

    void analyzeCommandSaysWhatItCovers()
    {
        const test::CommandResult r = test::runCommand(
            ORDERLENS_BINARY, {"analyze", "--run", run_.toStdString(), "--output", dir_.filePath("report").toStdString(),
                               "--no-figures"});
        QVERIFY2(r.exitCode == 0, r.output.c_str());
        QVERIFY2(QString::fromStdString(r.output).contains(kCoverage), r.output.c_str());
    }
};

QTEST_MAIN(TestGuiPartialRun)
#include "tst_gui_partialrun.moc"
