#include "storage/RunFollower.h"

#include "common/Numbering.h"

#include <sys/stat.h>

namespace orderlens {

namespace {

constexpr RecordSet kSets[] = {RecordSet::Train, RecordSet::Test, RecordSet::TrainEval};

std::pair<std::uint64_t, std::uint64_t> fileIdentity(const std::string& path)
{
    struct stat st = {};
    if (::stat(path.c_str(), &st) != 0)
        return {0, 0};
    return {std::uint64_t(st.st_dev), std::uint64_t(st.st_ino)};
}

}  // namespace

RunFollower::RunFollower(const std::string& path) : run_(path) { reset(); }

void RunFollower::reset()
{
    const std::size_t networks = std::size_t(run_.shape().networks);
    read_.assign(networks, 0);
    bits_.assign(std::size(kSets), std::vector<std::vector<std::vector<std::uint8_t>>>(networks));
    summaries_.assign(networks, {});
    identity_ = fileIdentity(run_.path());
}

std::vector<std::pair<int, int>> RunFollower::poll()
{
    // A new run written under the same name (training with --force) starts over.
    if (fileIdentity(run_.path()) != identity_) {
        run_ = RunFile(run_.path());
        reset();
    }
    run_.refresh();
    writer_ = run_.writer();
    std::vector<std::pair<int, int>> added;
    for (int n = 0; n < run_.shape().networks; ++n) {
        const std::size_t k = std::size_t(n);
        for (int e = read_[k]; e < run_.epochsDone()[k]; ++e) {
            for (std::size_t s = 0; s < std::size(kSets); ++s)
                if (run_.hasRecordSet(kSets[s]))
                    bits_[s][k].push_back(run_.readCorrectBits(kSets[s], n, e));
            summaries_[k].push_back(run_.readSummary(n, e));
            read_[k] = e + 1;
            ++rowsRead_;
            added.emplace_back(n, e);
        }
    }
    return added;
}

const std::vector<std::uint8_t>& RunFollower::correctBits(RecordSet set, int network, int epoch) const
{
    const std::size_t s = set == RecordSet::Train ? 0 : set == RecordSet::Test ? 1 : 2;
    if (network < 0 || network >= int(read_.size()) || epoch < 0 || epoch >= read_[std::size_t(network)] ||
        !run_.hasRecordSet(set))
        throw Error("RunFollower: " + networkIndexText(network) + ", epoch " + std::to_string(epoch) +
                    " has not been read");
    return bits_[s][std::size_t(network)][std::size_t(epoch)];
}

const EpochSummary& RunFollower::summary(int network, int epoch) const
{
    if (network < 0 || network >= int(read_.size()) || epoch < 0 || epoch >= read_[std::size_t(network)])
        throw Error("RunFollower: " + networkIndexText(network) + ", epoch " + std::to_string(epoch) +
                    " has not been read");
    return summaries_[std::size_t(network)][std::size_t(epoch)];
}

}  // namespace orderlens
