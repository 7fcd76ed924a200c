#pragma once

// A small run with a learning order, two metrics and a known configuration, for the figure,
// report and CLI tests of the analysis.

#include <string>

namespace orderlens::test {

// Writes the run at `path`: 60 train + 30 test images, 3 networks, 8 epochs; image i is learned
// around epoch i % 10 (8 and 9: never); metric "entropy" follows the learning epoch, "rotation"
// has three distinct values; the config names architecture "lenet5".
void writeAnalysisRun(const std::string& path);

}  // namespace orderlens::test
