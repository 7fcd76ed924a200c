// A run read while another process trains it: concurrent readers and statistics writers, the
// single-writer claim (a second writer refused, a killed writer taken over), and incremental
// following of a growing run.

#include "common/Errors.h"
#include "storage/RunFile.h"
#include "storage/RunFollower.h"
#include "storage/RunProgress.h"
#include "training/Trainer.h"

#include <hdf5.h>

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

using namespace orderlens;
namespace fs = std::filesystem;

namespace {

// A Fashion-MNIST subset on which one epoch takes a moment, so that readers overlap the writer.
constexpr int kEpochs = 8;

QStringList trainArguments(const QString& run, int epochs = kEpochs)
{
    return {"train",     "--dataset", "fashion-mnist", "--limit-train", "1500", "--limit-test", "300",
            "--networks", "2",        "--epochs",      QString::number(epochs), "--batch-size", "32",
            "--lr",      "0.05",      "--seed",        "11",          "--device", "cpu", "--threads", "1",
            "--run",     run};
}

ino_t inodeOf(const std::string& path)
{
    struct stat st = {};
    if (::stat(path.c_str(), &st) != 0)
        return 0;
    return st.st_ino;
}

// Waits until the run exists and `network` has completed at least `epochs` epochs.
bool waitForEpochs(const std::string& path, QProcess& writer, int network, int epochs)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 300000) {
        if (fs::exists(path)) {
            try {
                if (RunFile(path).epochsDone()[std::size_t(network)] >= epochs)
                    return true;
            } catch (const InputError&) {
                return false;
            }
        }
        if (writer.state() == QProcess::NotRunning)
            return false;
        QTest::qWait(50);
    }
    return false;
}

int runCli(const QStringList& args, QString* output = nullptr)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(ORDERLENS_BINARY, args);
    p.waitForFinished(600000);
    if (output)
        *output = QString::fromLocal8Bit(p.readAll());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : 128 + p.exitCode();
}

void compareRecords(const std::string& a, const std::string& b)
{
    const RunFile x(a), y(b);
    QCOMPARE(x.epochsDone(), y.epochsDone());
    for (int n = 0; n < x.shape().networks; ++n)
        for (int e = 0; e < x.epochsDone()[std::size_t(n)]; ++e)
            for (RecordSet set : {RecordSet::Train, RecordSet::Test}) {
                const SplitRecords p = x.readRecords(set, n, e), q = y.readRecords(set, n, e);
                QCOMPARE(p.correct, q.correct);
                QCOMPARE(p.predicted, q.predicted);
                QCOMPARE(std::memcmp(p.pTrue.data(), q.pTrue.data(), p.pTrue.size() * sizeof(float)), 0);
                QCOMPARE(std::memcmp(p.margin.data(), q.margin.data(), p.margin.size() * sizeof(float)), 0);
            }
}

// Writes the /writer announcement directly with HDF5, as a writer on another host would have
// left it: an independent writer of the documented compound layout (docs/FORMAT.md).
void forgeWriter(const std::string& path, const std::string& host, long long pid, double heartbeat)
{
    struct Record {
        char host[64];
        long long pid;
        double started, heartbeat;
        int active;
    } r = {};
    std::strncpy(r.host, host.c_str(), sizeof r.host - 1);
    r.pid = pid;
    r.started = heartbeat - 100;
    r.heartbeat = heartbeat;
    r.active = 1;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl);
    QVERIFY(file >= 0);
    const hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, 64);
    const hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(Record));
    H5Tinsert(t, "host", HOFFSET(Record, host), str);
    H5Tinsert(t, "pid", HOFFSET(Record, pid), H5T_NATIVE_LLONG);
    H5Tinsert(t, "started", HOFFSET(Record, started), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "heartbeat", HOFFSET(Record, heartbeat), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "active", HOFFSET(Record, active), H5T_NATIVE_INT);
    const hid_t ds = H5Dopen2(file, "writer", H5P_DEFAULT);
    QVERIFY(H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &r) >= 0);
    H5Dclose(ds);
    H5Tclose(t);
    H5Tclose(str);
    H5Fclose(file);
    H5Pclose(fapl);
}

double now() { return double(std::time(nullptr)); }

}  // namespace

