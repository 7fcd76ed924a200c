#pragma once

#include "dataset/Dataset.h"

#include <cstdint>
#include <string>
#include <vector>

// Crisp boundary detection (Isola, Zoran, Krishnan, Adelson, "Crisp Boundary Detection Using
// Pointwise Mutual Information", ECCV 2014) as the authors' MATLAB code runs it with its 'speedy'
// preset (setEnvironment('speedy')), with the PMI evaluated exactly from the kernel density
// estimate instead of the preset's random-forest approximation. docs/METRICS.md describes every
// step; the stages are separate functions so that each can be compared with the authors' code.
namespace orderlens::crisp {

// The 'speedy' preset (setEnvironment.m) and the constants of the functions it calls.
constexpr int kKernelCount = 5000;          // opts.kde.Nkernels: pixel positions drawn for the KDE
constexpr double kBandwidth = 0.05;         // learnP_A_B.m: kde(F', 0.05, [], 'e') without learn_bw
constexpr double kJointExponent = 1.25;     // opts.joint_exponent, rho of PMI_rho (Eqn. 2)
constexpr double kPmiRegulariser = 100;     // opts.p_reg, added to numerator and denominator
constexpr double kOffsetVariance = 0.25;    // opts.sig, variance of the pair offsets (sampleF.m)
constexpr int kPairRadius = 5;              // getLocalPairs.m: pairs at most 5 pixels apart
constexpr int kVarianceDiskRadius = 2;      // getFeatures.m at scale 2: strel('disk', 2^(2-1), 0)
constexpr int kEigenvectors = 100;          // opts.spectral_clustering.nvec
constexpr int kDownsamplings = 2;           // spectralPb_fast_custom: ncuts_downsample3(W, nvec, 2, 2, ...)
constexpr int kOrientations = 8;            // oriented derivative filters, sigma 1, support 3
constexpr double kEigenRegulariser = 1e-10; // ncuts2: eigs((D - A) + 1e-10 * speye, D, ...)
constexpr std::size_t kWhitenRows = 100000; // whiten.m: N_cov, rows used for the covariance

// An H x W x 3 map, pixel-major: value (r, c, k) at ((r * width) + c) * 3 + k.
struct FeatureMap {
    int height = 0;
    int width = 0;
    std::vector<double> values;
    std::size_t pixels() const { return std::size_t(height) * std::size_t(width); }
    const double* at(std::size_t pixel) const { return values.data() + 3 * pixel; }
};

// The two feature sets of the preset ('color' and 'var'), each at half resolution, decorrelated by
// PCA and scaled to [0, 1].
struct Features {
    FeatureMap colour;
    FeatureMap variance;
};
Features features(const ImageView& image);

// The pixel pairs whose affinity is computed: every pair (i, j), i < j in row-major order, at most
// kPairRadius apart, ordered as the authors' getLocalPairs returns them (by j, then i).
struct PixelPairs {
    std::vector<std::uint32_t> first;
    std::vector<std::uint32_t> second;
    std::size_t size() const { return first.size(); }
};
PixelPairs localPairs(int height, int width);

// The authors' orderAB.m, which models only half of the symmetric joint space {A, B}: when A's
// first channel is not above B's, it swaps the first channels of A and B, and only those (the
// other channels stay where they are). Reproduced as it runs: for grey images it is the same as
// swapping A and B, for colour images it is not.
void orderPair(double* pair);

// Kernel centres of the joint distribution of features at nearby pixels, rows of 6 values (A then
// B, ordered by orderPair), drawn as sampleF.m does: kKernelCount pixel positions with
// replacement, duplicates dropped, a random offset pair around each, pairs leaving the image
// dropped.
std::vector<double> kernelCentres(const FeatureMap& map, std::uint64_t seed);

// PMI_rho(A, B) of every pair from the Epanechnikov KDE with those centres, evaluated exactly.
std::vector<double> pointwiseMutualInformation(const FeatureMap& map, const std::vector<double>& centres,
                                               const PixelPairs& pairs);

struct BoundaryMap {
    int height = 0;
    int width = 0;
    std::vector<double> values;  // empty: the image is too small
};

// The boundary map E (height x width, row-major) from the affinity of each pair (the product over
// feature sets of exp(PMI)): approximate decimated normalised cuts, oriented derivative filters on
// the eigenvectors, border suppression, maximum over orientations. Empty when the image is too
// small for the two decimations (fewer than two nodes remain).
std::vector<double> boundaryMap(int height, int width, const PixelPairs& pairs, const std::vector<double>& affinity,
                                std::uint64_t seed);

// An 8-bit grey picture of the map (row-major), scaled by its own maximum: white = the strongest
// boundary (all black when the map is 0 everywhere).
std::vector<std::uint8_t> previewPixels(const BoundaryMap& map);

// The whole method on one image. `seed` fixes every random draw; the map is the mean of
// `repeats` maps drawn with independent seeds derived from it.
BoundaryMap boundaries(const ImageView& image, std::uint64_t seed, int repeats = 1);

// The seed of one image: derived from the run's seed and the image's key, so that values do not
// depend on the order or the subset of images computed.
std::uint64_t imageSeed(std::uint64_t runSeed, const std::string& key);

}  // namespace orderlens::crisp
