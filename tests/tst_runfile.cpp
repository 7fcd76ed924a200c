// The run file: round trip, atomic epochs, a killed writer, damaged and foreign files.

#include "common/Errors.h"
#include "dataset/Dataset.h"
#include "storage/RunFile.h"

#include <hdf5.h>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

using namespace orderlens;
namespace fs = std::filesystem;

namespace {

// A dataset of `train` + `test` 2x2 grey images with labels i % classes.
Dataset makeDataset(std::size_t train, std::size_t test, int classes)
{
    Dataset ds;
    ds.name = "synthetic";
    ds.source = "synthetic:" + std::to_string(train) + "+" + std::to_string(test);
    for (int c = 0; c < classes; ++c)
        ds.classNames.push_back("c" + std::to_string(c));
    const std::uint8_t px[4] = {1, 2, 3, 4};
    for (std::size_t i = 0; i < train + test; ++i) {
        const bool isTest = i >= train;
        char key[32];
        std::snprintf(key, sizeof key, "%s/%06zu", isTest ? "test" : "train", isTest ? i - train : i);
        ds.add(key, isTest ? Split::Test : Split::Train, int(i % std::size_t(classes)), px, 2, 2, 1);
    }
    return ds;
}

// Deterministic records for (network, epoch): the content a reader must find again.
SplitRecords makeRecords(std::size_t images, int network, int epoch, int classes, bool prob)
{
    SplitRecords r;
    std::mt19937 rng(std::uint32_t(network * 1000 + epoch));
    for (std::size_t i = 0; i < images; ++i) {
        r.correct.push_back(std::uint8_t(rng() % 2));
        r.predicted.push_back(std::int64_t(rng() % std::uint32_t(classes)));
        r.pTrue.push_back(float(rng() % 1000) / 1000.0f);
        r.margin.push_back(float(int(rng() % 200) - 100) / 10.0f);
        if (prob)
            for (int c = 0; c < classes; ++c)
                r.prob.push_back(float(c) / float(classes));
    }
    return r;
}

std::map<RecordSet, SplitRecords> epochRecords(const RunFile& run, int network, int epoch)
{
    std::map<RecordSet, SplitRecords> m;
    for (RecordSet set : {RecordSet::Train, RecordSet::Test, RecordSet::TrainEval})
        if (run.hasRecordSet(set))
            m[set] = makeRecords(run.manifest().splitIndices(recordSetSplit(set)).size(),
                                 network * 10 + int(set), epoch, run.shape().classes, run.shape().probVectors);
    return m;
}

RunShape shapeOf(int networks, int epochs, int classes)
{
    RunShape s;
    s.networks = networks;
    s.epochs = epochs;
    s.classes = classes;
    return s;
}

// Child mode: appends epochs to an existing run as fast as it can, until killed.
int runWriter(const char* path)
{
    RunFile run(path);
    for (int e = 0; e < run.shape().epochs; ++e)
        for (int n = 0; n < run.shape().networks; ++n)
            run.appendEpoch(n, e, epochRecords(run, n, e), EpochSummary{double(e), 0.5, 0, 0, 0.1, 1});
    return 0;
}

void verifyEpochs(const RunFile& run)
{
    for (int n = 0; n < run.shape().networks; ++n)
        for (int e = 0; e < run.epochsDone()[std::size_t(n)]; ++e) {
            const auto expected = epochRecords(run, n, e);
            for (const auto& [set, want] : expected) {
                const SplitRecords got = run.readRecords(set, n, e);
                QCOMPARE(got.correct, want.correct);
                QCOMPARE(got.predicted, want.predicted);
                QCOMPARE(got.pTrue, want.pTrue);
                QCOMPARE(got.margin, want.margin);
            }
            QCOMPARE(run.readSummary(n, e).trainLoss, double(e));
        }
}

}  // namespace