class TestLiveRun : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(home_.isValid());
        qputenv("HOME", home_.path().toLocal8Bit());
        qputenv("XDG_CACHE_HOME", (home_.path() + "/cache").toLocal8Bit());
        QVERIFY(dir_.isValid());
        // The undisturbed run every disturbed one must reproduce exactly.
        reference_ = dir_.filePath("reference.h5").toStdString();
        QString out;
        QCOMPARE(runCli(trainArguments(QString::fromStdString(reference_)), &out), 0);
    }

    void readersAndStatisticsWhileTraining()
    {
        const std::string path = dir_.filePath("live.h5").toStdString();
        QProcess writer;
        writer.setProcessChannelMode(QProcess::MergedChannels);
        writer.start(ORDERLENS_BINARY, trainArguments(QString::fromStdString(path)));
        QVERIFY(writer.waitForStarted());
        QVERIFY2(waitForEpochs(path, writer, 0, 0), "the run file never appeared");
        const ino_t inode = inodeOf(path);

        std::vector<int> last(2, 0);
        int reads = 0, cliRuns = 0, rounds = 0, sawWriter = 0;
        bool statisticsAdded = false, cliStatisticsAdded = false;
        while (writer.state() != QProcess::NotRunning || rounds == 0) {
            ++rounds;
            try {
                RunFile run(path);
                for (std::size_t n = 0; n < 2; ++n) {
                    QVERIFY2(run.epochsDone()[n] >= last[n], "a network's completed epochs went backwards");
                    last[n] = run.epochsDone()[n];
                    if (last[n] > 0) {
                        const SplitRecords r = run.readRecords(RecordSet::Test, int(n), last[n] - 1);
                        QCOMPARE(r.correct.size(), std::size_t(300));
                        ++reads;
                    }
                }
                const RunProgress progress = readRunProgress(run);
                if (progress.writerLive && !progress.complete()) {
                    QCOMPARE(progress.writer.pid, std::int64_t(writer.processId()));
                    ++sawWriter;
                }
                if (!statisticsAdded && last[0] >= 1) {
                    // Statistics added in this process while the other one writes the records.
                    run.writeMetrics({{"probe", std::vector<double>(run.manifest().keys.size(), 0.25)}});
                    statisticsAdded = true;
                }
            } catch (const std::exception& e) {
                QFAIL(qPrintable(QString("a read failed while the run was trained: ") + e.what()));
            }
            // The commands run while epochs are being added (not before the first one is there).
            if (reads > 0 && rounds % 4 == 1) {
                QString out;
                const QString run = QString::fromStdString(path);
                QCOMPARE(runCli({"status", "--run", run}, &out), 0);
                QVERIFY2(out.contains("epochs recorded"), qPrintable(out));
                QCOMPARE(runCli({"export", "--run", run, "--records", dir_.filePath("live.csv")}, &out), 0);
                if (!cliStatisticsAdded) {
                    QCOMPARE(runCli({"metrics", "--run", run, "--metrics", "entropy"}, &out), 0);
                    cliStatisticsAdded = true;
                }
                ++cliRuns;
            }
            QTest::qWait(20);
        }
        QCOMPARE(writer.exitStatus(), QProcess::NormalExit);
        QVERIFY2(writer.exitCode() == 0, writer.readAll().constData());
        QVERIFY(reads > 0);
        QVERIFY(cliRuns > 0);
        QVERIFY2(sawWriter > 0, "no read saw the writer at work: the run was over before the readers started");
        QVERIFY(statisticsAdded && cliStatisticsAdded);
        QCOMPARE(inodeOf(path), inode);  // never copied and renamed over

        compareRecords(path, reference_);
        const RunFile run(path);
        QVERIFY(!run.writer().active);
        const std::vector<std::string> names = run.metricNames();
        QVERIFY(std::find(names.begin(), names.end(), "probe") != names.end());
        QVERIFY(std::find(names.begin(), names.end(), "entropy") != names.end());
        QCOMPARE(run.readMetric("probe")[0], 0.25);
        QString out;
        QCOMPARE(runCli({"verify", "--run", QString::fromStdString(path)}, &out), 0);
    }

    // `orderlens status` names the run by its path, whatever its length (it was formatted into a
    // 256-byte buffer, which cut a long path and the counts after it). Expected line by hand.
    void progressNamesALongPathWhole()
    {
        RunProgress progress;
        progress.path = "/data/" + std::string(300, 'x') + "/run.h5";
        progress.epochs = 3;
        progress.networks.resize(2);
        progress.networks[0].epochsDone = 3;
        progress.networks[1].epochsDone = 1;
        const std::string text = describeRunProgress(progress);
        QCOMPARE(text.substr(0, text.find('\n')), progress.path + ": 2 networks x 3 epochs, 4 of 6 epochs recorded");
    }

    void secondWriterIsRefused()
    {
        const std::string path = dir_.filePath("claimed.h5").toStdString();
        QProcess writer;
        writer.start(ORDERLENS_BINARY, trainArguments(QString::fromStdString(path)));
        QVERIFY(writer.waitForStarted());
        QVERIFY2(waitForEpochs(path, writer, 0, 1), "the first writer completed no epoch");

        QString out;
        QCOMPARE(runCli({"train", "--run", QString::fromStdString(path), "--resume"}, &out), 1);
        QVERIFY2(out.contains(":" + QString::number(writer.processId())) && out.contains("being written by"),
                 qPrintable(out));
        // The desktop application resumes through the same Trainer.
        try {
            Trainer::resume(path).run();
            QFAIL("a second writer started");
        } catch (const WriterBusyError& e) {
            QCOMPARE(e.writer().pid, std::int64_t(writer.processId()));
        }
        QVERIFY_THROWS_EXCEPTION(WriterBusyError, RunWriter{path});

        // `status --watch` follows the run until it completes, then exits.
        QProcess watch;
        watch.setProcessChannelMode(QProcess::MergedChannels);
        watch.start(ORDERLENS_BINARY, {"status", "--run", QString::fromStdString(path), "--watch"});
        QVERIFY(watch.waitForStarted());
        QVERIFY(writer.waitForFinished(600000));
        QCOMPARE(writer.exitCode(), 0);
        QVERIFY(watch.waitForFinished(60000));
        QCOMPARE(watch.exitCode(), 0);
        const QString watched = QString::fromLocal8Bit(watch.readAll());
        QVERIFY2(watched.contains("being trained by") && watched.trimmed().contains("State: complete"),
                 qPrintable(watched));
        compareRecords(path, reference_);
        QCOMPARE(runCli({"verify", "--run", QString::fromStdString(path)}, &out), 0);
    }

    void killedWriterIsTakenOver()
    {
        const std::string path = dir_.filePath("killed.h5").toStdString();
        QProcess writer;
        writer.start(ORDERLENS_BINARY, trainArguments(QString::fromStdString(path)));
        QVERIFY(writer.waitForStarted());
        QVERIFY2(waitForEpochs(path, writer, 0, 1), "the writer completed no epoch");
        const qint64 pid = writer.processId();
        writer.kill();
        writer.waitForFinished();
        const RunWriterInfo stale = RunFile(path).writer();
        QVERIFY(stale.active);  // it never released its claim
        QCOMPARE(stale.pid, std::int64_t(pid));
        QVERIFY(!stale.live());  // but its process is gone

        QString out;
        QCOMPARE(runCli({"train", "--run", QString::fromStdString(path), "--resume"}, &out), 0);
        compareRecords(path, reference_);
        QVERIFY(!RunFile(path).writer().active);
    }

    void writerOnAnotherHost()
    {
        const std::string path = dir_.filePath("remote.h5").toStdString();
        fs::copy_file(reference_, path);
        // Fresh heartbeat from another host: that writer is alive.
        forgeWriter(path, "gpu-node-7", 4242, now());
        try {
            RunWriter w(path);
            QFAIL("took over a live writer on another host");
        } catch (const WriterBusyError& e) {
            QVERIFY(std::string(e.what()).find("gpu-node-7:4242") != std::string::npos);
        }
        // Its heartbeat stopped long ago: the claim is stale and is taken over.
        forgeWriter(path, "gpu-node-7", 4242, now() - 2 * RunWriterInfo::kStaleWriterSeconds);
        {
            RunWriter w(path);
            QCOMPARE(RunFile(path).writer().pid, std::int64_t(::getpid()));
        }
        QVERIFY(!RunFile(path).writer().active);
    }

    void followerReadsOnlyNewEpochs()
    {
        // The writer appends epochs one at a time; a follower polling in between reads each
        // (network, epoch) exactly once: E reads for E epochs, not E^2 / 2.
        const std::string path = dir_.filePath("follow.h5").toStdString();
        const RunFile source(reference_);
        Dataset ds;
        ds.name = "copy";
        ds.source = source.manifest().source;
        ds.classNames = source.manifest().classNames;
        const std::uint8_t px[1] = {0};
        for (std::size_t i = 0; i < source.manifest().keys.size(); ++i)
            ds.add(source.manifest().keys[i], source.manifest().splits[i], source.manifest().trueLabels[i], px, 1, 1, 1);
        RunShape shape = source.shape();
        RunFile::create(path, source.configJson(), ds, source.manifest().labels, shape, {});
        RunFollower follower(path);
        QCOMPARE(follower.poll().size(), std::size_t(0));
        std::size_t appended = 0;
        {
            RunWriter writer(path);
            for (int e = 0; e < shape.epochs; ++e)
                for (int n = 0; n < shape.networks; ++n) {
                    std::map<RecordSet, SplitRecords> records;
                    for (RecordSet set : {RecordSet::Train, RecordSet::Test})
                        records[set] = source.readRecords(set, n, e);
                    writer.appendEpoch(n, e, records, source.readSummary(n, e));
                    ++appended;
                    const auto added = follower.poll();
                    QCOMPARE(added.size(), std::size_t(1));
                    QCOMPARE(added[0], std::make_pair(n, e));
                    QCOMPARE(follower.rowsRead(), appended);
                    QVERIFY(follower.writer().active);
                    QCOMPARE(follower.correctBits(RecordSet::Test, n, e), source.readCorrectBits(RecordSet::Test, n, e));
                }
        }
        QCOMPARE(follower.poll().size(), std::size_t(0));
        QCOMPARE(follower.rowsRead(), std::size_t(shape.networks * shape.epochs));
        QVERIFY(!follower.writer().active);
    }

private:
    QTemporaryDir home_, dir_;
    std::string reference_;
};

QTEST_GUILESS_MAIN(TestLiveRun)
#include "tst_liverun.moc"
