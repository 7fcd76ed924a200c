#pragma once

#include "statistics/ImageStatistic.h"

#include <cstdint>
#include <string>

namespace orderlens {

// The study's edge strength (columns "crisp_edge_strength", the sum of the crisp boundary map E,
// and "crisp_edge_mean", its mean over E's pixels): crisp boundary detection of Isola et al.
// (ECCV 2014) with the authors' 'speedy' preset, computed natively (CrispBoundaries.h). The method
// draws pixel pairs at random: each image's draws come from a seed derived from `seed` and the
// image's key, and `repeats` > 1 averages that many independently seeded maps.
class CrispEdgeStrength : public ImageStatistic {
public:
    // With a non-empty `mapDirectory`, every map is also written there as CSV and PNG
    // (crispMapFileStem names the files).
    CrispEdgeStrength(std::uint64_t seed, int repeats, std::string mapDirectory = {});
    std::vector<std::string> columns() const override { return {"crisp_edge_strength", "crisp_edge_mean"}; }
    std::string parameterTag() const override;
    void compute(const ImageView& image, double* values, std::string& warning) const override;
    void computeForKey(const ImageView& image, const std::string& key, double* values,
                       std::string& warning) const override;
    bool writesFiles() const override { return !mapDirectory_.empty(); }

private:
    std::uint64_t seed_;
    int repeats_;
    std::string mapDirectory_;
};

// The file name (without extension) of an image's edge map: its key with every path separator
// ('/' or '\') replaced by "__".
std::string crispMapFileStem(const std::string& key);

}  // namespace orderlens