class TestRunFile : public QObject {
    Q_OBJECT

private slots:
    void roundTrip()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("run.h5").toStdString();
        const Dataset ds = makeDataset(70, 13, 3);  // not multiples of 8: packing edge cases
        std::vector<std::int32_t> seen(ds.size());
        for (std::size_t i = 0; i < ds.size(); ++i)
            seen[i] = (ds.label(i) + 1) % 3;
        RunShape shape = shapeOf(2, 4, 3);
        shape.probVectors = true;
        shape.evalTrain = true;
        RunFile::create(path, R"({"architecture":"lenet5"})", ds, seen, shape, {{"program_version", "test"}});
        QVERIFY(!fs::exists(path + ".creating"));

        RunFile run(path);
        QCOMPARE(run.shape().networks, 2);
        QCOMPARE(run.shape().epochs, 4);
        QVERIFY(run.shape().probVectors && run.shape().evalTrain);
        QCOMPARE(run.configJson(), std::string(R"({"architecture":"lenet5"})"));
        QCOMPARE(run.provenance().at("program_version"), std::string("test"));
        QCOMPARE(run.manifest().keys.size(), std::size_t(83));
        QCOMPARE(run.manifest().keys[70], std::string("test/000000"));
        QCOMPARE(run.manifest().labels[4], (ds.label(4) + 1) % 3);
        QCOMPARE(run.manifest().trueLabels[4], ds.label(4));
        QCOMPARE(run.manifest().classNames[2], std::string("c2"));
        QCOMPARE(run.manifest().splitIndices(Split::Test).size(), std::size_t(13));
        QCOMPARE(run.manifest().fingerprint, ds.fingerprint());
        QCOMPARE(run.epochsDone(), (std::vector<int>{0, 0}));
        run.checkDataset(ds);

