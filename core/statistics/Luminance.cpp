// The study's NumPy code rounds every product and sum separately; a fused multiply-add (which
// GCC would emit under -march flags with FMA) changes the last bit and with it which colours
// count as equal.
#pragma GCC optimize("fp-contract=off")

#include "statistics/Luminance.h"

#include <cstring>

namespace orderlens {

double lumaOf(std::uint8_t r, std::uint8_t g, std::uint8_t b)
{
    return kLumaRed * double(r) + kLumaGreen * double(g) + kLumaBlue * double(b);
}

void luminance(const ImageView& image, std::vector<double>& out)
{
    const std::size_t pixels = std::size_t(image.height) * std::size_t(image.width);
    out.resize(pixels);
    const std::uint8_t* p = image.data;
    if (image.channels == 1) {
        for (std::size_t i = 0; i < pixels; ++i)
            out[i] = double(p[i]);
        return;
    }
    for (std::size_t i = 0; i < pixels; ++i, p += 3)
        out[i] = kLumaRed * double(p[0]) + kLumaGreen * double(p[1]) + kLumaBlue * double(p[2]);
}

void luminanceLevels(const ImageView& image, LuminanceLevels& out)
{
    const std::size_t pixels = std::size_t(image.height) * std::size_t(image.width);
    out.ids.resize(pixels);
    if (image.channels == 1) {
        bool seen[256] = {};
        out.distinct = 0;
        for (std::size_t i = 0; i < pixels; ++i) {
            const std::uint8_t v = image.data[i];
            out.ids[i] = v;
            out.distinct += seen[v] ? 0 : 1;
            seen[v] = true;
        }
        out.idBound = 256;
        return;
    }
    // Open addressing on the bit pattern of Y (all Y >= +0.0, so equal doubles have equal bits).
    std::size_t capacity = 64;
    while (capacity < 2 * pixels)
        capacity *= 2;
    thread_local std::vector<std::uint64_t> slotKey;
    thread_local std::vector<std::uint32_t> slotId;
    constexpr std::uint64_t kEmpty = ~std::uint64_t(0);  // not the bit pattern of any Y
    slotKey.assign(capacity, kEmpty);
    slotId.resize(capacity);
    std::uint32_t next = 0;
    const std::uint8_t* p = image.data;
    for (std::size_t i = 0; i < pixels; ++i, p += 3) {
        const double y = kLumaRed * double(p[0]) + kLumaGreen * double(p[1]) + kLumaBlue * double(p[2]);
        std::uint64_t bits;
        std::memcpy(&bits, &y, sizeof bits);
        std::size_t slot = std::size_t((bits * 0x9E3779B97F4A7C15ULL) >> 40) & (capacity - 1);
        while (slotKey[slot] != kEmpty && slotKey[slot] != bits)
            slot = (slot + 1) & (capacity - 1);
        if (slotKey[slot] == kEmpty) {
            slotKey[slot] = bits;
            slotId[slot] = next++;
        }
        out.ids[i] = slotId[slot];
    }
    out.distinct = next;
    out.idBound = next;
}

}  // namespace orderlens
