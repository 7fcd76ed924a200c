#pragma once

#include <cstdint>

namespace orderlens {

// Every random choice of an experiment derives from its one seed, so a run is reproducible
// and a resumed epoch replays exactly: network n's initialisation from networkSeed(seed, n),
// its batch order, augmentation and dropout in epoch e from epochSeed(networkSeed, e).
std::uint64_t networkSeed(std::uint64_t experimentSeed, int network);
std::uint64_t epochSeed(std::uint64_t networkSeed, int epoch);
// The stream that draws label corruption (docs/DEFINITIONS.md 7), independent of the networks.
std::uint64_t corruptionSeed(std::uint64_t experimentSeed);

// SplitMix64 (Steele, Lea & Flood 2014): a bijective mixer, so distinct inputs never collide.
std::uint64_t mixSeed(std::uint64_t x);

}  // namespace orderlens
