#pragma once

#include "browser/RunImages.h"

#include <QImage>
#include <QString>

#include <cstdint>
#include <functional>
#include <vector>

namespace orderlens::ui {

// Writes the images as CSV: key,split,class,learned_epoch, one row each in the given order
// ("never" for never-learned images), then one column per entry of `columns` (indices into the
// run's ImageTable, e.g. the two plotted in the explorer), headed by the column's name, with the
// value as plotted (empty when missing). Written beside the target, then renamed into place.
// Throws InputError naming the file when it cannot be written.
void writeSelectionCsv(const QString& path, const RunImages& run, const std::vector<std::uint32_t>& images,
                       const std::vector<int>& columns = {});

// The images on a grid (`columns` wide, each scaled to fit `side` pixels, nearest-neighbour when
// enlarged), each captioned with its key, its class (multi-label: the label's class) and the text
// of `caption` (e.g. the sort key), on white.
// Images beyond kContactSheetLimit are left out, so a careless "select all" cannot allocate
// gigabytes.
constexpr std::size_t kContactSheetLimit = 2000;
QImage contactSheet(const RunImages& run, const std::vector<std::uint32_t>& images, int columns, int side,
                    const std::function<QString(std::uint32_t)>& caption = {});

}  // namespace orderlens::ui
