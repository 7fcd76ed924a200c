#include "TaskRuns.h"

#include <QProcess>

#include <cstring>

namespace orderlens::test {

QStringList smallFashionTraining(int networks)
{
    return {"--dataset",  "fashion-mnist", "--limit-train", "600", "--limit-test", "200",  "--architecture",
            "net",        "--networks",    QString::number(networks), "--epochs",  "2",    "--batch-size",
            "64",         "--lr",          "0.05",          "--seed",     "11",         "--device", "cpu",
            "--threads",  "1"};
}

int runOrderlens(const QStringList& args, QString* output, int timeoutMs)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(ORDERLENS_BINARY, args);
    const bool finished = p.waitForFinished(timeoutMs);
    if (output)
        *output = QString::fromLocal8Bit(p.readAll());
    if (!finished) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

QString trainAllInOne(const QString& run)
{
    QString output;
    const int code = runOrderlens(QStringList{"train"} + smallFashionTraining() + QStringList{"--run", run}, &output);
    return code == 0 ? QString() : output + "(exit code " + QString::number(code) + ")";
}

namespace {

template <typename T>
bool sameBits(const std::vector<T>& a, const std::vector<T>& b)
{
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

}  // namespace

std::string recordDifference(const RunFile& expected, const RunFile& actual, int network)
{
    const std::size_t n = std::size_t(network);
    const std::string where = "network " + std::to_string(network);
    if (expected.epochsDone().at(n) != actual.epochsDone().at(n))
        return where + ": " + std::to_string(actual.epochsDone()[n]) + " epochs recorded, " +
               std::to_string(expected.epochsDone()[n]) + " expected";
    if (expected.manifest().keys != actual.manifest().keys || expected.manifest().labels != actual.manifest().labels)
        return "the runs have different images or labels";
    for (int e = 0; e < expected.epochsDone()[n]; ++e) {
        const std::string at = where + ", epoch " + std::to_string(e);
        for (RecordSet set : {RecordSet::Train, RecordSet::Test, RecordSet::TrainEval}) {
            if (expected.hasRecordSet(set) != actual.hasRecordSet(set))
                return at + ": " + recordSetName(set) + " records in one run only";
            if (!expected.hasRecordSet(set))
                continue;
            const SplitRecords a = expected.readRecords(set, network, e), b = actual.readRecords(set, network, e);
            if (a.correct != b.correct || a.predicted != b.predicted || !sameBits(a.pTrue, b.pTrue) ||
                !sameBits(a.margin, b.margin) || !sameBits(a.prob, b.prob))
                return at + ": the " + recordSetName(set) + " records differ";
        }
        const EpochSummary a = expected.readSummary(network, e), b = actual.readSummary(network, e);
        if (a.trainLoss != b.trainLoss || a.trainAccuracy != b.trainAccuracy || a.testLoss != b.testLoss ||
            a.testAccuracy != b.testAccuracy || a.learningRate != b.learningRate)
            return at + ": the summaries differ";
    }
    return {};
}

std::string recordDifference(const RunFile& expected, const RunFile& actual)
{
    if (expected.shape().networks != actual.shape().networks)
        return "the runs have different numbers of networks";
    for (int n = 0; n < expected.shape().networks; ++n)
        if (std::string difference = recordDifference(expected, actual, n); !difference.empty())
            return difference;
    return {};
}

}  // namespace orderlens::test
