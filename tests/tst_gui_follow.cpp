// The desktop application opening a run that another process trains: it follows the run live
// (never offering to resume it), names the writer, and offers the analysis once it completes.

#include "MainWindow.h"
#include "analysis/AnalysisPage.h"
#include "monitor/ProgressPanel.h"
#include "setup/ExperimentSetupDialog.h"
#include "storage/RunFile.h"

#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QMessageBox>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

using namespace orderlens;
using namespace orderlens::ui;
namespace fs = std::filesystem;

class TestGuiFollow : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(home_.isValid());
        qputenv("HOME", home_.path().toLocal8Bit());
        qputenv("XDG_CONFIG_HOME", (home_.path() + "/config").toLocal8Bit());
        qputenv("XDG_CACHE_HOME", (home_.path() + "/cache").toLocal8Bit());
    }

    void followsARunTrainedByAnotherProcess()
    {
        const QString path = home_.filePath("remote.h5");
        QProcess trainer;
        trainer.start(ORDERLENS_BINARY, {"train", "--dataset", "fashion-mnist", "--limit-train", "1500", "--limit-test",
                                         "300", "--networks", "2", "--epochs", "6", "--batch-size", "32", "--seed", "2",
                                         "--device", "cpu", "--threads", "1", "--run", path});
        QVERIFY(trainer.waitForStarted());
        // Open it once its first epoch is on disk, while it still trains.
        QTRY_VERIFY_WITH_TIMEOUT(fs::exists(path.toStdString()) && RunFile(path.toStdString()).epochsDone()[0] >= 1,
                                 300000);
        QVERIFY(trainer.state() == QProcess::Running);

        MainWindow window;
        window.resize(1600, 1000);
        window.show();
        RunWorkspace* opened = window.openRun(path);
        QSignalSpy analysed(opened->analysis(), &AnalysisPage::analysed);
        auto* status = window.progress()->findChild<QLabel*>("status");
        QVERIFY(status);
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains("Being trained by"), 30000);
        QVERIFY2(status->text().contains(":" + QString::number(trainer.processId())), qPrintable(status->text()));
        // A run that is being written is not "stopped early": no resume question.
        for (QWidget* w : QApplication::topLevelWidgets())
            QVERIFY(!qobject_cast<QMessageBox*>(w) || !w->isVisible());

        QVERIFY(trainer.waitForFinished(600000));
        QCOMPARE(trainer.exitCode(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains("Finished run"), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(analysed.count() > 0, 120000);
        for (QWidget* w : QApplication::topLevelWidgets())
            QVERIFY(!qobject_cast<QMessageBox*>(w) || !w->isVisible());
    }

    void offersToCheckADamagedRun()
    {
        // A run whose record chunk of network 1, epoch 0 has flipped bytes: the manifest opens,
        // reading the records fails, and the window offers the check.
        const QString path = home_.filePath("damaged.h5");
        QProcess trainer;
        trainer.start(ORDERLENS_BINARY, {"train", "--dataset", "fashion-mnist", "--limit-train", "200", "--limit-test",
                                         "100", "--networks", "2", "--epochs", "1", "--batch-size", "32", "--device",
                                         "cpu", "--threads", "1", "--run", path});
        QVERIFY(trainer.waitForFinished(300000));
        QCOMPARE(trainer.exitCode(), 0);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QByteArray bytes = file.readAll();
        // Garbage over the whole second half of the file hits record chunks and their index.
        for (int i = bytes.size() / 2; i < bytes.size(); i += 7)
            bytes[i] = char(bytes[i] ^ 0x5a);
        file.seek(0);
        file.write(bytes);
        file.close();

        MainWindow window;
        window.show();
        window.openRun(path, MainWindow::ResumeChoice::DontResume);
        QMessageBox* failed = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((failed = window.findChild<QMessageBox*>("openFailed")) && failed->isVisible(), 30000);
        auto* check = failed->findChild<QPushButton*>("verify");
        QVERIFY(check);
        QTest::mouseClick(check, Qt::LeftButton);
        QMessageBox* report = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((report = window.findChild<QMessageBox*>("verifyReport")) && report->isVisible(), 60000);
        QVERIFY2(report->text().contains("is damaged"), qPrintable(report->text()));
    }

private:
    QTemporaryDir home_;
};

QTEST_MAIN(TestGuiFollow)
#include "tst_gui_follow.moc"
