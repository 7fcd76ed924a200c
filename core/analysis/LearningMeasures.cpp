#include "analysis/LearningMeasures.h"

#include "common/Errors.h"

#include <cmath>
#include <limits>

namespace orderlens {

namespace {

using Words = std::vector<std::uint64_t>;

// The learned epoch of every image given, per epoch slot, the bit set of images correct at that
// epoch: walking backwards, an image stays a candidate while it is correct; the epoch after the
// one where it drops out is its learned epoch.
template <typename RowOf>
std::vector<int> learnedEpochs(std::size_t images, std::size_t words, int epochs, int firstEpoch, RowOf rowOf)
{
    std::vector<int> out(images, kNeverLearned);
    if (epochs == 0)
        return out;
    Words candidates = rowOf(epochs - 1);
    for (int e = epochs - 2; e >= 0; --e) {
        const Words r = rowOf(e);
        Words dropped(words);
        for (std::size_t w = 0; w < words; ++w) {
            dropped[w] = candidates[w] & ~r[w];
            candidates[w] &= r[w];
        }
        forEachSetBit(dropped, [&](std::size_t i) { out[i] = firstEpoch + e + 1; });
    }
    forEachSetBit(candidates, [&](std::size_t i) { out[i] = firstEpoch; });
    return out;
}

}  // namespace

LearningEpochs computeLearningEpochs(const CorrectnessBits& bits)
{
    LearningEpochs m;
    const std::size_t I = bits.images(), W = bits.words();
    const int N = bits.networks(), E = bits.epochs();
    m.learnedEpoch = learnedEpochs(I, W, E, bits.firstEpoch(), [&](int e) { return bits.agreed(e); });
    for (int n = 0; n < N; ++n)
        m.networkLearnedEpoch.push_back(learnedEpochs(I, W, E, bits.firstEpoch(), [&](int e) {
            return Words(bits.row(n, e), bits.row(n, e) + W);
        }));

    m.firstAgreedEpoch.assign(I, kNeverLearned);
    Words seen(W, 0);
    for (int e = 0; e < E; ++e) {
        Words fresh = bits.agreed(e);
        for (std::size_t w = 0; w < W; ++w) {
            const std::uint64_t a = fresh[w];
            fresh[w] &= ~seen[w];
            seen[w] |= a;
        }
        forEachSetBit(fresh, [&](std::size_t i) { m.firstAgreedEpoch[i] = bits.firstEpoch() + e; });
    }

    m.forgettingEvents.assign(I, 0);
    std::vector<std::uint32_t> correctCount(I, 0);
    Words events(W);
    for (int n = 0; n < N; ++n) {
        for (int e = 0; e < E; ++e) {
            const std::uint64_t* r = bits.row(n, e);
            for (std::size_t w = 0; w < W; ++w) {
                std::uint64_t word = r[w];
                while (word) {
                    ++correctCount[w * 64 + std::size_t(__builtin_ctzll(word))];
                    word &= word - 1;
                }
            }
            if (e == 0)
                continue;
            const std::uint64_t* prev = bits.row(n, e - 1);
            for (std::size_t w = 0; w < W; ++w)
                events[w] = prev[w] & ~r[w];
            forEachSetBit(events, [&](std::size_t i) { ++m.forgettingEvents[i]; });
        }
    }
    m.correctness.assign(I, std::numeric_limits<double>::quiet_NaN());
    const double pairs = double(N) * double(E);
    if (pairs > 0)
        for (std::size_t i = 0; i < I; ++i)
            m.correctness[i] = double(correctCount[i]) / pairs;
    return m;
}

TrainingDynamics computeTrainingDynamics(const RunFile& run, const RecordSelection& selection)
{
    const RecordSelection s = selection.resolved(run);
    const std::size_t I = run.manifest().splitIndices(recordSetSplit(s.set)).size();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    TrainingDynamics d;
    const int N = int(s.networks.size()), E = s.epochs();
    if (N == 0 || E == 0) {
        d.confidence.assign(I, nan);
        d.variability.assign(I, nan);
        d.aum.assign(I, nan);
        return d;
    }
    d.confidence.assign(I, 0.0);
    d.variability.assign(I, 0.0);
    d.aum.assign(I, 0.0);
    std::vector<double> mean(I), m2(I);
    for (int network : s.networks) {
        std::fill(mean.begin(), mean.end(), 0.0);
        std::fill(m2.begin(), m2.end(), 0.0);
        for (int k = 0; k < E; ++k) {
            const SplitRecords r = run.readRecords(s.set, network, s.firstEpoch + k);
            // Welford's update: one pass, no cancellation for p_true near 1.
            for (std::size_t i = 0; i < I; ++i) {
                const double p = r.pTrue[i];
                const double delta = p - mean[i];
                mean[i] += delta / double(k + 1);
                m2[i] += delta * (p - mean[i]);
                d.aum[i] += double(r.margin[i]);
            }
        }
        for (std::size_t i = 0; i < I; ++i) {
            d.confidence[i] += mean[i] / N;
            d.variability[i] += std::sqrt(std::max(m2[i], 0.0) / E) / N;
        }
    }
    for (double& a : d.aum)
        a /= double(N) * double(E);
    return d;
}

ImageMeasures computeImageMeasures(const RunFile& run, const RecordSelection& selection)
{
    ImageMeasures m;
    m.selection = selection.resolved(run);
    m.manifestIndices = run.manifest().splitIndices(recordSetSplit(m.selection.set));
    m.epochs = computeLearningEpochs(CorrectnessBits::load(run, m.selection));
    m.dynamics = computeTrainingDynamics(run, m.selection);
    return m;
}

NeverLearnedPolicy parseNeverLearnedPolicy(const std::string& name)
{
    if (name == "end")
        return NeverLearnedPolicy::AfterLastEpoch;
    if (name == "exclude")
        return NeverLearnedPolicy::Exclude;
    throw ConfigError("never-learned handling '" + name + "' is not one of: end, exclude");
}

const char* neverLearnedPolicyName(NeverLearnedPolicy policy)
{
    return policy == NeverLearnedPolicy::Exclude ? "exclude" : "end";
}

std::vector<std::pair<std::string, std::vector<double>>> measureColumns(const ImageMeasures& m,
                                                                        NeverLearnedPolicy never)
{
    const double neverValue = never == NeverLearnedPolicy::Exclude ? std::numeric_limits<double>::quiet_NaN()
                                                                   : double(m.selection.endEpoch);
    auto epochColumn = [&](const std::vector<int>& epochs) {
        std::vector<double> out(epochs.size());
        for (std::size_t i = 0; i < epochs.size(); ++i)
            out[i] = epochs[i] == kNeverLearned ? neverValue : double(epochs[i]);
        return out;
    };
    std::vector<double> forgetting(m.epochs.forgettingEvents.begin(), m.epochs.forgettingEvents.end());
    return {{"learned_epoch", epochColumn(m.epochs.learnedEpoch)},
            {"first_agreed_epoch", epochColumn(m.epochs.firstAgreedEpoch)},
            {"forgetting_events", forgetting},
            {"confidence", m.dynamics.confidence},
            {"variability", m.dynamics.variability},
            {"correctness", m.epochs.correctness},
            {"aum", m.dynamics.aum}};
}

}  // namespace orderlens
