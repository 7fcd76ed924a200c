#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace orderlens {

// What `orderlens verify` found in a run file: every byte read, every checksum checked, and the
// records' internal consistency (counters against data, key counts, label ranges, each
// correctness bit against its prediction and label).
struct RunVerification {
    std::string path;
    int layoutVersion = 0;        // 0 when the file could not be opened at all
    std::size_t epochsChecked = 0;  // (network, epoch) rows read
    std::size_t valuesChecked = 0;
    // One line per damaged part, naming it: "network 1, epochs 3-5: records/test/p_true: ...".
    std::vector<std::string> damage;
    bool intact() const { return damage.empty(); }
};

// Never throws for a damaged file: the damage is the result.
RunVerification verifyRun(const std::string& path);

}  // namespace orderlens
