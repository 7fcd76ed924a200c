// Training throughput: the full pipeline (records, test pass, run file, checkpoints) against a
// bare LibTorch forward/backward/step loop on the same tensors, LeNet-5 on 32 x 32 grey
// Fashion-MNIST, batch 128; then networks one after another against side by side.
//
//   bench_training [train-images] [repeats] [threads]     (docs/PERFORMANCE.md, "Training")

#include "dataset/DatasetReader.h"
#include "models/Networks.h"
#include "training/Trainer.h"
#include "training/TrainingData.h"

#include <QTemporaryDir>

#include <algorithm>
#include <dlfcn.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

using namespace orderlens;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kBatch = 128;
constexpr int kInput = 32;
constexpr int kTestImages = 2000;

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// Images per second of a bare loop: index_select a batch, forward, loss, backward, step.
double bareLoop(const TrainingData& data, int epochs)
{
    torch::manual_seed(1);
    Classifier model = buildModel({"lenet5", data.channels(), data.classes(), kInput, 1e-5});
    initializeWeights(*model, "kaiming-normal");
    torch::optim::SGD opt(model->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9).weight_decay(5e-4));
    const auto& train = data.splitIndices(Split::Train);
    const torch::Tensor all = torch::tensor(train, torch::kInt64);
    const torch::Tensor x = data.images(all, torch::kCPU, false, ExperimentConfig(), nullptr);
    const torch::Tensor y = data.targets(all, torch::kCPU);
    const std::int64_t n = x.size(0);
    model->train();
    auto epoch = [&] {
        const torch::Tensor perm = torch::randperm(n, torch::kInt64);
        for (std::int64_t s = 0; s < n; s += kBatch) {
            const torch::Tensor idx = perm.slice(0, s, std::min(n, s + kBatch));
            const torch::Tensor xb = x.index_select(0, idx), yb = y.index_select(0, idx);
            opt.zero_grad();
            const torch::Tensor loss = torch::nn::functional::cross_entropy(model->forward(xb), yb);
            loss.backward();
            opt.step();
        }
    };
    epoch();  // warm-up
    const auto t0 = Clock::now();
    for (int e = 0; e < epochs; ++e)
        epoch();
    return double(n) * epochs / seconds(t0, Clock::now());
}

// Times the epochs after the first through the observer, so dataset loading and preparation
// are excluded but every per-epoch cost (records, test pass, run file, checkpoint) is in.
struct EpochClock : TrainingObserver {
    std::vector<Clock::time_point> ends;
    void onEpoch(const EpochProgress&) override { ends.push_back(Clock::now()); }
};

double pipeline(std::size_t trainImages, int epochs, int threads, const std::string& dir)
{
    ExperimentConfig c;
    c.dataset = "fashion-mnist";
    c.limitTrain = trainImages;
    c.limitTest = kTestImages;
    c.inputSize = kInput;
    c.networks = 1;
    c.epochs = epochs + 1;
    c.batchSize = kBatch;
    c.lr = 0.05;
    c.device = "cpu";
    c.threads = threads;
    EpochClock clock;
    Trainer(c, dir + "/pipeline.h5", true).run(&clock);
    return double(trainImages) * epochs / seconds(clock.ends.front(), clock.ends.back());
}

double networks(std::size_t trainImages, bool sideBySide, int threads, const std::string& dir)
{
    ExperimentConfig c;
    c.dataset = "fashion-mnist";
    c.limitTrain = trainImages;
    c.limitTest = kTestImages;
    c.inputSize = kInput;
    c.networks = 5;
    c.epochs = 2;
    c.batchSize = kBatch;
    c.device = "cpu";
    c.threads = threads;
    c.parallelNetworks = sideBySide;
    const auto t0 = Clock::now();
    Trainer(c, dir + "/networks.h5", true).run();
    return seconds(t0, Clock::now());
}

std::string blasInUse()
{
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line))
        if (line.find("blas") != std::string::npos)
            return line.substr(line.find('/'));
    return "none";
}

}  // namespace

int main(int argc, char** argv)
{
    const std::size_t trainImages = argc > 1 ? std::size_t(std::atol(argv[1])) : 10000;
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
    const int threads = argc > 3 ? std::atoi(argv[3]) : int(std::max(1u, std::thread::hardware_concurrency()));
    // The same thread budget for LibTorch and OpenBLAS as the Trainer sets.
    torch::set_num_threads(threads);
    if (auto set = reinterpret_cast<void (*)(int)>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
        set(threads);
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();

    const Dataset ds = loadDataset("fashion-mnist", trainImages, kTestImages);
    const TrainingData data(ds, [&] {
        std::vector<std::int32_t> l(ds.size());
        for (std::size_t i = 0; i < ds.size(); ++i)
            l[i] = ds.label(i);
        return l;
    }(), kInput);

    std::printf("LeNet-5, 32x32 grey Fashion-MNIST, %zu training images, batch %d, %d threads\n", trainImages, kBatch,
                threads);
    std::printf("BLAS mapped into the process: %s\n", blasInUse().c_str());
    // Alternating and keeping the best of each damps the noise of a shared machine.
    double bare = 0, full = 0;
    for (int r = 0; r < repeats; ++r) {
        bare = std::max(bare, bareLoop(data, 2));
        full = std::max(full, pipeline(trainImages, 2, threads, d));
    }
    std::printf("bare forward/backward/step loop: %8.0f images/s\n", bare);
    std::printf("full pipeline (records, test pass of %d, run file, checkpoint): %8.0f images/s\n", kTestImages, full);
    std::printf("pipeline overhead: %.1f %%\n", 100.0 * (bare / full - 1.0));

    const double sequential = networks(trainImages, false, threads, d);
    const double sideBySide = networks(trainImages, true, threads, d);
    std::printf("5 networks x 2 epochs, one after another: %.1f s; side by side: %.1f s\n", sequential, sideBySide);
    return 0;
}
