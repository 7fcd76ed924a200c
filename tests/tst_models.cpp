// The architectures: sizes against the reference implementations, inferred feature sizes, too
// small inputs, and one training step each at its smallest input that moves the weights.

#include "Fixtures.h"

#include "common/Errors.h"
#include "models/Architecture.h"
#include "models/Networks.h"
#include "storage/RunFile.h"
#include "training/Checkpoint.h"
#include "training/Seeds.h"
#include "training/Trainer.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace orderlens;

class TestModels : public QObject {
    Q_OBJECT

private slots:
    void parameterCounts_data();
    void parameterCounts();
    void featureSizesFollowTheInput();
    void initialisation_data();
    void initialisation();
    void tooSmallInputIsAConfigError();
    void unknownArchitectureIsAConfigError();
    void everyArchitectureTrainsOneStep_data();
    void everyArchitectureTrainsOneStep();
};

void TestModels::parameterCounts_data()
{
    QTest::addColumn<QString>("architecture");
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("input");
    QTest::addColumn<int>("classes");
    QTest::addColumn<qlonglong>("parameters");
    // The tutorial CNN on CIFAR: 62006 as in the PyTorch tutorial.
    QTest::newRow("net") << "net" << 3 << 32 << 10 << 62006LL;
    // LeNet-5 on 32x32 grey: 156 + 12 (bn) + 2416 + 32 (bn) + 48120 + 10164 + 850.
    QTest::newRow("lenet5") << "lenet5" << 1 << 32 << 10 << 61750LL;
    // The common CIFAR-10 implementations (kuangliu/pytorch-cifar, xternalz/WideResNet-pytorch).
    QTest::newRow("vgg16") << "vgg16" << 3 << 32 << 10 << 14728266LL;
    QTest::newRow("resnet18") << "resnet18" << 3 << 32 << 10 << 11173962LL;
    QTest::newRow("resnet50") << "resnet50" << 3 << 32 << 10 << 23520842LL;
    QTest::newRow("wrn-28-10") << "wrn-28-10" << 3 << 32 << 10 << 36479194LL;
    QTest::newRow("densenet121") << "densenet121" << 3 << 32 << 10 << 6956298LL;
    // Large inputs get torchvision's ImageNet stem: resnet18 with 1000 classes has 11689512.
    QTest::newRow("resnet18-imagenet") << "resnet18" << 3 << 224 << 1000 << 11689512LL;
}

void TestModels::parameterCounts()
{
    QFETCH(QString, architecture);
    QFETCH(int, channels);
    QFETCH(int, input);
    QFETCH(int, classes);
    QFETCH(qlonglong, parameters);
    ModelSpec spec;
    spec.architecture = architecture.toStdString();
    spec.channels = channels;
    spec.inputSize = input;
    spec.classes = classes;
    const ModelSummary s = summarizeModel(spec);
    QCOMPARE(qlonglong(s.parameters), parameters);
    QCOMPARE(s.outputShape, (std::vector<std::int64_t>{1, classes}));
}

void TestModels::featureSizesFollowTheInput()
{
    // LeNet-5's first linear layer is inferred: 16 x 5 x 5 at 32 px, 16 x 4 x 4 at 28 px.
    ModelSpec spec;
    spec.architecture = "lenet5";
    spec.inputSize = 28;
    const std::int64_t at28 = summarizeModel(spec).parameters;
    spec.inputSize = 32;
    const std::int64_t at32 = summarizeModel(spec).parameters;
    QCOMPARE(at32 - at28, std::int64_t((400 - 256) * 120));
    // VGG-16 on 64 px flattens 512 x 2 x 2 features into its single linear layer.
    spec.architecture = "vgg16";
    spec.channels = 3;
    spec.inputSize = 64;
    QCOMPARE(summarizeModel(spec).parameters, std::int64_t(14728266 + 3 * 512 * 10));
}

void TestModels::initialisation_data()
{
    // LeNet-5's first linear layer: 120 x 400 weights, fan_in 400, fan_out 120 (48000 draws,
    // so the sample std is within 1 % of the law's). Normal laws: kaiming std = sqrt(2 / fan_in)
    // (gain sqrt(2), fan_in mode), xavier std = sqrt(2 / (fan_in + fan_out)); the uniform laws
    // have the same std and are bounded by sqrt(3) std.
    QTest::addColumn<QString>("init");
    QTest::addColumn<double>("std");
    QTest::addColumn<bool>("uniform");
    QTest::newRow("kaiming-normal") << "kaiming-normal" << std::sqrt(2.0 / 400) << false;
    QTest::newRow("kaiming-uniform") << "kaiming-uniform" << std::sqrt(2.0 / 400) << true;
    QTest::newRow("xavier-normal") << "xavier-normal" << std::sqrt(2.0 / 520) << false;
    QTest::newRow("xavier-uniform") << "xavier-uniform" << std::sqrt(2.0 / 520) << true;
}

