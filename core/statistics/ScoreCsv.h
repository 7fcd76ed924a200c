#pragma once

#include "dataset/Dataset.h"

#include <string>
#include <vector>

namespace orderlens {

// Column names of the CSV the crisp-boundaries scripts write (Isola et al., ECCV 2014, run by
// the study's find_all_boundaries.m); imported as column "edge_strength_crisp".
constexpr const char* kCrispImageColumn = "Image";
constexpr const char* kCrispValueColumn = "EdgeStrength";

struct ScoreImport {
    std::vector<double> values;  // one per dataset image, NaN where the file has none
    std::size_t rows = 0;        // data rows read
    std::size_t matched = 0;     // rows matched to an image
    std::vector<std::string> warnings;
};

// Imports per-image scores from a CSV of (image, value) rows, e.g. the visual search difficulty
// of Ionescu et al. (headerless) or crisp-boundary edge strengths (with a header). Without
// column names the first column names the image and the second holds the value, and a first
// row whose value is not a number is taken as a header; with names, the header must have them.
// An image name matches, in this order of preference: a key exactly; a key that ends the
// name's path ("/data/cifar/train/cat/1.png" -> "train/cat/1.png"); the one key with that file
// name; the one key with that file stem (VOC's "2008_000123"). Rows that match no image, or
// several, are skipped with a warning. Empty values and "nan" are missing; any other value
// that is not a number is an InputError naming the file and line.
ScoreImport importScoreCsv(const std::string& path, const Dataset& dataset, const std::string& imageColumn = {},
                           const std::string& valueColumn = {});

}  // namespace orderlens
