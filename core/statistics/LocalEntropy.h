#pragma once

#include "statistics/ImageStatistic.h"

namespace orderlens {

// docs/DEFINITIONS.md 6, the study's default window for the mean local entropy.
constexpr int kEntropyWindow = 10;
constexpr int kMaxEntropyWindow = 1024;

// Mean local entropy (column "entropy"): the Shannon entropy in bits of the distinct luminance
// values in every w x w window (stride 1, no padding), averaged over the (H-w+1)(W-w+1)
// windows. Missing (NaN) for an image smaller than the window.
class LocalEntropy : public ImageStatistic {
public:
    explicit LocalEntropy(int window = kEntropyWindow);
    std::vector<std::string> columns() const override { return {"entropy"}; }
    std::string parameterTag() const override;
    void compute(const ImageView& image, double* values, std::string& warning) const override;

    // The value itself; NaN when the image is smaller than the window.
    double meanEntropy(const ImageView& image) const;

private:
    int window_;
    // Counts change by one at a time, so c log2 c is tabulated once for c = 0 .. w*w, in fixed
    // point: sums of integers are exact and independent of order (a window of one value gives
    // exactly 0, and sliding never accumulates rounding).
    std::vector<std::int64_t> step_;  // step_[c] = T(c + 1) - T(c), T(c) ~ c log2 c * scale_
    std::int64_t total_ = 0;          // T(w*w)
    double scale_ = 1;
};

}  // namespace orderlens
