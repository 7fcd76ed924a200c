// Interrupted runs: cooperative cancel, a killed `orderlens train` child, Ctrl-C, and resuming
// each to records identical to an uninterrupted run.

#include "QuickTraining.h"
#include "RunComparison.h"

#include "browser/RunImages.h"
#include "common/Errors.h"
#include "storage/RunFile.h"
#include "training/Trainer.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>

using namespace orderlens;
namespace fs = std::filesystem;

namespace {

// Fashion-MNIST subset sized so an epoch takes a noticeable moment on two cores.
ExperimentConfig resumeConfig()
{
    ExperimentConfig c;
    c.dataset = "fashion-mnist";
    c.limitTrain = 1500;
    c.limitTest = 300;
    c.inputSize = 32;
    c.networks = 2;
    c.epochs = 3;
    c.batchSize = 32;
    c.lr = 0.05;
    c.scheduler = "cosine";
    c.randomCrop = true;
    c.horizontalFlip = true;
    c.seed = 3;
    c.device = "cpu";
    c.threads = 1;  // small networks gain nothing from more threads on a busy machine
    return c;
}

QStringList trainArguments(const ExperimentConfig& c, const QString& run)
{
    return {"train", "--dataset", QString::fromStdString(c.dataset), "--limit-train", QString::number(c.limitTrain),
            "--limit-test", QString::number(c.limitTest), "--input-size", QString::number(c.inputSize), "--networks",
            QString::number(c.networks), "--epochs", QString::number(c.epochs), "--batch-size",
            QString::number(c.batchSize), "--lr", QString::number(c.lr), "--scheduler", "cosine", "--random-crop",
            "--horizontal-flip", "--seed", QString::number(c.seed), "--device", "cpu", "--threads",
            QString::number(c.threads), "--run", run};
}

// Reads the child's output until a line contains `needle` (or the child ends).
bool waitForOutput(QProcess& p, const QString& needle, QString& seen, int timeoutMs = 240000)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        if (seen.contains(needle))
            return true;
        if (p.state() == QProcess::NotRunning)
            return false;
        p.waitForReadyRead(200);
        seen += QString::fromLocal8Bit(p.readAllStandardOutput());
    }
    return false;
}

int epochsRecorded(const std::string& run)
{
    int total = 0;
    const RunFile file(run);
    for (int d : file.epochsDone())
        total += d;
    return total;
}

// Polls the run's epochs_done counters (public RunFile API) until `records` network-epochs are
// written, then kills the child: the kill point is a count of records, not a moment in time.
// The writer may hold the file mid-write, so an unreadable poll just tries again.
bool killAfterRecords(QProcess& child, const std::string& run, int records, int timeoutMs = 300000)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs && child.state() != QProcess::NotRunning) {
        try {
            if (fs::exists(run) && epochsRecorded(run) >= records) {
                child.kill();
                child.waitForFinished();
                return true;
            }
        } catch (const InputError&) {
        }
        child.waitForFinished(20);
    }
    return false;
}

void compareRuns(const std::string& a, const std::string& b)
{
    const std::string difference = test::firstRecordDifference(a, b);
    QVERIFY2(difference.empty(), difference.c_str());
}

}  // namespace

class TestResume : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cancelKeepsCompletedEpochsAndResumes();
    void cancelSideBySideResumes();
    void killedChildResumesToIdenticalRecords();
    void interruptExitsWithResumeHint();
    void cliRefusesToClobberOrReconfigure();
    void changedImagesAreRefused();

private:
    QTemporaryDir dir_;
    std::string reference_;
};

void TestResume::initTestCase()
{
    QVERIFY(dir_.isValid());
    // One uninterrupted run that every interrupted one must reproduce exactly.
    reference_ = dir_.filePath("reference.h5").toStdString();
    Trainer(resumeConfig(), reference_).run();
    QCOMPARE(RunFile(reference_).epochsDone(), (std::vector<int>{3, 3}));
}

void TestResume::cancelKeepsCompletedEpochsAndResumes()
{
    const std::string run = dir_.filePath("cancelled.h5").toStdString();
    std::atomic<bool> cancel{false};
    struct CancelMidEpoch : TrainingObserver {
        std::atomic<bool>* flag = nullptr;
        void onBatch(const BatchProgress& p) override
        {
            if (p.network == 1 && p.epoch == 1 && p.batch == 5)
                flag->store(true);
        }
    } observer;
    observer.flag = &cancel;
    QVERIFY_THROWS_EXCEPTION(Cancelled, Trainer(resumeConfig(), run).run(&observer, &cancel));
    QCOMPARE(RunFile(run).epochsDone(), (std::vector<int>{3, 1}));
    Trainer resumed = Trainer::resume(run);
    QCOMPARE(resumed.config().toJson(), resumeConfig().toJson());
    resumed.run();
    compareRuns(reference_, run);
}

void TestResume::cancelSideBySideResumes()
{
    // Side by side with one thread per network records exactly what one after another does.
    const std::string run = dir_.filePath("side.h5").toStdString();
    ExperimentConfig c = resumeConfig();
    c.parallelNetworks = true;
    std::atomic<bool> cancel{false};
    struct CancelInSecondEpoch : TrainingObserver {
        std::atomic<bool>* flag = nullptr;
        void onBatch(const BatchProgress& p) override
        {
            if (p.epoch == 1 && p.batch == 3)
                flag->store(true);
        }
    } observer;
    observer.flag = &cancel;
    QVERIFY_THROWS_EXCEPTION(Cancelled, Trainer(c, run).run(&observer, &cancel));
    QCOMPARE(RunFile(run).epochsDone(), (std::vector<int>{1, 1}));
    Trainer::resume(run).run();
    compareRuns(reference_, run);
}

