#pragma once

#include "dataset/Split.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace orderlens::ui {

// One numeric value per image: a per-image measure (learned epoch, forgetting events, data map,
// AUM; docs/DEFINITIONS.md 5) or an image statistic stored in the run's /metrics (NaN = missing).
struct ImageColumn {
    std::string name;
    bool measure = false;   // from the records (else an image statistic)
    bool integer = false;   // integer-valued: the scatter jitters it
    std::vector<double> values;
};

// What the browser sorts and filters, one row per image of the run in manifest order. Plain
// vectors so that ordering 1.28 M rows is a pass over contiguous memory, never a QVariant.
struct ImageTable {
    std::vector<Split> splits;
    std::vector<std::int32_t> labels;
    std::vector<std::int32_t> learnedEpoch;  // learned-by-all epoch; kNeverLearned = never
    std::vector<ImageColumn> columns;

    std::size_t size() const { return splits.size(); }
    // Index of the column with that name, -1 when there is none.
    int columnIndex(const std::string& name) const;
};

// Which images the browser shows. Every criterion is optional; ranges are inclusive.
struct ImageFilter {
    enum class Learned { Any, Learned, Never };
    bool anySplit = true;
    Split split = Split::Train;
    int label = -1;  // -1 = every class
    Learned learned = Learned::Any;
    // Learned-epoch range; never-learned images pass it only when `learned` is Never or Any and
    // the range is the full one.
    int minEpoch = std::numeric_limits<int>::min();
    int maxEpoch = std::numeric_limits<int>::max();
    int column = -1;  // value range on this column (-1 = none); missing values never pass
    double minValue = -std::numeric_limits<double>::infinity();
    double maxValue = std::numeric_limits<double>::infinity();
    // When not empty, only images whose byte is set pass (e.g. a selection made in the explorer).
    std::vector<std::uint8_t> only;

    bool epochRangeSet() const
    {
        return minEpoch != std::numeric_limits<int>::min() || maxEpoch != std::numeric_limits<int>::max();
    }
};

// Sort key: the learned-by-all epoch (column -1; never-learned counts as later than every epoch)
// or a column. Missing values come last in either direction; ties keep manifest order, so the order
// is the same on every machine.
struct ImageSort {
    int column = -1;
    bool descending = false;
};

// The manifest indices of the images that pass the filter, in sort order. Radix sort on the
// keys (two 16-bit passes, then short runs of equal high bits), so 1.28 M images order in tens
// of milliseconds.
std::vector<std::uint32_t> orderImages(const ImageTable& table, const ImageFilter& filter, const ImageSort& sort);

// The sort key of one image as a number (learned epoch: never = +infinity), NaN when missing.
double sortValue(const ImageTable& table, const ImageSort& sort, std::size_t image);

}  // namespace orderlens::ui
