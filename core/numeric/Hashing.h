#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace orderlens {

// The two non-cryptographic hashes OrderLens uses. Their values are stored (dataset
// fingerprints in run files, cache names) or decide random streams (seeds), so they must never
// change: tests pin them against published test vectors.

// SplitMix64 (Steele, Lea & Flood 2014): adds the golden-ratio increment and applies the
// finaliser. A bijection, so distinct inputs never collide.
std::uint64_t splitMix64(std::uint64_t x);

// FNV-1a, 64 bit (Fowler, Noll, Vo), fed byte by byte: cheap and the same on every platform.
class Fnv1a64 {
public:
    void add(const void* bytes, std::size_t count);
    void add(const std::string& text) { add(text.data(), text.size()); }
    std::uint64_t value() const { return hash_; }

private:
    std::uint64_t hash_ = 0xcbf29ce484222325ULL;  // the offset basis
};

}  // namespace orderlens
