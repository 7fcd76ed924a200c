#pragma once

#include "dataset/Dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace orderlens::test {

// The images of the crisp-boundaries reference set (tests/reference/crisp/generate_reference.m
// builds the same ones): Fashion-MNIST test image k zero-padded to 32 x 32, odd k in colour
// (R, G, B = padded images k, k + 1000, k + 2000); a 64 x 64 image k is the 32 x 32 image k + 500
// enlarged twice by pixel repetition. Needs Debian's dataset-fashion-mnist.
class CrispReferenceImages {
public:
    CrispReferenceImages();
    // 8-bit RGB, side x side, pixel-major.
    std::vector<std::uint8_t> image(int side, std::size_t k) const;

private:
    std::uint8_t padded(std::size_t k, int r, int c) const;
    Dataset fashion_;
    std::vector<std::size_t> testIndex_;
};

// The folder of the committed reference outputs, ending in '/'.
std::string crispReferenceDirectory();

// A reference CSV of numbers (a header line, if any, is skipped), one vector per line.
std::vector<std::vector<double>> readNumberCsv(const std::string& path);

// Spearman's rho: Pearson's r of the ranks, ties given their mean rank.
double spearman(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace orderlens::test
