// One network per process (`orderlens train --task K`): parts written by concurrent tasks read
// as one run, bit for bit equal to the run that trains every network in one process (the
// expected records come from that other program run, not from the code under test); partial
// runs, resuming a task, and the refusals that keep one writer per part.

#include "ErrorExpectation.h"
#include "Fixtures.h"
#include "TaskRuns.h"

#include "analysis/RunOverview.h"
#include "common/Errors.h"
#include "monitor/RunSnapshot.h"
#include "storage/RunFollower.h"
#include "training/Trainer.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>

using namespace orderlens;
namespace fs = std::filesystem;

namespace {

// Cancels the training after its first recorded epoch: an interrupted task, deterministically.
class StopAfterFirstEpoch : public TrainingObserver {
public:
    explicit StopAfterFirstEpoch(std::atomic<bool>& cancel) : cancel_(cancel) {}
    void onEpoch(const EpochProgress&) override { cancel_.store(true); }

private:
    std::atomic<bool>& cancel_;
};

}  // namespace

class TstTasks : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::string reference_;

    std::string path(const char* name) const { return (fs::path(dir_.path().toStdString()) / name).string(); }
    static QStringList train(const std::string& run, const QStringList& extra = {})
    {
        return QStringList{"train"} + test::smallFashionTraining() + QStringList{"--run", QString::fromStdString(run)} +
               extra;
    }
    static QStringList task(const std::string& run, int k) { return train(run, {"--task", QString::number(k)}); }

