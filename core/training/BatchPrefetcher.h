#pragma once

// Internal to core: streamed batches prepared ahead on background threads. LibTorch's types are
// only declared (training/TrainingData.h).

#include "training/TrainingData.h"

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace orderlens {

// The batches of one pass over streamed data (TrainingData::streamed()), built on `workers`
// background threads while the networks compute on the batch before: each worker places, crops,
// flips and normalises whole batches (TrainingData::streamedBatch), at most kBatchesAhead per
// worker ahead of the one the trainer takes. Every batch's augmentation is drawn from `engine`
// when the prefetcher is made, batch after batch in the order they will be taken, so the engine
// ends in the same state and each batch is identical to what TrainingData::images() gives when
// called batch by batch: the records do not depend on prefetching.
class BatchPrefetcher {
public:
    static constexpr int kBatchesAhead = 2;

    // `batches`: the dataset indices of each batch, in the order next() returns them.
    BatchPrefetcher(const TrainingData& data, std::vector<std::vector<std::int64_t>> batches, bool augment,
                    const ExperimentConfig& config, std::mt19937_64* engine, int workers);
    ~BatchPrefetcher();  // stops the workers (batches not taken are dropped)
    BatchPrefetcher(const BatchPrefetcher&) = delete;
    BatchPrefetcher& operator=(const BatchPrefetcher&) = delete;

    // The next batch's images (CPU, normalised); rethrows what building it threw.
    at::Tensor next();

    // The background threads a run's thread budget leaves for building batches: on a GPU the
    // CPU threads are free for it (all but the one that drives the training); on the CPU one
    // thread, which sleeps whenever it is kBatchesAhead batches ahead of the networks.
    static int workersFor(const c10::Device& device, int cpuThreads);

private:
    void work();

    const TrainingData& data_;
    std::vector<std::vector<std::int64_t>> batches_;
    std::vector<TrainingData::BatchAugmentation> augmentation_;
    std::vector<at::Tensor> built_;
    std::vector<std::exception_ptr> errors_;
    std::vector<bool> done_;
    std::size_t taken_ = 0, claimed_ = 0, ahead_ = 0;
    bool stopping_ = false;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::thread> workers_;
};

}  // namespace orderlens
