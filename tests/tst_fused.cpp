// Fused training: N networks stacked into one module of grouped layers compute what the N
// networks compute alone. The reference is the N separate LibTorch networks themselves (an
// independent computation: plain convolutions and nn::Linear instead of grouped convolutions
// and batched products), given the same weights and inputs.

#include "Fixtures.h"

#include "common/Errors.h"
#include "models/FusedEnsemble.h"
#include "models/Networks.h"
#include "storage/RunFile.h"
#include "training/Checkpoint.h"
#include "training/Trainer.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>

using namespace orderlens;

namespace {

// In float64 LibTorch's CPU convolutions run the same kernel for each group as for a plain
// convolution, and the fused module reproduces the separate networks bit for bit (measured:
// every difference below is exactly 0). kDoubleTolerance still allows for other kernels: any
// mix-up of groups, losses or optimiser state shows as a difference of order one. In float32,
// the dtype training uses, oneDNN's grouped convolutions sum in another order than its plain
// ones, and the fused module runs channels-last (FusedEnsemble::stackInputs): LeNet-5's first
// step agrees to 3e-4 of its largest gradient (measured), so
// kFloatTolerance is 1e-3. Not compared in float32: deep networks at the tiny inputs used here
// (batch norm over a handful of values per channel amplifies that rounding by orders of
// magnitude within one backward pass, in either form), and Adam steps (Adam scales every
// gradient to about the learning rate, so a gradient that is zero in exact arithmetic, such as
// a convolution bias's before batch norm, moves by lr times the sign of its rounding noise).
constexpr double kDoubleTolerance = 1e-9;
constexpr double kFloatTolerance = 1e-3;

// Largest absolute difference over the scale. A tensor that is zero in exact arithmetic (the
// gradient of a convolution bias followed by batch norm) holds only rounding noise, so scales
// are at least kNoiseFloor times the largest value of the network's tensors of that kind.
constexpr double kNoiseFloor = 1e-3;

double absoluteDifference(const torch::Tensor& got, const torch::Tensor& expected)
{
    return (got.to(torch::kFloat64) - expected.to(torch::kFloat64)).abs().max().item<double>();
}

double largest(const torch::Tensor& t) { return t.abs().max().item<double>(); }

double relativeDifference(const torch::Tensor& got, const torch::Tensor& expected)
{
    return absoluteDifference(got, expected) / std::max(largest(expected), 1e-300);
}

struct Separate {
    std::vector<Classifier> models;
    std::vector<std::unique_ptr<torch::optim::Optimizer>> optimizers;

    std::vector<EnsembleMember> members() const
    {
        std::vector<EnsembleMember> out;
        for (std::size_t k = 0; k < models.size(); ++k)
            out.push_back({models[k].get(), optimizers[k].get()});
        return out;
    }
};

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const std::vector<torch::Tensor>& parameters, bool adam)
{
    if (adam)
        return std::make_unique<torch::optim::Adam>(parameters, torch::optim::AdamOptions(1e-3).weight_decay(1e-4));
    return std::make_unique<torch::optim::SGD>(parameters,
                                               torch::optim::SGDOptions(0.1).momentum(0.9).weight_decay(5e-4));
}

// Networks as the trainer makes them: seed, build, initialise.
Separate makeNetworks(const ModelSpec& spec, int networks, bool adam, torch::Dtype dtype = torch::kFloat32)
{
    Separate s;
    for (int k = 0; k < networks; ++k) {
        torch::manual_seed(std::uint64_t(1000 + k));
        s.models.push_back(buildModel(spec));
        initializeWeights(*s.models.back(), "kaiming-normal");
        s.models.back()->to(dtype);
        s.optimizers.push_back(makeOptimizer(s.models.back()->parameters(), adam));
    }
    return s;
}

// Network k's part of a fused tensor, as FusedEnsemble lays it out (see its header).
torch::Tensor groupPart(const torch::Tensor& fused, const torch::Tensor& single, int k)
{
    if (single.dim() == 0)
        return fused;
    if (fused.dim() == single.dim() + 1)
        return fused[k];
    return fused.narrow(0, k * single.size(0), single.size(0));
}

