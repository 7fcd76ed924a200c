// The training engine: learning-rate schedules, label corruption, the records it writes
// (docs/DEFINITIONS.md 2 and 7), reproducibility and gradient accumulation.

#include "DatasetFixtures.h"
#include "Fixtures.h"
#include "QuickTraining.h"

#include "common/Errors.h"
#include "dataset/DatasetReader.h"
#include "storage/RunFile.h"
#include "training/LabelCorruption.h"
#include "training/LearningRateSchedule.h"
#include "training/Trainer.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>

using namespace orderlens;
namespace fs = std::filesystem;

namespace {

// An IDX dataset of `side` x `side` noise images with the given labels.
std::string writeLabelledIdx(const QTemporaryDir& dir, const std::vector<int>& trainLabels,
                             const std::vector<int>& testLabels, int side)
{
    const std::string path = dir.filePath("labelled").toStdString();
    fs::create_directories(path);
    std::mt19937 engine(7);
    for (bool test : {false, true}) {
        const auto& labels = test ? testLabels : trainLabels;
        std::vector<std::uint8_t> pixels(labels.size() * std::size_t(side * side)), bytes(labels.begin(), labels.end());
        for (auto& p : pixels)
            p = std::uint8_t(engine() & 0xff);
        const std::string prefix = path + (test ? "/t10k" : "/train");
        test::writeIdxFile(prefix + "-images-idx3-ubyte", {std::uint32_t(labels.size()), std::uint32_t(side), std::uint32_t(side)},
                           pixels, false);
        test::writeIdxFile(prefix + "-labels-idx1-ubyte", {std::uint32_t(labels.size())}, bytes, false);
    }
    return "idx:" + path;
}

// Label corruption as docs/METRICS.md (Label corruption) specifies it, written out here: the
// SplitMix64 finaliser of (seed XOR "corrupt"), mt19937_64, and per training image in dataset
// order a uniform u from the top 53 bits, then a class (next draw modulo the class count) that
// replaces the label when u < p.
std::vector<std::int32_t> documentedCorruption(const Dataset& ds, double p, std::uint64_t seed)
{
    std::uint64_t x = seed ^ 0x636f727275707400ULL;  // "corrupt" in ASCII
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    std::mt19937_64 engine(x ^ (x >> 31));
    std::vector<std::int32_t> labels;
    for (std::size_t i = 0; i < ds.size(); ++i) {
        labels.push_back(ds.label(i));
        if (ds.split(i) != Split::Train)
            continue;
        const double u = double(engine() >> 11) / 9007199254740992.0;  // 2^53
        const auto replacement = std::int32_t(engine() % ds.classNames.size());
        if (u < p)
            labels.back() = replacement;
    }
    return labels;
}

void compareRuns(const std::string& a, const std::string& b, bool expectEqual)
{
    RunFile fa(a), fb(b);
    QCOMPARE(fa.epochsDone(), fb.epochsDone());
    bool allEqual = true;
    for (int n = 0; n < fa.shape().networks; ++n) {
        for (int e = 0; e < fa.epochsDone()[std::size_t(n)]; ++e) {
            for (RecordSet set : {RecordSet::Train, RecordSet::Test}) {
                const SplitRecords ra = fa.readRecords(set, n, e), rb = fb.readRecords(set, n, e);
                const bool equal = ra.correct == rb.correct && ra.predicted == rb.predicted &&
                                   std::memcmp(ra.pTrue.data(), rb.pTrue.data(), ra.pTrue.size() * sizeof(float)) == 0 &&
                                   std::memcmp(ra.margin.data(), rb.margin.data(), ra.margin.size() * sizeof(float)) == 0;
                if (expectEqual && !equal)
                    QFAIL(qPrintable(QString("records differ: network %1 epoch %2 set %3").arg(n).arg(e).arg(recordSetName(set))));
                allEqual = allEqual && equal;
            }
        }
    }
    if (!expectEqual)
        QVERIFY2(!allEqual, "runs with different seeds recorded identical values");
}

}  // namespace

