#include "RunComparison.h"

#include "storage/RunFile.h"

#include <cstring>

namespace orderlens::test {

namespace {

template <typename T>
bool sameBytes(const std::vector<T>& a, const std::vector<T>& b)
{
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

}  // namespace

std::string firstRecordDifference(const std::string& a, const std::string& b)
{
    const RunFile fa(a), fb(b);
    if (fa.epochsDone() != fb.epochsDone())
        return "the runs have different epochs recorded";
    if (fa.manifest().labels != fb.manifest().labels || fa.manifest().keys != fb.manifest().keys)
        return "the runs have different manifests";
    for (int n = 0; n < fa.shape().networks; ++n) {
        for (int e = 0; e < fa.epochsDone()[std::size_t(n)]; ++e) {
            for (RecordSet set : {RecordSet::Train, RecordSet::Test, RecordSet::TrainEval}) {
                if (!fa.hasRecordSet(set))
                    continue;
                const SplitRecords ra = fa.readRecords(set, n, e), rb = fb.readRecords(set, n, e);
                if (ra.correct != rb.correct || ra.predicted != rb.predicted || !sameBytes(ra.pTrue, rb.pTrue) ||
                    !sameBytes(ra.margin, rb.margin) || !sameBytes(ra.prob, rb.prob))
                    return "records differ: network " + std::to_string(n) + " epoch " + std::to_string(e) + " set " +
                           recordSetName(set);
            }
            const EpochSummary sa = fa.readSummary(n, e), sb = fb.readSummary(n, e);
            // Bit-identical training gives bit-identical losses; seconds and finished_at are clock times.
            if (sa.trainLoss != sb.trainLoss || sa.trainAccuracy != sb.trainAccuracy || sa.testLoss != sb.testLoss ||
                sa.testAccuracy != sb.testAccuracy || sa.learningRate != sb.learningRate)
                return "summaries differ: network " + std::to_string(n) + " epoch " + std::to_string(e);
        }
    }
    return {};
}

}  // namespace orderlens::test
