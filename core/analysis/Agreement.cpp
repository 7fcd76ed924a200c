#include "analysis/Agreement.h"

#include "common/Errors.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <sstream>

namespace orderlens {

AgreementCurve computeAgreement(const CorrectnessBits& bits)
{
    AgreementCurve curve;
    const int N = bits.networks();
    const std::size_t W = bits.words();
    const double images = double(bits.images());
    std::vector<std::uint64_t> all(W), any(W);
    for (int e = 0; e < bits.epochs(); ++e) {
        EpochAgreement a;
        a.epoch = bits.firstEpoch() + e;
        a.images = bits.images();
        a.accuracy.resize(std::size_t(N));
        std::fill(all.begin(), all.end(), N > 0 ? ~std::uint64_t(0) : 0);
        std::fill(any.begin(), any.end(), 0);
        for (int n = 0; n < N; ++n) {
            const std::uint64_t* r = bits.row(n, e);
            std::size_t correct = 0;
            for (std::size_t w = 0; w < W; ++w) {
                all[w] &= r[w];
                any[w] |= r[w];
                correct += std::size_t(__builtin_popcountll(r[w]));
            }
            a.accuracy[std::size_t(n)] = images > 0 ? double(correct) / images : 0.0;
        }
        a.agreed = popcount(all);
        a.unionCount = popcount(any);
        a.agreement = 100.0 * double(a.agreed) / double(std::max<std::size_t>(a.unionCount, 1));
        double sum = 0, errors = 0;
        for (double acc : a.accuracy) {
            sum += acc;
            errors += 1.0 - acc;
        }
        const double mean = N > 0 ? sum / N : 0.0;
        double var = 0;
        for (double acc : a.accuracy)
            var += (acc - mean) * (acc - mean);
        a.meanAccuracy = 100.0 * mean;
        a.stdAccuracy = N > 0 ? 100.0 * std::sqrt(var / N) : 0.0;
        a.lowerBound = 100.0 * (1.0 - std::min(errors, 1.0));
        curve.epochs.push_back(std::move(a));
    }
    return curve;
}

AgreementCurve computeAgreement(const RunFile& run, const RecordSelection& selection)
{
    const RecordSelection s = selection.resolved(run);
    AgreementCurve curve = computeAgreement(CorrectnessBits::load(run, s));
    curve.set = s.set;
    curve.networks = s.networks;
    return curve;
}

LabelAgreement computeLabelAgreement(const CorrectnessBits& bits, const std::vector<std::int32_t>& labels,
                                     const std::vector<std::uint64_t>& labelBits, int classes)
{
    const bool multi = !labelBits.empty();
    if ((multi ? labelBits.size() : labels.size()) != bits.images())
        throw Error("computeLabelAgreement: one label per image of the split expected");
    LabelAgreement out;
    for (int e = 0; e < bits.epochs(); ++e) {
        std::vector<double> hist(std::size_t(std::max(classes, 0)), 0.0);
        double total = 0;
        forEachSetBit(bits.agreed(e), [&](std::size_t i) {
            if (multi) {
                for (int c = 0; c < classes && c < 64; ++c)
                    if ((labelBits[i] >> c) & 1u) {
                        hist[std::size_t(c)] += 1;
                        total += 1;
                    }
            } else if (labels[i] >= 0 && labels[i] < classes) {
                hist[std::size_t(labels[i])] += 1;
                total += 1;
            }
        });
        if (total > 0)
            for (double& h : hist)
                h /= total;
        out.epochs.push_back(bits.firstEpoch() + e);
        out.fraction.push_back(std::move(hist));
    }
    return out;
}

std::vector<double> computeMetricCurve(const CorrectnessBits& bits, const std::vector<double>& values)
{
    if (values.size() != bits.images())
        throw Error("computeMetricCurve: one metric value per image of the split expected");
    std::vector<double> curve;
    for (int e = 0; e < bits.epochs(); ++e) {
        double sum = 0;
        std::size_t agreed = 0, valued = 0;
        forEachSetBit(bits.agreed(e), [&](std::size_t i) {
            ++agreed;
            if (!std::isnan(values[i])) {
                sum += values[i];
                ++valued;
            }
        });
        if (agreed == 0)
            curve.push_back(0.0);
        else
            curve.push_back(valued ? sum / double(valued) : std::numeric_limits<double>::quiet_NaN());
    }
    return curve;
}

std::size_t countDistinctValues(const std::vector<double>& values, std::size_t limit)
{
    std::set<double> seen;
    for (double v : values) {
        if (std::isnan(v))
            continue;
        seen.insert(v);
        if (seen.size() > limit)
            break;
    }
    return seen.size();
}

DistinctMetricCurves computeDistinctMetricCurves(const CorrectnessBits& bits, const std::vector<double>& values)
{
    if (values.size() != bits.images())
        throw Error("computeDistinctMetricCurves: one metric value per image of the split expected");
    std::map<double, std::size_t> counts;
    for (double v : values)
        if (!std::isnan(v))
            ++counts[v];
    DistinctMetricCurves out;
    std::map<double, std::size_t> slot;
    for (const auto& [v, c] : counts) {
        slot[v] = out.values.size();
        out.values.push_back(v);
        out.counts.push_back(c);
    }
    out.percent.assign(out.values.size(), std::vector<double>(std::size_t(bits.epochs()), 0.0));
    std::vector<std::size_t> index(values.size(), 0);
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!std::isnan(values[i]))
            index[i] = slot[values[i]];
    for (int e = 0; e < bits.epochs(); ++e) {
        std::vector<std::size_t> agreedCounts(out.values.size(), 0);
        forEachSetBit(bits.agreed(e), [&](std::size_t i) {
            if (!std::isnan(values[i]))
                ++agreedCounts[index[i]];
        });
        for (std::size_t k = 0; k < out.values.size(); ++k)
            out.percent[k][std::size_t(e)] = 100.0 * double(agreedCounts[k]) / double(out.counts[k]);
    }
    return out;
}

