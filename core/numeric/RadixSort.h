#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace orderlens {

// Sorts 64-bit words in ascending order of their bytes `fromByte` .. 7 (byte 7 the most
// significant), stably: words equal in those bytes keep their order. LSD radix, one pass per
// byte, skipping bytes that are equal in every word. For the small arrays of one image (a few
// thousand words) this is several times faster than a comparison sort.
//  - fromByte 0: a full sort, e.g. of the bit patterns of non-negative doubles (for which the
//    integer order is the numeric order);
//  - fromByte 4: by the high half only, e.g. (float bits << 32 | index) pairs by the float.
// `scratch` is reused between calls to avoid allocations.
void radixSort(std::uint64_t* words, std::size_t count, int fromByte, std::vector<std::uint64_t>& scratch);

}  // namespace orderlens
