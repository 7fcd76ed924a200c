#!/usr/bin/env bash
# OrderLens set-up on Debian 12: installs what is needed, builds in Release, then
#   setup.sh run   trains and analyses the Fashion-MNIST demo (the README's main command)
#   setup.sh test  runs the whole test suite through CTest
#   setup.sh test-asan  builds build-asan with AddressSanitizer and UBSan and runs the suite there
#   setup.sh build only installs and builds
#   setup.sh package  also builds the Debian package build/orderlens_<version>_amd64.deb
# Idempotent: packages already present are not reinstalled, the build is incremental.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ORDERLENS_BUILD_DIR:-$here/build}"
mode="${1:-run}"
shift || true

say() { printf '\033[1m[orderlens]\033[0m %s\n' "$*"; }

packages=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-svg-dev libqt6svg6 libqt6opengl6-dev
  libtorch-dev libopenblas0-pthread
  libopencv-dev libopencv-contrib-dev
  libqcustomplot-dev libqcustomplot2.1-qt6
  libhdf5-dev hdf5-tools zlib1g-dev nlohmann-json3-dev libpugixml-dev
  libeigen3-dev libspectra-dev libzip-dev
  dataset-fashion-mnist
  xvfb xauth fonts-dejavu-core poppler-utils ccache
  # `orderlens slurm` writes and submits job arrays; tst_slurm runs a one-node cluster of it
  slurm-wlm
  # the Debian package, its manual page and its checks; librsvg2-bin renders the icon's PNGs
  dpkg-dev help2man lintian desktop-file-utils appstream librsvg2-bin bash-completion
  # the fuzz targets (docs/RELIABILITY.md): clang and its libFuzzer runtime
  clang-14 libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    say "These Debian packages are missing: ${missing[*]}"
    say "Run this script as root (or with sudo) to install them."
    exit 1
  fi
  say "Installing ${#missing[@]} Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  say "All Debian packages are installed."
fi

# LibTorch's linear layers run about twice as fast with OpenBLAS as with the reference BLAS.
if command -v update-alternatives >/dev/null; then
  blas=$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | awk '/^Value:/ {print $2}')
  case "$blas" in
    *openblas*) ;;
    *) alt=$(update-alternatives --list libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep openblas | head -1 || true)
       if [ -n "$alt" ] && [ "$(id -u)" -eq 0 ]; then
         say "Selecting OpenBLAS ($alt) as the system BLAS."
         update-alternatives --set libblas.so.3-x86_64-linux-gnu "$alt" >/dev/null
         lapack=$(update-alternatives --list liblapack.so.3-x86_64-linux-gnu 2>/dev/null | grep openblas | head -1 || true)
         [ -n "$lapack" ] && update-alternatives --set liblapack.so.3-x86_64-linux-gnu "$lapack" >/dev/null
       fi ;;
  esac
fi

# ccache (when present) shares compiled objects between checkouts in different folders.
export CCACHE_BASEDIR="$here"

jobs=$(nproc)
if [ "$mode" != test-asan ]; then
  say "Configuring and building in Release ($build)"
  cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j "$jobs"
fi

case "$mode" in
  build)
    say "Built $build/app/orderlens"
    ;;
  run)
    exec "$here/packaging/demo.sh" "$build/app/orderlens" "$@"
    ;;
  package)
    say "Building the Debian package"
    (cd "$build" && cpack -G DEB >/dev/null)
    deb=$(ls -t "$build"/orderlens_*_amd64.deb | head -1)
    say "Built $deb"
    say "Install it with: apt-get install $deb"
    ;;
  test)
    say "Running the test suite"
    cd "$build"
    ctest --output-on-failure -j "$jobs" "$@"
    ;;
  test-asan)
    # The sanitizer options (halt_on_error, the leak suppressions, the report folder) are the
    # tests' own environment in a sanitizer build (tests/CMakeLists.txt): plain `ctest` there
    # runs the same. One test at a time: the sanitizers multiply memory and time.
    asan="${ORDERLENS_ASAN_BUILD_DIR:-$here/build-asan}"
    say "Building with AddressSanitizer and UndefinedBehaviorSanitizer ($asan)"
    cmake -S "$here" -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DORDERLENS_SANITIZE=address,undefined \
      -DORDERLENS_BUILD_BENCHMARKS=OFF >/dev/null
    cmake --build "$asan" -j "$jobs"
    say "Running the test suite under the sanitizers (a report fails its test and sanitizer_reports)"
    ctest --test-dir "$asan" --output-on-failure -j 1 "$@"
    ;;
  *)
    echo "usage: packaging/setup.sh [run|test|test-asan|build|package]" >&2
    exit 2
    ;;
esac
