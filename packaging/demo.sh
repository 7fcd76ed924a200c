#!/usr/bin/env bash
# The main job on the embedded default dataset (Fashion-MNIST from Debian's package):
# with a display, the desktop application trains the demo live; without one, the same
# experiment runs headless into ./orderlens-demo/ and writes the report there.
set -euo pipefail
orderlens="$1"
shift || true
"$orderlens" info --dataset fashion-mnist
echo
exec "$orderlens" --demo "$@"