class TestTraining : public QObject {
    Q_OBJECT

private slots:
    void scheduleNoneAndStep();
    void scheduleCosine();
    void scheduleOneCycle();
    void corruptionZeroKeepsLabels();
    void corruptionOneRandomisesReproducibly();
    void corruptionGrowsMonotonically();
    void recordsOnFashionMnist();
    void forcedClassIsCorrectExactlyForItsImages();
    void sameSeedGivesIdenticalRecords();
    void sideBySideMatchesOneAfterAnother();
    void microBatchesKeepTheEffectiveBatch();
    void multiLabelRecords();
    void corruptedRunStoresBothLabels();
    void refusesToOverwriteAndBadConfigurations();
    void presets();
};

void TestTraining::scheduleNoneAndStep()
{
    ExperimentConfig c;
    c.lr = 0.1;
    c.epochs = 6;
    c.scheduler = "none";
    LearningRateSchedule none(c, 3);
    QCOMPARE(none.learningRate(5, 2), 0.1);
    QCOMPARE(none.momentum(3, 0), c.momentum);
    c.scheduler = "step";
    c.stepSize = 2;
    c.stepGamma = 0.5;
    LearningRateSchedule step(c, 3);
    const double expected[] = {0.1, 0.1, 0.05, 0.05, 0.025, 0.025};
    for (int e = 0; e < 6; ++e)
        for (int b = 0; b < 3; ++b)
            QVERIFY(std::abs(step.learningRate(e, b) - expected[e]) < 1e-15);
}

void TestTraining::scheduleCosine()
{
    // CosineAnnealingLR(T_max = 4, eta_min = 0.001) from lr 0.1, one step per epoch.
    ExperimentConfig c;
    c.lr = 0.1;
    c.epochs = 4;
    c.scheduler = "cosine";
    c.etaMin = 0.001;
    LearningRateSchedule s(c, 7);
    const double expected[] = {0.1, 0.0855017856687341, 0.0505, 0.0154982143312659};
    for (int e = 0; e < 4; ++e) {
        QVERIFY(std::abs(s.learningRate(e, 0) - expected[e]) < 1e-12);
        QCOMPARE(s.learningRate(e, 6), s.learningRate(e, 0));  // constant within an epoch
    }
}

void TestTraining::scheduleOneCycle()
{
    // OneCycleLR(max_lr = 0.1, total_steps = 2 epochs x 5 batches), defaults: pct_start 0.3,
    // cos annealing, div_factor 25, final_div_factor 1e4, momentum cycled 0.95 -> 0.85 -> 0.95.
    ExperimentConfig c;
    c.lr = 0.1;
    c.epochs = 2;
    c.scheduler = "onecycle";
    LearningRateSchedule s(c, 5);
    const double lr[] = {0.004,  0.052,  0.1,    0.09504846320134738, 0.0811745653949763,
                         0.06112620219362893, 0.03887419780637107, 0.0188258346050237, 0.004951936798652629, 4e-07};
    const double momentum[] = {0.95, 0.9, 0.85, 0.854951556604879, 0.8688255099070633,
                               0.8888739533021842, 0.9111260466978157, 0.9311744900929366, 0.945048443395121, 0.95};
    for (int step = 0; step < 10; ++step) {
        QVERIFY2(std::abs(s.learningRate(step / 5, step % 5) - lr[step]) < 1e-12, qPrintable(QString::number(step)));
        QVERIFY(std::abs(s.momentum(step / 5, step % 5) - momentum[step]) < 1e-12);
    }
}

void TestTraining::corruptionZeroKeepsLabels()
{
    QTemporaryDir dir;
    const Dataset ds = loadDataset(test::quickFixtureConfig(dir).dataset);
    const auto labels = corruptLabels(ds, 0.0, 42);
    for (std::size_t i = 0; i < ds.size(); ++i)
        QCOMPARE(labels[i], ds.label(i));
}