void TestModels::initialisation()
{
    QFETCH(QString, init);
    QFETCH(double, std);
    QFETCH(bool, uniform);
    ModelSpec spec;
    spec.architecture = "lenet5";
    const ModelSummary s = summarizeModel(spec, init.toStdString(), 3);
    bool sawLinear = false, sawBatchNorm = false;
    for (const ParameterSummary& p : s.tensors) {
        if (p.name == "classifier.0.weight") {
            sawLinear = true;
            QCOMPARE(p.shape, (std::vector<std::int64_t>{120, 400}));
            QVERIFY2(std::abs(p.std / std - 1) < 0.02, qPrintable(QString::number(p.std)));
            QVERIFY(std::abs(p.mean) < 0.05 * std);
            if (uniform)
                QVERIFY(p.maxAbs <= std * std::sqrt(3.0) + 1e-9);
            else
                QVERIFY(p.maxAbs > std * std::sqrt(3.0));  // 48000 normal draws pass 1.73 sd
        }
        const bool bias = p.name.size() > 5 && p.name.compare(p.name.size() - 5, 5, ".bias") == 0;
        if (bias) {
            QCOMPARE(p.maxAbs, 0.0);
        }
        // Batch-norm scales (features.1 and features.5 are LeNet-5's batch norms) start at 1.
        if (p.name == "features.1.weight" || p.name == "features.5.weight") {
            sawBatchNorm = true;
            QCOMPARE(p.mean, 1.0);
            QCOMPARE(p.std, 0.0);
        }
    }
    QVERIFY(sawLinear && sawBatchNorm);
    // The seed decides the draw.
    QVERIFY(summarizeModel(spec, init.toStdString(), 3).tensors[0].mean == s.tensors[0].mean);
    QVERIFY(summarizeModel(spec, init.toStdString(), 4).tensors[0].mean != s.tensors[0].mean);
    QVERIFY_THROWS_EXCEPTION(ConfigError, summarizeModel(spec, "orthogonal"));
}

void TestModels::tooSmallInputIsAConfigError()
{
    for (const ArchitectureInfo& a : architectureInfos()) {
        ModelSpec spec;
        spec.architecture = a.name;
        spec.channels = 3;
        spec.inputSize = a.minimumInput - 1;
        bool thrown = false;
        try {
            summarizeModel(spec);
        } catch (const ConfigError& e) {
            thrown = true;
            QVERIFY2(std::string(e.what()).find(std::to_string(a.minimumInput)) != std::string::npos, e.what());
        }
        QVERIFY2(thrown, a.name.c_str());
    }
}

void TestModels::unknownArchitectureIsAConfigError()
{
    ModelSpec spec;
    spec.architecture = "resnet19";
    QVERIFY_THROWS_EXCEPTION(ConfigError, summarizeModel(spec));
    QCOMPARE(Trainer::architectures().size(), architectureInfos().size());
}

void TestModels::everyArchitectureTrainsOneStep_data()
{
    QTest::addColumn<QString>("architecture");
    for (const ArchitectureInfo& a : architectureInfos())
        QTest::newRow(a.name.c_str()) << QString::fromStdString(a.name);
}

void TestModels::everyArchitectureTrainsOneStep()
{
    QFETCH(QString, architecture);
    const ArchitectureInfo& info = architectureInfo(architecture.toStdString());
    QTemporaryDir dir;
    test::FixtureSpec fixture;
    fixture.trainCount = 2;
    fixture.testCount = 2;
    // At least 16 px: with two images whose last feature maps are 1x1, batch norm sees two values
    // per channel, its gradient explodes and the eval pass overflows -- true of the networks
    // themselves, not something the test should trip over.
    fixture.height = fixture.width = std::max(info.minimumInput, 16);
    fixture.classes = 2;
    const std::string data = dir.filePath("data").toStdString();
    test::writeIdxDataset(data, fixture, false);

    ExperimentConfig config;
    config.dataset = "idx:" + data;
    config.architecture = info.name;
    config.networks = 1;
    config.epochs = 1;
    config.batchSize = 2;
    config.lr = 0.01;
    config.device = "cpu";
    config.keepCheckpoints = true;
    const std::string run = dir.filePath("run.h5").toStdString();
    Trainer(config, run).run();

    RunFile file(run);
    QCOMPARE(file.epochsDone(), std::vector<int>{1});
    const EpochSummary s = file.readSummary(0, 0);
    QVERIFY(std::isfinite(s.trainLoss) && s.trainLoss > 0);
    QVERIFY(std::isfinite(s.testLoss) && s.testLoss > 0);
    const SplitRecords test = file.readRecords(RecordSet::Test, 0, 0);
    QCOMPARE(test.pTrue.size(), std::size_t(2));
    for (float p : test.pTrue)
        QVERIFY(p >= 0 && p <= 1);

    // The step moved the weights: against the network as initialised (seeded as Seeds.h says,
    // then initialised by the configured law), every parameter is finite, some changed, and the
    // change is a small step, not a different network.
    const ModelSpec spec{info.name, 1, fixture.classes, fixture.height, config.batchNormEps};
    torch::manual_seed(networkSeed(config.seed, 0));
    Classifier initial = buildModel(spec);
    initializeWeights(*initial, config.init);
    Classifier trained = buildModel(spec);
    torch::optim::SGD optimizer(trained->parameters(), torch::optim::SGDOptions(config.lr));
    QCOMPARE(Checkpoint::load(run, 0, *trained, optimizer, torch::kCPU), std::optional<int>(1));
    const auto before = initial->parameters(), after = trained->parameters();
    QCOMPARE(before.size(), after.size());
    double moved = 0, size = 0;
    for (std::size_t k = 0; k < before.size(); ++k) {
        QVERIFY(torch::isfinite(after[k]).all().item<bool>());
        moved += (after[k] - before[k]).pow(2).sum().item<double>();
        size += before[k].pow(2).sum().item<double>();
    }
    QVERIFY2(moved > 0, "one training step left every weight as initialised");
    QVERIFY2(std::sqrt(moved) < 0.5 * std::sqrt(size), qPrintable(QString("moved %1 of %2").arg(std::sqrt(moved)).arg(std::sqrt(size))));
}

QTEST_GUILESS_MAIN(TestModels)
#include "tst_models.moc"
