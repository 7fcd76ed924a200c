#include "analysis/CorrectnessBits.h"

#include "common/Errors.h"
#include "common/Numbering.h"

#include <algorithm>
#include <set>

namespace orderlens {

RecordSelection RecordSelection::resolved(const RunFile& run) const
{
    RecordSelection r = *this;
    if (!run.hasRecordSet(set))
        throw ConfigError(run.path() + ": this run has no " + recordSetName(set) + " records");
    const int total = run.shape().networks;
    if (r.networks.empty()) {
        for (int n = 0; n < total; ++n)
            r.networks.push_back(n);
    }
    std::set<int> seen;
    for (int n : r.networks) {
        if (n < 0 || n >= total)
            throw ConfigError("network index " + std::to_string(n) + " does not exist (the run has networks 1 to " +
                              std::to_string(total) + ", indices 0 to " + std::to_string(total - 1) + ")");
        if (!seen.insert(n).second)
            throw ConfigError(networkIndexText(n) + " is selected twice");
    }
    int done = run.shape().epochs;
    for (int n : r.networks)
        done = std::min(done, run.epochsDone()[std::size_t(n)]);
    if (r.firstEpoch < 0)
        throw ConfigError("the first epoch must be 0 or more, not " + std::to_string(r.firstEpoch));
    if (r.endEpoch < 0) {
        r.endEpoch = std::max(done, r.firstEpoch);
        if (r.firstEpoch > done)
            throw ConfigError("epoch " + std::to_string(r.firstEpoch) + " is not completed by every selected network (" +
                              std::to_string(done) + " epochs are)");
    } else {
        if (r.endEpoch > done)
            throw ConfigError("epochs up to " + std::to_string(r.endEpoch) + " requested, but the selected networks have "
                              "completed only " + std::to_string(done));
        if (r.firstEpoch >= r.endEpoch)
            throw ConfigError("the epoch range " + std::to_string(r.firstEpoch) + ":" + std::to_string(r.endEpoch) +
                              " is empty");
    }
    return r;
}

CorrectnessBits::CorrectnessBits(std::size_t images, int networks, int epochs, int firstEpoch)
    : images_(images), words_((images + 63) / 64), networks_(networks), epochs_(epochs), firstEpoch_(firstEpoch),
      bits_(words_ * std::size_t(std::max(networks, 0)) * std::size_t(std::max(epochs, 0)), 0)
{
}

CorrectnessBits CorrectnessBits::load(const RunFile& run, const RecordSelection& selection)
{
    const RecordSelection s = selection.resolved(run);
    const std::size_t images = run.manifest().splitIndices(recordSetSplit(s.set)).size();
    CorrectnessBits bits(images, int(s.networks.size()), s.epochs(), s.firstEpoch);
    for (std::size_t k = 0; k < s.networks.size(); ++k)
        for (int e = 0; e < s.epochs(); ++e)
            bits.setRowFromBytes(int(k), e, run.readCorrectBits(s.set, s.networks[k], s.firstEpoch + e));
    return bits;
}

void CorrectnessBits::set(int network, int epoch, std::size_t image, bool correct)
{
    std::uint64_t& word = row(network, epoch)[image / 64];
    const std::uint64_t mask = std::uint64_t(1) << (image % 64);
    word = correct ? (word | mask) : (word & ~mask);
}

void CorrectnessBits::setRowFromBytes(int network, int epoch, const std::vector<std::uint8_t>& bytes)
{
    if (bytes.size() < (images_ + 7) / 8)
        throw Error("CorrectnessBits: a row of " + std::to_string(bytes.size()) + " bytes for " +
                    std::to_string(images_) + " images");
    std::uint64_t* out = row(network, epoch);
    for (std::size_t w = 0; w < words_; ++w) {
        std::uint64_t word = 0;
        const std::size_t begin = w * 8, end = std::min(begin + 8, bytes.size());
        for (std::size_t b = begin; b < end; ++b)
            word |= std::uint64_t(bytes[b]) << (8 * (b - begin));
        out[w] = word;
    }
    // Padding bits past the last image must never count as correct.
    if (images_ % 64 && words_ > 0)
        out[words_ - 1] &= (std::uint64_t(1) << (images_ % 64)) - 1;
}

std::vector<std::uint64_t> CorrectnessBits::agreed(int epoch) const
{
    std::vector<std::uint64_t> out(words_, networks_ > 0 ? ~std::uint64_t(0) : 0);
    for (int n = 0; n < networks_; ++n) {
        const std::uint64_t* r = row(n, epoch);
        for (std::size_t w = 0; w < words_; ++w)
            out[w] &= r[w];
    }
    return out;
}

std::vector<std::uint64_t> CorrectnessBits::anyCorrect(int epoch) const
{
    std::vector<std::uint64_t> out(words_, 0);
    for (int n = 0; n < networks_; ++n) {
        const std::uint64_t* r = row(n, epoch);
        for (std::size_t w = 0; w < words_; ++w)
            out[w] |= r[w];
    }
    return out;
}

std::size_t popcount(const std::vector<std::uint64_t>& bits)
{
    std::size_t c = 0;
    for (std::uint64_t w : bits)
        c += std::size_t(__builtin_popcountll(w));
    return c;
}

}  // namespace orderlens
