// Benchmark: decoding all 70000 Fashion-MNIST images (gzip IDX) into memory, and taking a
// class-stratified subset. Usage: bench_datasets [repetitions]

#include "dataset/DatasetReader.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace orderlens;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv)
{
    const int reps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
    std::vector<double> load, subset;
    std::size_t images = 0;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = Clock::now();
        const Dataset ds = loadDataset("fashion-mnist");
        const auto t1 = Clock::now();
        const Dataset sub = ds.subset(10000, 2000, 0);
        const auto t2 = Clock::now();
        images = ds.size();
        if (sub.size() != 12000)
            return 1;
        load.push_back(std::chrono::duration<double>(t1 - t0).count());
        subset.push_back(std::chrono::duration<double>(t2 - t1).count());
    }
    std::sort(load.begin(), load.end());
    std::sort(subset.begin(), subset.end());
    std::printf("fashion-mnist: %zu images, load median %.3f s (min %.3f), %.0f images/s; "
                "stratified 10000+2000 subset median %.4f s  [%d repetitions]\n",
                images, load[load.size() / 2], load.front(), double(images) / load[load.size() / 2],
                subset[subset.size() / 2], reps);
    return 0;
}