void TestTraining::corruptionOneRandomisesReproducibly()
{
    QTemporaryDir dir;
    test::FixtureSpec spec;
    spec.trainCount = 2000;
    spec.testCount = 100;
    spec.height = spec.width = 2;
    spec.classes = 10;
    test::writeIdxDataset(dir.filePath("d").toStdString(), spec, false);
    const Dataset ds = loadDataset("idx:" + dir.filePath("d").toStdString());
    const auto a = corruptLabels(ds, 1.0, 5), b = corruptLabels(ds, 1.0, 5), other = corruptLabels(ds, 1.0, 6);
    QCOMPARE(a, b);
    QVERIFY(a != other);
    std::size_t changed = 0;
    std::vector<int> histogram(10, 0);
    for (std::size_t i = 0; i < ds.size(); ++i) {
        if (ds.split(i) == Split::Test) {
            QCOMPARE(a[i], ds.label(i));  // the test pass measures against the truth
            continue;
        }
        changed += a[i] != ds.label(i);
        ++histogram[std::size_t(a[i])];
    }
    // A uniform draw keeps the true class with probability 1/10: expect 1800 of 2000 changed
    // (binomial sd 13.4, so +-70 is over five sd), and every class about 200 times.
    QVERIFY2(changed > 1730 && changed < 1870, qPrintable(QString::number(changed)));
    for (int h : histogram)
        QVERIFY2(h > 130 && h < 270, qPrintable(QString::number(h)));
}

void TestTraining::corruptionGrowsMonotonically()
{
    QTemporaryDir dir;
    const Dataset ds = loadDataset(test::quickFixtureConfig(dir).dataset);
    const auto low = corruptLabels(ds, 0.2, 9), high = corruptLabels(ds, 0.6, 9);
    QCOMPARE(low, documentedCorruption(ds, 0.2, 9));
    QCOMPARE(high, documentedCorruption(ds, 0.6, 9));
    std::size_t lowChanged = 0;
    for (std::size_t i = 0; i < ds.size(); ++i) {
        if (low[i] != ds.label(i)) {
            ++lowChanged;
            QCOMPARE(high[i], low[i]);  // corrupted at 0.2 => corrupted the same way at 0.6
        }
    }
    QVERIFY(lowChanged > 0);
}