        for (int e = 0; e < 3; ++e)
            run.appendEpoch(0, e, epochRecords(run, 0, e), EpochSummary{double(e), 0.25, 2.5, 0.75, 0.01, 3});
        run.appendEpoch(1, 0, epochRecords(run, 1, 0), EpochSummary{});
        RunFile again(path);
        QCOMPARE(again.epochsDone(), (std::vector<int>{3, 1}));
        QCOMPARE(again.completeEpochs(), 1);
        verifyEpochs(again);
        const SplitRecords r = again.readRecords(RecordSet::Test, 0, 2);
        QCOMPARE(r.prob.size(), std::size_t(13 * 3));
        QCOMPARE(r.prob[1], 1.0f / 3.0f);
        const EpochSummary s = again.readSummary(0, 1);
        QCOMPARE(s.testAccuracy, 0.75);
        QCOMPARE(s.learningRate, 0.01);
        // The packed bits follow numpy's unpackbits(bitorder="little").
        const auto bits = again.readCorrectBits(RecordSet::Train, 0, 1);
        const auto want = makeRecords(70, 0, 1, 3, true).correct;
        QCOMPARE(bits.size(), std::size_t(9));
        for (std::size_t i = 0; i < 70; ++i)
            QCOMPARE(int((bits[i / 8] >> (i % 8)) & 1), int(want[i]));
    }

    void datasetMetricsGoIntoTheRun()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("run.h5").toStdString();
        Dataset ds = makeDataset(6, 2, 2);
        ds.metrics["object_size"] = {0.5, 0.25, NAN, 1, 1, 1, 0.1, 0.2};
        ds.metrics["illumination"] = {0, 1, 2, 3, 0, 1, 2, 3};
        ds.distinctValued.insert("illumination");
        const Dataset sub = ds.select({7, 1});
        QCOMPARE(sub.metrics.at("object_size"), (std::vector<double>{0.2, 0.25}));
        RunFile::create(path, "{}", ds, std::vector<std::int32_t>(8, 0), shapeOf(1, 1, 2), {});
        RunFile run(path);
        QCOMPARE(run.metricNames(), (std::vector<std::string>{"illumination", "object_size"}));
        QVERIFY(std::isnan(run.readMetric("object_size")[2]));
        QCOMPARE(run.distinctValuedMetrics(), std::set<std::string>{"illumination"});
    }

    void epochsAreWrittenInOrder()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("run.h5").toStdString();
        const Dataset ds = makeDataset(10, 5, 2);
        RunFile::create(path, "{}", ds, std::vector<std::int32_t>(15, 0), shapeOf(1, 3, 2), {});
        RunFile run(path);
        QVERIFY_THROWS_EXCEPTION(Error, run.appendEpoch(0, 1, epochRecords(run, 0, 1), {}));
        QVERIFY_THROWS_EXCEPTION(Error, run.appendEpoch(0, 3, epochRecords(run, 0, 3), {}));
        QVERIFY_THROWS_EXCEPTION(InputError, run.readRecords(RecordSet::Test, 0, 0));  // not written yet
        QVERIFY_THROWS_EXCEPTION(InputError, run.readRecords(RecordSet::TrainEval, 0, 0));
        run.appendEpoch(0, 0, epochRecords(run, 0, 0), {});
        run.appendEpoch(0, 0, epochRecords(run, 0, 0), {});  // rewriting the last epoch is allowed
        QCOMPARE(RunFile(path).epochsDone(), std::vector<int>{1});
    }

    void metricsColumns()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("run.h5").toStdString();
        const Dataset ds = makeDataset(6, 2, 2);
        RunFile::create(path, "{}", ds, std::vector<std::int32_t>(8, 0), shapeOf(1, 1, 2), {});
        RunFile run(path);
        QVERIFY(run.metricNames().empty());
        std::vector<double> entropy = {0, 1, 2, 3, 4, 5, 6, NAN};
        run.writeMetrics({{"entropy", entropy}, {"dct_percent", std::vector<double>(8, 1.5)}});
        QCOMPARE(run.metricNames(), (std::vector<std::string>{"dct_percent", "entropy"}));
        const auto back = run.readMetric("entropy");
        QCOMPARE(back[6], 6.0);
        QVERIFY(std::isnan(back[7]));
        run.writeMetrics({{"entropy", std::vector<double>(8, 9.0)}, {"rotation", std::vector<double>(8, 1.0)}},
                         {"rotation"});  // replace a column, add a distinct-valued one
        QCOMPARE(run.readMetric("entropy")[0], 9.0);
        QCOMPARE(run.distinctValuedMetrics(), std::set<std::string>{"rotation"});
        QVERIFY(!fs::exists(path + ".writing"));
        QVERIFY_THROWS_EXCEPTION(Error, run.writeMetrics({{"short", std::vector<double>(3, 0.0)}}));
        QVERIFY_THROWS_EXCEPTION(InputError, run.readMetric("missing"));
    }

    void killedWriterLeavesCompletedEpochs()
    {
        QTemporaryDir dir;
        // Large enough that writing an epoch takes a while, so kills land mid-write too.
        const Dataset ds = makeDataset(200000, 20000, 10);
        for (int trial = 0; trial < 6; ++trial) {
            const std::string path = dir.filePath(QString("killed%1.h5").arg(trial)).toStdString();
            RunFile::create(path, "{}", ds, std::vector<std::int32_t>(ds.size(), 1), shapeOf(2, 40, 10), {});
            QProcess writer;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert("ORDERLENS_TEST_WRITER", QString::fromStdString(path));
            writer.setProcessEnvironment(env);
            writer.start(QCoreApplication::applicationFilePath(), {});
            QVERIFY(writer.waitForStarted());
            // Wait for the first completed epoch, then kill at a different moment each trial.
            QElapsedTimer clock;
            clock.start();
            for (;;) {
                QVERIFY2(clock.elapsed() < 60000, "the writer completed no epoch within a minute");
                QVERIFY2(writer.state() == QProcess::Running, writer.readAllStandardError().constData());
                RunFile probe(path);
                if (probe.epochsDone()[0] > 0)
                    break;
                QTest::qWait(10);
            }
            QTest::qWait(37 * trial);
            writer.kill();  // SIGKILL: no destructor, no flush
            writer.waitForFinished();
            RunFile run(path);  // must open
            const int done = run.epochsDone()[0] + run.epochsDone()[1];
            QVERIFY2(done > 0, "the writer did not complete any epoch before the kill");
            QVERIFY(done < 80);
            verifyEpochs(run);
            // The run carries on where it stopped.
            const int n = run.epochsDone()[0] > run.epochsDone()[1] ? 1 : 0;
            const int e = run.epochsDone()[std::size_t(n)];
            run.appendEpoch(n, e, epochRecords(run, n, e), EpochSummary{double(e), 0, 0, 0, 0, 0});
            QCOMPARE(RunFile(path).epochsDone()[std::size_t(n)], e + 1);
            fs::remove(path);
        }
    }

    void rejectsForeignAndDamagedFiles()
    {
        QTemporaryDir dir;
        const std::string text = dir.filePath("notes.h5").toStdString();
        { std::ofstream f(text); f << "hello"; }
        QVERIFY_THROWS_EXCEPTION(InputError, RunFile{text});
        QVERIFY_THROWS_EXCEPTION(InputError, RunFile{dir.filePath("absent.h5").toStdString()});

        // A valid HDF5 file that is not a run.
        const std::string plain = dir.filePath("plain.h5").toStdString();
        H5Fclose(H5Fcreate(plain.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
        try {
            RunFile r(plain);
            QFAIL("opened a plain HDF5 file");
        } catch (const InputError& e) {
            QVERIFY(std::string(e.what()).find("not an OrderLens run") != std::string::npos);
        }

        // A newer layout version.
        const std::string path = dir.filePath("run.h5").toStdString();
        const Dataset ds = makeDataset(10, 5, 2);
        RunFile::create(path, "{}", ds, std::vector<std::int32_t>(15, 0), shapeOf(1, 2, 2), {});
        {
            hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
            hid_t a = H5Aopen(f, "layout_version", H5P_DEFAULT);
            const long long v = 99;
            H5Awrite(a, H5T_NATIVE_LLONG, &v);
            H5Aclose(a);
            H5Fclose(f);
        }
        try {
            RunFile r(path);
            QFAIL("opened a newer layout");
        } catch (const InputError& e) {
            QVERIFY(std::string(e.what()).find("layout version 99") != std::string::npos);
        }

        // A truncated file.
        const std::string cut = dir.filePath("cut.h5").toStdString();
        RunFile::create(cut, "{}", ds, std::vector<std::int32_t>(15, 0), shapeOf(1, 2, 2), {});
        fs::resize_file(cut, fs::file_size(cut) / 3);
        QVERIFY_THROWS_EXCEPTION(InputError, RunFile{cut});
    }

    void rejectsOtherDataset()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("run.h5").toStdString();
        RunFile::create(path, "{}", makeDataset(10, 5, 2), std::vector<std::int32_t>(15, 0), shapeOf(1, 2, 2), {});
        RunFile run(path);
        try {
            run.checkDataset(makeDataset(11, 5, 2));
            QFAIL("accepted another dataset");
        } catch (const InputError& e) {
            QVERIFY(std::string(e.what()).find("different dataset") != std::string::npos);
        }
    }

    void createRefusesMissingFolder()
    {
        QVERIFY_THROWS_EXCEPTION(InputError, RunFile::create("/no/such/folder/run.h5", "{}", makeDataset(4, 4, 2),
                                                             std::vector<std::int32_t>(8, 0), shapeOf(1, 1, 2), {}));
    }
};

int main(int argc, char** argv)
{
    if (const char* path = std::getenv("ORDERLENS_TEST_WRITER"))
        return runWriter(path);
    QCoreApplication app(argc, argv);
    TestRunFile t;
    return QTest::qExec(&t, argc, argv);
}
#include "tst_runfile.moc"
