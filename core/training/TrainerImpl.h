#pragma once

// Internal to core (includes LibTorch): what the parts of the trainer share -- Trainer::Impl,
// one network's training state and the records of one pass. Trainer.cpp sets a run up and drives
// it, TrainerEpochs.cpp trains and evaluates one network's epoch, TrainerFused.cpp the fused
// ensemble's.

#include "training/Trainer.h"

#include "common/Numbering.h"
#include "models/FusedEnsemble.h"
#include "models/Networks.h"
#include "storage/RunFile.h"
#include "training/LearningRateSchedule.h"
#include "training/TrainingData.h"

#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace orderlens {

using Clock = std::chrono::steady_clock;

// Evaluation passes use batches this many times the training batch.
constexpr std::int64_t kEvalBatchFactor = 2;

inline double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

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
void scoreBatch(const torch::Tensor& logits, const torch::Tensor& targets, const std::vector<std::int64_t>& positions,
                const TrainingData& data, const std::vector<std::int64_t>& datasetIndices, RecordBuffer& out);

// Summed (not averaged) loss of a chunk: callers divide by the whole batch so that gradient
// accumulation over micro-batches equals the full batch's mean-loss gradient.
torch::Tensor summedLoss(const torch::Tensor& logits, const torch::Tensor& targets, bool multiLabel);

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const std::vector<torch::Tensor>& parameters,
                                                      const ExperimentConfig& config);

// One network's model and optimiser with where it stands.
struct NetworkState {
    int index = 0;
    std::uint64_t seed = 0;
    Classifier model;
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    int nextEpoch = 0;
};

// The networks whose next epoch is `epoch` (after a resume they may stand at different ones).
std::vector<NetworkState*> networksAt(std::vector<NetworkState>& nets, int epoch);

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
            throw Error("Trainer: the part of " + networkIndexText(network) + " is not claimed");
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

}  // namespace orderlens
