#include "training/BatchPrefetcher.h"

#include "common/Errors.h"

#include <torch/torch.h>

#include <algorithm>

namespace orderlens {

BatchPrefetcher::BatchPrefetcher(const TrainingData& data, std::vector<std::vector<std::int64_t>> batches, bool augment,
                                 const ExperimentConfig& config, std::mt19937_64* engine, int workers)
    : data_(data), batches_(std::move(batches))
{
    for (const auto& batch : batches_)
        augmentation_.push_back(data_.drawAugmentation(std::int64_t(batch.size()), augment, config, engine));
    built_.resize(batches_.size());
    errors_.resize(batches_.size());
    done_.assign(batches_.size(), false);
    const int threads = std::max(1, std::min<int>(workers, int(batches_.size())));
    ahead_ = std::size_t(threads) * kBatchesAhead;
    for (int t = 0; t < threads && !batches_.empty(); ++t)
        workers_.emplace_back([this] { work(); });
}

BatchPrefetcher::~BatchPrefetcher()
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    for (std::thread& t : workers_)
        t.join();
}

void BatchPrefetcher::work()
{
    while (true) {
        std::size_t b = 0;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            changed_.wait(lock, [&] { return stopping_ || (claimed_ < batches_.size() && claimed_ < taken_ + ahead_); });
            if (stopping_ || claimed_ >= batches_.size())
                return;
            b = claimed_++;
        }
        torch::Tensor images;
        std::exception_ptr error;
        try {
            images = data_.streamedBatch(batches_[b].data(), std::int64_t(batches_[b].size()), augmentation_[b], false);
        } catch (...) {
            error = std::current_exception();
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            built_[b] = std::move(images);
            errors_[b] = error;
            done_[b] = true;
        }
        changed_.notify_all();
    }
}

torch::Tensor BatchPrefetcher::next()
{
    std::unique_lock<std::mutex> lock(mutex_);
    if (taken_ >= batches_.size())
        throw Error("BatchPrefetcher: every batch was taken");
    const std::size_t b = taken_;
    changed_.wait(lock, [&] { return bool(done_[b]); });
    ++taken_;
    torch::Tensor images = std::move(built_[b]);
    const std::exception_ptr error = errors_[b];
    lock.unlock();
    changed_.notify_all();
    if (error)
        std::rethrow_exception(error);
    return images;
}

int BatchPrefetcher::workersFor(const torch::Device& device, int cpuThreads)
{
    return device.is_cuda() ? std::max(1, cpuThreads - 1) : 1;
}

}  // namespace orderlens
