#pragma once

#include "dataset/Split.h"

#include <cstddef>
#include <string>

namespace orderlens {

// The key of image `index` of a split in the formats that number their images instead of naming
// them (IDX, CIFAR binary): "train/000042", at least six digits, as CIFAR-10H rows refer to them.
std::string numberedKey(Split split, std::size_t index);

}  // namespace orderlens
