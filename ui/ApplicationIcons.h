#pragma once

#include <QIcon>

namespace orderlens::ui {

// OrderLens's icon (hand-drawn SVG plus rendered sizes, compiled in from resources/).
QIcon applicationIcon();

// The desktop theme's icon named themeName (freedesktop icon naming), or OrderLens's own
// drawing resources/icons/actions/<fallback>.svg where the theme has none.
QIcon actionIcon(const QString& themeName, const QString& fallback);

}  // namespace orderlens::ui
