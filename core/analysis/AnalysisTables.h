#pragma once

#include "analysis/RunAnalysis.h"

#include <string>
#include <vector>

namespace orderlens {

// The CSV files of `orderlens analyze` (docs/METRICS.md, "Analysis", describes every column).
// Missing numbers are empty cells; "never" marks an image never learned; epochs are the run's
// 0-based epoch numbers. Each file is written beside its target and renamed into place.

// split,epoch,agreement,lower_bound,mean_accuracy,std_accuracy,agreed,union
void writeAgreementCsv(const std::string& path, const RunAnalysis& analysis);
// key,split,label,learned_epoch,first_agreed_epoch,forgetting_events,confidence,variability,
// correctness,aum, then one column per metric, then learned_epoch_net<k> per selected network, then
// true_label (the label before label corruption; equal to label in uncorrupted runs).
void writeImagesCsv(const std::string& path, const RunAnalysis& analysis);
// split,metric,curve,epoch,value,shown: curve "mean" is docs/DEFINITIONS.md 4's metric curve (shown = 0
// where the display thresholds hide it); curve "value=<v>" is the distinct-valued curve of v.
void writeMetricCurvesCsv(const std::string& path, const RunAnalysis& analysis);
// split,metric,measure,method,coefficient,p_value,ci_low,ci_high,n
void writeCorrelationsCsv(const std::string& path, const RunAnalysis& analysis);
// split,epoch,class,fraction: the label agreement distribution.
void writeLabelAgreementCsv(const std::string& path, const RunAnalysis& analysis);
// The five tables above into `dir` as agreement.csv, images.csv, metric_curves.csv,
// correlations.csv and label_agreement.csv, and the settings the analysis ran with as
// analysis.json (analysisSettingsJson); returns their paths.
std::vector<std::string> writeAnalysisTables(const std::string& dir, const RunAnalysis& analysis);

// `orderlens export`: every record of the run in long format,
// network,epoch,split,key,correct,predicted,p_true,margin (split is the record set: train, test
// or train_eval). Multi-label predictions are written as their label bits in decimal.
// Returns the number of rows written.
std::size_t writeRecordsCsv(const std::string& path, const RunFile& run);

// Shortest round-trip decimal of a double; empty for NaN.
std::string csvNumber(double value);

}  // namespace orderlens