void TestTraining::recordsOnFashionMnist()
{
    if (test::fashionMnistDir().empty())
        QSKIP("Debian's dataset-fashion-mnist is not installed");
    QTemporaryDir dir;
    ExperimentConfig c;
    c.dataset = "fashion-mnist";
    c.limitTrain = 1000;
    c.limitTest = 300;
    c.inputSize = 32;
    c.networks = 2;
    c.epochs = 2;
    c.batchSize = 64;
    c.lr = 0.05;
    c.scheduler = "cosine";
    c.saveProbVector = true;
    c.evalTrain = true;
    c.device = "cpu";
    c.threads = 1;  // small networks gain nothing from more threads on a busy machine
    const std::string run = dir.filePath("fm.h5").toStdString();

    struct Counter : TrainingObserver {
        int batches = 0, epochs = 0;
        double lastFraction = 0;
        void onBatch(const BatchProgress& p) override
        {
            ++batches;
            QVERIFY(p.fraction >= lastFraction);
            lastFraction = p.fraction;
        }
        void onEpoch(const EpochProgress&) override { ++epochs; }
    } counter;
    Trainer(c, run).run(&counter);
    QCOMPARE(counter.epochs, 4);
    QCOMPARE(counter.batches, 4 * 16);  // ceil(1000 / 64) batches per epoch
    QCOMPARE(counter.lastFraction, 1.0);

    RunFile f(run);
    QCOMPARE(f.epochsDone(), (std::vector<int>{2, 2}));
    QCOMPARE(f.shape().classes, 10);
    QVERIFY(f.hasRecordSet(RecordSet::TrainEval));
    for (const char* key : {"program", "date", "device", "libtorch", "threads", "host", "blas", "network_seeds"})
        QVERIFY2(f.provenance().count(key), key);
    QCOMPARE(f.provenance().at("device"), std::string("cpu"));
    const ExperimentConfig stored = ExperimentConfig::fromJson(nlohmann::json::parse(f.configJson()));
    QCOMPARE(stored.toJson(), c.toJson());

    const auto& m = f.manifest();
    for (RecordSet set : {RecordSet::Train, RecordSet::Test, RecordSet::TrainEval}) {
        const auto indices = m.splitIndices(recordSetSplit(set));
        QCOMPARE(indices.size(), std::size_t(set == RecordSet::Test ? 300 : 1000));
        for (int n = 0; n < 2; ++n) {
            for (int e = 0; e < 2; ++e) {
                const SplitRecords r = f.readRecords(set, n, e);
                std::size_t correct = 0;
                for (std::size_t i = 0; i < indices.size(); ++i) {
                    const int label = m.labels[indices[i]];
                    QCOMPARE(bool(r.correct[i]), r.predicted[i] == label);
                    QVERIFY(r.pTrue[i] >= 0 && r.pTrue[i] <= 1);
                    // The label's logit beats every other exactly when the label is predicted.
                    QVERIFY(r.correct[i] ? r.margin[i] >= 0 : r.margin[i] <= 0);
                    const float* prob = r.prob.data() + i * 10;
                    float sum = 0;
                    for (int k = 0; k < 10; ++k)
                        sum += prob[k];
                    QVERIFY(std::abs(sum - 1) < 1e-4);
                    QCOMPARE(prob[label], r.pTrue[i]);
                    QCOMPARE(std::int64_t(std::max_element(prob, prob + 10) - prob), r.predicted[i]);
                    correct += r.correct[i];
                }
                const EpochSummary s = f.readSummary(n, e);
                const double accuracy = double(correct) / double(indices.size());
                if (set == RecordSet::Train)
                    QVERIFY(std::abs(s.trainAccuracy - accuracy) < 1e-12);
                if (set == RecordSet::Test)
                    QVERIFY(std::abs(s.testAccuracy - accuracy) < 1e-12);
            }
        }
    }
    // Two epochs of LeNet-5 on 1000 Fashion-MNIST images are well above chance (10 %).
    QVERIFY2(f.readSummary(0, 1).testAccuracy > 0.6, qPrintable(QString::number(f.readSummary(0, 1).testAccuracy)));
    QCOMPARE(f.readSummary(0, 0).learningRate, 0.05);  // cosine starts at lr
    QVERIFY(f.readSummary(0, 1).learningRate < 0.05);
}

void TestTraining::forcedClassIsCorrectExactlyForItsImages()
{
    // Every training image is labelled 2, so the network learns to answer 2 whatever it sees.
    QTemporaryDir dir;
    std::vector<int> train(64, 2), test(40);
    for (std::size_t i = 0; i < test.size(); ++i)
        test[i] = int(i % 4);
    ExperimentConfig c = test::quickFixtureConfig(dir);
    c.dataset = writeLabelledIdx(dir, train, test, 16);
    c.networks = 1;
    c.epochs = 3;
    const std::string run = dir.filePath("forced.h5").toStdString();
    Trainer(c, run).run();
    RunFile f(run);
    const SplitRecords r = f.readRecords(RecordSet::Test, 0, 2);
    for (std::size_t i = 0; i < test.size(); ++i) {
        QCOMPARE(r.predicted[i], std::int64_t(2));
        QCOMPARE(int(r.correct[i]), test[i] == 2 ? 1 : 0);
    }
    const SplitRecords t = f.readRecords(RecordSet::Train, 0, 2);
    QVERIFY(std::all_of(t.correct.begin(), t.correct.end(), [](std::uint8_t v) { return v == 1; }));
}

