#pragma once

#include "analysis/CorrectnessBits.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace orderlens {

// One epoch of docs/DEFINITIONS.md 3. Percentages are 0..100, as the study reports them.
struct EpochAgreement {
    int epoch = 0;                 // the run's epoch number
    double agreement = 0;          // 100 |A(e)| / max(|U(e)|, 1)
    double lowerBound = 0;         // 100 (1 - min(sum_n (1 - acc_n), 1))
    double meanAccuracy = 0;       // 100 mean_n acc_n
    double stdAccuracy = 0;        // 100 population std_n acc_n (divides by N, like numpy's np.std)
    std::size_t agreed = 0;        // |A(e)|: images every selected network got right
    std::size_t unionCount = 0;    // |U(e)|: images at least one selected network got right
    std::size_t images = 0;        // images of the split
    std::vector<double> accuracy;  // per selected network, fraction 0..1
};

struct AgreementCurve {
    RecordSet set = RecordSet::Train;
    std::vector<int> networks;     // the run's network numbers, in selection order
    std::vector<EpochAgreement> epochs;
};

// Agreement of every epoch of the bits (AND/OR over networks, popcount).
AgreementCurve computeAgreement(const CorrectnessBits& bits);
// Reads the selection from the run and computes its agreement (the GUI calls this for live
// curves: with endEpoch = -1 it covers every epoch the selected networks have completed).
AgreementCurve computeAgreement(const RunFile& run, const RecordSelection& selection);

// Label agreement distribution (docs/DEFINITIONS.md 3): per epoch, the class histogram of A(e)
// normalised to sum 1 (all zero when A(e) is empty). Multi-label images count once for each
// of their classes.
struct LabelAgreement {
    std::vector<int> epochs;                    // the run's epoch numbers
    std::vector<std::vector<double>> fraction;  // [epoch slot][class]
};

// `labels` are the labels the networks were trained on, one per image of the split (single
// label); `labelBits` replaces them for multi-label runs (then labels may be empty).
LabelAgreement computeLabelAgreement(const CorrectnessBits& bits, const std::vector<std::int32_t>& labels,
                                     const std::vector<std::uint64_t>& labelBits, int classes);

// Metric curve (docs/DEFINITIONS.md 4): per epoch, the mean of the metric over A(e), ignoring NaN;
// 0 when A(e) is empty; NaN when A(e) has images but none with a value (numpy's nanmean).
// `values` has one entry per image of the split.
std::vector<double> computeMetricCurve(const CorrectnessBits& bits, const std::vector<double>& values);

// Distinct-valued metric curves (docs/DEFINITIONS.md 4): for each distinct value v (sorted, NaN
// excluded), per epoch 100 |A(e) with metric = v| / |images of the split with metric = v|.
struct DistinctMetricCurves {
    std::vector<double> values;               // the distinct values
    std::vector<std::size_t> counts;          // images of the split with each value
    std::vector<std::vector<double>> percent; // [value][epoch slot]
};
DistinctMetricCurves computeDistinctMetricCurves(const CorrectnessBits& bits, const std::vector<double>& values);

// Number of distinct non-NaN values, stopping early once it exceeds `limit`.
std::size_t countDistinctValues(const std::vector<double>& values, std::size_t limit);

// The study's display thresholds for metric curves (visualization.py, visualize_metric): the
// curve is hidden where agreement is below 20 % and for the first 5 epochs, and not drawn at all
// when agreement never exceeds 20 %.
constexpr double kMetricAgreementThreshold = 20.0;
constexpr int kMetricEpochThreshold = 5;

// The metric curve with hidden points set to NaN. `epochThreshold` counts from the run's epoch 0.
std::vector<double> thresholdMetricCurve(const AgreementCurve& agreement, const std::vector<double>& curve,
                                         double agreementThreshold = kMetricAgreementThreshold,
                                         int epochThreshold = kMetricEpochThreshold);

// What display thresholds hide of a per-epoch curve (epochs where the curve has a value), by
// reason, as the run numbers its epochs. The rules are thresholdMetricCurve's (wholeCurveRule:
// nothing is drawn when agreement never exceeds the threshold); the distinct-valued curves, hidden
// only where agreement is below the threshold, pass an epoch threshold of 0 and no whole-curve rule.
struct HiddenEpochs {
    std::vector<int> early;             // before the epoch threshold
    std::vector<int> lowAgreement;      // from the epoch threshold on, agreement below the threshold
    bool agreementNeverAbove = false;   // agreement never exceeds the threshold: nothing is drawn
    int withValues = 0;                 // epochs where the curve has a value
    int hidden() const { return int(early.size() + lowAgreement.size()); }
};
HiddenEpochs hiddenEpochs(const AgreementCurve& agreement, const std::vector<double>& curve, double agreementThreshold,
                          int epochThreshold, bool wholeCurveRule = true);
// One sentence for a reader ("The curve is hidden at every epoch (all 5): epochs 0-4 are the
// first 5 epochs, which the threshold hides."); empty when nothing is hidden. `what` names the
// curve ("the Mean local entropy curve").
std::string describeHiddenEpochs(const HiddenEpochs& hidden, const std::string& what, double agreementThreshold,
                                 int epochThreshold);

}  // namespace orderlens
