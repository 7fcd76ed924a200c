#pragma once

#include "dataset/Dataset.h"
#include "storage/RunFile.h"

#include <cstdint>
#include <string>

namespace orderlens {

// What a run's stored configuration says about its images: where the dataset lives, the
// limits that cut the run's subset from it, the CIFAR-10H file of its human uncertainty and
// the seed of its random statistics. The one place that reads these keys, so that training
// (resume), the image statistics, the browser and the command line recover the same images.
struct RunDataset {
    std::string spec;                  // "dataset", else the manifest's source (older runs)
    std::size_t limitTrain = 0;        // "limit_train", 0 = every image of the split
    std::size_t limitTest = 0;         // "limit_test"
    std::string humanUncertainty;      // "human_uncertainty", empty = none
    std::uint64_t seed = 0;            // "seed"

    // Reads the keys one by one, so that configurations of runs written by older versions (with
    // keys missing or since renamed) still give what they have.
    static RunDataset of(const RunFile& run);

    // Exactly the run's images, in the run's (manifest) order: the dataset at `spec` cut with the
    // run's limits; when that is not the run's dataset (a run whose configuration has no limits,
    // or was made from a subset some other way) the run's keys picked from the whole dataset.
    // Throws InputError naming the run when the images are not all there or have changed.
    Dataset load(const RunFile& run) const;
};

}  // namespace orderlens
