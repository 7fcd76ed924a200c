#include "numeric/RadixSort.h"

#include <algorithm>
#include <cstring>

namespace orderlens {

void radixSort(std::uint64_t* words, std::size_t count, int fromByte, std::vector<std::uint64_t>& scratch)
{
    if (count < 2)
        return;
    // All histograms in one read of the data.
    std::size_t histogram[8][256];
    std::memset(histogram, 0, sizeof histogram);
    for (std::size_t i = 0; i < count; ++i) {
        const std::uint64_t w = words[i];
        for (int b = fromByte; b < 8; ++b)
            ++histogram[b][(w >> (8 * b)) & 0xff];
    }
    scratch.resize(count);
    std::uint64_t* from = words;
    std::uint64_t* to = scratch.data();
    for (int b = fromByte; b < 8; ++b) {
        std::size_t* h = histogram[b];
        // A byte equal in every word leaves the order as it is.
        if (h[(from[0] >> (8 * b)) & 0xff] == count)
            continue;
        std::size_t offset = 0;
        for (int d = 0; d < 256; ++d) {
            const std::size_t n = h[d];
            h[d] = offset;
            offset += n;
        }
        for (std::size_t i = 0; i < count; ++i) {
            const std::uint64_t w = from[i];
            to[h[(w >> (8 * b)) & 0xff]++] = w;
        }
        std::swap(from, to);
    }
    if (from != words)
        std::copy(from, from + count, words);
}

}  // namespace orderlens
