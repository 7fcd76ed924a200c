// Fused training against the two unfused paths, through the whole trainer (records, test
// pass, run file, checkpoints): 5 x LeNet-5 on Fashion-MNIST and 5 x ResNet-18 on CIFAR-sized
// colour images (generated, 32 x 32 x 3), each trained fused, side by side and one after
// another in the same process, one after the other.
//
//   bench_fused [lenet-train-images] [resnet-train-images] [threads]   (docs/PERFORMANCE.md, "Fused training")

#include "Fixtures.h"

#include "models/FusedEnsemble.h"
#include "models/Networks.h"
#include "training/Trainer.h"

#include <QTemporaryDir>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

using namespace orderlens;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kNetworks = 5;  // docs/DEFINITIONS.md 8: five networks per experiment

double cpuSeconds()
{
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// Starts the clocks at the first batch, so loading and preparing the dataset (the same for
// every path) is not counted; everything after it is.
struct FirstBatch : TrainingObserver {
    Clock::time_point wall{};
    double cpu = 0;
    bool started = false;
    void onBatch(const BatchProgress&) override
    {
        if (started)
            return;
        started = true;
        wall = Clock::now();
        cpu = cpuSeconds();
    }
};

struct Timing {
    double wall = 0, cpu = 0;
};

Timing train(ExperimentConfig c, const std::string& path)
{
    FirstBatch clock;
    Trainer trainer(c, path, true);
    trainer.run(&clock);
    return {std::chrono::duration<double>(Clock::now() - clock.wall).count(), cpuSeconds() - clock.cpu};
}

void compare(const char* title, const ExperimentConfig& base, std::size_t trainImages, const std::string& dir)
{
    std::printf("\n%s: %d networks x %d epochs, %zu training images, batch %d, %d threads\n", title, kNetworks,
                base.epochs, trainImages, base.batchSize, base.threads);
    std::printf("%-18s %10s %10s %22s %12s\n", "path", "wall s", "CPU s", "network-images/s wall", "vs side");
    struct Path {
        const char* name;
        bool fuse, parallel;
    };
    const Path paths[] = {{"fused", true, false}, {"side by side", false, true}, {"one after another", false, false}};
    Timing timings[3];
    for (int i = 0; i < 3; ++i) {
        ExperimentConfig c = base;
        c.fuseNetworks = paths[i].fuse;
        c.parallelNetworks = paths[i].parallel;
        timings[i] = train(c, dir + "/bench.h5");
    }
    const double work = double(kNetworks) * base.epochs * double(trainImages);
    for (int i = 0; i < 3; ++i)
        std::printf("%-18s %10.1f %10.1f %22.0f %11.2fx\n", paths[i].name, timings[i].wall, timings[i].cpu,
                    work / timings[i].wall, timings[1].wall / timings[i].wall);
    std::fflush(stdout);
}

// Where the time goes: forward + backward of LeNet-5, five plain networks against one fused
// module fed in the default NCHW layout and in the channels-last layout the trainer feeds it
// (FusedEnsemble::stackInputs), batch 128, one thread.
void convolutionStacks()
{
    constexpr int kBatch = 128, kRepeats = 20;
    auto stack = [](int networks) {
        ModelSpec spec;
        spec.architecture = "lenet5";
        spec.networks = networks;
        return buildModel(spec);
    };
    auto millis = [&](Classifier model, const torch::Tensor& x) {
        auto pass = [&] { model->forward(x).sum().backward(); };
        pass();
        const auto t0 = Clock::now();
        for (int r = 0; r < kRepeats; ++r)
            pass();
        return 1e3 * std::chrono::duration<double>(Clock::now() - t0).count() / kRepeats;
    };
    const int threads = torch::get_num_threads();
    torch::set_num_threads(1);
    double separate = 0;
    for (int k = 0; k < kNetworks; ++k)
        separate += millis(stack(1), torch::randn({kBatch, 1, 32, 32}));
    std::vector<torch::Tensor> batches;
    for (int k = 0; k < kNetworks; ++k)
        batches.push_back(torch::randn({kBatch, 1, 32, 32}));
    const double fusedNchw = millis(stack(kNetworks), torch::cat(batches, 1));
    const double fused = millis(stack(kNetworks), FusedEnsemble::stackInputs(batches));
    torch::set_num_threads(threads);
    std::printf("\nLeNet-5 forward + backward, batch %d, 1 thread: %d plain networks %.1f ms, one fused %.1f ms "
                "(%.1f ms with NCHW inputs)\n",
                kBatch, kNetworks, separate, fused, fusedNchw);
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv)
{
    const std::size_t lenetImages = argc > 1 ? std::size_t(std::atol(argv[1])) : 5000;
    const std::size_t resnetImages = argc > 2 ? std::size_t(std::atol(argv[2])) : 256;
    const int threads = argc > 3 ? std::atoi(argv[3]) : int(std::max(1u, std::thread::hardware_concurrency()));
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    std::printf("device %s; load average at start: ", Trainer::resolveDevice("auto").c_str());
    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) == 3)
        std::printf("%.1f %.1f %.1f\n", load[0], load[1], load[2]);

    ExperimentConfig lenet;
    lenet.dataset = "fashion-mnist";
    lenet.limitTrain = lenetImages;
    lenet.limitTest = 1000;
    lenet.inputSize = 32;
    lenet.architecture = "lenet5";
    lenet.networks = kNetworks;
    lenet.epochs = 2;
    lenet.batchSize = 128;
    lenet.lr = 0.05;
    lenet.threads = threads;
    convolutionStacks();
    if (lenetImages > 0)
        compare("LeNet-5, Fashion-MNIST 32 x 32 grey", lenet, lenetImages, d);
    if (resnetImages == 0)
        return 0;

    // CIFAR-10's binary layout with generated pixels: ResNet-18's cost depends on the input
    // size, not on what the images show.
    test::FixtureSpec spec;
    spec.trainCount = int(resnetImages);
    spec.testCount = int(resnetImages / 2);
    spec.classes = 10;
    const std::string cifar = d + "/cifar";
    test::writeCifar10(cifar, spec);
    ExperimentConfig resnet;
    resnet.dataset = "cifar10:" + cifar;
    resnet.architecture = "resnet18";
    resnet.networks = kNetworks;
    resnet.epochs = 1;
    resnet.batchSize = 64;
    resnet.threads = threads;
    compare("ResNet-18, CIFAR-sized 32 x 32 colour", resnet, resnetImages, d);
    return 0;
}
