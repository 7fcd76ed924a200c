#pragma once

#include "analysis/Agreement.h"
#include "analysis/Correlation.h"
#include "analysis/LearningMeasures.h"

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace orderlens {

// A metric flagged distinct-valued in the run file (KTH-TIPS2-b rotation, illumination), or with at
// most this many distinct values, gets distinct-valued curves as well as its mean curve. The study's distinct-valued metrics (KTH-TIPS2-b rotation, illumination) have 3
// and 4 values, and its plot has colours for 4 curves (visualization.py, visualize_metric_distinct).
constexpr std::size_t kDistinctValueLimit = 4;

// How analyseRun analyses a run. Callers outside core/analysis build these through AnalysisPlan
// (analysis/AnalysisPlan.h), which holds the defaults and the user's choices.
struct AnalysisOptions {
    std::vector<RecordSet> sets = {RecordSet::Train, RecordSet::Test};
    // Empty = every network that has completed an epoch: a run interrupted while it trained its
    // networks one after another has networks with no epoch yet, and is analysed without them.
    std::vector<int> networks;
    int firstEpoch = 0;
    int endEpoch = -1;          // exclusive; -1 = every epoch completed by the selected networks
    // The run's statistics (image metric columns) to analyse; empty = every one the run has.
    std::vector<std::string> statistics;
    NeverLearnedPolicy never = NeverLearnedPolicy::AfterLastEpoch;
    CorrelationOptions correlation;
    std::size_t distinctValueLimit = kDistinctValueLimit;
    double agreementThreshold = kMetricAgreementThreshold;
    int epochThreshold = kMetricEpochThreshold;
    int threads = 0;            // for the correlations; 0 = every core
    // Raised by another thread to stop: analyseRun then throws Cancelled.
    const std::atomic<bool>* cancel = nullptr;
};

// One metric's values for the images of a split (manifest order), with its curves.
struct SplitMetric {
    std::string name;
    std::vector<double> values;
    std::vector<double> curve;         // docs/DEFINITIONS.md 4, per epoch of the range
    std::vector<double> shownCurve;    // the same with the display thresholds applied (NaN = hidden)
    bool constant = false;  // one value for every image (e.g. colourfulness of grey images)
    bool distinct = false;
    DistinctMetricCurves distinctCurves;  // filled when distinct
};

struct CorrelationRow {
    std::string metric, measure;
    CorrelationMethod method = CorrelationMethod::Spearman;
    Correlation result;
};

struct SplitAnalysis {
    RecordSelection selection;  // resolved
    AgreementCurve agreement;
    LabelAgreement labels;
    ImageMeasures measures;
    std::vector<SplitMetric> metrics;  // metrics with at least one value in this split
    std::vector<CorrelationRow> correlations;
};

// Everything `orderlens analyze` reports about a run.
struct RunAnalysis {
    std::string runPath;
    std::string datasetName, datasetSource, configJson;
    RunShape shape;
    std::vector<std::string> classNames;
    std::vector<std::string> keys;          // all manifest keys
    std::vector<std::int32_t> labels;       // what the networks saw, per manifest image
    std::vector<std::int32_t> trueLabels;   // before label corruption, per manifest image
    std::vector<std::uint64_t> labelBits;   // multi-label only
    std::vector<int> networks;              // the selection (run numbers)
    int firstEpoch = 0, endEpoch = 0;
    // Empty when the analysis covers every network over every epoch the run was set up for;
    // otherwise which networks and epochs it covers and why the others are left out, in words
    // the GUI, the command line and the report show as they are.
    std::string coverage;
    std::vector<std::vector<EpochSummary>> history;  // [network slot][epoch slot]
    std::vector<SplitAnalysis> splits;
    AnalysisOptions options;
};

// Progress: a short description of the step and the fraction done (0..1).
using AnalysisProgress = std::function<void(const std::string&, double)>;

// Throws ConfigError / InputError for an impossible selection or a damaged run, whatever thread
// of the correlation workers meets it (it is rethrown on the calling thread), and Cancelled.
RunAnalysis analyseRun(const RunFile& run, const AnalysisOptions& options, const AnalysisProgress& progress = {});

// The seed of one (split, metric, measure) bootstrap: the user's seed mixed with the names, so
// every pair has its own reproducible resamples whatever order the pairs are computed in.
std::uint64_t correlationSeed(std::uint64_t seed, const std::string& split, const std::string& metric,
                              const std::string& measure);

}  // namespace orderlens
