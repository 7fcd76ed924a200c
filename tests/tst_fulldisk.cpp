// Full disk (docs/RELIABILITY.md): training, statistics, export and analysis into a small
// tmpfs that fills up. Each must stop with exit status 1 and an error naming the file and
// "no space left", leave no half-written or temporary file, and leave every epoch completed
// before the disk filled readable, intact and resumable once there is space again. A run whose
// records cannot fit is refused before it is created, with the figures.
//
// Mounting needs root (as `bash packaging/setup.sh test` runs); elsewhere the test skips,
// saying so. The disk fills at a chosen moment: the child stops at a crash point
// (core/common/CrashPoint.h), the test fills the file system with a ballast file, and the
// child continues into the full disk.

#include "OrderlensChild.h"
#include "RunComparison.h"

#include "storage/RunFile.h"
#include "storage/RunVerify.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/mount.h>
#include <unistd.h>

using namespace orderlens;
namespace fs = std::filesystem;

namespace {

// Fashion-MNIST subset, 2 x "net" for 3 epochs, one thread; with probability vectors and the
// evaluation pass over the training images, one network-epoch's records take about 62 kB.
QStringList trainArguments(const QString& run)
{
    return {"train", "--dataset", "fashion-mnist", "--limit-train", "500", "--limit-test", "200", "--architecture",
            "net", "--networks", "2", "--epochs", "3", "--batch-size", "25", "--lr", "0.05", "--seed", "5",
            "--save-prob-vector", "--eval-train", "--device", "cpu", "--threads", "1", "--run", run};
}

constexpr int kBatchesPerEpoch = 20;

// Fills the file system holding `folder` with the file `ballast` until a write fails for want
// of space; returns that write's error.
int fillUp(const std::string& folder)
{
    const int fd = ::open((folder + "/ballast").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0)
        return errno;
    std::vector<char> block(64 * 1024, 'x');
    int error = 0;
    for (std::size_t size = block.size(); size >= 512 && !error; size /= 2) {
        for (;;) {
            const ssize_t written = ::write(fd, block.data(), size);
            if (written > 0)
                continue;
            if (written < 0 && errno != ENOSPC)
                error = errno;
            break;
        }
    }
    ::close(fd);
    return error ? error : ENOSPC;
}

// Whether a child stopped as it must when the disk filled: exit status 1 and an error naming the
// file (`named`) and the want of space. Its last line, what the user reads, goes to the log.
bool stoppedForWantOfSpace(const test::ChildOutcome& child, const QString& named)
{
    qInfo("%s", qPrintable(child.errors.trimmed().split('\n').last()));
    return child.finished && child.exitCode == 1 && child.errors.contains(named) &&
           child.errors.contains("no space left", Qt::CaseInsensitive);
}

// Temporary names any OrderLens writer uses (io/AtomicFile.h and the run's creation).
std::vector<std::string> temporaryFiles(const std::string& folder)
{
    std::vector<std::string> found;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
        const std::string name = entry.path().filename().string();
        if (name.find(".writing") != std::string::npos || name.find(".creating") != std::string::npos ||
            name.find(".tmp") != std::string::npos)
            found.push_back(entry.path().string());
    }
    return found;
}

}  // namespace

class TestFullDisk : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void trainRefusesRecordsThatCannotFit();
    void diskFillsWhileTraining_data();
    void diskFillsWhileTraining();
    void statisticsIntoAFullDisk();
    void exportIntoAFullDisk();
    void analysisIntoAFullDisk();

private:
    void mountWithSize(const char* size);
    QTemporaryDir work_;
    std::string mount_;
    bool mounted_ = false;
    QString reference_;
};

void TestFullDisk::initTestCase()
{
    if (::geteuid() != 0)
        QSKIP("mounting the small tmpfs this test fills needs root (bash packaging/setup.sh test runs as root)");
    QVERIFY(work_.isValid());
    mount_ = work_.filePath("disk").toStdString();
    fs::create_directories(mount_);
    if (::mount("tmpfs", mount_.c_str(), "tmpfs", 0, "size=8m") != 0)
        QSKIP(qPrintable(QString("cannot mount a tmpfs (%1): a container without the capability?").arg(std::strerror(errno))));
    mounted_ = true;
    // The uninterrupted run every resumed one must reproduce, on an ordinary disk.
    reference_ = work_.filePath("reference.h5");
    const test::ChildOutcome trained = test::runOrderlens(trainArguments(reference_));
    QVERIFY2(trained.finished && trained.exitCode == 0, qPrintable(trained.errors));
}

void TestFullDisk::cleanupTestCase()
{
    if (mounted_)
        QVERIFY2(::umount2(mount_.c_str(), MNT_DETACH) == 0, std::strerror(errno));
}

void TestFullDisk::init()
{
    // Every test function starts from an empty, roomy disk.
    for (const auto& entry : fs::directory_iterator(mount_))
        fs::remove_all(entry.path());
    mountWithSize("8m");
}

void TestFullDisk::mountWithSize(const char* size)
{
    const std::string options = std::string("size=") + size;
    QVERIFY2(::mount("tmpfs", mount_.c_str(), "tmpfs", MS_REMOUNT, options.c_str()) == 0, std::strerror(errno));
}

