// Batches streamed from the memory-mapped decoded-image cache against batches cut from the
// in-memory tensor: an ImageNet-layout tree of JPEGs (shorter side stored at 256), 224 px input,
// training batches (random 224 window) and evaluation batches (centre window), batch 64.
// Checks first that the paths give identical tensors. Then the same passes as a training loop
// takes them: a small convolutional network's forward, backward and SGD step per batch, with
// batches cut from the in-memory tensor, built from the cache in the loop, or prepared ahead by
// BatchPrefetcher on background threads while the network computes.
//
//   bench_streaming [images=512] [repeats=3] [prefetch-workers=1]     (docs/PERFORMANCE.md, "Training")

#include "DatasetFixtures.h"

#include "dataset/DatasetReader.h"
#include "training/BatchPrefetcher.h"
#include "training/TrainingData.h"

// LibTorch before any Qt header: Qt's `slots` macro would break its headers.
#include <torch/torch.h>

#include <QTemporaryDir>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace orderlens;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kBatch = 64;
constexpr int kInput = 224;  // the study's ImageNet input size

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// Images per second of one pass over the split's images in batches.
double passRate(const TrainingData& data, Split split, bool augment, const ExperimentConfig& config)
{
    const std::vector<std::int64_t>& indices = data.splitIndices(split);
    std::mt19937_64 engine(7);
    const auto start = Clock::now();
    double checksum = 0;
    for (std::size_t b = 0; b < indices.size(); b += kBatch) {
        const std::size_t end = std::min(indices.size(), b + kBatch);
        const torch::Tensor idx = torch::tensor(std::vector<std::int64_t>(indices.begin() + std::ptrdiff_t(b),
                                                                          indices.begin() + std::ptrdiff_t(end)),
                                                torch::kInt64);
        checksum += data.images(idx, torch::kCPU, augment, config, &engine)[0][0][0][0].item<double>();
    }
    const double s = seconds(start, Clock::now());
    if (checksum == 12345.678)
        std::printf(" ");
    return double(indices.size()) / s;
}

std::vector<std::vector<std::int64_t>> batchesOf(const std::vector<std::int64_t>& indices)
{
    std::vector<std::vector<std::int64_t>> batches;
    for (std::size_t b = 0; b < indices.size(); b += kBatch)
        batches.emplace_back(indices.begin() + std::ptrdiff_t(b),
                             indices.begin() + std::ptrdiff_t(std::min(indices.size(), b + kBatch)));
    return batches;
}

// A network small enough that the batches' preparation is a visible share of a training step.
struct SmallNetImpl : torch::nn::Module {
    SmallNetImpl()
        : conv(register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 8, 5).stride(2)))),
          fc(register_module("fc", torch::nn::Linear(8, 2)))
    {
    }
    torch::Tensor forward(const torch::Tensor& x)
    {
        return fc(torch::adaptive_avg_pool2d(torch::relu(conv(x)), {1, 1}).flatten(1));
    }
    torch::nn::Conv2d conv;
    torch::nn::Linear fc;
};
TORCH_MODULE(SmallNet);

// Images per second of one training pass (forward, backward, SGD step per batch) over the
// train split; `workers` > 0 prepares the streamed batches ahead with that many threads.
double trainingRate(const TrainingData& data, const ExperimentConfig& config, int workers)
{
    torch::manual_seed(3);
    SmallNet net;
    torch::optim::SGD sgd(net->parameters(), 0.01);
    const auto batches = batchesOf(data.splitIndices(Split::Train));
    std::mt19937_64 engine(7);
    std::unique_ptr<BatchPrefetcher> prefetch;
    const auto start = Clock::now();
    if (workers > 0)
        prefetch = std::make_unique<BatchPrefetcher>(data, batches, true, config, &engine, workers);
    std::size_t images = 0;
    for (const auto& ids : batches) {
        const torch::Tensor idx = torch::tensor(ids, torch::kInt64);
        const torch::Tensor x = prefetch ? prefetch->next() : data.images(idx, torch::kCPU, true, config, &engine);
        const torch::Tensor y = data.targets(idx, torch::kCPU);
        sgd.zero_grad();
        torch::nn::functional::cross_entropy(net->forward(x), y).backward();
        sgd.step();
        images += ids.size();
    }
    return double(images) / seconds(start, Clock::now());
}

}  // namespace

