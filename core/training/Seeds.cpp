#include "training/Seeds.h"

#include "numeric/Hashing.h"

namespace orderlens {

namespace {

// Domain separators so that, e.g., network 0's seed differs from the corruption seed.
constexpr std::uint64_t kNetworkStream = 0x6e6574776f726b00ULL;     // "network"
constexpr std::uint64_t kEpochStream = 0x65706f6368000000ULL;       // "epoch"
constexpr std::uint64_t kCorruptionStream = 0x636f727275707400ULL;  // "corrupt"

}  // namespace

std::uint64_t mixSeed(std::uint64_t x) { return splitMix64(x); }

std::uint64_t networkSeed(std::uint64_t experimentSeed, int network)
{
    return mixSeed(mixSeed(experimentSeed ^ kNetworkStream) + std::uint64_t(network));
}

std::uint64_t epochSeed(std::uint64_t networkSeed, int epoch)
{
    return mixSeed(mixSeed(networkSeed ^ kEpochStream) + std::uint64_t(epoch));
}

std::uint64_t corruptionSeed(std::uint64_t experimentSeed) { return mixSeed(experimentSeed ^ kCorruptionStream); }

}  // namespace orderlens
