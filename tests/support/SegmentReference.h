#pragma once

// Images whose Felzenszwalb-Huttenlocher segment counts came from the authors' own program, and
// those counts. How to regenerate them:
//   1. Build pff's segment (https://cs.brown.edu/people/pfelzens/segment/, segment.zip) with
//      `g++ -O3 -o segment segment.cpp`.
//   2. Write each image as a binary PPM (P6, 8 bits; grey images with the grey value in all three
//      channels), e.g. from the patterns below or Fashion-MNIST's IDX files.
//   3. Run `segment 0.5 500 20 in.ppm out.ppm` (the study's parameters) or
//      `segment 0.8 300 10 in.ppm out.ppm`; the count is the N of its "got N components" line.

#include "Picture.h"

namespace orderlens::test {

// Patterns 1..6 with many exactly equal edge weights (flat regions, repeated steps).
inline Picture segmentPattern(int kind)
{
    switch (kind) {
    case 1: return paint(37, 23, 3, [](int y, int x, int c) { return ((x / 4 + y / 3 + c) % 5) * 51; });
    case 2: return paint(31, 29, 1, [](int y, int x, int) { return (x * x + y * 3) % 7 * 36; });
    case 3: return paint(16, 45, 3, [](int y, int x, int c) { return ((x + 2 * y) / 3 % 3) * 100 + c * 20; });
    case 4: return paint(24, 24, 1, [](int y, int x, int) { return ((x / 3 + y / 3) % 2) * 255; });
    case 5: return paint(40, 40, 3, [](int y, int x, int c) { return (x * y + 7 * c) % 256; });
    default: return paint(9, 50, 1, [](int y, int x, int) { return (x % 10 < 5) ? 60 + y : 190 - y; });
    }
}

// `segment 0.5 500 20` and `segment 0.8 300 10` on patterns 1..6.
constexpr int kPatternSegmentsStudy[] = {15, 13, 19, 2, 10, 10};
constexpr int kPatternSegmentsOther[] = {19, 5, 14, 2, 15, 10};

}  // namespace orderlens::test