int main(int argc, char** argv)
{
    const int images = argc > 1 ? std::atoi(argv[1]) : 512;
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
    const int workers = argc > 3 ? std::atoi(argv[3]) : 1;
    QTemporaryDir cache, tree;
    qputenv("ORDERLENS_CACHE_DIR", cache.path().toUtf8());
    const std::string root = tree.path().toStdString();
    std::vector<test::FolderImageSpec> specs;
    for (int i = 0; i < images; ++i) {
        const bool test = i % 5 == 4;
        const std::string cls = i % 2 ? "n02" : "n01";
        specs.push_back({std::string(test ? "val/" : "train/") + cls + "/" + std::to_string(i) + ".jpg",
                         300 + (i * 37) % 200, 300 + (i * 53) % 220});
    }
    test::writeImageTree(root, specs);

    const Dataset cached = loadDataset("imagenet:" + root);
    const Dataset memory = loadDataset("imagenet:" + root + "?cache=off");
    std::vector<std::int32_t> labels;
    for (std::size_t i = 0; i < memory.size(); ++i)
        labels.push_back(memory.label(i));
    ExperimentConfig config;
    config.horizontalFlip = true;

    auto t0 = Clock::now();
    const TrainingData inMemory(memory, labels, kInput, TrainingData::Residency::InMemory);
    const double prepareMemory = seconds(t0, Clock::now());
    t0 = Clock::now();
    const TrainingData streamed(cached, labels, kInput);
    const double prepareStreamed = seconds(t0, Clock::now());
    if (!streamed.streamed() || inMemory.streamed()) {
        std::fprintf(stderr, "unexpected residency\n");
        return 1;
    }

    // Identical tensors on both paths, augmented and not.
    for (bool augment : {true, false}) {
        const Split split = augment ? Split::Train : Split::Test;
        const auto& idx = inMemory.splitIndices(split);
        const torch::Tensor t = torch::tensor(std::vector<std::int64_t>(idx.begin(), idx.begin() + std::min<std::size_t>(idx.size(), kBatch)));
        std::mt19937_64 a(11), b(11);
        if (!torch::equal(inMemory.images(t, torch::kCPU, augment, config, &a),
                          streamed.images(t, torch::kCPU, augment, config, &b))) {
            std::fprintf(stderr, "streamed and in-memory batches differ\n");
            return 1;
        }
    }

    // Prefetched batches equal the ones built in the loop, and the engine ends in the same state.
    {
        const auto batches = batchesOf(streamed.splitIndices(Split::Train));
        std::mt19937_64 a(13), b(13);
        BatchPrefetcher prefetch(streamed, batches, true, config, &a, workers);
        for (const auto& ids : batches)
            if (!torch::equal(prefetch.next(), streamed.images(torch::tensor(ids, torch::kInt64), torch::kCPU, true, config, &b))) {
                std::fprintf(stderr, "prefetched and direct batches differ\n");
                return 1;
            }
        if (a() != b()) {
            std::fprintf(stderr, "prefetching left the engine in another state\n");
            return 1;
        }
    }

    double best[2][2] = {{0, 0}, {0, 0}};
    double training[3] = {0, 0, 0};
    for (int r = 0; r < repeats; ++r) {
        for (int path = 0; path < 2; ++path) {
            const TrainingData& data = path == 0 ? inMemory : streamed;
            best[path][0] = std::max(best[path][0], passRate(data, Split::Train, true, config));
            best[path][1] = std::max(best[path][1], passRate(data, Split::Test, false, config));
        }
        training[0] = std::max(training[0], trainingRate(inMemory, config, 0));
        training[1] = std::max(training[1], trainingRate(streamed, config, 0));
        training[2] = std::max(training[2], trainingRate(streamed, config, workers));
    }
    std::printf("%d images (%zu train), %d px input, batch %d, %d threads\n", images,
                inMemory.splitIndices(Split::Train).size(), kInput, kBatch, torch::get_num_threads());
    std::printf("prepare: in-memory %.2f s, streamed %.2f s (mean/std pass only)\n", prepareMemory, prepareStreamed);
    std::printf("| path | train batches, images/s | eval batches, images/s |\n| --- | --- | --- |\n");
    std::printf("| in-memory tensor | %.0f | %.0f |\n", best[0][0], best[0][1]);
    std::printf("| streamed from the cache | %.0f | %.0f |\n", best[1][0], best[1][1]);
    std::printf("\ntraining pass (small network, forward + backward + SGD step), images/s:\n");
    std::printf("| in-memory tensor | %.0f |\n| streamed, built in the loop | %.0f (%.0f %%) |\n", training[0], training[1],
                100 * training[1] / training[0]);
    std::printf("| streamed, prepared ahead by %d thread(s) | %.0f (%.0f %%) |\n", workers, training[2],
                100 * training[2] / training[0]);
    return 0;
}
