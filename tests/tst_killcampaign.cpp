// Kill campaign (docs/RELIABILITY.md): `orderlens train` and `orderlens metrics` are killed
// with SIGKILL again and again at random moments, each resumed after the kill, and at the end
// the run must hold exactly the records and statistics of an uninterrupted run with the same
// seed, pass `orderlens verify`, and leave no temporary file behind.
//
// The moments: the campaign's random generator picks a crash point (core/common/CrashPoint.h:
// after a training batch, after an evaluation batch, with an epoch's records written but not
// flushed, flushed but not counted, counted but not checkpointed, with a checkpoint written but
// not renamed into place, with a new run or statistics file written but not renamed) and how
// many passes through it the child makes before it stops there and is killed; some kills come
// instead after a random delay, wherever the child then is. The generator's seed is reported
// (ORDERLENS_CHAOS_SEED repeats a campaign; ORDERLENS_CHAOS_KILLS changes its length).

#include "models/Networks.h"
#include "training/Checkpoint.h"

#include "OrderlensChild.h"
#include "RunComparison.h"

#include "storage/RunFile.h"
#include "storage/RunVerify.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>

using namespace orderlens;
namespace fs = std::filesystem;

namespace {

// Fashion-MNIST subset, the study's small "net" (the PyTorch tutorial's CNN), one thread:
// 2 networks x 5 epochs of 20 batches, 2 evaluation batches per epoch.
constexpr int kNetworks = 2;
constexpr int kEpochs = 5;
constexpr int kTrainImages = 500;
constexpr int kTestImages = 200;
constexpr int kBatch = 25;
constexpr int kBatchesPerEpoch = kTrainImages / kBatch;
constexpr int kEvaluationBatchesPerEpoch = kTestImages / (2 * kBatch);  // evaluation batches are twice as large
constexpr int kDefaultKills = 20;

QStringList trainArguments(const QString& run, int networks = kNetworks, int epochs = kEpochs)
{
    return {"train", "--dataset", "fashion-mnist", "--limit-train", QString::number(kTrainImages), "--limit-test",
            QString::number(kTestImages), "--architecture", "net", "--networks", QString::number(networks), "--epochs",
            QString::number(epochs), "--batch-size", QString::number(kBatch), "--lr", "0.05", "--random-crop",
            "--horizontal-flip", "--seed", "11", "--device", "cpu", "--threads", "1", "--keep-checkpoints", "--run", run};
}

QStringList metricsArguments(const QString& run)
{
    return {"metrics", "--run", run, "--metrics", "luminance,contrast", "--no-cache", "--threads", "1"};
}

std::string joined(const std::vector<std::string>& lines)
{
    std::string out;
    for (const auto& line : lines)
        out += (out.empty() ? "" : "; ") + line;
    return out;
}

}  // namespace

class TestKillCampaign : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void killedAgainAndAgainEndsAsIfNeverKilled();
    void killAfterTheLastRecordsKeepsTheTrainedNetwork_data();
    void killAfterTheLastRecordsKeepsTheTrainedNetwork();

private:
    QTemporaryDir referenceDir_;
    QString reference_;
};

void TestKillCampaign::initTestCase()
{
    QVERIFY(referenceDir_.isValid());
    reference_ = referenceDir_.filePath("reference.h5");
    const test::ChildOutcome trained = test::runOrderlens(trainArguments(reference_));
    QVERIFY2(trained.finished && trained.exitCode == 0, qPrintable(trained.errors));
    const test::ChildOutcome measured = test::runOrderlens(metricsArguments(reference_));
    QVERIFY2(measured.finished && measured.exitCode == 0, qPrintable(measured.errors));
}

