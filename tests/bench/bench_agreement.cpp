// Agreement engine at ImageNet scale: 1,281,167 images x 5 networks x 100 epochs of synthetic
// correctness bits. Prints the time of each analysis step and the memory of the records.
//
//   bench_agreement [images] [networks] [epochs]

#include "analysis/Agreement.h"
#include "analysis/Correlation.h"
#include "analysis/LearningMeasures.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

using namespace orderlens;

namespace {

// ImageNet-1k's training split.
constexpr std::size_t kImageNetTrain = 1281167;
constexpr int kNetworks = 5;
constexpr int kEpochs = 100;
constexpr int kClasses = 1000;

double seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

int main(int argc, char** argv)
{
    const std::size_t images = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : kImageNetTrain;
    const int networks = argc > 2 ? std::atoi(argv[2]) : kNetworks;
    const int epochs = argc > 3 ? std::atoi(argv[3]) : kEpochs;

    // Each image has a learning epoch; a network is correct from about then on, with 5 % noise,
    // so the bit patterns look like training rather than coin flips.
    auto start = std::chrono::steady_clock::now();
    CorrectnessBits bits(images, networks, epochs);
    std::mt19937_64 rng(1);
    std::vector<std::uint16_t> learnedAt(images);
    for (auto& l : learnedAt)
        l = std::uint16_t(rng() % std::uint64_t(epochs + epochs / 4));
    for (int n = 0; n < networks; ++n)
        for (int e = 0; e < epochs; ++e) {
            std::uint64_t* row = bits.row(n, e);
            for (std::size_t w = 0; w < bits.words(); ++w) {
                std::uint64_t word = 0;
                const std::uint64_t noise = rng() & rng() & rng() & rng();  // ~6 % of bits
                for (std::size_t b = 0; b < 64 && w * 64 + b < images; ++b)
                    word |= std::uint64_t(learnedAt[w * 64 + b] <= e) << b;
                row[w] = word ^ noise;
            }
            if (images % 64)
                row[bits.words() - 1] &= (std::uint64_t(1) << (images % 64)) - 1;
        }
    std::printf("records: %zu images x %d networks x %d epochs, %.1f MB bit-packed (generated in %.1f s)\n", images,
                networks, epochs, double(bits.memoryBytes()) / 1e6, seconds(start));

    start = std::chrono::steady_clock::now();
    const AgreementCurve curve = computeAgreement(bits);
    std::printf("agreement, all %d epochs:            %8.3f s  (last epoch: %.2f %%)\n", epochs, seconds(start),
                curve.epochs.back().agreement);

    std::vector<std::int32_t> labels(images);
    std::vector<double> metric(images);
    for (std::size_t i = 0; i < images; ++i) {
        labels[i] = std::int32_t(i % kClasses);
        metric[i] = double(learnedAt[i]) + double(rng() % 1000) / 100.0;
    }
    start = std::chrono::steady_clock::now();
    const LabelAgreement la = computeLabelAgreement(bits, labels, {}, kClasses);
    std::printf("label agreement (%d classes):       %8.3f s\n", kClasses, seconds(start));

    start = std::chrono::steady_clock::now();
    const std::vector<double> mc = computeMetricCurve(bits, metric);
    std::printf("metric curve (one metric):           %8.3f s\n", seconds(start));

    start = std::chrono::steady_clock::now();
    const LearningEpochs le = computeLearningEpochs(bits);
    std::printf("learned, first-agreed, per-network learned epochs, forgetting, correctness: %.3f s\n", seconds(start));

    std::vector<double> learned(images);
    for (std::size_t i = 0; i < images; ++i)
        learned[i] = le.learnedEpoch[i] == kNeverLearned ? double(epochs) : double(le.learnedEpoch[i]);
    start = std::chrono::steady_clock::now();
    const auto point = correlate(metric, learned, CorrelationOptions{0, 0.95, 0});
    std::printf("Spearman + Kendall tau-b + Pearson with p-values: %.3f s  (rho %.3f, tau %.3f, r %.3f)\n",
                seconds(start), point[0].coefficient, point[1].coefficient, point[2].coefficient);
    const int resamples = 20;
    start = std::chrono::steady_clock::now();
    const auto boot = correlate(metric, learned, CorrelationOptions{resamples, 0.95, 0});
    std::printf("the same with %d bootstrap resamples: %.3f s  (%.3f s per resample; rho in [%.3f, %.3f])\n", resamples,
                seconds(start), seconds(start) / resamples, boot[0].ciLow, boot[0].ciHigh);
    return la.fraction.empty() || mc.empty() ? 1 : 0;
}