void TestTraining::sameSeedGivesIdenticalRecords()
{
    QTemporaryDir dir;
    ExperimentConfig c = test::quickFixtureConfig(dir);
    c.randomCrop = true;
    c.horizontalFlip = true;
    c.seed = 11;
    const std::string a = dir.filePath("a.h5").toStdString(), b = dir.filePath("b.h5").toStdString(),
                      other = dir.filePath("other.h5").toStdString();
    Trainer(c, a).run();
    Trainer(c, b).run();
    compareRuns(a, b, true);
    c.seed = 12;
    Trainer(c, other).run();
    compareRuns(a, other, false);
    // The networks of one experiment get different seeds.
    RunFile f(a);
    QVERIFY(f.readRecords(RecordSet::Test, 0, 0).pTrue != f.readRecords(RecordSet::Test, 1, 0).pTrue);
}

void TestTraining::sideBySideMatchesOneAfterAnother()
{
    QTemporaryDir dir;
    ExperimentConfig c = test::quickFixtureConfig(dir);
    c.threads = 1;
    const std::string seq = dir.filePath("seq.h5").toStdString(), par = dir.filePath("par.h5").toStdString();
    Trainer(c, seq).run();
    c.parallelNetworks = true;
    Trainer(c, par).run();
    compareRuns(seq, par, true);
}

void TestTraining::microBatchesKeepTheEffectiveBatch()
{
    // Without batch norm, accumulating four micro-batches of 4 gives the gradient of the batch
    // of 16 (up to float summation order), so the trained networks predict the same.
    QTemporaryDir dir;
    ExperimentConfig c = test::quickFixtureConfig(dir);
    c.architecture = "net";
    c.networks = 1;
    const std::string whole = dir.filePath("whole.h5").toStdString(), micro = dir.filePath("micro.h5").toStdString();
    Trainer(c, whole).run();
    c.microBatch = 4;
    Trainer(c, micro).run();
    RunFile fw(whole), fm(micro);
    const SplitRecords rw = fw.readRecords(RecordSet::Test, 0, 1), rm = fm.readRecords(RecordSet::Test, 0, 1);
    float worst = 0;
    for (std::size_t i = 0; i < rw.pTrue.size(); ++i)
        worst = std::max(worst, std::abs(rw.pTrue[i] - rm.pTrue[i]));
    QVERIFY2(worst < 1e-4, qPrintable(QString::number(worst)));
    QVERIFY(std::abs(fw.readSummary(0, 1).trainLoss - fm.readSummary(0, 1).trainLoss) < 1e-4);
}

void TestTraining::multiLabelRecords()
{
    // docs/DEFINITIONS.md 2, multi-label: predicted = label bits of sigmoid > 0.5, correct = exact
    // match, p_true = NaN; margin = the worst bit's signed logit, positive exactly when correct.
    QTemporaryDir dir;
    const std::string voc = dir.filePath("voc").toStdString();
    test::writeVocTree(voc, test::vocFixtureImages());
    ExperimentConfig c;
    c.dataset = "voc:" + voc;
    c.multiLabel = true;
    c.inputSize = 32;
    c.architecture = "net";
    c.networks = 1;
    c.epochs = 2;
    c.batchSize = 4;
    c.lr = 0.01;
    c.saveProbVector = true;
    c.device = "cpu";
    c.threads = 1;
    const std::string run = dir.filePath("voc.h5").toStdString();
    Trainer(c, run).run();
    RunFile f(run);
    QVERIFY(f.shape().multiLabel);
    const int classes = f.shape().classes;
    QCOMPARE(classes, 20);
    for (RecordSet set : {RecordSet::Train, RecordSet::Test}) {
        const auto indices = f.manifest().splitIndices(recordSetSplit(set));
        QVERIFY(!indices.empty());
        const SplitRecords r = f.readRecords(set, 0, 1);
        for (std::size_t i = 0; i < indices.size(); ++i) {
            const std::uint64_t truth = f.manifest().labelBits[indices[i]];
            std::uint64_t fromProb = 0;
            for (int k = 0; k < classes; ++k)
                if (r.prob[i * std::size_t(classes) + std::size_t(k)] > 0.5f)
                    fromProb |= std::uint64_t(1) << k;
            QCOMPARE(std::uint64_t(r.predicted[i]), fromProb);
            QCOMPARE(bool(r.correct[i]), fromProb == truth);
            QVERIFY(std::isnan(r.pTrue[i]));
            QVERIFY(r.correct[i] ? r.margin[i] >= 0 : r.margin[i] <= 0);
        }
    }
}