void TestKillCampaign::killedAgainAndAgainEndsAsIfNeverKilled()
{
    const QByteArray seedText = qgetenv("ORDERLENS_CHAOS_SEED");
    const std::uint64_t seed = seedText.isEmpty() ? std::random_device{}() : seedText.toULongLong();
    const int kills = qEnvironmentVariableIsSet("ORDERLENS_CHAOS_KILLS") ? qEnvironmentVariableIntValue("ORDERLENS_CHAOS_KILLS")
                                                                          : kDefaultKills;
    qInfo("kill campaign: %d kills, seed %llu (repeat with ORDERLENS_CHAOS_SEED=%llu)", kills,
          static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
    std::mt19937_64 random(seed);
    auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(random); };

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString run = dir.filePath("run.h5");
    const std::string runPath = run.toStdString();
    const int total = kNetworks * kEpochs;
    std::map<std::string, int> killsAt;
    std::vector<std::string> firstRound = {"batch",        "evaluation",         "records-written",    "records-synced",
                                           "epoch-visible", "checkpoint-written", "statistics-written", "timed"};
    std::shuffle(firstRound.begin(), firstRound.end(), random);

    for (int k = 1; k <= kills; ++k) {
        const bool exists = fs::exists(runPath);
        int recorded = 0;
        if (exists) {
            const RunFile file(runPath);
            for (int d : file.epochsDone())
                recorded += d;
        }
        const int remaining = total - recorded;
        // Crash points the next child passes for sure, with how often per remaining network-epoch.
        std::map<std::string, int> points;
        if (remaining > 0)
            points = {{"batch", kBatchesPerEpoch}, {"evaluation", kEvaluationBatchesPerEpoch}, {"records-written", 1},
                      {"records-synced", 1},       {"epoch-visible", 1},   {"checkpoint-written", 1}};
        if (!exists)
            points["run-created"] = 0;
        else
            points["statistics-written"] = 0;
        // Every moment once (the run's creation first: only then is it possible), in random
        // order; then moments at random. "timed": after a random delay, wherever the child is then.
        std::string name;
        if (k == 1)
            name = "run-created";
        for (auto it = firstRound.begin(); name.empty() && it != firstRound.end(); ++it)
            if (*it == "timed" || points.count(*it)) {
                name = *it;
                firstRound.erase(it);
                break;
            }
        if (name.empty()) {
            if (uniform(0, 4) == 0) {
                name = "timed";
            } else {
                auto it = points.begin();
                std::advance(it, uniform(0, int(points.size()) - 1));
                name = it->first;
            }
        }
        const bool timed = name == "timed";
        const int perEpoch = timed ? 0 : points.at(name);
        const bool metrics = name == "statistics-written" || (timed && remaining == 0);
        const QStringList arguments = metrics ? metricsArguments(run)
                                      : exists ? QStringList{"train", "--run", run, "--resume"}
                                               : trainArguments(run);
        test::ChildOutcome outcome;
        std::string where;
        if (timed) {
            const int delay = uniform(0, 3000);
            where = std::string(metrics ? "metrics" : "train") + " after " + std::to_string(delay) + " ms";
            outcome = test::runOrderlens(arguments, {}, {}, delay);
        } else {
            // At most three network-epochs ahead, so that the campaign's kills spread over the run.
            const int pass = perEpoch == 0 ? 1 : uniform(1, perEpoch * std::min(remaining, 3));
            where = name + " pass " + std::to_string(pass);
            outcome = test::runOrderlens(arguments, QString::fromStdString(name + ":" + std::to_string(pass)));
            QVERIFY2(outcome.killed, qPrintable(QString::fromStdString(where) + " was never reached: " + outcome.errors));
        }
        if (!outcome.killed) {
            // The delay outlasted the child: it must have finished cleanly; this was no kill.
            QVERIFY2(outcome.finished && outcome.exitCode == 0, qPrintable(outcome.errors));
            --k;
            continue;
        }
        ++killsAt[name];
        qInfo("kill %d/%d: %s (%d of %d network-epochs recorded before)", k, kills, where.c_str(), recorded, total);
        // Whatever the moment, the run that exists is intact and readable.
        if (fs::exists(runPath)) {
            const RunVerification v = verifyRun(runPath);
            QVERIFY2(v.intact(), qPrintable(QString::fromStdString("after kill at " + where + ": " + joined(v.damage))));
        }
    }
    std::string tally;
    for (const auto& [name, count] : killsAt)
        tally += (tally.empty() ? "" : ", ") + name + " " + std::to_string(count);
    qInfo("kills by moment: %s", tally.c_str());

    // Finish: resume the training, then the statistics, each to the end.
    const test::ChildOutcome trained = test::runOrderlens(fs::exists(runPath) ? QStringList{"train", "--run", run, "--resume"}
                                                              : trainArguments(run));
    QVERIFY2(trained.finished && trained.exitCode == 0, qPrintable(trained.errors));
    const test::ChildOutcome measured = test::runOrderlens(metricsArguments(run));
    QVERIFY2(measured.finished && measured.exitCode == 0, qPrintable(measured.errors));

    const std::string difference = test::firstRecordDifference(reference_.toStdString(), runPath);
    QVERIFY2(difference.empty(), difference.c_str());
    const RunFile done(runPath), expected(reference_.toStdString());
    QCOMPARE(done.epochsDone(), std::vector<int>(kNetworks, kEpochs));
    QCOMPARE(done.metricNames(), expected.metricNames());
    for (const std::string& name : expected.metricNames())
        QVERIFY2(done.readMetric(name) == expected.readMetric(name), name.c_str());

    // The kept checkpoints and nothing else: no .creating, .writing or other leftover.
    QCOMPARE(test::folderEntries(dir.path().toStdString()), (std::vector<std::string>{"run.h5", "run.h5.ckpt", "run.stats.h5"}));
    QCOMPARE(test::folderEntries(Checkpoint::directory(runPath)), (std::vector<std::string>{"network-0.pt", "network-1.pt"}));
    // The kept networks are the trained ones: after the last epoch, with the uninterrupted run's weights.
    for (int n = 0; n < kNetworks; ++n) {
        auto loaded = [&](const std::string& path) {
            Classifier model = buildModel({"net", 1, 10, 28, 1e-5});
            torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
            const std::optional<int> epochs = Checkpoint::load(path, n, *model, sgd, torch::kCPU);
            return std::make_pair(epochs, model);
        };
        const auto [epochs, model] = loaded(runPath);
        const auto [referenceEpochs, referenceModel] = loaded(reference_.toStdString());
        QCOMPARE(epochs, std::optional<int>(kEpochs));
        QCOMPARE(referenceEpochs, std::optional<int>(kEpochs));
        const auto weights = model->named_parameters(), referenceWeights = referenceModel->named_parameters();
        QCOMPARE(weights.size(), referenceWeights.size());
        for (const auto& item : referenceWeights)
            QVERIFY2(torch::equal(weights[item.key()], item.value()), item.key().c_str());
    }

    QProcess verify;
    verify.start(ORDERLENS_BINARY, {"verify", "--run", run});
    QVERIFY(verify.waitForFinished(-1));
    const QString report = QString::fromLocal8Bit(verify.readAllStandardOutput());
    QVERIFY2(verify.exitStatus() == QProcess::NormalExit && verify.exitCode() == 0, qPrintable(report));
    QVERIFY2(report.contains("intact"), qPrintable(report));
}

