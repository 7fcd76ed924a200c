#include "numeric/Hashing.h"

namespace orderlens {

std::uint64_t splitMix64(std::uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

void Fnv1a64::add(const void* bytes, std::size_t count)
{
    constexpr std::uint64_t kPrime = 0x100000001b3ULL;
    const auto* b = static_cast<const std::uint8_t*>(bytes);
    for (std::size_t i = 0; i < count; ++i) {
        hash_ ^= b[i];
        hash_ *= kPrime;
    }
}

}  // namespace orderlens
