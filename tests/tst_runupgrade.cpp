// Older runs keep working: a layout-1 run file written by OrderLens before layout 2 (committed
// with the values its own program reported, tests/data/run-v1/README.md) is read, analysed and
// exported exactly as before, takes statistics without being changed, and upgrades to layout 2
// with its records unchanged.

#include "analysis/Agreement.h"
#include "common/Errors.h"
#include "storage/RunFile.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

using namespace orderlens;
namespace fs = std::filesystem;

namespace {

const QString kFixture = QStringLiteral(ORDERLENS_SOURCE_DIR "/tests/data/run-v1");

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

int runCli(const QStringList& args, QByteArray* output = nullptr)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(ORDERLENS_BINARY, args);
    p.waitForFinished(300000);
    if (output)
        *output = p.readAll();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : 128;
}

// agreement.csv as the layout-1 program wrote it: split,epoch,agreement,lower_bound,mean,std,agreed,union.
struct AgreementRow {
    QString split;
    int epoch;
    double agreement, lowerBound, mean, std;
};
std::vector<AgreementRow> expectedAgreement()
{
    std::vector<AgreementRow> rows;
    const QList<QByteArray> lines = readAll(kFixture + "/agreement.csv").split('\n');
    for (int i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> f = lines[i].split(',');
        if (f.size() < 6)
            continue;
        rows.push_back({QString(f[0]), f[1].toInt(), f[2].toDouble(), f[3].toDouble(), f[4].toDouble(), f[5].toDouble()});
    }
    return rows;
}

void checkAgreement(const RunFile& run)
{
    const std::vector<AgreementRow> expected = expectedAgreement();
    QCOMPARE(expected.size(), std::size_t(6));
    for (const AgreementRow& row : expected) {
        RecordSelection s;
        s.set = row.split == "train" ? RecordSet::Train : RecordSet::Test;
        const AgreementCurve curve = computeAgreement(run, s);
        const EpochAgreement& e = curve.epochs.at(std::size_t(row.epoch));
        QVERIFY(qAbs(e.agreement - row.agreement) < 1e-9);
        QVERIFY(qAbs(e.lowerBound - row.lowerBound) < 1e-9);
        QVERIFY(qAbs(e.meanAccuracy - row.mean) < 1e-9);
        QVERIFY(qAbs(e.stdAccuracy - row.std) < 1e-9);
    }
}

}  // namespace

class TestRunUpgrade : public QObject {
    Q_OBJECT

private slots:
    void init()
    {
        QVERIFY(dir_.isValid());
        qputenv("HOME", dir_.path().toLocal8Bit());
        qputenv("XDG_CACHE_HOME", (dir_.path() + "/cache").toLocal8Bit());
        path_ = dir_.filePath("old.h5");
        QFile::remove(path_);
        QFile::remove(path_ + ".v1-backup");
        QFile::remove(dir_.filePath("old.stats.h5"));
        QVERIFY(QFile::copy(kFixture + "/run-v1.h5", path_));
        QFile::setPermissions(path_, QFile::ReadOwner | QFile::WriteOwner);
    }

    void readsAndAnalysesLayout1()
    {
        const RunFile run(path_.toStdString());
        QCOMPARE(run.layoutVersion(), 1);
        QCOMPARE(run.epochsDone(), (std::vector<int>{3, 3}));
        QVERIFY(!run.writer().active);
        checkAgreement(run);
        const std::vector<std::string> names = run.metricNames();
        QVERIFY(std::find(names.begin(), names.end(), "entropy") != names.end());

        QByteArray out;
        QCOMPARE(runCli({"export", "--run", path_, "--records", dir_.filePath("out.csv")}, &out), 0);
        QCOMPARE(readAll(dir_.filePath("out.csv")), readAll(kFixture + "/records.csv"));
        QCOMPARE(runCli({"analyze", "--run", path_, "--output", dir_.filePath("an"), "--no-figures", "--bootstrap", "0"},
                        &out),
                 0);
        QVERIFY2(QFile::exists(dir_.filePath("an/agreement.csv")), out.constData());
        QCOMPARE(runCli({"verify", "--run", path_}, &out), 0);
        QVERIFY2(out.contains("layout 1"), out.constData());
    }

    void layout1TakesStatisticsUnchanged()
    {
        const QByteArray before = readAll(path_);
        RunFile run(path_.toStdString());
        run.writeMetrics({{"probe", std::vector<double>(run.manifest().keys.size(), 3.5)}});
        QCOMPARE(readAll(path_), before);
        QVERIFY(QFile::exists(dir_.filePath("old.stats.h5")));
        QCOMPARE(run.readMetric("probe")[7], 3.5);
        // The writer extends layout 2 only, and says how to get there.
        try {
            RunWriter w(path_.toStdString());
            QFAIL("a layout-1 file was opened for writing");
        } catch (const InputError& e) {
            QVERIFY(std::string(e.what()).find("orderlens upgrade") != std::string::npos);
        }
    }

    void upgradeKeepsRecords()
    {
        const std::vector<double> entropy = RunFile(path_.toStdString()).readMetric("entropy");
        QByteArray out;
        QCOMPARE(runCli({"upgrade", "--run", path_, "--keep-backup"}, &out), 0);
        QCOMPARE(readAll(path_ + ".v1-backup"), readAll(kFixture + "/run-v1.h5"));
        const RunFile run(path_.toStdString());
        QCOMPARE(run.layoutVersion(), 2);
        QCOMPARE(run.epochsDone(), (std::vector<int>{3, 3}));
        QCOMPARE(run.readMetric("entropy"), entropy);
        checkAgreement(run);
        QCOMPARE(runCli({"export", "--run", path_, "--records", dir_.filePath("up.csv")}, &out), 0);
        QCOMPARE(readAll(dir_.filePath("up.csv")), readAll(kFixture + "/records.csv"));
        QCOMPARE(runCli({"verify", "--run", path_}, &out), 0);
        // Once is enough: a layout-2 file is not upgraded again.
        QCOMPARE(runCli({"upgrade", "--run", path_}, &out), 1);
        QVERIFY2(out.contains("already a layout-2"), out.constData());
    }

    void upgradeWithoutBackupLeavesNothingBehind()
    {
        QByteArray out;
        QCOMPARE(runCli({"upgrade", "--run", path_}, &out), 0);
        QVERIFY(!QFile::exists(path_ + ".v1-backup"));
        QVERIFY(!QFile::exists(path_ + ".upgrading"));
        QCOMPARE(RunFile(path_.toStdString()).layoutVersion(), 2);
    }

private:
    QTemporaryDir dir_;
    QString path_;
};

QTEST_GUILESS_MAIN(TestRunUpgrade)
#include "tst_runupgrade.moc"
