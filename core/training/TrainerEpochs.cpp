// One network's epoch: its batches, the training pass, the evaluation passes and their records,
// then the epoch's records and checkpoint.

#include "training/TrainerImpl.h"

#include "common/CrashPoint.h"
#include "common/Errors.h"
#include "training/BatchPrefetcher.h"
#include "training/Checkpoint.h"
#include "training/Seeds.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace orderlens {

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

std::vector<NetworkState*> networksAt(std::vector<NetworkState>& nets, int epoch)
{
    std::vector<NetworkState*> out;
    for (auto& net : nets)
        if (net.nextEpoch == epoch)
            out.push_back(&net);
    return out;
}

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

}  // namespace orderlens
