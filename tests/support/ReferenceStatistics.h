#pragma once

// Textbook implementations that tests compare OrderLens against: written for clarity (quadratic
// loops, std::map histograms), independent of the production code they check.

#include "dataset/Dataset.h"

#include <cstddef>
#include <vector>

namespace orderlens::test {

// Y on the 0..255 scale as the study's NumPy code evaluates it: (0.2989 R + 0.5870 G) + 0.1140 B
// in double precision, each product rounded; grey images: the byte itself.
std::vector<double> referenceLuminance(const ImageView& image);

// The study's local entropy loop: per w x w window, np.unique on the luminance doubles,
// probabilities counts / w^2, -sum(p log2 p); then the mean over all windows.
double referenceMeanEntropy(const ImageView& image, int window);

// Pearson's r, Spearman's rho (Pearson on average ranks) and Kendall's tau-b (counting every
// pair), all in O(n^2) or O(n log n) with no shortcut.
double referencePearson(const std::vector<double>& x, const std::vector<double>& y);
double referenceSpearman(const std::vector<double>& x, const std::vector<double>& y);
double referenceKendallTauB(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace orderlens::test
