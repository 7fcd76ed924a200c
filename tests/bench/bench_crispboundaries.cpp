// Benchmark: crisp boundaries (the study's edge strength), one thread.
//  1. CPU seconds per image on the reference images (tests/reference/crisp: Fashion-MNIST padded
//     to 32 x 32, half in colour; 64 x 64 enlargements), on Fashion-MNIST's own 28 x 28 images and
//     on larger enlargements (128 and 256 pixels: the sparse Spectra path of the spectral step).
//     At 64 x 64 also where the time goes: the stages of crisp::boundaries timed one by one.
//  2. Seed-to-seed stability of the summed edge strength: Spearman's rho between two seeds over the
//     100 + 100 reference images, for 1, 4 and 16 averaged maps (--crisp-repeats).
// Usage: bench_crispboundaries [images per size, default 100]

#include "CrispReference.h"

#include "dataset/DatasetReader.h"
#include "statistics/CrispBoundaries.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <vector>

#include <sys/resource.h>

using namespace orderlens;

namespace {

double cpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

std::vector<std::uint8_t> enlarged(const std::vector<std::uint8_t>& rgb, int side, int factor)
{
    const int big = side * factor;
    std::vector<std::uint8_t> out(std::size_t(big) * big * 3);
    for (int r = 0; r < big; ++r)
        for (int c = 0; c < big; ++c)
            for (int k = 0; k < 3; ++k)
                out[(std::size_t(r) * big + c) * 3 + k] = rgb[(std::size_t(r / factor) * side + c / factor) * 3 + k];
    return out;
}

double sumOf(const crisp::BoundaryMap& m) { return std::accumulate(m.values.begin(), m.values.end(), 0.0); }

}  // namespace

int main(int argc, char** argv)
{
    const std::size_t count = argc > 1 ? std::size_t(std::atoi(argv[1])) : 100;
    const test::CrispReferenceImages images;

    std::printf("CPU time per image, one thread:\n");
    for (int side : {32, 64}) {
        const double c0 = cpuSeconds();
        for (std::size_t k = 0; k < count; ++k) {
            const auto rgb = images.image(side, k);
            crisp::boundaries({rgb.data(), side, side, 3}, k);
        }
        std::printf("  %3d x %-3d (reference set, %zu images): %8.2f ms\n", side, side, count,
                    1e3 * (cpuSeconds() - c0) / double(count));
    }
    {
        // The stages of crisp::boundaries with the seeds it derives left aside (the draws are the
        // same kind, so the times are).
        double tFeatures = 0, tCentres = 0, tPmi = 0, tSpectral = 0;
        for (std::size_t k = 0; k < count; ++k) {
            const auto rgb = images.image(64, k);
            double c0 = cpuSeconds();
            const crisp::Features f = crisp::features({rgb.data(), 64, 64, 3});
            const crisp::PixelPairs pairs = crisp::localPairs(f.colour.height, f.colour.width);
            tFeatures += cpuSeconds() - c0;
            c0 = cpuSeconds();
            const auto colourCentres = crisp::kernelCentres(f.colour, 2 * k);
            const auto varianceCentres = crisp::kernelCentres(f.variance, 2 * k + 1);
            tCentres += cpuSeconds() - c0;
            c0 = cpuSeconds();
            const auto colour = crisp::pointwiseMutualInformation(f.colour, colourCentres, pairs);
            const auto variance = crisp::pointwiseMutualInformation(f.variance, varianceCentres, pairs);
            tPmi += cpuSeconds() - c0;
            c0 = cpuSeconds();
            std::vector<double> affinity(pairs.size());
            for (std::size_t i = 0; i < pairs.size(); ++i)
                affinity[i] = std::exp(colour[i] + variance[i]);
            crisp::boundaryMap(f.colour.height, f.colour.width, pairs, affinity, k);
            tSpectral += cpuSeconds() - c0;
        }
        const double scale = 1e3 / double(count);
        std::printf("  64 x 64 by stage: features and pairs %.2f ms, kernel centres %.2f ms, PMI (2 KDEs) %.2f ms, "
                    "affinity to E %.2f ms\n",
                    tFeatures * scale, tCentres * scale, tPmi * scale, tSpectral * scale);
    }
    {
        const Dataset fashion = loadDataset("fashion-mnist");
        const std::size_t n = std::min<std::size_t>(1000, fashion.size());
        const double c0 = cpuSeconds();
        for (std::size_t i = 0; i < n; ++i)
            crisp::boundaries(fashion.image(i), i);
        std::printf("  28 x 28  (Fashion-MNIST, %zu images):    %8.2f ms\n", n, 1e3 * (cpuSeconds() - c0) / double(n));
    }
    for (int factor : {4, 8}) {
        const int side = 32 * factor;
        const std::size_t n = factor == 4 ? 10 : 3;
        const double c0 = cpuSeconds();
        for (std::size_t k = 0; k < n; ++k) {
            const auto rgb = enlarged(images.image(32, k), 32, factor);
            crisp::boundaries({rgb.data(), side, side, 3}, k);
        }
        std::printf("  %3d x %-3d (enlarged, %zu images):        %8.2f ms\n", side, side, n,
                    1e3 * (cpuSeconds() - c0) / double(n));
    }

    std::printf("\nSeed-to-seed Spearman rho of the summed edge strength (%zu images per size):\n", count);
    for (int side : {32, 64})
        for (int repeats : {1, 4, 16}) {
            std::vector<double> a, b;
            for (std::size_t k = 0; k < count; ++k) {
                const auto rgb = images.image(side, k);
                const ImageView view{rgb.data(), side, side, 3};
                a.push_back(sumOf(crisp::boundaries(view, crisp::imageSeed(1, std::to_string(k)), repeats)));
                b.push_back(sumOf(crisp::boundaries(view, crisp::imageSeed(2, std::to_string(k)), repeats)));
            }
            std::printf("  %d x %d, %2d repeat%s: %.3f\n", side, side, repeats, repeats > 1 ? "s" : " ",
                        test::spearman(a, b));
        }
    return 0;
}