std::vector<double> thresholdMetricCurve(const AgreementCurve& agreement, const std::vector<double>& curve,
                                         double agreementThreshold, int epochThreshold)
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> out(curve.size(), nan);
    const bool anyAbove = std::any_of(agreement.epochs.begin(), agreement.epochs.end(),
                                      [&](const EpochAgreement& a) { return a.agreement > agreementThreshold; });
    if (!anyAbove)
        return out;
    for (std::size_t k = 0; k < curve.size() && k < agreement.epochs.size(); ++k) {
        const EpochAgreement& a = agreement.epochs[k];
        if (a.agreement >= agreementThreshold && a.epoch >= epochThreshold)
            out[k] = curve[k];
    }
    return out;
}

HiddenEpochs hiddenEpochs(const AgreementCurve& agreement, const std::vector<double>& curve, double agreementThreshold,
                          int epochThreshold, bool wholeCurveRule)
{
    HiddenEpochs out;
    out.agreementNeverAbove = wholeCurveRule && std::none_of(agreement.epochs.begin(), agreement.epochs.end(),
                                           [&](const EpochAgreement& a) { return a.agreement > agreementThreshold; });
    for (std::size_t k = 0; k < curve.size() && k < agreement.epochs.size(); ++k) {
        if (std::isnan(curve[k]))
            continue;
        ++out.withValues;
        const EpochAgreement& a = agreement.epochs[k];
        if (a.epoch < epochThreshold)
            out.early.push_back(a.epoch);
        else if (out.agreementNeverAbove || a.agreement < agreementThreshold)
            out.lowAgreement.push_back(a.epoch);
    }
    return out;
}

namespace {

// "epoch 3", "epochs 0-4", "epochs 0-2, 5 and 7-9".
std::string epochList(const std::vector<int>& epochs)
{
    std::vector<std::string> runs;
    for (std::size_t k = 0; k < epochs.size();) {
        std::size_t end = k;
        while (end + 1 < epochs.size() && epochs[end + 1] == epochs[end] + 1)
            ++end;
        runs.push_back(end == k ? std::to_string(epochs[k])
                                : std::to_string(epochs[k]) + "-" + std::to_string(epochs[end]));
        k = end + 1;
    }
    std::string text = epochs.size() == 1 ? "epoch " : "epochs ";
    for (std::size_t r = 0; r < runs.size(); ++r)
        text += (r == 0 ? "" : r + 1 == runs.size() ? " and " : ", ") + runs[r];
    return text;
}

std::string percentText(double percent)
{
    std::ostringstream out;
    out << percent;
    return out.str() + " %";
}

}  // namespace

std::string describeHiddenEpochs(const HiddenEpochs& hidden, const std::string& what, double agreementThreshold,
                                 int epochThreshold)
{
    if (hidden.hidden() == 0)
        return {};
    std::string text = what + (hidden.hidden() == hidden.withValues
                                   ? " is hidden at every epoch (all " + std::to_string(hidden.withValues) + ")"
                                   : " is hidden at " + std::to_string(hidden.hidden()) + " of " +
                                         std::to_string(hidden.withValues) + " epochs") +
                       ": ";
    std::vector<std::string> reasons;
    if (!hidden.early.empty())
        reasons.push_back(epochList(hidden.early) + (hidden.early.size() == 1 ? " is" : " are") +
                          " among the first " + std::to_string(epochThreshold) + " epochs, which are not shown");
    if (!hidden.lowAgreement.empty())
        reasons.push_back(hidden.agreementNeverAbove
                              ? "agreement never exceeds " + percentText(agreementThreshold) + ", so nothing is drawn"
                              : "agreement is below " + percentText(agreementThreshold) + " at " +
                                    epochList(hidden.lowAgreement));
    for (std::size_t r = 0; r < reasons.size(); ++r)
        text += (r ? "; " : "") + reasons[r];
    return text + ".";
}

}  // namespace orderlens
