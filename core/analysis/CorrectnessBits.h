#pragma once

#include "storage/RunFile.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace orderlens {

// Which records an analysis looks at: one record set, any subset of the networks and an epoch
// range. Epoch numbers stay those of the run (epoch 7 is the run's eighth epoch even when the
// range starts at 5).
struct RecordSelection {
    RecordSet set = RecordSet::Train;
    std::vector<int> networks;  // empty = every network of the run
    int firstEpoch = 0;
    int endEpoch = -1;          // exclusive; -1 = every epoch completed by all selected networks

    // Fills in the defaults against a run and checks the ranges (ConfigError naming the problem).
    RecordSelection resolved(const RunFile& run) const;
    int epochs() const { return endEpoch - firstEpoch; }
};

// docs/DEFINITIONS.md 2: a multi-label prediction is correct only when its label bits equal the
// image's label bits exactly.
inline bool exactMatch(std::uint64_t predictedBits, std::uint64_t labelBits) { return predictedBits == labelBits; }

// Per-image correctness of the selected networks and epochs, bit-packed: 64 images per word, one
// row of words per (network, epoch). Agreement then is AND/OR over rows plus popcount, and the
// ImageNet scale (1.28 M images x 5 networks x 100 epochs) fits in 80 MB.
class CorrectnessBits {
public:
    CorrectnessBits() = default;
    // All bits zero (every image incorrect).
    CorrectnessBits(std::size_t images, int networks, int epochs, int firstEpoch = 0);

    // Reads the selection from a run file (RecordSelection::resolved is applied first).
    static CorrectnessBits load(const RunFile& run, const RecordSelection& selection);

    std::size_t images() const { return images_; }
    std::size_t words() const { return words_; }
    int networks() const { return networks_; }
    int epochs() const { return epochs_; }
    int firstEpoch() const { return firstEpoch_; }  // the run's epoch number of row 0

    // Row of (network slot, epoch slot), both 0-based within the selection.
    const std::uint64_t* row(int network, int epoch) const { return &bits_[rowOffset(network, epoch)]; }
    std::uint64_t* row(int network, int epoch) { return &bits_[rowOffset(network, epoch)]; }
    bool get(int network, int epoch, std::size_t image) const
    {
        return (row(network, epoch)[image / 64] >> (image % 64)) & 1u;
    }
    void set(int network, int epoch, std::size_t image, bool correct);
    // Fills a row from the run file's byte packing (bit i of byte i/8 is image i).
    void setRowFromBytes(int network, int epoch, const std::vector<std::uint8_t>& bytes);

    // A(e) and U(e) of docs/DEFINITIONS.md 3 as bit sets over the images.
    std::vector<std::uint64_t> agreed(int epoch) const;
    std::vector<std::uint64_t> anyCorrect(int epoch) const;

    std::size_t memoryBytes() const { return bits_.size() * sizeof(std::uint64_t); }

private:
    std::size_t rowOffset(int network, int epoch) const
    {
        return (std::size_t(network) * std::size_t(epochs_) + std::size_t(epoch)) * words_;
    }
    std::size_t images_ = 0, words_ = 0;
    int networks_ = 0, epochs_ = 0, firstEpoch_ = 0;
    std::vector<std::uint64_t> bits_;
};

// Calls f(i) for every set bit i of a bit set, in increasing order.
template <typename F>
void forEachSetBit(const std::vector<std::uint64_t>& bits, F&& f)
{
    for (std::size_t w = 0; w < bits.size(); ++w) {
        std::uint64_t word = bits[w];
        while (word) {
            const int b = __builtin_ctzll(word);
            f(w * 64 + std::size_t(b));
            word &= word - 1;
        }
    }
}

std::size_t popcount(const std::vector<std::uint64_t>& bits);

}  // namespace orderlens