// Largest relative difference over every parameter (or its gradient) and buffer.
double moduleDifference(torch::nn::Module& fused, const Separate& s, bool gradients)
{
    double worst = 0;
    for (std::size_t k = 0; k < s.models.size(); ++k) {
        std::vector<std::pair<torch::Tensor, torch::Tensor>> pairs;  // fused part, separate
        const auto single = s.models[k]->named_parameters();
        for (const auto& p : fused.named_parameters()) {
            const torch::Tensor& mine = single[p.key()];
            if (gradients)
                pairs.emplace_back(groupPart(p.value().grad(), mine, int(k)), mine.grad());
            else
                pairs.emplace_back(groupPart(p.value(), mine, int(k)), mine);
        }
        double networkLargest = 0;
        for (const auto& [got, expected] : pairs)
            networkLargest = std::max(networkLargest, largest(expected));
        if (!gradients) {
            const auto buffers = s.models[k]->named_buffers();
            for (const auto& b : fused.named_buffers())
                pairs.emplace_back(groupPart(b.value(), buffers[b.key()], int(k)), buffers[b.key()]);
        }
        for (const auto& [got, expected] : pairs) {
            const double scale = std::max({largest(expected), kNoiseFloor * networkLargest, 1e-300});
            worst = std::max(worst, absoluteDifference(got, expected) / scale);
        }
    }
    return worst;
}

torch::Tensor meanLoss(const torch::Tensor& logits, const torch::Tensor& targets)
{
    return torch::nn::functional::cross_entropy(logits, targets);
}

// One training step of the separate networks and of the fused module on the same batches;
// returns the largest relative differences of logits, gradients and updated parameters.
struct StepDifference {
    double logits = 0, gradients = 0, parameters = 0;
};

StepDifference trainStep(Separate& s, FusedEnsemble& fused, torch::optim::Optimizer& fusedOptimizer,
                         const std::vector<torch::Tensor>& x, const std::vector<torch::Tensor>& y,
                         const std::vector<std::uint64_t>& dropoutSeeds)
{
    StepDifference d;
    std::vector<torch::Tensor> separateLogits;
    for (std::size_t k = 0; k < s.models.size(); ++k) {
        // The trainer seeds LibTorch's generator per network and epoch (dropout).
        torch::manual_seed(dropoutSeeds[k]);
        s.models[k]->train();
        s.optimizers[k]->zero_grad();
        separateLogits.push_back(s.models[k]->forward(x[k]));
        meanLoss(separateLogits.back(), y[k]).backward();
    }
    fused.seedDropout(dropoutSeeds);
    fused.module().train();
    fusedOptimizer.zero_grad();
    const torch::Tensor logits = fused.module().forward(FusedEnsemble::stackInputs(x));
    // The sum of each network's mean loss: network k's parameters see only term k.
    torch::Tensor loss = torch::zeros({});
    for (int k = 0; k < fused.size(); ++k)
        loss = loss + meanLoss(fused.networkLogits(logits, k), y[std::size_t(k)]);
    loss.backward();
    for (int k = 0; k < fused.size(); ++k)
        d.logits = std::max(d.logits, relativeDifference(fused.networkLogits(logits, k), separateLogits[std::size_t(k)]));
    d.gradients = moduleDifference(fused.module(), s, true);
    for (auto& o : s.optimizers)
        o->step();
    fusedOptimizer.step();
    d.parameters = moduleDifference(fused.module(), s, false);
    return d;
}

// A short study-like run: five LeNet-5s on a Fashion-MNIST subset, with augmentation so that
// every network's own crop and flip stream matters.
ExperimentConfig shortRun(bool fused)
{
    ExperimentConfig c;
    c.dataset = "fashion-mnist";
    c.limitTrain = 1000;
    c.limitTest = 500;
    c.inputSize = 32;
    c.networks = 5;
    c.epochs = 2;
    c.batchSize = 50;
    c.lr = 0.05;
    c.scheduler = "cosine";
    c.randomCrop = true;
    c.horizontalFlip = true;
    c.seed = 5;
    c.device = "cpu";
    c.threads = 2;
    c.fuseNetworks = fused;
    return c;
}

