#!/usr/bin/env bash
# The main job on the embedded default dataset (Fashion-MNIST from Debian's package).
set -euo pipefail
orderlens="$1"
shift || true
"$orderlens" info --dataset fashion-mnist