void TestKillCampaign::killAfterTheLastRecordsKeepsTheTrainedNetwork_data()
{
    QTest::addColumn<QString>("point");
    QTest::newRow("checkpoint not yet written") << "epoch-visible:2";
    QTest::newRow("checkpoint written, not renamed") << "checkpoint-written:2";
}

// The records of the last epoch are complete, its checkpoint is not: resuming has no epoch left
// to record, but a run that keeps its checkpoints must still end with the trained network (not
// the one an epoch before) and without the half-finished checkpoint file.
void TestKillCampaign::killAfterTheLastRecordsKeepsTheTrainedNetwork()
{
    QFETCH(QString, point);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString run = dir.filePath("run.h5");
    const test::ChildOutcome killed = test::runOrderlens(trainArguments(run, 1, 2), point);
    QVERIFY2(killed.killed, qPrintable(killed.errors));
    QCOMPARE(RunFile(run.toStdString()).epochsDone(), std::vector<int>{2});
    const test::ChildOutcome resumed = test::runOrderlens({"train", "--run", run, "--resume"});
    QVERIFY2(resumed.finished && resumed.exitCode == 0, qPrintable(resumed.errors));
    QCOMPARE(test::folderEntries(Checkpoint::directory(run.toStdString())), std::vector<std::string>{"network-0.pt"});
    Classifier model = buildModel({"net", 1, 10, 28, 1e-5});
    torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
    QCOMPARE(Checkpoint::load(run.toStdString(), 0, *model, sgd, torch::kCPU), std::optional<int>(2));
}

QTEST_GUILESS_MAIN(TestKillCampaign)
#include "tst_killcampaign.moc"
