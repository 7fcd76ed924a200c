#pragma once

#include "dataset/Dataset.h"
#include "io/NpyFile.h"

#include <string>
#include <vector>

namespace orderlens {

// CIFAR-10H (Peterson et al., ICCV 2019): 10000 rows of human label probabilities for the 10
// classes, rows in CIFAR-10 test-set order.
constexpr std::size_t kCifar10hRows = 10000;
constexpr std::size_t kCifar10hClasses = 10;
// The study's guard against log2(0).
constexpr double kHumanUncertaintyEpsilon = 1e-11;

// Human uncertainty of one row: -sum p log2(min(p + 1e-11, 1)), in bits, evaluated in the
// file's precision as the study's NumPy code does.
double humanUncertainty(const NpyMatrix& probabilities, std::size_t row);

// Reads a CIFAR-10H probability file; InputError for a file that is not a 10000 x 10 float
// array. What the GUI uses to check the file on the spot.
NpyMatrix readCifar10h(const std::string& npyPath);

// Throws what readCifar10h throws for the file, but reads a file only once per size and
// modification time: a form that checks the file on every keystroke does not re-read 800 kB
// each time, and a file that changes is read again.
void checkCifar10h(const std::string& npyPath);

// Column "human_uncertainty" for a CIFAR-10 dataset: row i goes to the image keyed test/<i>
// (six digits); every other image (the train split) is missing (NaN), not 0. Throws
// ConfigError for a dataset that is not CIFAR-10 and InputError for a file that is not a
// 10000 x 10 float array.
std::vector<double> importCifar10h(const std::string& npyPath, const Dataset& dataset);

}  // namespace orderlens
