#!/bin/sh
# Refreshes the screenshots in this folder: renders the welcome page, the experiment form, the About box and
# the live monitor mid-training at 1600 x 1000 under Xvfb (needs the xvfb package and a build).
# Usage: docs/screenshots/take-screenshots.sh [BUILD_DIR]   (default: build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-"$here/../../build"}
test -x "$build/tests/tst_gui_screenshots" || {
    echo "take-screenshots.sh: $build/tests/tst_gui_screenshots not built (ninja -C $build tst_gui_screenshots)" >&2
    exit 1
}
ORDERLENS_SCREENSHOT_DIR="$here" QT_QPA_PLATFORM=xcb \
    xvfb-run -a -s "-screen 0 1600x1000x24" "$build/tests/tst_gui_screenshots"
