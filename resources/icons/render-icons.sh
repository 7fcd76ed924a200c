#!/usr/bin/env bash
# Renders the application icon's PNG sizes from the hand-drawn SVG master with librsvg
# (Debian package librsvg2-bin). The PNGs are committed; run this after editing orderlens.svg.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for size in 16 22 24 32 48 64 128 256 512; do
  mkdir -p "$here/hicolor/${size}x${size}/apps"
  rsvg-convert --width "$size" --height "$size" "$here/orderlens.svg" \
    --output "$here/hicolor/${size}x${size}/apps/orderlens.png"
done