ModelSpec specFor(const QString& architecture, int channels, int input)
{
    ModelSpec spec;
    spec.architecture = architecture.toStdString();
    spec.channels = channels;
    spec.inputSize = input;
    spec.classes = 5;
    return spec;
}

}  // namespace

class TestFused : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void smallNetworksMatch_data();
    void smallNetworksMatch();
    void residualNetworksMatch_data();
    void residualNetworksMatch();
    void vggImageNetHeadMatches_data();
    void vggImageNetHeadMatches();
    void optimiserStateRoundTrips_data();
    void optimiserStateRoundTrips();
    void denseNetHasNoFusedForm();
    void fusedRunMatchesUnfusedRun();
    void fusedRunCancelsAndResumes();

private:
    static void addColumns();
    // The fused module against the separate networks for the current data row.
    static void checkEquivalence();
    QTemporaryDir dir_;
};

void TestFused::initTestCase()
{
    torch::set_num_threads(2);
}

void TestFused::smallNetworksMatch_data()
{
    addColumns();
    // Adam's update is element-wise like SGD's; it is checked here, on the quick networks.
    QTest::newRow("net-sgd-float64") << "net" << 3 << 16 << 3 << false << true << 2;
    QTest::newRow("net-adam-float64") << "net" << 3 << 16 << 3 << true << true << 2;
    QTest::newRow("lenet5-sgd-float64") << "lenet5" << 1 << 16 << 3 << false << true << 2;
    QTest::newRow("lenet5-adam-float64") << "lenet5" << 1 << 16 << 3 << true << true << 2;
    QTest::newRow("vgg16-sgd-float64") << "vgg16" << 3 << 32 << 2 << false << true << 2;
    QTest::newRow("net-sgd-float32") << "net" << 3 << 16 << 3 << false << false << 1;
    QTest::newRow("lenet5-sgd-float32") << "lenet5" << 1 << 16 << 3 << false << false << 1;
}

void TestFused::smallNetworksMatch() { checkEquivalence(); }

void TestFused::residualNetworksMatch_data()
{
    addColumns();
    // At 8 px the deep networks stay quick on two cores (their stems keep small inputs whole).
    QTest::newRow("resnet18-sgd-float64") << "resnet18" << 3 << 8 << 2 << false << true << 2;
    QTest::newRow("resnet50-sgd-float64") << "resnet50" << 3 << 8 << 2 << false << true << 1;
    QTest::newRow("wrn-28-10-sgd-float64") << "wrn-28-10" << 3 << 8 << 2 << false << true << 1;
}

void TestFused::residualNetworksMatch() { checkEquivalence(); }

void TestFused::vggImageNetHeadMatches_data()
{
    addColumns();
    // Inputs above 64 px give VGG-16 its ImageNet head: two 4096-wide layers with dropout, whose
    // masks must be each network's own. Forward only, in float32: 2 x 120 M parameters, twice.
    QTest::newRow("vgg16-imagenet-head-float32") << "vgg16" << 1 << 65 << 2 << false << false << 0;
}

void TestFused::vggImageNetHeadMatches() { checkEquivalence(); }

void TestFused::addColumns()
{
    QTest::addColumn<QString>("architecture");
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("input");
    QTest::addColumn<int>("networks");
    QTest::addColumn<bool>("adam");
    QTest::addColumn<bool>("float64");
    QTest::addColumn<int>("steps");  // 0: forward passes only (train and eval mode)
}

