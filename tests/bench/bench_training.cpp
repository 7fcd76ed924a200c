// Training throughput: the full pipeline (records, test pass, run file, checkpoints) against a
// bare LibTorch forward/backward/step loop on the same tensors, LeNet-5 on 32 x 32 grey
// Fashion-MNIST, batch 128; then networks one after another against side by side.
//
//   bench_training [train-images] [repeats] [threads] [test-images]     (docs/PERFORMANCE.md, "Training")

#include "dataset/DatasetReader.h"
#include "models/Networks.h"
#include "training/Trainer.h"
#include "training/TrainingData.h"

#include <QTemporaryDir>

#include <algorithm>
#include <dlfcn.h>
#include <chrono>
#include <ctime>
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
int testImages = 2000;

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// CPU seconds used by the whole process. On a shared machine wall time swings with the other
// users' load; with one thread, CPU time measures the work itself.
double cpuSeconds()
{
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

struct Rate {
    double wall = 0, cpu = 0;  // images per second of wall time and of CPU time
};

// Training images per second of a bare loop: index_select a batch, forward, loss, backward,
// step; with `testPass`, also a bare eval-mode forward over the test images after each epoch
// (the work the study's records require anyway), so that the comparison isolates what the
// pipeline adds: records, bookkeeping, run file and checkpoint.
Rate bareLoop(const TrainingData& data, int epochs, bool testPass)
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
    const torch::Tensor testAll = torch::tensor(data.splitIndices(Split::Test), torch::kInt64);
    const torch::Tensor xt = data.images(testAll, torch::kCPU, false, ExperimentConfig(), nullptr);
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
        if (!testPass)
            return;
        c10::InferenceMode inference;
        model->eval();
        for (std::int64_t s = 0; s < xt.size(0); s += 2 * kBatch)
            model->forward(xt.slice(0, s, std::min(xt.size(0), s + 2 * kBatch))).argmax(1);
        model->train();
    };
    epoch();  // warm-up
    const auto t0 = Clock::now();
    const double c0 = cpuSeconds();
    for (int e = 0; e < epochs; ++e)
        epoch();
    return {double(n) * epochs / seconds(t0, Clock::now()), double(n) * epochs / (cpuSeconds() - c0)};
}

// Times the epochs after the first through the observer, so dataset loading and preparation
// are excluded but every per-epoch cost (records, test pass, run file, checkpoint) is in.
struct EpochClock : TrainingObserver {
    std::vector<Clock::time_point> ends;
    std::vector<double> cpuEnds;
    void onEpoch(const EpochProgress&) override
    {
        ends.push_back(Clock::now());
        cpuEnds.push_back(cpuSeconds());
    }
};

Rate pipeline(std::size_t trainImages, int epochs, int threads, const std::string& dir)
{
    ExperimentConfig c;
    c.dataset = "fashion-mnist";
    c.limitTrain = trainImages;
    c.limitTest = testImages;
    c.inputSize = kInput;
    c.networks = 1;
    c.epochs = epochs + 1;
    c.batchSize = kBatch;
    c.lr = 0.05;
    c.device = "cpu";
    c.threads = threads;
    EpochClock clock;
    Trainer(c, dir + "/pipeline.h5", true).run(&clock);
    const double images = double(trainImages) * epochs;
    return {images / seconds(clock.ends.front(), clock.ends.back()),
            images / (clock.cpuEnds.back() - clock.cpuEnds.front())};
}

// Wall and CPU seconds of 5 networks x 2 epochs.
std::pair<double, double> networks(std::size_t trainImages, bool sideBySide, int threads, const std::string& dir)
{
    ExperimentConfig c;
    c.dataset = "fashion-mnist";
    c.limitTrain = trainImages;
    c.limitTest = testImages;
    c.inputSize = kInput;
    c.networks = 5;
    c.epochs = 2;
    c.batchSize = kBatch;
    c.device = "cpu";
    c.threads = threads;
    c.parallelNetworks = sideBySide;
    const auto t0 = Clock::now();
    const double c0 = cpuSeconds();
    Trainer(c, dir + "/networks.h5", true).run();
    return {seconds(t0, Clock::now()), cpuSeconds() - c0};
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
    testImages = argc > 4 ? std::atoi(argv[4]) : testImages;
    const int threads = argc > 3 ? std::atoi(argv[3]) : int(std::max(1u, std::thread::hardware_concurrency()));
    // The same thread budget for LibTorch and OpenBLAS as the Trainer sets.
    torch::set_num_threads(threads);
    if (auto set = reinterpret_cast<void (*)(int)>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
        set(threads);
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();

    const Dataset ds = loadDataset("fashion-mnist", trainImages, testImages);
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
    Rate bare, bareTest, full;
    auto best = [](Rate& into, const Rate& r) { into = {std::max(into.wall, r.wall), std::max(into.cpu, r.cpu)}; };
    for (int r = 0; r < repeats; ++r) {
        best(bare, bareLoop(data, 2, false));
        best(bareTest, bareLoop(data, 2, true));
        best(full, pipeline(trainImages, 2, threads, d));
    }
    std::printf("training images per second            wall     CPU time\n");
    std::printf("bare train loop                      %6.0f   %6.0f\n", bare.wall, bare.cpu);
    std::printf("bare train loop + bare test pass     %6.0f   %6.0f\n", bareTest.wall, bareTest.cpu);
    std::printf("full pipeline                        %6.0f   %6.0f\n", full.wall, full.cpu);
    std::printf("pipeline overhead over bare train + test: %.1f %% (wall), %.1f %% (CPU)\n",
                100.0 * (bareTest.wall / full.wall - 1.0), 100.0 * (bareTest.cpu / full.cpu - 1.0));
    std::printf("pipeline overhead over bare train only:   %.1f %% (wall), %.1f %% (CPU)\n",
                100.0 * (bare.wall / full.wall - 1.0), 100.0 * (bare.cpu / full.cpu - 1.0));

    const auto sequential = networks(trainImages, false, threads, d);
    const auto sideBySide = networks(trainImages, true, threads, d);
    std::printf("5 networks x 2 epochs, one after another: %.1f s wall, %.1f CPU-s\n", sequential.first,
                sequential.second);
    std::printf("5 networks x 2 epochs, side by side:      %.1f s wall, %.1f CPU-s\n", sideBySide.first,
                sideBySide.second);
    return 0;
}