void TestFullDisk::trainRefusesRecordsThatCannotFit()
{
    // A 128 kB file system for records of about 375 kB.
    mountWithSize("128k");
    const QString run = QString::fromStdString(mount_ + "/run.h5");
    const test::ChildOutcome refused = test::runOrderlens(trainArguments(run));
    QVERIFY2(refused.finished && refused.exitCode == 1, qPrintable(refused.errors));
    qInfo("%s", qPrintable(refused.errors.trimmed()));
    QVERIFY2(refused.errors.contains(run), qPrintable(refused.errors));
    QVERIFY2(refused.errors.contains("no space left", Qt::CaseInsensitive), qPrintable(refused.errors));
    // The figures: what the records need, by hand: 6 network-epochs x (63 + 25 + 63 bytes of
    // correctness bits for 500 train, 200 test and 500 train-evaluation images, 1200 x 52 bytes
    // of prediction, p_true, margin and 10 probabilities, 7 x 8 bytes of summary) = 375 642
    // bytes = 0.38 MB; and what is free.
    QVERIFY2(refused.errors.contains("0.38 MB"), qPrintable(refused.errors));
    QVERIFY2(refused.errors.contains("2 networks x 3 epochs"), qPrintable(refused.errors));
    QVERIFY2(refused.errors.contains(" free"), qPrintable(refused.errors));
    QCOMPARE(test::folderEntries(mount_), std::vector<std::string>{});
}

void TestFullDisk::diskFillsWhileTraining_data()
{
    QTest::addColumn<QString>("point");
    QTest::addColumn<std::vector<int>>("completed");
    // Network 0 in its second epoch: the next write is that epoch's records.
    QTest::newRow("records") << QString("batch:%1").arg(kBatchesPerEpoch + 7) << std::vector<int>{1, 0};
    // Network 0's second epoch is recorded: the next write is its checkpoint.
    QTest::newRow("checkpoint") << "epoch-visible:2" << std::vector<int>{2, 0};
    // Network 1's first epoch is being evaluated (4 test and 10 training evaluation batches per
    // epoch); its records come next.
    QTest::newRow("evaluation") << "evaluation:50" << std::vector<int>{3, 0};
}

void TestFullDisk::diskFillsWhileTraining()
{
    QFETCH(QString, point);
    QFETCH(std::vector<int>, completed);
    const QString run = QString::fromStdString(mount_ + "/run.h5");
    int fillError = 0;
    const test::ChildOutcome full =
        test::runOrderlens(trainArguments(run), point, [&] { fillError = fillUp(mount_); });
    QVERIFY2(full.reachedCrashPoint, qPrintable(full.errors));
    QCOMPARE(fillError, ENOSPC);
    QVERIFY2(stoppedForWantOfSpace(full, QString::fromStdString(mount_)), qPrintable(full.errors));
    QCOMPARE(temporaryFiles(mount_), std::vector<std::string>{});

    // Every epoch completed before the disk filled is there, intact and readable.
    const RunVerification v = verifyRun(run.toStdString());
    QVERIFY2(v.intact(), v.damage.empty() ? "" : v.damage.front().c_str());
    const RunFile file(run.toStdString());
    QCOMPARE(file.epochsDone(), completed);
    for (int n = 0; n < 2; ++n)
        for (int e = 0; e < completed[std::size_t(n)]; ++e)
            QCOMPARE(file.readRecords(RecordSet::Test, n, e).correct.size(), std::size_t(200));

    // With space again, the run resumes to the records of an uninterrupted one.
    fs::remove(mount_ + "/ballast");
    const test::ChildOutcome resumed = test::runOrderlens({"train", "--run", run, "--resume"});
    QVERIFY2(resumed.finished && resumed.exitCode == 0, qPrintable(resumed.errors));
    const std::string difference = test::firstRecordDifference(reference_.toStdString(), run.toStdString());
    QVERIFY2(difference.empty(), difference.c_str());
    QCOMPARE(test::folderEntries(mount_), std::vector<std::string>{"run.h5"});
}

void TestFullDisk::statisticsIntoAFullDisk()
{
    const std::string run = mount_ + "/run.h5";
    fs::copy_file(reference_.toStdString(), run);
    const QStringList metrics = {"metrics", "--run", QString::fromStdString(run), "--no-cache", "--threads", "1",
                                 "--metrics"};
    const test::ChildOutcome first = test::runOrderlens(metrics + QStringList{"luminance"});
    QVERIFY2(first.finished && first.exitCode == 0, qPrintable(first.errors));
    const std::vector<double> luminance = RunFile(run).readMetric("mean_luminance");

    QCOMPARE(fillUp(mount_), ENOSPC);
    const test::ChildOutcome full = test::runOrderlens(metrics + QStringList{"contrast"});
    QVERIFY2(stoppedForWantOfSpace(full, "run.stats.h5"), qPrintable(full.errors));
    QCOMPARE(temporaryFiles(mount_), std::vector<std::string>{});
    // The statistics stored before are untouched.
    const RunFile after(run);
    QCOMPARE(after.metricNames(), std::vector<std::string>{"mean_luminance"});
    QVERIFY(after.readMetric("mean_luminance") == luminance);
}

void TestFullDisk::exportIntoAFullDisk()
{
    QCOMPARE(fillUp(mount_), ENOSPC);
    const QString records = QString::fromStdString(mount_ + "/records.csv");
    const test::ChildOutcome full = test::runOrderlens({"export", "--run", reference_, "--records", records});
    QVERIFY2(stoppedForWantOfSpace(full, records), qPrintable(full.errors));
    QCOMPARE(test::folderEntries(mount_), std::vector<std::string>{"ballast"});
}

void TestFullDisk::analysisIntoAFullDisk()
{
    // Room for the folder and a few tables, not for the figures and the report.
    mountWithSize("256k");
    const QString output = QString::fromStdString(mount_ + "/report");
    const test::ChildOutcome full = test::runOrderlens({"analyze", "--run", reference_, "--output", output});
    QVERIFY2(stoppedForWantOfSpace(full, output), qPrintable(full.errors));
    QCOMPARE(temporaryFiles(mount_), std::vector<std::string>{});
}

QTEST_GUILESS_MAIN(TestFullDisk)
#include "tst_fulldisk.moc"
