#pragma once

#include "storage/RunFile.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace orderlens {

// Follows a run that may still be written, by this or another process. Each poll() reads only
// the epochs completed since the previous poll (every record set's correctness bits and the
// summary), so watching a run for E epochs costs E epoch reads, not E^2 / 2.
class RunFollower {
public:
    explicit RunFollower(const std::string& path);  // throws InputError

    // Reads what is new; returns the (network, epoch) pairs read, in network-major order.
    std::vector<std::pair<int, int>> poll();

    const RunFile& run() const { return run_; }
    const std::vector<int>& epochsRead() const { return read_; }  // per network
    // (network, epoch) rows read since construction: what a test counts to prove the reading is
    // incremental.
    std::size_t rowsRead() const { return rowsRead_; }

    // Bit-packed correctness (bit i of byte i/8 is image i) of an epoch that has been read.
    const std::vector<std::uint8_t>& correctBits(RecordSet set, int network, int epoch) const;
    const EpochSummary& summary(int network, int epoch) const;
    // The writer as last polled.
    const RunWriterInfo& writer() const { return writer_; }

private:
    void reset();
    RunFile run_;
    std::pair<std::uint64_t, std::uint64_t> identity_;  // (device, inode) of the file followed
    std::vector<int> read_;
    std::size_t rowsRead_ = 0;
    std::vector<std::vector<std::vector<std::vector<std::uint8_t>>>> bits_;  // [set][network][epoch]
    std::vector<std::vector<EpochSummary>> summaries_;                       // [network][epoch]
    RunWriterInfo writer_;
};

}  // namespace orderlens