void TestTraining::corruptedRunStoresBothLabels()
{
    QTemporaryDir dir;
    ExperimentConfig c = test::quickFixtureConfig(dir);
    c.networks = 1;
    c.epochs = 1;
    c.corruptProb = 1.0;
    const std::string run = dir.filePath("corrupt.h5").toStdString();
    Trainer(c, run).run();
    RunFile f(run);
    const Dataset ds = loadDataset(c.dataset);
    QCOMPARE(f.manifest().labels, documentedCorruption(ds, 1.0, c.seed));
    for (std::size_t i = 0; i < ds.size(); ++i)
        QCOMPARE(f.manifest().trueLabels[i], std::int32_t(ds.label(i)));
    // Training records are scored against the labels the network saw.
    const SplitRecords r = f.readRecords(RecordSet::Train, 0, 0);
    const auto train = f.manifest().splitIndices(Split::Train);
    for (std::size_t i = 0; i < train.size(); ++i)
        QCOMPARE(bool(r.correct[i]), r.predicted[i] == f.manifest().labels[train[i]]);
}

void TestTraining::refusesToOverwriteAndBadConfigurations()
{
    QTemporaryDir dir;
    ExperimentConfig c = test::quickFixtureConfig(dir);
    c.networks = 1;
    c.epochs = 1;
    const std::string run = dir.filePath("r.h5").toStdString();
    Trainer(c, run).run();
    QVERIFY_THROWS_EXCEPTION(ConfigError, Trainer(c, run));
    Trainer(c, run, true).run();  // overwrite allowed
    QCOMPARE(RunFile(run).epochsDone(), std::vector<int>{1});

    const std::string small = dir.filePath("small.h5").toStdString();
    c.architecture = "vgg16";  // needs 32 px; the fixture has 16
    QVERIFY_THROWS_EXCEPTION(ConfigError, Trainer(c, small).run());
    QVERIFY(!fs::exists(small));
    c.architecture = "lenet5";
    c.optimizer = "rmsprop";
    QVERIFY_THROWS_EXCEPTION(ConfigError, Trainer(c, small));
    c.optimizer = "sgd";
    c.device = "tpu";
    QVERIFY_THROWS_EXCEPTION(ConfigError, Trainer(c, small));
}

void TestTraining::presets()
{
    const ExperimentConfig cifar = ExperimentConfig::preset("cifar10");
    QCOMPARE(cifar.scheduler, std::string("cosine"));
    QCOMPARE(cifar.etaMin, 5e-4);
    const ExperimentConfig kth = ExperimentConfig::preset("kth");
    QCOMPARE(kth.optimizer, std::string("adam"));
    QCOMPARE(kth.inputSize, 190);
    QCOMPARE(ExperimentConfig::preset("cifar10-random-labels").corruptProb, 1.0);
    QVERIFY(ExperimentConfig::preset("voc").multiLabel);
    // A recipe names its dataset; the folder is the user's to add, and until then it is the one
    // problem.
    QCOMPARE(cifar.dataset, std::string("cifar10"));
    QVERIFY_THROWS_EXCEPTION(ConfigError, cifar.validate());
    for (const auto& name : ExperimentConfig::presetNames()) {
        ExperimentConfig c = ExperimentConfig::preset(name);
        if (findDatasetReader(c.dataset)->needsLocation())
            c.dataset += ":/data/" + name;
        c.validate();
    }
    QVERIFY_THROWS_EXCEPTION(ConfigError, ExperimentConfig::preset("imagenet"));
}

QTEST_GUILESS_MAIN(TestTraining)
#include "tst_training.moc"