void TestFused::checkEquivalence()
{
    QFETCH(QString, architecture);
    QFETCH(int, channels);
    QFETCH(int, input);
    QFETCH(int, networks);
    QFETCH(bool, adam);
    QFETCH(bool, float64);
    QFETCH(int, steps);
    const ModelSpec spec = specFor(architecture, channels, input);
    const auto dtype = float64 ? torch::kFloat64 : torch::kFloat32;
    const double tolerance = float64 ? kDoubleTolerance : kFloatTolerance;
    Separate s = makeNetworks(spec, networks, adam, dtype);
    FusedEnsemble fused(spec, s.members(), torch::kCPU);
    fused.module().to(dtype);
    QCOMPARE(fused.size(), networks);
    // Loading copies the weights exactly.
    fused.load(s.members());
    QCOMPARE(moduleDifference(fused.module(), s, false), 0.0);
    auto fusedOptimizer = makeOptimizer(fused.module().parameters(), adam);

    constexpr int kBatch = 4;
    torch::manual_seed(7);
    std::vector<torch::Tensor> x, y;
    std::vector<std::uint64_t> dropoutSeeds;
    for (int k = 0; k < networks; ++k) {
        x.push_back(torch::randn({kBatch, channels, input, input}, dtype));
        y.push_back(torch::randint(spec.classes, {kBatch}, torch::kInt64));
        dropoutSeeds.push_back(std::uint64_t(11 * (k + 1)));
    }
    // The second step uses the momentum buffers / Adam moments and step counts of the first.
    for (int step = 0; step < steps; ++step) {
        const StepDifference d = trainStep(s, fused, *fusedOptimizer, x, y, dropoutSeeds);
        qInfo("step %d: logits %.2g, gradients %.2g, parameters %.2g", step + 1, d.logits, d.gradients, d.parameters);
        QVERIFY2(d.logits <= tolerance, qPrintable(QString::number(d.logits)));
        QVERIFY2(d.gradients <= tolerance, qPrintable(QString::number(d.gradients)));
        QVERIFY2(d.parameters <= tolerance, qPrintable(QString::number(d.parameters)));
    }
    if (steps == 0) {
        torch::NoGradGuard noGrad;
        fused.seedDropout(dropoutSeeds);
        fused.module().train();
        const torch::Tensor logits = fused.module().forward(FusedEnsemble::stackInputs(x));
        double train = 0;
        for (int k = 0; k < networks; ++k) {
            torch::manual_seed(dropoutSeeds[std::size_t(k)]);
            s.models[std::size_t(k)]->train();
            train = std::max(train, relativeDifference(fused.networkLogits(logits, k),
                                                       s.models[std::size_t(k)]->forward(x[std::size_t(k)])));
        }
        qInfo("train-mode logits %.2g", train);
        QVERIFY2(train <= tolerance, qPrintable(QString::number(train)));
    }

    // Evaluation mode: running statistics of batch norm, no dropout; every network sees the
    // same images, as in the test pass.
    torch::NoGradGuard noGrad;
    fused.module().eval();
    const torch::Tensor images = torch::randn({kBatch, channels, input, input}, dtype);
    const torch::Tensor logits = fused.module().forward(fused.repeatInput(images));
    double eval = 0;
    for (int k = 0; k < networks; ++k) {
        s.models[std::size_t(k)]->eval();
        eval = std::max(eval, relativeDifference(fused.networkLogits(logits, k), s.models[std::size_t(k)]->forward(images)));
    }
    qInfo("eval logits %.2g", eval);
    QVERIFY2(eval <= tolerance, qPrintable(QString::number(eval)));
}

void TestFused::optimiserStateRoundTrips_data()
{
    QTest::addColumn<bool>("adam");
    QTest::newRow("sgd") << false;
    QTest::newRow("adam") << true;
}

