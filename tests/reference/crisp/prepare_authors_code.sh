#!/bin/sh
# Unpacks the authors' crisp-boundaries code into a temporary folder OUTSIDE this repository and
# compiles the KDE toolbox's C++ files for GNU Octave. Their code is GPL/AGPL: it is read and run,
# never copied into OrderLens.
#   usage: prepare_authors_code.sh CLONE_OF_phillipi/crisp-boundaries WORK_DIR
# e.g.     git clone https://github.com/phillipi/crisp-boundaries /tmp/cb-src
#          tests/reference/crisp/prepare_authors_code.sh /tmp/cb-src /tmp/crisp-octave
# Needs Debian 12's octave, octave-image and liboctave-dev.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$1
work=$2
mkdir -p "$work"
git -C "$src" archive HEAD Code | tar -x -C "$work"
kde="$work/Code/toolboxes/@kde"
mkdir -p "$kde/private" "$work/caches/ii_jj_caches"
find "$kde" \( -name "*.mexa64" -o -name "*.mexglx" -o -name "*.mexmac*" -o -name "*.dll" \) -delete
cd "$kde/mex"
for f in BallTree BallTreeDensity; do
    nice mkoctfile --mex -O2 -o "../private/$f.mex" $f.cpp cpp/BallTreeClass.cc cpp/BallTreeDensityClass.cc
done
nice mkoctfile --mex -O2 -o "../private/DualTree_mex.mex" DualTree.cpp cpp/BallTreeClass.cc cpp/BallTreeDensityClass.cc
for f in adjustBW adjustPoints adjustWeights; do
    nice mkoctfile --mex -O2 -o "../$f.mex" $f.cpp cpp/BallTreeClass.cc cpp/BallTreeDensityClass.cc
done
cp "$here/standins/DualTree.m" "$kde/private/DualTree.m"
echo "authors' code ready in $work/Code"
