#pragma once

#include "statistics/ImageStatistic.h"

namespace orderlens {

// docs/DEFINITIONS.md 6: the parameters the study passed to Felzenszwalb's `segment` program.
constexpr float kSegmentSigma = 0.5f;
constexpr float kSegmentK = 500.0f;
constexpr int kSegmentMinSize = 20;

// Segment count (column "segment_count"): the number of regions Felzenszwalb-Huttenlocher
// graph-based segmentation (IJCV 2004) finds, computed as the authors' `segment` program does
// (single precision, its Gaussian smoothing, edge order and unstable sort), so that counts
// match the program's, ties included.
class SegmentCount : public ImageStatistic {
public:
    SegmentCount(float sigma = kSegmentSigma, float k = kSegmentK, int minSize = kSegmentMinSize);
    std::vector<std::string> columns() const override { return {"segment_count"}; }
    std::string parameterTag() const override;
    void compute(const ImageView& image, double* values, std::string& warning) const override;

    int count(const ImageView& image) const;

private:
    float sigma_, k_;
    int minSize_;
    std::vector<float> mask_;  // the smoothing taps, centre first
};

}  // namespace orderlens