// What a fused run checkpoints per network, and what a resumed run loads back: after one step,
// the fused state stored into fresh networks equals the separate networks' own state, and a
// fused module loaded from them (weights and optimiser state) makes the same second step.
void TestFused::optimiserStateRoundTrips()
{
    QFETCH(bool, adam);
    const ModelSpec spec = specFor("lenet5", 1, 16);
    constexpr int kNetworks = 3;
    Separate s = makeNetworks(spec, kNetworks, adam, torch::kFloat64);
    FusedEnsemble fused(spec, s.members(), torch::kCPU);
    fused.module().to(torch::kFloat64);
    fused.load(s.members());
    auto fusedOptimizer = makeOptimizer(fused.module().parameters(), adam);
    torch::manual_seed(3);
    std::vector<torch::Tensor> x, y;
    for (int k = 0; k < kNetworks; ++k) {
        x.push_back(torch::randn({6, 1, 16, 16}, torch::kFloat64));
        y.push_back(torch::randint(spec.classes, {6}, torch::kInt64));
    }
    trainStep(s, fused, *fusedOptimizer, x, y, {1, 2, 3});

    // Stored into networks with other weights and no optimiser state.
    Separate stored = makeNetworks(spec, kNetworks, adam, torch::kFloat64);
    fused.store(stored.members(), *fusedOptimizer);
    QVERIFY(moduleDifference(fused.module(), stored, false) == 0.0);
    const auto key = [](const torch::Tensor& p) { return c10::guts::to_string(p.unsafeGetTensorImpl()); };
    const auto fusedParameters = fused.module().parameters();
    for (int k = 0; k < kNetworks; ++k) {
        const auto theirs = stored.models[std::size_t(k)]->parameters();
        QCOMPARE(theirs.size(), fusedParameters.size());
        for (std::size_t i = 0; i < theirs.size(); ++i) {
            auto& whole = *fusedOptimizer->state().at(key(fusedParameters[i]));
            auto& own = *stored.optimizers[std::size_t(k)]->state().at(key(theirs[i]));
            if (adam) {
                auto& a = static_cast<torch::optim::AdamParamState&>(whole);
                auto& b = static_cast<torch::optim::AdamParamState&>(own);
                QCOMPARE(b.step(), 1);
                QCOMPARE(absoluteDifference(b.exp_avg(), groupPart(a.exp_avg(), theirs[i], k)), 0.0);
                QCOMPARE(absoluteDifference(b.exp_avg_sq(), groupPart(a.exp_avg_sq(), theirs[i], k)), 0.0);
            } else {
                auto& a = static_cast<torch::optim::SGDParamState&>(whole);
                auto& b = static_cast<torch::optim::SGDParamState&>(own);
                QCOMPARE(absoluteDifference(b.momentum_buffer(), groupPart(a.momentum_buffer(), theirs[i], k)), 0.0);
            }
        }
    }

    // A new fused module from the stored networks continues as the separate ones do.
    FusedEnsemble resumed(spec, stored.members(), torch::kCPU);
    resumed.module().to(torch::kFloat64);
    auto resumedOptimizer = makeOptimizer(resumed.module().parameters(), adam);
    resumed.load(stored.members(), resumedOptimizer.get());
    const StepDifference d = trainStep(s, resumed, *resumedOptimizer, x, y, {1, 2, 3});
    QVERIFY2(d.parameters <= kDoubleTolerance, qPrintable(QString::number(d.parameters)));
}

void TestFused::denseNetHasNoFusedForm()
{
    QVERIFY(!architectureInfo("densenet121").fusable);
    ModelSpec spec = specFor("densenet121", 3, 8);
    spec.networks = 2;
    QVERIFY_THROWS_EXCEPTION(ConfigError, buildModel(spec));
    for (const char* name : {"net", "lenet5", "vgg16", "resnet18", "resnet50", "wrn-28-10"})
        QVERIFY(architectureInfo(name).fusable);
}

