#include "training/Trainer.h"

#include "common/CrashPoint.h"
#include "common/Errors.h"
#include "common/ThreadBudget.h"
#include "dataset/DatasetReader.h"
#include "experiment/ExperimentSettings.h"
#include "models/FusedEnsemble.h"
#include "models/Networks.h"
#include "storage/RunDataset.h"
#include "training/BatchPrefetcher.h"
#include "training/Checkpoint.h"
#include "training/LabelCorruption.h"
#include "training/LearningRateSchedule.h"
#include "training/Seeds.h"
#include "training/TrainingData.h"

#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <mutex>
#include <sstream>
#include <thread>
#include <dlfcn.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace orderlens {

namespace {

using Clock = std::chrono::steady_clock;

// Evaluation passes use batches this many times the training batch.
constexpr std::int64_t kEvalBatchFactor = 2;
// How long finishEpoch waits for a run file that another process has open (100 x 0.1 s).

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The shared library that provides BLAS to this process, from its memory map: LibTorch links
// libblas.so.3, which Debian's alternatives point at OpenBLAS or the slow reference BLAS.
std::string blasLibrary()
{
    std::ifstream maps("/proc/self/maps");
    std::string line, found;
    while (std::getline(maps, line)) {
        const auto slash = line.rfind('/');
        if (slash == std::string::npos)
            continue;
        const std::string path = line.substr(line.find('/'));
        const std::string name = line.substr(slash + 1);
        if (name.find("openblas") != std::string::npos || name.find("libblas") != std::string::npos ||
            name.find("mkl") != std::string::npos || name.find("blis") != std::string::npos) {
            std::error_code ec;
            const std::string real = fs::canonical(path, ec).string();
            if (found.find(ec ? path : real) == std::string::npos)
                found += (found.empty() ? "" : ", ") + (ec ? path : real);
        }
    }
    return found.empty() ? "none found" : found;
}

// Sets the CPU threads of LibTorch's own kernels and of the BLAS under it. OpenBLAS keeps a
// thread pool of its own (as many threads as cores unless told), which LibTorch does not
// resize; threads fighting for busy cores make small networks several times slower.
void setCpuThreads(int threads)
{
    torch::set_num_threads(threads);
    using SetThreads = void (*)(int);
    if (auto set = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
        set(threads);
}

std::string utcNow()
{
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string hostName()
{
    char buf[256] = {0};
    ::gethostname(buf, sizeof buf - 1);
    return buf;
}

// Records of one split for one network-epoch, filled batch by batch at split positions.
struct RecordBuffer {
    SplitRecords r;
    double lossSum = 0;
    std::int64_t seen = 0, correct = 0;

    RecordBuffer(std::size_t images, int classes, bool probVectors)
    {
        r.correct.assign(images, 0);
        r.predicted.assign(images, 0);
        r.pTrue.assign(images, std::numeric_limits<float>::quiet_NaN());
        r.margin.assign(images, std::numeric_limits<float>::quiet_NaN());
        if (probVectors)
            r.prob.assign(images * std::size_t(classes), 0.0f);
    }
};

// docs/DEFINITIONS.md 2 from logits already computed (no extra forward pass). Single-label:
// predicted = argmax, p_true = softmax probability of the label, margin = label logit minus the
// largest other logit. Multi-label: predicted = bits of sigmoid > 0.5 (logit > 0), correct =
// exact match, p_true = NaN, margin = the smallest signed logit over classes (+logit for a
// present class, -logit for an absent one): positive exactly when every bit is right, and its
// size is how far the worst bit is from flipping -- the multi-label analogue of AUM's margin.
void scoreBatch(const torch::Tensor& logitsIn, const torch::Tensor& targetsIn, const std::vector<std::int64_t>& positions,
                const TrainingData& data, const std::vector<std::int64_t>& datasetIndices, RecordBuffer& out)
{
    const torch::Tensor logits = logitsIn.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    const torch::Tensor targets = targetsIn.to(torch::kCPU);
    const std::int64_t n = logits.size(0), classes = logits.size(1);
    const bool keepProb = !out.r.prob.empty();
    if (!data.multiLabel()) {
        const torch::Tensor probs = torch::softmax(logits, 1);
        const torch::Tensor predicted = logits.argmax(1);
        const torch::Tensor label = targets.view({-1, 1});
        const torch::Tensor pTrue = probs.gather(1, label).view(-1);
        const torch::Tensor labelLogit = logits.gather(1, label).view(-1);
        const torch::Tensor others = logits.scatter(1, label, -std::numeric_limits<float>::infinity());
        const torch::Tensor margin = labelLogit - std::get<0>(others.max(1));
        const auto pred = predicted.accessor<std::int64_t, 1>();
        const auto lab = targets.accessor<std::int64_t, 1>();
        const auto pt = pTrue.accessor<float, 1>();
        const auto mg = margin.accessor<float, 1>();
        for (std::int64_t i = 0; i < n; ++i) {
            const std::size_t at = std::size_t(positions[std::size_t(i)]);
            out.r.correct[at] = pred[i] == lab[i];
            out.r.predicted[at] = pred[i];
            out.r.pTrue[at] = pt[i];
            // One class only: no other logit, so the margin is unbounded; store NaN, not inf.
            out.r.margin[at] = classes > 1 ? mg[i] : std::numeric_limits<float>::quiet_NaN();
            out.correct += pred[i] == lab[i];
        }
        if (keepProb) {
            const auto p = probs.accessor<float, 2>();
            for (std::int64_t i = 0; i < n; ++i)
                for (std::int64_t c = 0; c < classes; ++c)
                    out.r.prob[std::size_t(positions[std::size_t(i)]) * std::size_t(classes) + std::size_t(c)] = p[i][c];
        }
    } else {
        const torch::Tensor signedLogits = logits * (targets.to(torch::kFloat32) * 2 - 1);
        const torch::Tensor margin = std::get<0>(signedLogits.min(1));
        const torch::Tensor bits = logits > 0;
        const auto b = bits.accessor<bool, 2>();
        const auto mg = margin.accessor<float, 1>();
        for (std::int64_t i = 0; i < n; ++i) {
            std::uint64_t predicted = 0;
            for (std::int64_t c = 0; c < classes; ++c)
                if (b[i][c])
                    predicted |= std::uint64_t(1) << c;
            const std::size_t at = std::size_t(positions[std::size_t(i)]);
            const bool correct = predicted == data.labelBits()[std::size_t(datasetIndices[std::size_t(i)])];
            out.r.correct[at] = correct;
            out.r.predicted[at] = std::int64_t(predicted);
            out.r.margin[at] = mg[i];
            out.correct += correct;
        }
        if (keepProb) {
            const torch::Tensor probs = torch::sigmoid(logits);
            const auto p = probs.accessor<float, 2>();
            for (std::int64_t i = 0; i < n; ++i)
                for (std::int64_t c = 0; c < classes; ++c)
                    out.r.prob[std::size_t(positions[std::size_t(i)]) * std::size_t(classes) + std::size_t(c)] = p[i][c];
        }
    }
    out.seen += n;
}

// Summed (not averaged) loss of a chunk: callers divide by the whole batch so that gradient
// accumulation over micro-batches equals the full batch's mean-loss gradient.
torch::Tensor summedLoss(const torch::Tensor& logits, const torch::Tensor& targets, bool multiLabel)
{
    if (multiLabel)
        // BCEWithLogitsLoss's mean runs over images and classes; sum / (images x classes) keeps it.
        return torch::binary_cross_entropy_with_logits(logits, targets, {}, {}, at::Reduction::Sum) / logits.size(1);
    return torch::nn::functional::cross_entropy(
        logits, targets, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
}

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const std::vector<torch::Tensor>& parameters,
                                                      const ExperimentConfig& config)
{
    if (config.optimizer == "adam")
        return std::make_unique<torch::optim::Adam>(parameters,
                                                    torch::optim::AdamOptions(config.lr).weight_decay(config.weightDecay));
    return std::make_unique<torch::optim::SGD>(
        parameters, torch::optim::SGDOptions(config.lr).momentum(config.momentum).weight_decay(config.weightDecay));
}

// One network's model and optimiser with where it stands.
struct NetworkState {
    int index = 0;
    std::uint64_t seed = 0;
    Classifier model;
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    int nextEpoch = 0;
};

// The networks whose next epoch is `epoch` (after a resume they may stand at different ones).
std::vector<NetworkState*> networksAt(std::vector<NetworkState>& nets, int epoch)
{
    std::vector<NetworkState*> out;
    for (auto& net : nets)
        if (net.nextEpoch == epoch)
            out.push_back(&net);
    return out;
}

}  // namespace

struct Trainer::Impl {
    ExperimentConfig config;
    std::string runPath;
    bool overwrite = false;
    bool resuming = false;

    // Set up by run().
    torch::Device device{torch::kCPU};
    std::unique_ptr<TrainingData> data;
    std::unique_ptr<RunFile> runFile;
    std::unique_ptr<RunWriter> writer;  // the run's single writer, claimed for the whole run
    // A run trained as tasks (docs/FORMAT.md): each network's records go to its own part, whose
    // writer this process claims for the networks it trains.
    bool tasks = false;
    int task = -1;  // the one network this process trains (train --task), or -1 for every one
    std::map<int, std::unique_ptr<RunWriter>> partWriters;
    std::unique_ptr<LearningRateSchedule> schedule;
    int batchesPerEpoch = 0;
    TrainingObserver* observer = nullptr;
    const std::atomic<bool>* cancel = nullptr;
    std::mutex observerMutex;

    // Progress accounting (in batches; an evaluation pass counts as part of its epoch).
    std::int64_t unitsTotal = 0, unitsAtStart = 0;
    std::atomic<std::int64_t> unitsDone{0};
    Clock::time_point started;

    bool trains(int network) const { return task < 0 || task == network; }
    RunWriter& writerOf(int network)
    {
        if (!tasks)
            return *writer;
        auto it = partWriters.find(network);
        if (it == partWriters.end())
            throw Error("Trainer: network " + std::to_string(network) + "'s part is not claimed");
        return *it->second;
    }
    void releaseWriters()
    {
        writer.reset();
        partWriters.clear();
    }
    // Where and with what a process trains: each part of a run trained as tasks keeps its own.
    std::map<std::string, std::string> processProvenance(const std::string& device, int threads) const;
    void claimParts(const std::map<std::string, std::string>& provenance);
    void checkTaskCanStart() const;
    void joinTaskRun(const Dataset& dataset, const std::vector<std::int32_t>& labels, const RunShape& shape,
                     const std::map<std::string, std::string>& provenance, const std::map<std::string, std::string>& own);

    void message(const std::string& text)
    {
        if (!observer)
            return;
        std::lock_guard<std::mutex> lock(observerMutex);
        observer->onMessage(text);
    }
    bool cancelled() const { return cancel && cancel->load(); }
    double etaSeconds() const
    {
        const double done = double(unitsDone.load() - unitsAtStart);
        const double left = double(unitsTotal - unitsDone.load());
        return done > 0 ? secondsSince(started) / done * left : std::numeric_limits<double>::quiet_NaN();
    }

    std::vector<std::vector<std::int64_t>> batchesOf(const std::vector<std::int64_t>& order) const;
    ModelSpec modelSpec() const;
    // Sets the schedule's learning rate (and one-cycle momentum) for a batch; returns the rate.
    double applySchedule(torch::optim::Optimizer& optimizer, int epoch, int batch) const;
    NetworkState makeNetwork(int index);
    std::map<RecordSet, SplitRecords> trainEpoch(NetworkState& net, int epoch, EpochSummary& summary);
    // Calls `step` with every evaluation batch of a split (images, targets, split positions,
    // dataset indices), in dataset order, without augmentation or autograd.
    using EvaluationStep = std::function<void(const torch::Tensor&, const torch::Tensor&,
                                              const std::vector<std::int64_t>&, const std::vector<std::int64_t>&)>;
    void forEachEvaluationBatch(Split split, const EvaluationStep& step);
    void evaluate(NetworkState& net, Split split, RecordBuffer& out);
    void finishEpoch(NetworkState& net, int epoch, std::map<RecordSet, SplitRecords>& records, EpochSummary& summary);
    void finishRun();
    void reportBatch(const NetworkState& net, int epoch, int batch, int batches, double loss, const RecordBuffer& train,
                     double lr, Clock::time_point epochStart, std::int64_t units);

    // Fused training (docs/PERFORMANCE.md, "Fused training"): the networks that stand at the
    // same epoch train as one FusedEnsemble, then hand their state back for the checkpoints.
    std::string trainingPath() const;
    void trainFused(std::vector<NetworkState>& nets);
    std::vector<std::map<RecordSet, SplitRecords>> trainFusedEpoch(FusedEnsemble& fused, torch::optim::Optimizer& optimizer,
                                                                   const std::vector<NetworkState*>& nets, int epoch,
                                                                   std::vector<EpochSummary>& summaries);
    void evaluateFused(FusedEnsemble& fused, Split split, std::vector<RecordBuffer>& out);
    void prepare();
    void checkAgainst(const Dataset& dataset);
};

// Batches of an epoch in the given order. A last batch of a single image is merged into the one
// before: batch norm cannot normalise one value per channel in training mode.
std::vector<std::vector<std::int64_t>> Trainer::Impl::batchesOf(const std::vector<std::int64_t>& order) const
{
    std::vector<std::vector<std::int64_t>> out;
    const std::size_t b = std::size_t(config.batchSize);
    for (std::size_t start = 0; start < order.size(); start += b)
        out.emplace_back(order.begin() + std::ptrdiff_t(start), order.begin() + std::ptrdiff_t(std::min(order.size(), start + b)));
    if (out.size() > 1 && out.back().size() == 1) {
        out[out.size() - 2].push_back(out.back().front());
        out.pop_back();
    }
    return out;
}

NetworkState Trainer::Impl::makeNetwork(int index)
{
    NetworkState net;
    net.index = index;
    net.seed = networkSeed(config.seed, index);
    torch::manual_seed(net.seed);
    net.model = buildModel(modelSpec());
    initializeWeights(*net.model, config.init);
    net.model->to(device);
    net.optimizer = makeOptimizer(net.model->parameters(), config);
    return net;
}

ModelSpec Trainer::Impl::modelSpec() const
{
    return {config.architecture, data->channels(), data->classes(), data->inputSize(), config.batchNormEps};
}

double Trainer::Impl::applySchedule(torch::optim::Optimizer& optimizer, int epoch, int batch) const
{
    const double lr = schedule->learningRate(epoch, batch);
    const double momentum = schedule->momentum(epoch, batch);
    for (auto& group : optimizer.param_groups()) {
        group.options().set_lr(lr);
        if (config.scheduler == "onecycle") {
            if (config.optimizer == "adam") {
                auto& o = static_cast<torch::optim::AdamOptions&>(group.options());
                o.betas(std::make_tuple(momentum, std::get<1>(o.betas())));
            } else {
                static_cast<torch::optim::SGDOptions&>(group.options()).momentum(momentum);
            }
        }
    }
    return lr;
}

void Trainer::Impl::forEachEvaluationBatch(Split split, const EvaluationStep& step)
{
    const auto& indices = data->splitIndices(split);
    const std::int64_t n = std::int64_t(indices.size());
    // Without autograd's saved activations an evaluation batch needs far less memory than a
    // training batch, and larger batches use the cores better.
    const std::int64_t b = std::int64_t(config.batchSize) * kEvalBatchFactor;
    std::vector<std::vector<std::int64_t>> batchIds;
    for (std::int64_t start = 0; start < n; start += b)
        batchIds.emplace_back(indices.begin() + std::ptrdiff_t(start), indices.begin() + std::ptrdiff_t(std::min(n, start + b)));
    std::unique_ptr<BatchPrefetcher> prefetch;
    if (data->streamed())
        prefetch = std::make_unique<BatchPrefetcher>(*data, batchIds, false, config, nullptr,
                                                     BatchPrefetcher::workersFor(device, torch::get_num_threads()));
    for (std::size_t k = 0; k < batchIds.size(); ++k) {
        const std::vector<std::int64_t>& ids = batchIds[k];
        const std::int64_t start = std::int64_t(k) * b;
        std::vector<std::int64_t> positions(ids.size());
        for (std::size_t i = 0; i < ids.size(); ++i)
            positions[i] = start + std::int64_t(i);
        c10::InferenceMode inference;
        const torch::Tensor idx = torch::tensor(ids, torch::kInt64);
        const torch::Tensor x = prefetch ? prefetch->next().to(device) : data->images(idx, device, false, config, nullptr);
        step(x, data->targets(idx, device), positions, ids);
        crashPoint("evaluation");
        // A large test set takes a while: honour a cancel here too (the epoch is not recorded).
        if (cancelled())
            throw Cancelled();
    }
}

void Trainer::Impl::evaluate(NetworkState& net, Split split, RecordBuffer& out)
{
    net.model->eval();
    forEachEvaluationBatch(split, [&](const torch::Tensor& x, const torch::Tensor& y,
                                      const std::vector<std::int64_t>& positions, const std::vector<std::int64_t>& ids) {
        const torch::Tensor logits = net.model->forward(x);
        out.lossSum += summedLoss(logits, y, data->multiLabel()).item<double>();
        scoreBatch(logits, y, positions, *data, ids, out);
    });
    net.model->train();
}

std::map<RecordSet, SplitRecords> Trainer::Impl::trainEpoch(NetworkState& net, int epoch, EpochSummary& summary)
{
    const Clock::time_point epochStart = Clock::now();
    const std::uint64_t seed = epochSeed(net.seed, epoch);
    std::mt19937_64 engine(seed);
    torch::manual_seed(seed);  // dropout
    const auto& trainIndices = data->splitIndices(Split::Train);
    const auto batches = batchesOf(permutation(std::int64_t(trainIndices.size()), engine));
    const int classes = data->classes();
    RecordBuffer train(trainIndices.size(), classes, config.saveProbVector);
    const std::int64_t micro = config.microBatch > 0 ? config.microBatch : config.batchSize;

    std::vector<std::vector<std::int64_t>> batchIds(batches.size());
    for (std::size_t bi = 0; bi < batches.size(); ++bi)
        for (std::int64_t position : batches[bi])
            batchIds[bi].push_back(trainIndices[std::size_t(position)]);
    // Streamed batches are built ahead while the network computes; the engine's augmentation
    // draws are taken in the same order either way.
    std::unique_ptr<BatchPrefetcher> prefetch;
    if (data->streamed())
        prefetch = std::make_unique<BatchPrefetcher>(*data, batchIds, true, config, &engine,
                                                     BatchPrefetcher::workersFor(device, torch::get_num_threads()));

    net.model->train();
    summary.learningRate = schedule->learningRate(epoch, 0);
    for (std::size_t bi = 0; bi < batches.size(); ++bi) {
        const auto& positions = batches[bi];
        const std::vector<std::int64_t>& ids = batchIds[bi];
        const double lr = applySchedule(*net.optimizer, epoch, int(bi));
        const torch::Tensor idx = torch::tensor(ids, torch::kInt64);
        const torch::Tensor x = prefetch ? prefetch->next().to(device) : data->images(idx, device, true, config, &engine);
        const torch::Tensor y = data->targets(idx, device);
        const std::int64_t n = x.size(0);
        net.optimizer->zero_grad();
        std::vector<torch::Tensor> logitParts;
        double batchLoss = 0;
        for (std::int64_t start = 0; start < n; start += micro) {
            const std::int64_t len = std::min(micro, n - start);
            const torch::Tensor xs = micro >= n ? x : x.narrow(0, start, len);
            const torch::Tensor ys = micro >= n ? y : y.narrow(0, start, len);
            const torch::Tensor logits = net.model->forward(xs);
            const torch::Tensor loss = summedLoss(logits, ys, data->multiLabel()) / double(n);
            loss.backward();
            batchLoss += loss.item<double>();
            logitParts.push_back(logits.detach());
        }
        // The records are the predictions made before this batch's optimiser step (docs/DEFINITIONS.md 2).
        net.optimizer->step();
        crashPoint("batch");
        const torch::Tensor logits = logitParts.size() == 1 ? logitParts.front() : torch::cat(logitParts);
        scoreBatch(logits, y, positions, *data, ids, train);
        train.lossSum += batchLoss * double(n);

        reportBatch(net, epoch, int(bi), int(batches.size()), batchLoss, train, lr, epochStart, ++unitsDone);
        if (cancelled())
            throw Cancelled();
    }
    summary.trainLoss = train.lossSum / double(std::max<std::int64_t>(train.seen, 1));
    summary.trainAccuracy = double(train.correct) / double(std::max<std::int64_t>(train.seen, 1));

    std::map<RecordSet, SplitRecords> records;
    RecordBuffer test(data->splitIndices(Split::Test).size(), classes, config.saveProbVector);
    evaluate(net, Split::Test, test);
    summary.testLoss = test.lossSum / double(std::max<std::int64_t>(test.seen, 1));
    summary.testAccuracy = double(test.correct) / double(std::max<std::int64_t>(test.seen, 1));
    if (config.evalTrain) {
        RecordBuffer trainEval(trainIndices.size(), classes, config.saveProbVector);
        evaluate(net, Split::Train, trainEval);
        records[RecordSet::TrainEval] = std::move(trainEval.r);
    }
    records[RecordSet::Train] = std::move(train.r);
    records[RecordSet::Test] = std::move(test.r);
    summary.seconds = secondsSince(epochStart);
    return records;
}

void Trainer::Impl::reportBatch(const NetworkState& net, int epoch, int batch, int batches, double loss,
                                const RecordBuffer& train, double lr, Clock::time_point epochStart, std::int64_t units)
{
    if (!observer)
        return;
    BatchProgress p;
    p.network = net.index;
    p.epoch = epoch;
    p.batch = batch;
    p.batches = batches;
    p.loss = loss;
    p.runningAccuracy = double(train.correct) / double(std::max<std::int64_t>(train.seen, 1));
    p.imagesPerSecond = double(train.seen) / std::max(secondsSince(epochStart), 1e-9);
    p.learningRate = lr;
    p.fraction = double(units) / double(unitsTotal);
    p.etaSeconds = etaSeconds();
    std::lock_guard<std::mutex> lock(observerMutex);
    observer->onBatch(p);
}

// The same images for every network, in dataset order, as evaluate() passes them to each.
void Trainer::Impl::evaluateFused(FusedEnsemble& fused, Split split, std::vector<RecordBuffer>& out)
{
    fused.module().eval();
    forEachEvaluationBatch(split, [&](const torch::Tensor& x, const torch::Tensor& y,
                                      const std::vector<std::int64_t>& positions, const std::vector<std::int64_t>& ids) {
        const torch::Tensor logits = fused.module().forward(fused.repeatInput(x));
        for (int k = 0; k < fused.size(); ++k) {
            const torch::Tensor own = fused.networkLogits(logits, k);
            out[std::size_t(k)].lossSum += summedLoss(own, y, data->multiLabel()).item<double>();
            scoreBatch(own, y, positions, *data, ids, out[std::size_t(k)]);
        }
    });
    fused.module().train();
}

// trainEpoch for every network at once. Network k keeps its own batch order and augmentation
// (its engine, seeded as trainEpoch seeds it), its dropout stream and its loss: the fused loss
// is the sum of the networks' mean losses, so each group's gradient is its network's own.
std::vector<std::map<RecordSet, SplitRecords>>
Trainer::Impl::trainFusedEpoch(FusedEnsemble& fused, torch::optim::Optimizer& optimizer,
                               const std::vector<NetworkState*>& nets, int epoch, std::vector<EpochSummary>& summaries)
{
    const Clock::time_point epochStart = Clock::now();
    const std::size_t networks = nets.size();
    const auto& trainIndices = data->splitIndices(Split::Train);
    const int classes = data->classes();
    std::vector<std::mt19937_64> engines;
    std::vector<std::uint64_t> seeds;
    std::vector<std::vector<std::vector<std::int64_t>>> batches;
    std::vector<RecordBuffer> train;
    for (const NetworkState* net : nets) {
        seeds.push_back(epochSeed(net->seed, epoch));
        engines.emplace_back(seeds.back());
        batches.push_back(batchesOf(permutation(std::int64_t(trainIndices.size()), engines.back())));
        train.emplace_back(trainIndices.size(), classes, config.saveProbVector);
    }
    fused.seedDropout(seeds);
    const std::int64_t micro = config.microBatch > 0 ? config.microBatch : config.batchSize;

    fused.module().train();
    for (auto& s : summaries)
        s.learningRate = schedule->learningRate(epoch, 0);
    // Every network's epoch has the same batch sizes: they depend only on the split's size.
    const std::size_t batchCount = batches.front().size();
    for (std::size_t bi = 0; bi < batchCount; ++bi) {
        const double lr = applySchedule(optimizer, epoch, int(bi));
        std::vector<std::vector<std::int64_t>> ids(networks);
        std::vector<torch::Tensor> xs, ys;
        for (std::size_t k = 0; k < networks; ++k) {
            for (std::int64_t position : batches[k][bi])
                ids[k].push_back(trainIndices[std::size_t(position)]);
            const torch::Tensor idx = torch::tensor(ids[k], torch::kInt64);
            xs.push_back(data->images(idx, device, true, config, &engines[k]));
            ys.push_back(data->targets(idx, device));
        }
        const torch::Tensor x = FusedEnsemble::stackInputs(xs);
        const std::int64_t n = x.size(0);
        optimizer.zero_grad();
        std::vector<std::vector<torch::Tensor>> logitParts(networks);
        torch::Tensor batchLoss = torch::zeros({std::int64_t(networks)}, torch::kFloat64);
        for (std::int64_t start = 0; start < n; start += micro) {
            const std::int64_t len = std::min(micro, n - start);
            const torch::Tensor logits = fused.module().forward(micro >= n ? x : x.narrow(0, start, len));
            std::vector<torch::Tensor> losses;
            for (std::size_t k = 0; k < networks; ++k) {
                const torch::Tensor own = fused.networkLogits(logits, int(k));
                const torch::Tensor ys_k = micro >= n ? ys[k] : ys[k].narrow(0, start, len);
                losses.push_back(summedLoss(own, ys_k, data->multiLabel()) / double(n));
                logitParts[k].push_back(own.detach());
            }
            const torch::Tensor perNetwork = torch::stack(losses);
            perNetwork.sum().backward();
            batchLoss += perNetwork.detach().to(torch::kCPU, torch::kFloat64);
        }
        // The records are the predictions made before this batch's optimiser step (docs/DEFINITIONS.md 2).
        optimizer.step();
        crashPoint("batch");
        const std::int64_t unitsBefore = unitsDone.fetch_add(std::int64_t(networks));
        for (std::size_t k = 0; k < networks; ++k) {
            const torch::Tensor logits = logitParts[k].size() == 1 ? logitParts[k].front() : torch::cat(logitParts[k]);
            scoreBatch(logits, ys[k], batches[k][bi], *data, ids[k], train[k]);
            const double loss = batchLoss[std::int64_t(k)].item<double>();
            train[k].lossSum += loss * double(n);
            reportBatch(*nets[k], epoch, int(bi), int(batchCount), loss, train[k], lr, epochStart,
                        unitsBefore + std::int64_t(k) + 1);
        }
        if (cancelled())
            throw Cancelled();
    }

    std::vector<RecordBuffer> test, trainEval;
    for (std::size_t k = 0; k < networks; ++k) {
        test.emplace_back(data->splitIndices(Split::Test).size(), classes, config.saveProbVector);
        if (config.evalTrain)
            trainEval.emplace_back(trainIndices.size(), classes, config.saveProbVector);
    }
    evaluateFused(fused, Split::Test, test);
    if (config.evalTrain)
        evaluateFused(fused, Split::Train, trainEval);
    std::vector<std::map<RecordSet, SplitRecords>> records(networks);
    const double seconds = secondsSince(epochStart);
    for (std::size_t k = 0; k < networks; ++k) {
        EpochSummary& summary = summaries[k];
        summary.trainLoss = train[k].lossSum / double(std::max<std::int64_t>(train[k].seen, 1));
        summary.trainAccuracy = double(train[k].correct) / double(std::max<std::int64_t>(train[k].seen, 1));
        summary.testLoss = test[k].lossSum / double(std::max<std::int64_t>(test[k].seen, 1));
        summary.testAccuracy = double(test[k].correct) / double(std::max<std::int64_t>(test[k].seen, 1));
        // One epoch of the fused module trained every network: each took the whole time.
        summary.seconds = seconds;
        if (config.evalTrain)
            records[k][RecordSet::TrainEval] = std::move(trainEval[k].r);
        records[k][RecordSet::Train] = std::move(train[k].r);
        records[k][RecordSet::Test] = std::move(test[k].r);
    }
    return records;
}

// Networks that stand at the same epoch train together; after a resume that found them at
// different epochs, the ones behind train alone in a smaller ensemble until they catch up. The
// networks' own models and optimisers stay the master copy: the ensemble loads them when its
// membership changes and stores its state back after every epoch, for the checkpoints.
void Trainer::Impl::trainFused(std::vector<NetworkState>& nets)
{
    std::unique_ptr<FusedEnsemble> fused;
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    std::vector<NetworkState*> members;
    auto ensembleOf = [](const std::vector<NetworkState*>& group) {
        std::vector<EnsembleMember> out;
        for (NetworkState* net : group)
            out.push_back({net->model.get(), net->optimizer.get()});
        return out;
    };
    for (int e = 0; e < config.epochs; ++e) {
        const std::vector<NetworkState*> active = networksAt(nets, e);
        if (active.empty())
            continue;
        if (active != members) {
            members = active;
            fused.reset();
            fused = std::make_unique<FusedEnsemble>(modelSpec(), ensembleOf(members), device);
            optimizer = makeOptimizer(fused->module().parameters(), config);
            fused->load(ensembleOf(members), optimizer.get());
        }
        std::vector<EpochSummary> summaries(members.size());
        auto records = trainFusedEpoch(*fused, *optimizer, members, e, summaries);
        fused->store(ensembleOf(members), *optimizer);
        for (std::size_t i = 0; i < members.size(); ++i)
            finishEpoch(*members[i], e, records[i], summaries[i]);
    }
}

// Records first, then the checkpoint: a kill between the two leaves the run one epoch ahead of
// the checkpoint, and resume replays that epoch (identically) and rewrites its records, so no
// epoch is lost or counted twice.
void Trainer::Impl::finishEpoch(NetworkState& net, int epoch, std::map<RecordSet, SplitRecords>& records,
                                EpochSummary& summary)
{
    writerOf(net.index).appendEpoch(net.index, epoch, records, summary);
    Checkpoint::save(runPath, net.index, epoch + 1, *net.model, *net.optimizer);
    net.nextEpoch = epoch + 1;
    if (observer) {
        EpochProgress p;
        p.network = net.index;
        p.epoch = epoch;
        p.summary = summary;
        p.fraction = double(unitsDone.load()) / double(unitsTotal);
        p.elapsedSeconds = secondsSince(started);
        p.etaSeconds = etaSeconds();
        std::lock_guard<std::mutex> lock(observerMutex);
        observer->onEpoch(p);
    }
}

// A completed run needs no checkpoint to resume: they go unless the trained networks are kept.
void Trainer::Impl::finishRun()
{
    runFile->refresh();
    if (config.keepCheckpoints)
        return;
    if (runFile->completeEpochs() == config.epochs)
        Checkpoint::remove(runPath);
    else
        for (const auto& [network, part] : partWriters)
            if (runFile->epochsDone()[std::size_t(network)] >= config.epochs)
                Checkpoint::remove(runPath, network);
}

std::map<std::string, std::string> Trainer::Impl::processProvenance(const std::string& device, int threads) const
{
    std::map<std::string, std::string> provenance;
    provenance["program"] = std::string("OrderLens ") + ORDERLENS_VERSION;
    provenance["date"] = utcNow();
    provenance["device"] = device;
    provenance["libtorch"] = TORCH_VERSION;
    provenance["threads"] = std::to_string(threads);
    provenance["host"] = hostName();
    provenance["blas"] = blasLibrary();
    provenance["training"] = trainingPath();
    return provenance;
}

// Resuming a run trained as tasks: the parts of the networks this process continues (complete
// ones too: a kept checkpoint behind its records replays the last epoch), created for tasks that
// never started.
void Trainer::Impl::claimParts(const std::map<std::string, std::string>& provenance)
{
    const RunFile run(runPath);
    for (int n = 0; n < run.shape().networks; ++n) {
        if (!trains(n))
            continue;
        run.createPart(n, provenance);
        partWriters[n] = std::make_unique<RunWriter>(runPath, n);
    }
}

// Refuses, before the dataset is loaded, a task that cannot join the run: one trained all in
// one process, or whose network is being trained or has records already.
void Trainer::Impl::checkTaskCanStart() const
{
    if (!fs::exists(runPath))
        return;
    const RunFile run(runPath);
    if (!run.madeOfParts())
        throw ConfigError(runPath + " exists and was trained all in one process, not as tasks; choose another run file "
                                    "(or remove it)");
    if (task >= run.shape().networks)
        throw ConfigError("--task " + std::to_string(task) + ": " + runPath + " has " +
                          std::to_string(run.shape().networks) + " networks, numbered from 0");
    const RunWriterInfo other = run.partWriter(task);
    if (other.live())
        throw WriterBusyError(run.recordsPath(task), other);
    if (run.epochsDone()[std::size_t(task)] > 0)
        throw ConfigError("network " + std::to_string(task) + " of " + runPath + " already has " +
                          std::to_string(run.epochsDone()[std::size_t(task)]) + " epochs recorded in " +
                          run.recordsPath(task) + "; continue it with --task " + std::to_string(task) + " --resume");
}

// The first task creates the run; every task then checks that it trains the run's very
// configuration and dataset, and claims its network's part.
void Trainer::Impl::joinTaskRun(const Dataset& dataset, const std::vector<std::int32_t>& labels, const RunShape& shape,
                                const std::map<std::string, std::string>& provenance,
                                const std::map<std::string, std::string>& own)
{
    RunFile::createForTasks(runPath, config.toJson().dump(), dataset, labels, shape, provenance);
    runFile = std::make_unique<RunFile>(runPath);
    if (!runFile->madeOfParts())
        throw ConfigError(runPath + " was created by a process that trains all networks, not as tasks");
    nlohmann::json stored;
    try {
        stored = nlohmann::json::parse(runFile->configJson());
    } catch (const nlohmann::json::exception& e) {
        throw InputError(runPath, std::string("the stored configuration is not valid JSON: ") + e.what());
    }
    const nlohmann::json ours = config.toJson();
    std::string differences;
    for (const auto& [key, value] : ours.items()) {
        if (stored.contains(key) && stored[key] == value)
            continue;
        differences += (differences.empty() ? "" : "; ") + key + " " + value.dump() + " here, " +
                       (stored.contains(key) ? stored[key].dump() : "absent") + " in the run";
    }
    if (!differences.empty())
        throw ConfigError("task " + std::to_string(task) + " has other settings than the tasks that started " + runPath +
                          ": " + differences + ". Every task of a run must get the same options");
    runFile->checkDataset(dataset);
    runFile->createPart(task, own);
    partWriters[task] = std::make_unique<RunWriter>(runPath, task);
    const int done = partWriters[task]->epochsDone()[std::size_t(task)];
    if (done > 0)
        throw ConfigError("network " + std::to_string(task) + " of " + runPath + " already has " + std::to_string(done) +
                          " epochs recorded; continue it with --task " + std::to_string(task) + " --resume");
    // A checkpoint of an earlier run of this name must not be mistaken for this task's.
    Checkpoint::remove(runPath, task);
}

// The validation the setup form shows, now that the images are known (the subset asked for:
// a limit beyond the split leaves fewer images than asked).
void Trainer::Impl::checkAgainst(const Dataset& dataset)
{
    DatasetFacts facts;
    facts.name = dataset.source;
    facts.trainImages = dataset.indices(Split::Train).size();
    facts.testImages = dataset.indices(Split::Test).size();
    facts.multiLabel = dataset.multiLabel;
    facts.height = dataset.height();
    facts.width = dataset.width();
    std::string message;
    for (const auto& p : findProblems(config, &facts))
        message += (message.empty() ? "" : "\n") + p.message;
    if (!message.empty())
        throw ConfigError(message);
    followDataset(config, facts);
}

void Trainer::Impl::prepare()
{
    config.validate();
    const std::string resolved = Trainer::resolveDevice(config.device);
    device = resolved == "cuda" ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    // The run's threads setting is the process's budget (the GUI's analysis and statistics after
    // the training share it).
    if (config.threads > 0)
        setThreadBudget(unsigned(config.threads));
    const int threads = int(threadBudget());
    setCpuThreads(threads);
    const std::map<std::string, std::string> ownProvenance = processProvenance(resolved, threads);
    // Claim the run before the (possibly long) dataset load, so a second writer is refused at once.
    if (resuming && tasks)
        claimParts(ownProvenance);
    else if (resuming)
        writer = std::make_unique<RunWriter>(runPath);
    else if (tasks)
        checkTaskCanStart();
    else if (fs::exists(runPath)) {
        RunWriterInfo other;
        try {
            other = RunFile(runPath).writer();
        } catch (const InputError&) {
            // Not a readable run, so nobody is writing it: overwriting is the user's call.
        }
        if (other.live())
            throw WriterBusyError(runPath, other);
    }

    message("Loading " + config.dataset + " ...");
    if (resuming)
        runFile = std::make_unique<RunFile>(runPath);
    // A resumed run continues on exactly the images it started with.
    Dataset dataset = resuming ? RunDataset::of(*runFile).load(*runFile)
                               : loadDataset(config.dataset, std::size_t(config.limitTrain), std::size_t(config.limitTest));
    checkAgainst(dataset);
    if (dataset.multiLabel && dataset.classNames.size() > 64)
        throw ConfigError("multi-label training supports at most 64 classes");
    if (config.inputSize == 0)  // checkAgainst refused images of different sizes
        config.inputSize = std::max(dataset.height(), dataset.width());
    architectureInfo(config.architecture);

    std::vector<std::int32_t> labels;
    if (resuming) {
        labels = runFile->manifest().labels;
    } else {
        labels = corruptLabels(dataset, config.corruptProb, config.seed);
    }
    message("Preparing " + std::to_string(dataset.size()) + " images at " + std::to_string(config.inputSize) + " x " +
            std::to_string(config.inputSize) + " ...");
    data = std::make_unique<TrainingData>(dataset, labels, config.inputSize);
    if (data->streamed()) {
        const int workers = BatchPrefetcher::workersFor(device, torch::get_num_threads());
        message("Batches are built on demand from the " +
                std::string(dataset.pixelsExternal() ? "decoded-image cache" : "dataset (too large to copy)") + ", " +
                std::to_string(workers) + " background thread" + (workers == 1 ? "" : "s") +
                " per training network preparing them ahead.");
    }
    if (data->splitIndices(Split::Train).empty() || data->splitIndices(Split::Test).empty())
        throw InputError(dataset.source, "training needs images in both the train and the test split");
    // Builds one network up front so that an impossible architecture/input fails before the run file exists.
    buildModel({config.architecture, data->channels(), data->classes(), data->inputSize(), config.batchNormEps});

    if (!resuming) {
        if (fs::exists(runPath) && !overwrite && !tasks)
            throw ConfigError(runPath + " exists; choose another run file, resume it, or allow overwriting (--force)");
        std::map<std::string, std::string> provenance = ownProvenance;
        std::string seeds;
        for (int n = 0; n < config.networks; ++n)
            seeds += (n ? "," : "") + std::to_string(networkSeed(config.seed, n));
        provenance["network_seeds"] = seeds;
        std::ostringstream mean, sd;
        for (std::size_t c = 0; c < data->mean().size(); ++c) {
            mean << (c ? "," : "") << data->mean()[c];
            sd << (c ? "," : "") << data->std()[c];
        }
        provenance["normalisation_mean"] = mean.str();
        provenance["normalisation_std"] = sd.str();
        RunShape shape;
        shape.networks = config.networks;
        shape.epochs = config.epochs;
        shape.classes = data->classes();
        shape.multiLabel = config.multiLabel;
        shape.probVectors = config.saveProbVector;
        shape.evalTrain = config.evalTrain;
        if (tasks) {
            joinTaskRun(dataset, labels, shape, provenance, ownProvenance);
        } else {
            Checkpoint::remove(runPath);
            RunFile::create(runPath, config.toJson().dump(), dataset, labels, shape, provenance);
            writer = std::make_unique<RunWriter>(runPath);
            runFile = std::make_unique<RunFile>(runPath);
        }
    }
    const auto batches = batchesOf(std::vector<std::int64_t>(data->splitIndices(Split::Train).size()));
    batchesPerEpoch = int(batches.size());
    schedule = std::make_unique<LearningRateSchedule>(config, batchesPerEpoch);
}

Trainer::Trainer(ExperimentConfig config, std::string runPath, bool overwrite) : impl_(std::make_unique<Impl>())
{
    config.validate();
    architectureInfo(config.architecture);
    resolveDevice(config.device);
    if (runPath.empty())
        throw ConfigError("a run file is required");
    if (fs::exists(runPath) && !overwrite)
        throw ConfigError(runPath + " exists; choose another run file, resume it, or allow overwriting (--force)");
    impl_->config = std::move(config);
    impl_->runPath = std::move(runPath);
    impl_->overwrite = overwrite;
}

Trainer Trainer::task(ExperimentConfig config, std::string runPath, int network)
{
    config.validate();
    architectureInfo(config.architecture);
    resolveDevice(config.device);
    if (runPath.empty())
        throw ConfigError("a run file is required");
    if (network < 0 || network >= config.networks)
        throw ConfigError("--task " + std::to_string(network) + ": the run has " + std::to_string(config.networks) +
                          " networks, numbered 0 to " + std::to_string(config.networks - 1));
    Trainer t;
    t.impl_ = std::make_unique<Impl>();
    t.impl_->config = std::move(config);
    t.impl_->runPath = std::move(runPath);
    t.impl_->tasks = true;
    t.impl_->task = network;
    return t;
}

Trainer Trainer::resume(const std::string& runPath, int network)
{
    RunFile file(runPath);
    const auto training = file.provenance().find("training");
    if (training != file.provenance().end() && training->second == "imported")
        throw ConfigError(runPath + " holds records imported from another program (orderlens import); OrderLens "
                                    "has no networks to continue that training with");
    if (network >= 0 && !file.madeOfParts())
        throw ConfigError(runPath + " was trained all in one process, not as tasks: resume it without --task");
    if (network >= file.shape().networks)
        throw ConfigError("--task " + std::to_string(network) + ": " + runPath + " has " +
                          std::to_string(file.shape().networks) + " networks, numbered from 0");
    ExperimentConfig config;
    try {
        config = ExperimentConfig::fromStoredJson(nlohmann::json::parse(file.configJson()));
    } catch (const nlohmann::json::exception& e) {
        throw InputError(runPath, std::string("the stored configuration is not valid JSON: ") + e.what());
    }
    Trainer t;
    t.impl_ = std::make_unique<Impl>();
    t.impl_->config = std::move(config);
    t.impl_->runPath = runPath;
    t.impl_->resuming = true;
    t.impl_->tasks = file.madeOfParts();
    t.impl_->task = network;
    return t;
}

Trainer::~Trainer() = default;
Trainer::Trainer(Trainer&&) noexcept = default;

const ExperimentConfig& Trainer::config() const { return impl_->config; }
const std::string& Trainer::runPath() const { return impl_->runPath; }
std::string Trainer::trainingPath() const { return impl_->trainingPath(); }

std::string Trainer::Impl::trainingPath() const { return tasks ? "tasks" : Trainer::trainingPath(config); }

std::string Trainer::trainingPath(const ExperimentConfig& config)
{
    if (config.fuseNetworks && config.networks > 1 && architectureInfo(config.architecture).fusable)
        return "fused";
    return config.parallelNetworks ? "side-by-side" : "sequential";
}

void Trainer::run(TrainingObserver* observer, const std::atomic<bool>* cancel)
{
    Impl& m = *impl_;
    m.observer = observer;
    m.cancel = cancel;
    // The claim on the run ends with this call, however it ends.
    struct ReleaseWriter {
        Impl& m;
        ~ReleaseWriter() { m.releaseWriters(); }
    } release{m};
    m.prepare();
    const int networks = m.config.networks, epochs = m.config.epochs;
    const std::vector<int> recorded = m.runFile->epochsDone();
    if (m.resuming)
        Checkpoint::removeUnfinished(m.runPath);
    // A network trains on while epochs are unrecorded, and, when the run keeps its trained
    // networks, while its checkpoint is behind complete records (a kill between the last
    // epoch's records and its checkpoint): the replayed epoch rewrites identical records.
    auto unfinished = [&](int n) {
        if (recorded[std::size_t(n)] < epochs)
            return true;
        if (!m.config.keepCheckpoints)
            return false;
        const std::optional<int> covered = Checkpoint::epochsCovered(m.runPath, n);
        return covered && *covered < epochs;
    };

    // Where each network resumes: its checkpoint (records are never behind it, see finishEpoch).
    auto restore = [&](NetworkState& net) {
        const std::optional<int> at = Checkpoint::load(m.runPath, net.index, *net.model, *net.optimizer, m.device);
        net.nextEpoch = at.value_or(0);
        const int done = recorded[std::size_t(net.index)];
        if (net.nextEpoch > done)
            throw InputError(Checkpoint::file(m.runPath, net.index),
                             "checkpoint is ahead of the run file's records (" + std::to_string(net.nextEpoch) + " vs " +
                                 std::to_string(done) + " epochs): the files do not belong together");
        if (done > 0 || net.nextEpoch > 0)
            m.message("network " + std::to_string(net.index) + ": resuming at epoch " + std::to_string(net.nextEpoch + 1) +
                      " of " + std::to_string(epochs));
    };

    if (m.resuming) {
        std::string done;
        for (int n = 0; n < networks; ++n)
            done += (n ? ", " : "") + std::to_string(recorded[std::size_t(n)]);
        m.message("Resuming " + m.runPath + ": epochs recorded per network: " + done + " of " + std::to_string(epochs));
    }
    // Progress counts the recorded epochs as done; restore() corrects it by the epochs a network
    // replays because its checkpoint is one behind its records.
    m.unitsTotal = 0;
    m.unitsAtStart = 0;
    for (int n = 0; n < networks; ++n) {
        if (!m.trains(n))
            continue;
        m.unitsTotal += std::int64_t(epochs) * m.batchesPerEpoch;
        m.unitsAtStart += std::int64_t(recorded[std::size_t(n)]) * m.batchesPerEpoch;
    }
    m.unitsDone = m.unitsAtStart;
    m.started = Clock::now();
    auto start = [&](int n) {
        NetworkState net = m.makeNetwork(n);
        if (m.resuming) {
            restore(net);
            const int replay = recorded[std::size_t(n)] - net.nextEpoch;
            m.unitsDone -= std::int64_t(replay) * m.batchesPerEpoch;
            m.unitsAtStart -= std::int64_t(replay) * m.batchesPerEpoch;
        }
        return net;
    };

    if (m.config.fuseNetworks && networks > 1 && !architectureInfo(m.config.architecture).fusable)
        m.message(m.config.architecture + " has no fused form: its networks train " +
                  (m.config.parallelNetworks ? "side by side" : "one after another"));
    if (m.trainingPath() == "fused") {
        m.message("The " + std::to_string(networks) + " networks train fused into one module");
        std::vector<NetworkState> nets;
        for (int n = 0; n < networks; ++n)
            if (unfinished(n))
                nets.push_back(start(n));
        m.trainFused(nets);
        m.finishRun();
        return;
    }
    // Tasks train their one network as sequential training trains it; resuming every unfinished
    // network of a run trained as tasks goes one network after another.
    if (!m.config.parallelNetworks || m.tasks) {
        for (int n = 0; n < networks; ++n) {
            if (!unfinished(n) || !m.trains(n))
                continue;
            NetworkState net = start(n);
            for (int e = net.nextEpoch; e < epochs; ++e) {
                EpochSummary summary;
                auto records = m.trainEpoch(net, e, summary);
                m.finishEpoch(net, e, records, summary);
            }
        }
        m.finishRun();
        return;
    }

    // Side by side: all networks in memory, each epoch of every network in its own thread, the
    // CPU threads shared out among them. Small networks gain most: their operations are too
    // small to split across cores, and whole networks run in parallel without synchronising.
    std::vector<NetworkState> nets;
    for (int n = 0; n < networks; ++n)
        if (unfinished(n))
            nets.push_back(start(n));
    // LibTorch gives every new thread the intra-op thread count set last; restore it after.
    const int threads = torch::get_num_threads();
    setCpuThreads(std::max(1, threads / std::max(1, int(nets.size()))));
    struct RestoreThreads {
        int threads;
        ~RestoreThreads() { setCpuThreads(threads); }
    } restoreThreads{threads};
    for (int e = 0; e < epochs; ++e) {
        const std::vector<NetworkState*> active = networksAt(nets, e);
        if (active.empty())
            continue;
        std::vector<std::map<RecordSet, SplitRecords>> records(active.size());
        std::vector<EpochSummary> summaries(active.size());
        std::vector<std::exception_ptr> errors(active.size());
        std::vector<std::thread> workers;
        for (std::size_t i = 0; i < active.size(); ++i) {
            workers.emplace_back([&, i] {
                try {
                    records[i] = m.trainEpoch(*active[i], e, summaries[i]);
                } catch (...) {
                    errors[i] = std::current_exception();
                }
            });
        }
        for (auto& w : workers)
            w.join();
        for (auto& err : errors)
            if (err)
                std::rethrow_exception(err);
        for (std::size_t i = 0; i < active.size(); ++i)
            m.finishEpoch(*active[i], e, records[i], summaries[i]);
    }
    m.finishRun();
}

bool Trainer::cudaAvailable() { return torch::cuda::is_available(); }

std::string Trainer::resolveDevice(const std::string& requested)
{
    if (requested == "cpu")
        return "cpu";
    if (requested == "cuda") {
        if (!cudaAvailable())
            throw ConfigError("--device cuda: no CUDA device is usable by this LibTorch build (use --device cpu or auto)");
        return "cuda";
    }
    if (requested == "auto")
        return cudaAvailable() ? "cuda" : "cpu";
    throw ConfigError("device '" + requested + "' is not one of: auto, cpu, cuda");
}

std::vector<std::string> Trainer::architectures()
{
    std::vector<std::string> out;
    for (const auto& a : architectureInfos())
        out.push_back(a.name);
    return out;
}

}  // namespace orderlens
