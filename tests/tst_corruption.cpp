// A corruption campaign: hundreds of copies of a real run file with random byte flips (in
// metadata and in data) and truncations, each opened by the command line (verify, export,
// status) and by the desktop application's run-loading code. None may crash; each one is either
// reported as damaged or read correctly.

#include "analysis/RunAnalysis.h"
#include "monitor/RunSnapshot.h"
#include "storage/RunFile.h"

#include <QApplication>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <random>

using namespace orderlens;
namespace fs = std::filesystem;

namespace {

constexpr int kCopies = 300;
constexpr int kBatches = 6;  // test rows of kCopies / kBatches copies, each reported on its own
constexpr std::uint32_t kCampaignSeed = 20261129;  // the campaign is the same on every run

struct Outcome {
    int exitCode = 0;
    bool crashed = false;
    QByteArray output;
};

Outcome runCli(const QStringList& args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(ORDERLENS_BINARY, args);
    p.waitForFinished(120000);
    Outcome o;
    o.crashed = p.exitStatus() != QProcess::NormalExit || p.exitCode() >= 128;
    o.exitCode = p.exitCode();
    o.output = p.readAll();
    return o;
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Agreement of both splits as the live monitor computes it, for comparing a copy with the original.
std::vector<double> snapshotAgreement(const ui::RunSnapshot& s)
{
    std::vector<double> out;
    for (const auto& curve : {s.train, s.test})
        if (curve)
            for (const EpochAgreement& e : curve->epochs)
                out.push_back(e.agreement);
    return out;
}

}  // namespace

class TestCorruption : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(home_.isValid() && dir_.isValid());
        qputenv("HOME", home_.path().toLocal8Bit());
        qputenv("XDG_CACHE_HOME", (home_.path() + "/cache").toLocal8Bit());
        base_ = dir_.filePath("base.h5");
        Outcome o = runCli({"train", "--dataset", "fashion-mnist", "--limit-train", "300", "--limit-test", "100",
                            "--networks", "2", "--epochs", "3", "--batch-size", "32", "--seed", "5", "--device", "cpu",
                            "--threads", "1", "--run", base_});
        QVERIFY2(o.exitCode == 0, o.output.constData());
        o = runCli({"metrics", "--run", base_, "--metrics", "entropy"});
        QVERIFY2(o.exitCode == 0, o.output.constData());
        o = runCli({"export", "--run", base_, "--records", dir_.filePath("base.csv")});
        QVERIFY2(o.exitCode == 0, o.output.constData());
        records_ = readAll(dir_.filePath("base.csv"));
        QVERIFY(records_.size() > 1000);
        original_ = ui::RunSnapshot::read(base_);
        QVERIFY(original_.ok());
    }

    void campaign_data()
    {
        QTest::addColumn<int>("first");
        for (int b = 0; b < kBatches; ++b) {
            const int first = b * kCopies / kBatches;
            QTest::addRow("copies %d-%d", first, first + kCopies / kBatches - 1) << first;
        }
    }

    void campaign()
    {
        QFETCH(int, first);
        const QByteArray pristine = readAll(base_);
        const QByteArray statistics = readAll(dir_.filePath("base.stats.h5"));
        QVERIFY(pristine.size() > 10000 && statistics.size() > 0);
        // One generator per copy: every copy is the same whichever rows run.
        int damaged = 0, intact = 0, truncations = 0, metadataFlips = 0, dataFlips = 0, cliRuns = 0;
        for (int k = first; k < first + kCopies / kBatches; ++k) {
            std::mt19937 rng(kCampaignSeed + std::uint32_t(k));
            QByteArray bytes = pristine;
            const int kind = k % 3;
            if (kind == 0) {
                bytes.truncate(int(rng() % std::uint32_t(bytes.size())));
                ++truncations;
            } else {
                // Metadata sits mostly near the start of the file (superblock, object headers,
                // chunk indexes); flips anywhere hit record chunks and metadata alike.
                const std::uint32_t span = kind == 1 ? std::uint32_t(std::min<int>(bytes.size(), 16384))
                                                     : std::uint32_t(bytes.size());
                const int flips = 1 + int(rng() % 8);
                for (int f = 0; f < flips; ++f)
                    bytes[int(rng() % span)] = char(bytes[int(rng() % span)] ^ char(1 + rng() % 255));
                ++(kind == 1 ? metadataFlips : dataFlips);
            }
            const QString copy = dir_.filePath(QString("copy%1.h5").arg(k));
            {
                QFile out(copy);
                QVERIFY(out.open(QIODevice::WriteOnly));
                out.write(bytes);
                QFile side(dir_.filePath(QString("copy%1.stats.h5").arg(k)));
                QVERIFY(side.open(QIODevice::WriteOnly));
                side.write(statistics);
            }
            const QString what = QString("copy %1 (%2)").arg(k).arg(kind == 0 ? "truncated" : "bytes flipped");

            const Outcome verify = runCli({"verify", "--run", copy});
            ++cliRuns;
            QVERIFY2(!verify.crashed, qPrintable(what + " crashed orderlens verify: " + verify.output));
            QVERIFY2(verify.exitCode == 0 || verify.exitCode == 1, qPrintable(what + ": " + verify.output));
            const bool ok = verify.exitCode == 0;
            if (!ok)
                QVERIFY2(verify.output.contains("DAMAGED"), qPrintable(what + ": " + verify.output));
            ++(ok ? intact : damaged);

            if (ok || k % 5 == 1) {
                const QString csv = dir_.filePath(QString("copy%1.csv").arg(k));
                const Outcome exported = runCli({"export", "--run", copy, "--records", csv});
                ++cliRuns;
                QVERIFY2(!exported.crashed, qPrintable(what + " crashed orderlens export: " + exported.output));
                QVERIFY2(exported.exitCode == 0 || exported.exitCode == 1, qPrintable(what + ": " + exported.output));
                if (exported.exitCode == 0)
                    QVERIFY2(readAll(csv) == records_, qPrintable(what + ": export succeeded with wrong records"));
                else
                    QVERIFY2(exported.output.contains(copy.toLocal8Bit()), qPrintable(what + ": " + exported.output));
                QVERIFY2(!QFile::exists(csv + ".writing"), qPrintable(what + ": export left a half-written file"));
                QFile::remove(csv);
            }
            if (k % 10 == 2) {
                const Outcome status = runCli({"status", "--run", copy});
                ++cliRuns;
                QVERIFY2(!status.crashed, qPrintable(what + " crashed orderlens status: " + status.output));
                QVERIFY2(status.exitCode == 0 || status.exitCode == 1, qPrintable(what + ": " + status.output));
            }

            // The desktop application's loading code, in this process: a crash ends the test.
            const ui::RunSnapshot snapshot = ui::RunSnapshot::read(copy);
            if (snapshot.ok())
                QCOMPARE(snapshotAgreement(snapshot), snapshotAgreement(original_));
            try {
                const RunFile run(copy.toStdString());
                AnalysisOptions options;
                options.correlation.bootstrapResamples = 0;
                options.threads = 1;
                const RunAnalysis a = analyseRun(run, options);
                QVERIFY(!a.splits.empty());
            } catch (const std::exception& e) {
                QVERIFY2(QString(e.what()).contains(copy), qPrintable(what + ": " + e.what()));
                QVERIFY2(!ok, qPrintable(what + ": analysis failed on a file that verify found intact: " + e.what()));
            }
            QFile::remove(copy);
            QFile::remove(dir_.filePath(QString("copy%1.stats.h5").arg(k)));
        }
        qInfo("%d copies (%d truncated, %d with flips near the start, %d with flips anywhere): %d reported damaged, "
              "%d intact and read correctly; %d command runs, no crash",
              kCopies / kBatches, truncations, metadataFlips, dataFlips, damaged, intact, cliRuns);
        QVERIFY(damaged > kCopies / kBatches / 2);
    }

private:
    QTemporaryDir home_, dir_;
    QString base_;
    QByteArray records_;
    ui::RunSnapshot original_;
};

int main(int argc, char** argv)
{
    // A batch of copies runs a hundred command-line processes: more than Qt Test's default five
    // minutes per test function on a loaded two-core machine.
    qputenv("QTEST_FUNCTION_TIMEOUT", "1200000");
    QApplication app(argc, argv);
    TestCorruption t;
    return QTest::qExec(&t, argc, argv);
}
#include "tst_corruption.moc"
