#pragma once

#include <cstdint>
#include <string>

namespace orderlens {

// docs/DEFINITIONS.md 1: every image belongs to exactly one split.
enum class Split : std::uint8_t { Train = 0, Test = 1 };

inline const char* splitName(Split s) { return s == Split::Train ? "train" : "test"; }
Split parseSplit(const std::string& name);  // throws ConfigError

}  // namespace orderlens
