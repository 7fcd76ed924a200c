// Benchmark: every image statistic over all 70000 Fashion-MNIST images (28 x 28 grey) on N
// threads (default 2): CPU time per image (what one image costs, whatever else runs on the
// machine), wall-clock throughput, and the speed-up over the study's per-image costs; then the
// same on 32 x 32 colour images (CIFAR-sized; synthetic, so no download is needed).
// Usage: bench_statistics [threads] [repetitions]

#include "dataset/DatasetReader.h"
#include "statistics/StatisticsEngine.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <sys/resource.h>

using namespace orderlens;
using Clock = std::chrono::steady_clock;

namespace {

// The study's Python code per 28 x 28 image (issue #4): entropy 4.5 ms, DCT 4.4 ms, segment
// count 2.5-3 ms (a PPM file and a `segment` process per image; 2.5 ms taken, the faster end).
double studyMilliseconds(const std::string& statistic)
{
    if (statistic == "entropy")
        return 4.5;
    if (statistic == "dct")
        return 4.4;
    if (statistic == "segments")
        return 2.5;
    return 0;
}

// CPU seconds (user + system) this process has used: on a shared machine the wall clock also
// counts other people's work, CPU time does not.
double cpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

struct Timing {
    double wall = 0, cpu = 0;  // seconds for the whole dataset, medians over repetitions
};

Timing measure(const Dataset& ds, const std::string& statistic, unsigned threads, int reps)
{
    const auto stats = createStatistics({statistic}, StatisticParameters());
    EngineOptions options;
    options.threads = threads;
    std::vector<double> walls, cpus;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = Clock::now();
        const double c0 = cpuSeconds();
        computeStatistics(ds, {stats[0].get()}, options);
        cpus.push_back(cpuSeconds() - c0);
        walls.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    }
    std::sort(walls.begin(), walls.end());
    std::sort(cpus.begin(), cpus.end());
    return {walls[walls.size() / 2], cpus[cpus.size() / 2]};
}

void table(const Dataset& ds, const char* title, unsigned threads, int reps, bool compare)
{
    std::printf("\n%s: %zu images, median of %d runs, %u threads\n", title, ds.size(), reps, threads);
    std::printf("%-14s %12s %14s %14s%s\n", "statistic", "CPU us/image", "wall images/s", "wall us/image",
                compare ? "   study ms/image  faster (CPU, wall)" : "");
    double cpu = 0, wall = 0;
    for (const StatisticKind& kind : statisticKinds()) {
        const Timing t = measure(ds, kind.name, threads, reps);
        cpu += t.cpu;
        wall += t.wall;
        const double cpuPerImage = t.cpu / double(ds.size()), wallPerImage = t.wall / double(ds.size());
        std::printf("%-14s %12.2f %14.0f %14.2f", kind.name.c_str(), cpuPerImage * 1e6, 1 / wallPerImage,
                    wallPerImage * 1e6);
        if (compare && studyMilliseconds(kind.name) > 0)
            std::printf("   %14.1f  %6.0fx %6.0fx", studyMilliseconds(kind.name), studyMilliseconds(kind.name) * 1e-3 / cpuPerImage,
                        studyMilliseconds(kind.name) * 1e-3 / wallPerImage);
        std::printf("\n");
    }
    std::printf("%-14s %12.2f %14.0f %14.2f\n", "all", cpu / double(ds.size()) * 1e6, double(ds.size()) / wall,
                wall / double(ds.size()) * 1e6);
    std::fflush(stdout);
}

Dataset colourImages(std::size_t count)
{
    // Smooth colour blobs plus noise: many distinct luminance doubles, as in real photos.
    Dataset ds;
    ds.name = "synthetic-colour";
    ds.classNames = {"a"};
    std::mt19937 rng(1);
    std::vector<std::uint8_t> px(32 * 32 * 3);
    for (std::size_t i = 0; i < count; ++i) {
        const int cx = int(rng() % 32), cy = int(rng() % 32);
        for (int y = 0; y < 32; ++y)
            for (int x = 0; x < 32; ++x)
                for (int c = 0; c < 3; ++c) {
                    const int d = (x - cx) * (x - cx) + (y - cy) * (y - cy);
                    px[std::size_t((y * 32 + x) * 3 + c)] =
                        std::uint8_t(std::clamp(60 * c + 200 - d / 3 + int(rng() % 24), 0, 255));
                }
        ds.add("train/" + std::to_string(i), Split::Train, 0, px.data(), 32, 32, 3);
    }
    return ds;
}

double loadAverage()
{
    std::ifstream in("/proc/loadavg");
    double l = -1;
    in >> l;
    return l;
}

}  // namespace

int main(int argc, char** argv)
{
    const unsigned threads = argc > 1 ? unsigned(std::max(1, std::atoi(argv[1]))) : 2u;
    const int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 1;
    std::printf("bench_statistics: %u threads, load average %.2f at start\n", threads, loadAverage());
    std::fflush(stdout);
    const Dataset fashion = loadDataset("fashion-mnist");
    table(fashion, "fashion-mnist 28 x 28 grey", threads, reps, true);
    table(colourImages(20000), "synthetic 32 x 32 colour", threads, reps, false);
    std::printf("\nload average %.2f at end\n", loadAverage());
    return 0;
}
