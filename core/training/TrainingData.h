#pragma once

// Internal to core: the dataset as tensors, converted once, and the batches cut from them.
// LibTorch's types are only declared here (torch::Tensor is at::Tensor, torch::Device is
// c10::Device); the tensors themselves live in TrainingData.cpp.

#include "dataset/Dataset.h"
#include "experiment/ExperimentConfig.h"

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

namespace at {
class Tensor;
}
namespace c10 {
struct Device;
}

namespace orderlens {

// Images of both splits as one tensor (images, channels, side, side), already normalised when
// it fits in memory, plus the training targets. Datasets whose pixels live in a memory-mapped
// cache (ImageNet) or whose 8-bit tensor would exceed kStreamBudgetBytes are not copied: each
// batch is placed on demand from Dataset::image(), with the same padding / resize / crop /
// normalisation, so the tensors (and hence the records) are identical to the in-memory path.
class TrainingData {
public:
    // Images no larger than the input are zero-padded (centred) to the input size; larger ones
    // are resized so the shorter side is kResizeShorterSide (or the input size when that is
    // larger) and centre-cropped square -- except a dataset of one fixed size below
    // kResizeShorterSide, which keeps its size; training then crops a random input-sized window,
    // the evaluation passes the centre one (docs/DEFINITIONS.md 8).
    static constexpr int kResizeShorterSide = 256;
    // Above this size the images stay 8-bit and are normalised batch by batch.
    static constexpr std::int64_t kFloatBudgetBytes = std::int64_t(4) << 30;
    // Above this size of the 8-bit tensor the batches are built on demand from the dataset.
    static constexpr std::int64_t kStreamBudgetBytes = std::int64_t(2) << 30;

    // Where the placed images live: Auto streams external-pixel datasets and those above
    // kStreamBudgetBytes; the others force one path (to compare them).
    enum class Residency { Auto, InMemory, Streamed };

    // `labels`: one per dataset image, the labels the networks see (after corruption).
    TrainingData(const Dataset& dataset, const std::vector<std::int32_t>& labels, int inputSize,
                 Residency residency = Residency::Auto);
    ~TrainingData();
    TrainingData(const TrainingData&) = delete;
    TrainingData& operator=(const TrainingData&) = delete;

    // Whether batches are built on demand from the dataset rather than cut from one tensor.
    bool streamed() const { return source_ != nullptr; }

    int inputSize() const { return inputSize_; }
    int channels() const { return channels_; }
    int classes() const { return classes_; }
    bool multiLabel() const { return multiLabel_; }
    // Dataset indices of each split, in dataset order (= record order in the run file).
    const std::vector<std::int64_t>& splitIndices(Split split) const
    {
        return split == Split::Train ? trainIndices_ : testIndices_;
    }
    // Per-channel mean and standard deviation of the training images (0..1 scale).
    const std::vector<double>& mean() const { return mean_; }
    const std::vector<double>& std() const { return std_; }

    // A batch of images (on `device`) for the given dataset indices. Training batches get the
    // configured augmentation drawn from `engine`; evaluation batches the centre crop.
    at::Tensor images(const at::Tensor& datasetIndices, const c10::Device& device, bool augment,
                      const ExperimentConfig& config, std::mt19937_64* engine) const;

    // The window and flip of every image of a batch, drawn from `engine` exactly as images()
    // draws them (top and left of the window, then the flip, image by image), so batches
    // prepared ahead (BatchPrefetcher) take the same draws in the same order.
    struct BatchAugmentation {
        int pad = 0;  // random-crop padding around the stored image
        std::vector<int> top, left;
        std::vector<std::uint8_t> mirrored;
    };
    BatchAugmentation drawAugmentation(std::int64_t images, bool augment, const ExperimentConfig& config,
                                       std::mt19937_64* engine) const;
    // Streamed data only: the normalised CPU batch (B, C, input, input) built straight from the
    // dataset's pixels in one pass per image (place, crop, flip, normalise through a per-channel
    // table), identical to what images() returns for the same draws. `parallel` spreads the images
    // over LibTorch's threads; prefetch workers build whole batches on one thread each.
    at::Tensor streamedBatch(const std::int64_t* datasetIndices, std::int64_t count, const BatchAugmentation& aug,
                             bool parallel) const;
    // Class indices (int64, N) or label bits as floats (N, classes) for multi-label.
    at::Tensor targets(const at::Tensor& datasetIndices, const c10::Device& device) const;
    // Label bits for multi-label records (empty otherwise).
    const std::vector<std::uint64_t>& labelBits() const { return labelBits_; }

private:
    at::Tensor normalise(at::Tensor batch) const;

    // Streaming: a copy of the dataset (its pixel store is shared, not copied), since the
    // caller's dataset may not outlive this object.
    std::shared_ptr<const Dataset> source_;
    int resizeSide_ = 0;
    bool keepSize_ = false;

    // The images (unless streamed), the targets and the normalisation as tensors.
    struct Tensors;
    std::unique_ptr<Tensors> tensors_;
    // normalise() of every byte value per channel, [c * 256 + v]: streamed batches look values up
    // instead of converting whole placed images.
    std::vector<float> normalised_;
    std::vector<std::uint64_t> labelBits_;
    std::vector<std::int64_t> trainIndices_, testIndices_;
    std::vector<double> mean_, std_;
    int storedSize_ = 0, inputSize_ = 0, channels_ = 0, classes_ = 0;
    bool multiLabel_ = false;
};

// Draws in [0, n) without the implementation-defined algorithms of std::*_distribution, so
// batch orders are the same with every standard library.
std::uint64_t drawBelow(std::mt19937_64& engine, std::uint64_t n);
// Fisher-Yates permutation of 0..n-1.
std::vector<std::int64_t> permutation(std::int64_t n, std::mt19937_64& engine);

}  // namespace orderlens
