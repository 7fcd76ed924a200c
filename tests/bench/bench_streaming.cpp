// Batches streamed from the memory-mapped decoded-image cache against batches cut from the
// in-memory tensor: an ImageNet-layout tree of JPEGs (shorter side stored at 256), 224 px input,
// training batches (random 224 window) and evaluation batches (centre window), batch 64.
// Checks first that both paths give identical tensors.
//
//   bench_streaming [images=512] [repeats=3]     (docs/PERFORMANCE.md, "Training")

#include "DatasetFixtures.h"

#include "dataset/DatasetReader.h"
#include "training/TrainingData.h"

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

}  // namespace

int main(int argc, char** argv)
{
    const int images = argc > 1 ? std::atoi(argv[1]) : 512;
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
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

    double best[2][2] = {{0, 0}, {0, 0}};
    for (int r = 0; r < repeats; ++r) {
        for (int path = 0; path < 2; ++path) {
            const TrainingData& data = path == 0 ? inMemory : streamed;
            best[path][0] = std::max(best[path][0], passRate(data, Split::Train, true, config));
            best[path][1] = std::max(best[path][1], passRate(data, Split::Test, false, config));
        }
    }
    std::printf("%d images (%zu train), %d px input, batch %d, %d threads\n", images,
                inMemory.splitIndices(Split::Train).size(), kInput, kBatch, torch::get_num_threads());
    std::printf("prepare: in-memory %.2f s, streamed %.2f s (mean/std pass only)\n", prepareMemory, prepareStreamed);
    std::printf("| path | train batches, images/s | eval batches, images/s |\n| --- | --- | --- |\n");
    std::printf("| in-memory tensor | %.0f | %.0f |\n", best[0][0], best[0][1]);
    std::printf("| streamed from the cache | %.0f | %.0f |\n", best[1][0], best[1][1]);
    return 0;
}
