// Fused training (docs/PERFORMANCE.md, "Fused training"): the networks that stand at the same
// epoch train as one FusedEnsemble, then hand their state back for the checkpoints.

#include "training/TrainerImpl.h"

#include "common/CrashPoint.h"
#include "common/Errors.h"
#include "training/BatchPrefetcher.h"
#include "training/Seeds.h"

#include <algorithm>
#include <random>

namespace orderlens {

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

}  // namespace orderlens