void TestResume::killedChildResumesToIdenticalRecords()
{
    const QString run = dir_.filePath("killed.h5");
    QProcess child;
    QString seen;
    child.start(ORDERLENS_BINARY, trainArguments(resumeConfig(), run));
    QVERIFY(child.waitForStarted());
    // First kill: as soon as network 0's three epochs and network 1's first one are recorded,
    // i.e. during network 1's second epoch (an epoch takes seconds, the poll 20 ms).
    QVERIFY2(killAfterRecords(child, run.toStdString(), 4), qPrintable(child.readAllStandardOutput()));
    const int afterFirstKill = epochsRecorded(run.toStdString());
    QVERIFY2(afterFirstKill == 4, qPrintable(QString::number(afterFirstKill)));

    // Second kill: early in the resumed run, as soon as it reports its first batch.
    QProcess again;
    seen.clear();
    again.start(ORDERLENS_BINARY, {"train", "--run", run, "--resume"});
    QVERIFY(again.waitForStarted());
    QVERIFY2(waitForOutput(again, "Resuming", seen), qPrintable(seen));
    QVERIFY2(waitForOutput(again, "ETA", seen), qPrintable(seen));
    again.kill();
    again.waitForFinished();

    QProcess last;
    last.start(ORDERLENS_BINARY, {"train", "--run", run, "--resume"});
    QVERIFY(last.waitForFinished(600000));
    QVERIFY2(last.exitCode() == 0, last.readAllStandardError().constData());
    compareRuns(reference_, run.toStdString());
}

void TestResume::interruptExitsWithResumeHint()
{
    const QString run = dir_.filePath("interrupted.h5");
    QProcess child;
    QString seen;
    child.start(ORDERLENS_BINARY, trainArguments(resumeConfig(), run));
    QVERIFY(child.waitForStarted());
    QVERIFY2(waitForOutput(child, "network 1 epoch 0 (1 of 3):", seen), qPrintable(seen));
    ::kill(pid_t(child.processId()), SIGINT);
    QVERIFY(child.waitForFinished(120000));
    seen += QString::fromLocal8Bit(child.readAllStandardOutput());
    QCOMPARE(child.exitCode(), 130);
    QVERIFY2(seen.contains("--resume"), qPrintable(seen));
    // The cooperative stop keeps network 0's completed first epoch and nothing after it.
    QCOMPARE(RunFile(run.toStdString()).epochsDone(), (std::vector<int>{1, 0}));

    QProcess resumed;
    resumed.start(ORDERLENS_BINARY, {"train", "--run", run, "--resume"});
    QVERIFY(resumed.waitForFinished(600000));
    QCOMPARE(resumed.exitCode(), 0);
    compareRuns(reference_, run.toStdString());
}

void TestResume::cliRefusesToClobberOrReconfigure()
{
    QProcess p;
    p.start(ORDERLENS_BINARY, trainArguments(resumeConfig(), QString::fromStdString(reference_)));
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 1);
    QVERIFY(p.readAllStandardError().contains("--force"));

    p.start(ORDERLENS_BINARY, {"train", "--run", QString::fromStdString(reference_), "--resume", "--epochs", "9"});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 1);
    QVERIFY(p.readAllStandardError().contains("--epochs"));

    p.start(ORDERLENS_BINARY, {"train", "--epochs", "2"});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 1);
    QVERIFY(p.readAllStandardError().contains("--run"));
}

void TestResume::changedImagesAreRefused()
{
    // An interrupted run on a small IDX dataset whose images then change by one byte: same files,
    // names and labels, different pixels. Resuming and exploring are refused, saying so.
    QTemporaryDir dir;
    ExperimentConfig c = test::quickFixtureConfig(dir);
    c.networks = 1;
    const std::string run = dir.filePath("changed.h5").toStdString();
    test::trainRun(c, run, 1);
    const std::string images = dir.filePath("fixture/train-images-idx3-ubyte").toStdString();
    {
        std::fstream f(images, std::ios::in | std::ios::out | std::ios::binary);
        f.seekg(16 + 5 * 256 + 100);  // header, then image 5, pixel 100
        char byte = 0;
        f.read(&byte, 1);
        byte = char(byte ^ 0x40);
        f.seekp(16 + 5 * 256 + 100);
        f.write(&byte, 1);
        QVERIFY(f.good());
    }
    try {
        Trainer::resume(run).run();
        QFAIL("resumed against changed images");
    } catch (const InputError& e) {
        QVERIFY2(std::string(e.what()).find("changed since this run was made") != std::string::npos, e.what());
    }
    QCOMPARE(RunFile(run).epochsDone(), std::vector<int>{1});
    const auto explored = ui::RunImages::load(run);
    QVERIFY(!explored->hasImages());
    QVERIFY2(explored->datasetProblem().find("changed since this run was made") != std::string::npos,
             explored->datasetProblem().c_str());
}

QTEST_GUILESS_MAIN(TestResume)
#include "tst_resume.moc"
