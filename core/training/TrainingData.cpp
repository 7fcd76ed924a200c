#include "training/TrainingData.h"

#include "common/Errors.h"

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace orderlens {

struct TrainingData::Tensors {
    torch::Tensor pixels;  // float (normalised) or uint8; undefined when streamed
    torch::Tensor labels;  // int64 (N) or float (N, classes)
    torch::Tensor mean, std, padValue;  // (1, C, 1, 1)
};

namespace {

// Where an image lands in its (side, side) slot, as TrainingData describes: images no larger
// than the input (or, keeping their size, than the slot) are centred at (top, left); larger ones
// are resized so the shorter side is `resizeSide` and their centre crop fills the slot. `placed`
// may be a view of the image's own pixels.
struct Placement {
    cv::Mat placed;
    int top = 0, left = 0;
};

Placement placementOf(const ImageView& img, int side, int inputSize, int resizeSide, bool keepSize)
{
    cv::Mat src(img.height, img.width, img.channels == 3 ? CV_8UC3 : CV_8UC1, const_cast<std::uint8_t*>(img.data));
    Placement p;
    if ((img.height <= inputSize && img.width <= inputSize) || (keepSize && img.height <= side && img.width <= side)) {
        p.placed = src;
        p.top = (side - img.height) / 2;
        p.left = (side - img.width) / 2;
        return p;
    }
    const double scale = double(resizeSide) / std::min(img.height, img.width);
    const int h = std::max(resizeSide, int(std::lround(img.height * scale)));
    const int w = std::max(resizeSide, int(std::lround(img.width * scale)));
    // Images already stored at the resize side (the ImageNet cache's) need no resampling:
    // cv::resize to the same size would only copy them.
    cv::Mat resized = src;
    if (h != img.height || w != img.width)
        cv::resize(src, resized, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
    p.placed = resized(cv::Rect((w - side) / 2, (h - side) / 2, side, side));
    return p;
}

// Copies one 8-bit image (interleaved, `from` channels) into a planar (C, side, side) slot,
// zero where the image does not reach. Grey images in a colour dataset are replicated to three
// channels.
void placeImage(const ImageView& img, int channels, int side, int inputSize, int resizeSide, bool keepSize,
                std::uint8_t* out)
{
    const std::size_t plane = std::size_t(side) * side;
    std::memset(out, 0, plane * channels);
    const Placement p = placementOf(img, side, inputSize, resizeSide, keepSize);
    const int from = p.placed.channels();
    for (int y = 0; y < p.placed.rows; ++y) {
        const std::uint8_t* row = p.placed.ptr<std::uint8_t>(y);
        for (int x = 0; x < p.placed.cols; ++x) {
            for (int c = 0; c < channels; ++c)
                out[std::size_t(c) * plane + std::size_t(p.top + y) * side + (p.left + x)] = row[x * from + (from == 1 ? 0 : c)];
        }
    }
}

}  // namespace

std::uint64_t drawBelow(std::mt19937_64& engine, std::uint64_t n)
{
    // Rejection sampling removes the modulo bias.
    const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % n;
    std::uint64_t v;
    do
        v = engine();
    while (v >= limit);
    return v % n;
}

std::vector<std::int64_t> permutation(std::int64_t n, std::mt19937_64& engine)
{
    std::vector<std::int64_t> p(std::size_t(std::max<std::int64_t>(n, 0)));
    for (std::int64_t i = 0; i < n; ++i)
        p[std::size_t(i)] = i;
    for (std::int64_t i = n - 1; i > 0; --i)
        std::swap(p[std::size_t(i)], p[std::size_t(drawBelow(engine, std::uint64_t(i) + 1))]);
    return p;
}

TrainingData::TrainingData(const Dataset& dataset, const std::vector<std::int32_t>& labels, int inputSize,
                           Residency residency)
    : tensors_(std::make_unique<Tensors>()), inputSize_(inputSize), classes_(int(dataset.classNames.size())),
      multiLabel_(dataset.multiLabel)
{
    const std::size_t n = dataset.size();
    bool larger = false;
    for (std::size_t i = 0; i < n; ++i) {
        const ImageView v = dataset.image(i);
        channels_ = std::max(channels_, v.channels);
        larger = larger || v.height > inputSize || v.width > inputSize;
        (dataset.split(i) == Split::Train ? trainIndices_ : testIndices_).push_back(std::int64_t(i));
    }
    int resizeSide = std::max(kResizeShorterSide, inputSize);
    storedSize_ = larger ? resizeSide : inputSize;
    // docs/DEFINITIONS.md 8: images of one fixed size below the resize side (KTH-TIPS2-b's 200 px
    // for a 190 px input) are not resized; the windows are cut from the images themselves.
    const int fixedSide = std::max(dataset.height(), dataset.width());
    const bool keepSize = larger && dataset.height() > 0 && fixedSide < kResizeShorterSide;
    if (keepSize) {
        storedSize_ = fixedSide;
        resizeSide = fixedSide;
    }

    resizeSide_ = resizeSide;
    keepSize_ = keepSize;
    const std::size_t perImage = std::size_t(channels_) * storedSize_ * storedSize_;
    const std::int64_t byteSize = std::int64_t(n) * std::int64_t(perImage);
    const bool stream = residency == Residency::Streamed ||
                        (residency == Residency::Auto && (dataset.pixelsExternal() || byteSize > kStreamBudgetBytes));
    torch::Tensor bytes;
    if (stream) {
        source_ = std::make_shared<const Dataset>(dataset);
    } else {
        bytes = torch::empty({std::int64_t(n), channels_, storedSize_, storedSize_}, torch::kUInt8);
        std::uint8_t* base = bytes.data_ptr<std::uint8_t>();
        at::parallel_for(0, std::int64_t(n), 256, [&](std::int64_t begin, std::int64_t end) {
            for (std::int64_t i = begin; i < end; ++i)
                placeImage(dataset.image(std::size_t(i)), channels_, storedSize_, inputSize, resizeSide, keepSize,
                           base + std::size_t(i) * perImage);
        });
    }

    // Normalisation statistics from the training images themselves (their own pixels, not
    // the padding), like torchvision's Normalize with the dataset's mean and std.
    mean_.assign(std::size_t(channels_), 0.0);
    std_.assign(std::size_t(channels_), 0.0);
    std::vector<double> sum(std::size_t(channels_), 0.0), sumSq(std::size_t(channels_), 0.0);
    double count = 0;
    for (std::int64_t i : trainIndices_) {
        const ImageView v = dataset.image(std::size_t(i));
        const std::size_t pixels = std::size_t(v.height) * v.width;
        for (std::size_t p = 0; p < pixels; ++p) {
            for (int c = 0; c < channels_; ++c) {
                const double x = v.data[p * v.channels + (v.channels == 1 ? 0 : c)] / 255.0;
                sum[std::size_t(c)] += x;
                sumSq[std::size_t(c)] += x * x;
            }
        }
        count += double(pixels);
    }
    for (int c = 0; c < channels_; ++c) {
        mean_[std::size_t(c)] = count > 0 ? sum[std::size_t(c)] / count : 0.0;
        const double var = count > 0 ? sumSq[std::size_t(c)] / count - mean_[std::size_t(c)] * mean_[std::size_t(c)] : 1.0;
        // A constant channel would divide by zero; leave its scale alone.
        std_[std::size_t(c)] = var > 1e-12 ? std::sqrt(var) : 1.0;
    }
    tensors_->mean = torch::tensor(std::vector<float>(mean_.begin(), mean_.end())).view({1, channels_, 1, 1});
    tensors_->std = torch::tensor(std::vector<float>(std_.begin(), std_.end())).view({1, channels_, 1, 1});
    tensors_->padValue = (-tensors_->mean / tensors_->std);
    // Computed by normalise() itself, so a looked-up value is the very float a converted image holds.
    const torch::Tensor bytesPerChannel =
        torch::arange(256, torch::kInt64).to(torch::kUInt8).view({1, 1, 1, 256}).expand({1, channels_, 1, 256}).contiguous();
    const torch::Tensor table = normalise(bytesPerChannel).contiguous();
    normalised_.assign(table.data_ptr<float>(), table.data_ptr<float>() + table.numel());

    if (!stream)
        tensors_->pixels = byteSize * 4 <= kFloatBudgetBytes ? normalise(bytes) : bytes;

    if (multiLabel_) {
        labelBits_.resize(n);
        auto t = torch::zeros({std::int64_t(n), classes_}, torch::kFloat32);
        auto a = t.accessor<float, 2>();
        for (std::size_t i = 0; i < n; ++i) {
            labelBits_[i] = dataset.labelBits(i);
            for (int c = 0; c < classes_; ++c)
                a[std::int64_t(i)][c] = (labelBits_[i] >> c) & 1u ? 1.0f : 0.0f;
        }
        tensors_->labels = t;
    } else {
        if (labels.size() != n)
            throw Error("TrainingData: one label per image expected");
        tensors_->labels = torch::tensor(std::vector<std::int64_t>(labels.begin(), labels.end()), torch::kInt64);
    }
}

TrainingData::~TrainingData() = default;

torch::Tensor TrainingData::normalise(torch::Tensor batch) const
{
    return (batch.to(torch::kFloat32).div_(255.0f) - tensors_->mean) / tensors_->std;
}

TrainingData::BatchAugmentation TrainingData::drawAugmentation(std::int64_t images, bool augment,
                                                               const ExperimentConfig& config,
                                                               std::mt19937_64* engine) const
{
    // Per image, like torchvision's RandomCrop(size, padding) and RandomHorizontalFlip(0.5)
    // (applied in that order), or the fixed centre crop of large images.
    const bool cropWindow = storedSize_ > inputSize_;
    const bool randomCrop = augment && config.randomCrop && config.cropPadding > 0;
    const bool flip = augment && config.horizontalFlip;
    BatchAugmentation a;
    a.pad = randomCrop ? config.cropPadding : 0;
    const int span = storedSize_ + 2 * a.pad - inputSize_;  // range of the window's top-left corner
    a.top.assign(std::size_t(images), span / 2);
    a.left.assign(std::size_t(images), span / 2);
    a.mirrored.assign(std::size_t(images), 0);
    for (std::size_t i = 0; i < std::size_t(images); ++i) {
        if (augment && (randomCrop || cropWindow)) {
            a.top[i] = int(drawBelow(*engine, std::uint64_t(span) + 1));
            a.left[i] = int(drawBelow(*engine, std::uint64_t(span) + 1));
        }
        a.mirrored[i] = flip && (drawBelow(*engine, 2) == 1);
    }
    return a;
}

torch::Tensor TrainingData::streamedBatch(const std::int64_t* idx, std::int64_t count, const BatchAugmentation& aug,
                                          bool parallel) const
{
    for (std::int64_t i = 0; i < count; ++i)
        if (idx[i] < 0 || std::size_t(idx[i]) >= source_->size())
            throw Error("TrainingData: image index out of range");
    torch::Tensor batch = torch::empty({count, channels_, inputSize_, inputSize_}, torch::kFloat32);
    float* base = batch.data_ptr<float>();
    const std::size_t plane = std::size_t(inputSize_) * inputSize_;
    const float* padValues = tensors_->padValue.data_ptr<float>();
    auto build = [&](std::int64_t i) {
        const Placement p = placementOf(source_->image(std::size_t(idx[i])), storedSize_, inputSize_, resizeSide_, keepSize_);
        const int from = p.placed.channels();
        // The window's corner in slot coordinates (the crop padding lies outside the slot).
        const int top = aug.top[std::size_t(i)] - aug.pad, left = aug.left[std::size_t(i)] - aug.pad;
        const bool mirrored = aug.mirrored[std::size_t(i)] != 0;
        for (int c = 0; c < channels_; ++c) {
            const float* table = &normalised_[std::size_t(c) * 256];
            const float padding = padValues[c];
            const int channel = from == 1 ? 0 : c;
            for (int y = 0; y < inputSize_; ++y) {
                float* out = base + std::size_t(i) * plane * std::size_t(channels_) + std::size_t(c) * plane +
                             std::size_t(y) * inputSize_;
                const int slotY = top + y;
                const int imageY = slotY - p.top;
                const std::uint8_t* row =
                    slotY >= 0 && slotY < storedSize_ && imageY >= 0 && imageY < p.placed.rows ? p.placed.ptr<std::uint8_t>(imageY)
                                                                                              : nullptr;
                for (int x = 0; x < inputSize_; ++x) {
                    const int slotX = left + (mirrored ? inputSize_ - 1 - x : x);
                    if (slotY < 0 || slotY >= storedSize_ || slotX < 0 || slotX >= storedSize_) {
                        out[x] = padding;
                        continue;
                    }
                    const int imageX = slotX - p.left;
                    out[x] = row && imageX >= 0 && imageX < p.placed.cols ? table[row[imageX * from + channel]] : table[0];
                }
            }
        }
    };
    if (parallel) {
        // Reading the mapped cache page by page dominates; spreading it over the cores keeps the
        // page faults of one batch in parallel.
        at::parallel_for(0, count, 8, [&](std::int64_t begin, std::int64_t end) {
            for (std::int64_t i = begin; i < end; ++i)
                build(i);
        });
    } else {
        for (std::int64_t i = 0; i < count; ++i)
            build(i);
    }
    return batch;
}

torch::Tensor TrainingData::images(const torch::Tensor& datasetIndices, const torch::Device& device, bool augment,
                                   const ExperimentConfig& config, std::mt19937_64* engine) const
{
    if (streamed()) {
        const torch::Tensor indices = datasetIndices.to(torch::kCPU, torch::kInt64).contiguous();
        return streamedBatch(indices.data_ptr<std::int64_t>(), indices.numel(),
                             drawAugmentation(indices.numel(), augment, config, engine), true)
            .to(device);
    }
    torch::Tensor batch = tensors_->pixels.index_select(0, datasetIndices);
    if (batch.scalar_type() != torch::kFloat32)
        batch = normalise(batch);
    const bool cropWindow = storedSize_ > inputSize_;
    const bool randomCrop = augment && config.randomCrop && config.cropPadding > 0;
    const bool flip = augment && config.horizontalFlip;
    if (!cropWindow && !randomCrop && !flip)
        return batch.to(device);

    const std::int64_t b = batch.size(0);
    const BatchAugmentation aug = drawAugmentation(b, augment, config, engine);
    const int pad = aug.pad;
    torch::Tensor out = torch::empty({b, channels_, inputSize_, inputSize_}, torch::kFloat32);
    for (std::int64_t i = 0; i < b; ++i) {
        const int top = aug.top[std::size_t(i)], left = aug.left[std::size_t(i)];
        torch::Tensor img = batch[i];
        if (pad > 0)
            img = torch::cat({tensors_->padValue[0].expand({channels_, storedSize_, pad}), img,
                              tensors_->padValue[0].expand({channels_, storedSize_, pad})},
                             2);
        if (pad > 0)
            img = torch::cat({tensors_->padValue[0].expand({channels_, pad, storedSize_ + 2 * pad}), img,
                              tensors_->padValue[0].expand({channels_, pad, storedSize_ + 2 * pad})},
                             1);
        img = img.slice(1, top, top + inputSize_).slice(2, left, left + inputSize_);
        if (aug.mirrored[std::size_t(i)])
            img = img.flip({2});
        out[i].copy_(img);
    }
    return out.to(device);
}

torch::Tensor TrainingData::targets(const torch::Tensor& datasetIndices, const torch::Device& device) const
{
    return tensors_->labels.index_select(0, datasetIndices).to(device);
}

}  // namespace orderlens
