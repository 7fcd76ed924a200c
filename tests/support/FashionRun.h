#pragma once

// A small run over a real Fashion-MNIST subset with made-up but structured records, for the
// GUI tests of the browser, explorer and export: no training, real images and statistics.

#include <cstddef>
#include <string>
#include <vector>

namespace orderlens::test {

struct FashionRun {
    std::size_t train = 300;
    std::size_t test = 100;
    int networks = 3;
    int epochs = 6;
    // Shifts every image's learning epochs, so two runs over the same images differ.
    int shift = 0;
};

// The epoch at which network n starts to classify image i (manifest order) correctly for good;
// >= epochs means never. Image i also has a "forgotten" last epoch on network 0 when i % 13 == 0.
int fashionLearnedEpoch(const FashionRun& spec, const std::vector<double>& intensity, std::size_t i, int network);

// The learned-by-all epoch those records imply (the first epoch from which every network stays
// correct to the end): kNeverLearned (-1) when some network is never correct for good.
int fashionLearnedByAll(const FashionRun& spec, const std::vector<double>& intensity, std::size_t i);

// Writes the run at `path`: config {"dataset": "fashion-mnist", "limit_train", "limit_test"},
// records as above, and two metrics: mean_intensity (mean pixel / 255) and bright_pixels (count
// of pixels above 128, an integer metric). Returns mean_intensity per manifest image.
// Requires Debian's dataset-fashion-mnist (callers QSKIP without it).
std::vector<double> writeFashionRun(const std::string& path, const FashionRun& spec);

}  // namespace orderlens::test
