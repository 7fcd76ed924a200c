#pragma once

#include "dataset/Dataset.h"

#include <cstdint>
#include <vector>

namespace orderlens {

// docs/DEFINITIONS.md 7: with probability p per training image, the label is replaced by a class
// drawn uniformly from all classes (it may coincide with the true one); p = 1 gives fully
// random labels. Drawn once from the experiment seed and stored in the run. Test labels are
// never corrupted (the test pass measures against the truth). Every image consumes the same
// random draws whatever p is, so the images corrupted at a small p stay corrupted, with the
// same new label, at a larger p.
// Returns one label per dataset image (multi-label datasets: unchanged).
std::vector<std::int32_t> corruptLabels(const Dataset& dataset, double probability, std::uint64_t experimentSeed);

}  // namespace orderlens