// Same seed, fused and unfused: each network starts from the same weights and sees the same
// batches, so the two runs differ only by float32 rounding, which training amplifies; each
// fused network's final accuracy must lie within the spread between the unfused run's
// networks (different seeds: the run-to-run variation the study measures agreement against).
void TestFused::fusedRunMatchesUnfusedRun()
{
    QVERIFY(dir_.isValid());
    const std::string unfusedPath = dir_.filePath("unfused.h5").toStdString();
    const std::string fusedPath = dir_.filePath("fused.h5").toStdString();
    Trainer unfusedTrainer(shortRun(false), unfusedPath);
    QCOMPARE(unfusedTrainer.trainingPath(), std::string("sequential"));
    unfusedTrainer.run();
    Trainer fusedTrainer(shortRun(true), fusedPath);
    QCOMPARE(fusedTrainer.trainingPath(), std::string("fused"));
    fusedTrainer.run();

    const RunFile unfused(unfusedPath), fused(fusedPath);
    QCOMPARE(unfused.provenance().at("training"), std::string("sequential"));
    QCOMPARE(fused.provenance().at("training"), std::string("fused"));
    QCOMPARE(fused.epochsDone(), (std::vector<int>(5, 2)));
    std::vector<double> a, b;
    for (int k = 0; k < 5; ++k) {
        a.push_back(unfused.readSummary(k, 1).testAccuracy);
        b.push_back(fused.readSummary(k, 1).testAccuracy);
        // Every image of both splits has a record of every network.
        const SplitRecords test = fused.readRecords(RecordSet::Test, k, 1);
        QCOMPARE(test.correct.size(), std::size_t(500));
        QVERIFY(std::none_of(test.pTrue.begin(), test.pTrue.end(), [](float p) { return std::isnan(p); }));
    }
    const double spread = *std::max_element(a.begin(), a.end()) - *std::min_element(a.begin(), a.end());
    double worst = 0;
    for (int k = 0; k < 5; ++k) {
        qInfo("network %d: test accuracy unfused %.4f fused %.4f", k, a[std::size_t(k)], b[std::size_t(k)]);
        worst = std::max(worst, std::abs(a[std::size_t(k)] - b[std::size_t(k)]));
    }
    qInfo("largest fused-unfused difference %.4f, spread between the unfused networks %.4f", worst, spread);
    QVERIFY(spread > 0);
    QVERIFY2(worst <= spread, qPrintable(QString("%1 > %2").arg(worst).arg(spread)));
}

// Cancelled in its second epoch, a fused run keeps the first epoch of every network with one
// checkpoint per network (the same files an unfused run writes, so either form can resume it)
// and, resumed, records exactly what the uninterrupted fused run recorded.
void TestFused::fusedRunCancelsAndResumes()
{
    const std::string reference = dir_.filePath("fused.h5").toStdString();
    QVERIFY(QFile::exists(QString::fromStdString(reference)));
    const std::string run = dir_.filePath("cancelled.h5").toStdString();
    std::atomic<bool> cancel{false};
    struct CancelInSecondEpoch : TrainingObserver {
        std::atomic<bool>* flag = nullptr;
        std::vector<int> batchesSeen = std::vector<int>(5, 0);
        void onBatch(const BatchProgress& p) override
        {
            ++batchesSeen[std::size_t(p.network)];
            if (p.epoch == 1 && p.batch == 3)
                flag->store(true);
        }
    } observer;
    observer.flag = &cancel;
    QVERIFY_THROWS_EXCEPTION(Cancelled, Trainer(shortRun(true), run).run(&observer, &cancel));
    // Every network reports its own progress: 20 batches of the first epoch, 4 of the second.
    QCOMPARE(observer.batchesSeen, (std::vector<int>(5, 24)));
    QCOMPARE(RunFile(run).epochsDone(), (std::vector<int>(5, 1)));

    // Network 2's checkpoint loads into a standalone LeNet-5 and its SGD optimiser.
    ModelSpec spec = specFor("lenet5", 1, 32);
    spec.classes = 10;
    Classifier single = buildModel(spec);
    torch::optim::SGD optimizer(single->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
    QCOMPARE(Checkpoint::load(run, 2, *single, optimizer, torch::kCPU), std::optional<int>(1));
    QCOMPARE(optimizer.state().size(), single->parameters().size());

    Trainer::resume(run).run();
    const RunFile a(reference), b(run);
    QCOMPARE(b.epochsDone(), a.epochsDone());
    for (int k = 0; k < 5; ++k) {
        for (int e = 0; e < 2; ++e) {
            for (RecordSet set : {RecordSet::Train, RecordSet::Test}) {
                const SplitRecords ra = a.readRecords(set, k, e), rb = b.readRecords(set, k, e);
                QVERIFY(ra.correct == rb.correct);
                QVERIFY(ra.predicted == rb.predicted);
                QVERIFY(std::memcmp(ra.pTrue.data(), rb.pTrue.data(), ra.pTrue.size() * sizeof(float)) == 0);
            }
        }
    }
}

QTEST_GUILESS_MAIN(TestFused)
#include "tst_fused.moc"