private slots:
    void initTestCase()
    {
        if (test::fashionMnistDir().empty())
            QSKIP("Debian's dataset-fashion-mnist is not installed");
        QVERIFY(dir_.isValid());
        // The expectation: the same configuration trained all in one process.
        reference_ = path("all-in-one.h5");
        const QString failure = test::trainAllInOne(QString::fromStdString(reference_));
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        QCOMPARE(RunFile(reference_).epochsDone(), std::vector<int>({2, 2, 2}));
    }

    void threeTasksAtOnceEqualTheAllInOneRun()
    {
        const std::string run = path("tasks.h5");
        std::vector<std::unique_ptr<QProcess>> tasks;
        for (int k = 0; k < 3; ++k) {
            tasks.push_back(std::make_unique<QProcess>());
            tasks.back()->setProcessChannelMode(QProcess::MergedChannels);
            tasks.back()->start(ORDERLENS_BINARY, task(run, k));
        }
        // Loading the dataset alone takes each of them far longer than starting the next.
        for (const auto& t : tasks)
            QVERIFY(t->waitForStarted());
        for (const auto& t : tasks)
            QCOMPARE(t->state(), QProcess::Running);
        for (int k = 0; k < 3; ++k) {
            QVERIFY(tasks[std::size_t(k)]->waitForFinished(300000));
            QVERIFY2(tasks[std::size_t(k)]->exitCode() == 0, tasks[std::size_t(k)]->readAll().constData());
        }
        for (int k = 0; k < 3; ++k)
            QVERIFY(fs::exists(RunFile::partPathFor(run, k)));
        QCOMPARE(QString::fromStdString(RunFile::partPathFor(run, 2)), QString::fromStdString(path("tasks.part-2.h5")));

        const RunFile merged(run), expected(reference_);
        QVERIFY(merged.madeOfParts());
        QCOMPARE(merged.epochsDone(), std::vector<int>({2, 2, 2}));
        QCOMPARE(merged.completeEpochs(), 2);
        const std::string difference = test::recordDifference(expected, merged);
        QVERIFY2(difference.empty(), difference.c_str());
        QCOMPARE(merged.provenance().at("training"), std::string("tasks"));
        QVERIFY(!merged.writer().live());

        // Other readers see one run: export writes the same table, verify reads every part.
        const QString exportedTasks = dir_.filePath("tasks.csv"), exportedReference = dir_.filePath("reference.csv");
        QCOMPARE(test::runOrderlens({"export", "--run", QString::fromStdString(run), "--records", exportedTasks}), 0);
        QCOMPARE(test::runOrderlens({"export", "--run", QString::fromStdString(reference_), "--records", exportedReference}),
                 0);
        QFile a(exportedTasks), b(exportedReference);
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        const QByteArray rows = a.readAll();
        QCOMPARE(rows.count('\n'), 1 + 3 * 2 * (600 + 200));
        QVERIFY(rows == b.readAll());
        QString out;
        QCOMPARE(test::runOrderlens({"verify", "--run", QString::fromStdString(run)}, &out), 0);
        QVERIFY2(out.contains("6 network-epochs"), qPrintable(out));
        QCOMPARE(test::runOrderlens({"status", "--run", QString::fromStdString(run)}, &out), 0);
        QVERIFY2(out.contains("State: complete"), qPrintable(out));
        // A folder of runs lists the run, not its parts.
        const std::vector<std::string> runs = findRunFiles(dir_.path().toStdString());
        QVERIFY(std::find(runs.begin(), runs.end(), run) != runs.end());
        for (int k = 0; k < 3; ++k)
            QVERIFY(std::find(runs.begin(), runs.end(), RunFile::partPathFor(run, k)) == runs.end());
        QVERIFY(RunFile::isPartPath("/data/x.part-12.h5") && !RunFile::isPartPath("/data/x.part-.h5") &&
                !RunFile::isPartPath("/data/x.h5"));
        // The checkpoints of a complete run are gone, each task removing its own.
        QVERIFY(!fs::exists(run + ".ckpt"));
    }

    void partsAppearAsTasksComplete()
    {
        const std::string run = path("partial.h5");
        QString out;
        QCOMPARE(test::runOrderlens(task(run, 1), &out), 0);
        RunFollower follower(run);
        QCOMPARE(follower.poll(), (std::vector<std::pair<int, int>>{{1, 0}, {1, 1}}));
        const RunFile& partial = follower.run();
        QCOMPARE(partial.epochsDone(), std::vector<int>({0, 2, 0}));
        QCOMPARE(partial.completeEpochs(), 0);
        const std::string difference = test::recordDifference(RunFile(reference_), partial, 1);
        QVERIFY2(difference.empty(), difference.c_str());
        QVERIFY_THROWS_EXCEPTION(InputError, partial.readRecords(RecordSet::Test, 0, 0));

        QCOMPARE(test::runOrderlens({"status", "--run", QString::fromStdString(run)}, &out), 0);
        QVERIFY2(out.contains("0 running, 1 complete, 0 interrupted, 2 not started"), qPrintable(out));
        QVERIFY2(out.contains("not started") && out.contains("complete"), qPrintable(out));

        // The desktop application's monitor reads the same: network 1's curves, nobody training.
        const ui::RunSnapshot snapshot = ui::RunSnapshot::read(QString::fromStdString(run));
        QVERIFY2(snapshot.ok(), qPrintable(snapshot.error));
        QCOMPARE(snapshot.epochsDone, std::vector<int>({0, 2, 0}));
        QVERIFY(snapshot.test.has_value());
        QCOMPARE(snapshot.test->networks, std::vector<int>({1}));
        QVERIFY(snapshot.interrupted() && !snapshot.trainedElsewhere());

        QCOMPARE(test::runOrderlens(task(run, 0), &out), 0);
        // Only the new network's epochs are read.
        QCOMPARE(follower.poll(), (std::vector<std::pair<int, int>>{{0, 0}, {0, 1}}));
        QCOMPARE(follower.run().epochsDone(), std::vector<int>({2, 2, 0}));

        // A part is no run of its own: opening it says which run to open.
        test::expectError([&] { RunFile{RunFile::partPathFor(run, 1)}; }, {"partial.part-1.h5", "partial.h5", "tasks"});
    }

    void resumedTaskEqualsTheAllInOneRun()
    {
        const std::string run = path("resumed.h5");
        // The configuration of the all-in-one run, as it stored it.
        const ExperimentConfig config =
            ExperimentConfig::fromStoredJson(nlohmann::json::parse(RunFile(reference_).configJson()));
        std::atomic<bool> cancel{false};
        StopAfterFirstEpoch stop(cancel);
        Trainer interrupted = Trainer::task(config, run, 2);
        QVERIFY_THROWS_EXCEPTION(Cancelled, interrupted.run(&stop, &cancel));
        QCOMPARE(RunFile(run).epochsDone(), std::vector<int>({0, 0, 1}));
        QVERIFY(fs::exists(run + ".ckpt/network-2.pt"));

        QString out;
        QCOMPARE(test::runOrderlens({"status", "--run", QString::fromStdString(run)}, &out), 0);
        QVERIFY2(out.contains("1 interrupted"), qPrintable(out));
        QVERIFY2(out.contains("orderlens train --run " + QString::fromStdString(run) + " --task 2 --resume"),
                 qPrintable(out));
        // A new start of an interrupted task would lose its epochs: it is refused.
        QVERIFY(test::runOrderlens(task(run, 2), &out) != 0);
        QVERIFY2(out.contains("--task 2 --resume"), qPrintable(out));

        QCOMPARE(test::runOrderlens({"train", "--run", QString::fromStdString(run), "--task", "2", "--resume"}, &out), 0);
        // Task 2 is network 3 on screen; with epoch 0 of 2 recorded it resumes at epoch 1, the second.
        QVERIFY2(out.contains("network 3: resuming at epoch 1 (2 of 2)"), qPrintable(out));
        const RunFile expected(reference_);
        QCOMPARE(RunFile(run).epochsDone(), std::vector<int>({0, 0, 2}));
        std::string difference = test::recordDifference(expected, RunFile(run), 2);
        QVERIFY2(difference.empty(), difference.c_str());

        // Resuming the run as a whole (the GUI's resume) trains the networks no task finished.
        QCOMPARE(test::runOrderlens({"train", "--run", QString::fromStdString(run), "--resume"}, &out), 0);
        const RunFile whole(run);
        QCOMPARE(whole.epochsDone(), std::vector<int>({2, 2, 2}));
        difference = test::recordDifference(expected, whole);
        QVERIFY2(difference.empty(), difference.c_str());
        QVERIFY(!fs::exists(run + ".ckpt"));
    }

    void oneWriterPerPartAndOneConfiguration()
    {
        const std::string run = path("refusals.h5");
        QString out;
        QCOMPARE(test::runOrderlens(task(run, 0), &out), 0);

        QVERIFY(test::runOrderlens(task(run, 3), &out) != 0);
        QVERIFY2(out.contains("--task 3") && out.contains("0 to 2"), qPrintable(out));
        QVERIFY(test::runOrderlens(train(run, {"--task", "1", "--lr", "0.2"}), &out) != 0);
        QVERIFY2(out.contains("lr 0.2 here, 0.05 in the run") && out.contains("same options"), qPrintable(out));
        QVERIFY(test::runOrderlens(train(run, {"--task", "1", "--force"}), &out) != 0);
        QVERIFY2(out.contains("--force cannot be combined with --task"), qPrintable(out));
        QVERIFY(test::runOrderlens(task(reference_, 1), &out) != 0);
        QVERIFY2(out.contains("trained all in one process"), qPrintable(out));
        QVERIFY(test::runOrderlens({"train", "--run", QString::fromStdString(reference_), "--task", "1", "--resume"}, &out) !=
                0);
        QVERIFY2(out.contains("resume it without --task"), qPrintable(out));

        // While this process holds network 1's part, a task for network 1 is refused, naming us.
        {
            const RunFile head(run);
            QVERIFY(head.createPart(1, {{"host", "test"}}));
            RunWriter holder(run, 1);
            QVERIFY(test::runOrderlens(task(run, 1), &out) != 0);
            QVERIFY2(out.contains("refusals.part-1.h5: is being written by"), qPrintable(out));
            QVERIFY2(out.contains(":" + QString::number(QCoreApplication::applicationPid())), qPrintable(out));
            QCOMPARE(test::runOrderlens({"status", "--run", QString::fromStdString(run)}, &out), 0);
            QVERIFY2(out.contains("1 running, 1 complete, 0 interrupted, 1 not started") &&
                         out.contains(":" + QString::number(QCoreApplication::applicationPid()) + " (heartbeat"),
                     qPrintable(out));
            test::expectError([&] { RunWriter second(run, 1); }, {"refusals.part-1.h5", "is being written by"});
        }

        // A part of another run put beside this one is named, by readers and tasks alike.
        fs::copy_file(RunFile::partPathFor(path("tasks.h5"), 2), RunFile::partPathFor(run, 2));
        test::expectError([&] { RunFile{run}; }, {"refusals.part-2.h5", "belongs to another run"});
        QVERIFY(test::runOrderlens(task(run, 2), &out) != 0);
        QVERIFY2(out.contains("refusals.part-2.h5: belongs to another run"), qPrintable(out));
        fs::remove(RunFile::partPathFor(run, 2));
        QCOMPARE(test::runOrderlens(task(run, 2), &out), 0);
        QCOMPARE(RunFile(run).epochsDone(), std::vector<int>({2, 0, 2}));
        // Training all in one over a run of tasks (--force) leaves none of its parts.
        QCOMPARE(test::runOrderlens(train(run, {"--force", "--networks", "1", "--epochs", "1"}), &out), 0);
        for (int k = 0; k < 3; ++k)
            QVERIFY(!fs::exists(RunFile::partPathFor(run, k)));
        QVERIFY(!RunFile(run).madeOfParts());
    }
};

QTEST_GUILESS_MAIN(TstTasks)
#include "tst_tasks.moc"
