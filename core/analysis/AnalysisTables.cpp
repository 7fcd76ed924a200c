#include "analysis/AnalysisTables.h"

#include "analysis/AnalysisPlan.h"

#include "common/Errors.h"
#include "io/AtomicFile.h"
#include "io/CsvText.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>

namespace fs = std::filesystem;

namespace orderlens {

namespace {

// Records are stored as float: their shortest float decimal, not the double expansion.
std::string floatCell(float value)
{
    if (std::isnan(value))
        return "";
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, value);
    return std::string(buf, r.ptr);
}

std::string epochCell(int epoch) { return epoch == kNeverLearned ? "never" : std::to_string(epoch); }

std::string labelCell(const RunAnalysis& a, std::size_t manifestIndex)
{
    if (!a.shape.multiLabel)
        return std::to_string(a.labels[manifestIndex]);
    std::string out;
    const std::uint64_t bits = manifestIndex < a.labelBits.size() ? a.labelBits[manifestIndex] : 0;
    for (int c = 0; c < 64; ++c)
        if ((bits >> c) & 1u)
            out += (out.empty() ? "" : ";") + std::to_string(c);
    return out;
}

}  // namespace

std::string csvNumber(double value)
{
    if (std::isnan(value))
        return "";
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, value);
    return std::string(buf, r.ptr);
}

void writeAgreementCsv(const std::string& path, const RunAnalysis& a)
{
    writeFileAtomically(path, [&](std::ostream& out) {
        out << "split,epoch,agreement,lower_bound,mean_accuracy,std_accuracy,agreed,union\n";
        for (const SplitAnalysis& s : a.splits)
            for (const EpochAgreement& e : s.agreement.epochs)
                out << recordSetName(s.selection.set) << ',' << e.epoch << ',' << csvNumber(e.agreement) << ','
                    << csvNumber(e.lowerBound) << ',' << csvNumber(e.meanAccuracy) << ','
                    << csvNumber(e.stdAccuracy) << ',' << e.agreed << ',' << e.unionCount << '\n';
    });
}

void writeImagesCsv(const std::string& path, const RunAnalysis& a)
{
    // Metric columns are the union over the splits (a metric may exist for one split only).
    std::vector<std::string> metricNames;
    for (const SplitAnalysis& s : a.splits)
        for (const SplitMetric& m : s.metrics)
            if (std::find(metricNames.begin(), metricNames.end(), m.name) == metricNames.end())
                metricNames.push_back(m.name);
    writeFileAtomically(path, [&](std::ostream& out) {
        out << "key,split,label,learned_epoch,first_agreed_epoch,forgetting_events,confidence,variability,"
               "correctness,aum";
        for (const std::string& m : metricNames)
            out << ',' << csvQuote(m);
        for (int n : a.networks)
            out << ",learned_epoch_net" << n;
        out << ",true_label\n";
        for (const SplitAnalysis& s : a.splits) {
            const ImageMeasures& m = s.measures;
            std::vector<const std::vector<double>*> columns;
            for (const std::string& name : metricNames) {
                const std::vector<double>* col = nullptr;
                for (const SplitMetric& sm : s.metrics)
                    if (sm.name == name)
                        col = &sm.values;
                columns.push_back(col);
            }
            for (std::size_t i = 0; i < m.manifestIndices.size(); ++i) {
                const std::size_t mi = m.manifestIndices[i];
                out << csvQuote(a.keys[mi]) << ',' << recordSetName(s.selection.set) << ',' << labelCell(a, mi) << ','
                    << epochCell(m.epochs.learnedEpoch[i]) << ',' << epochCell(m.epochs.firstAgreedEpoch[i]) << ','
                    << m.epochs.forgettingEvents[i] << ',' << csvNumber(m.dynamics.confidence[i]) << ','
                    << csvNumber(m.dynamics.variability[i]) << ',' << csvNumber(m.epochs.correctness[i]) << ','
                    << csvNumber(m.dynamics.aum[i]);
                for (const auto* col : columns)
                    out << ',' << (col ? csvNumber((*col)[i]) : std::string());
                for (const auto& perNetwork : m.epochs.networkLearnedEpoch)
                    out << ',' << epochCell(perNetwork[i]);
                out << ',' << (a.shape.multiLabel || mi >= a.trueLabels.size() ? labelCell(a, mi)
                                                                               : std::to_string(a.trueLabels[mi]))
                    << '\n';
            }
        }
    });
}

void writeMetricCurvesCsv(const std::string& path, const RunAnalysis& a)
{
    writeFileAtomically(path, [&](std::ostream& out) {
        out << "split,metric,curve,epoch,value,shown\n";
        for (const SplitAnalysis& s : a.splits) {
            const std::string split = recordSetName(s.selection.set);
            for (const SplitMetric& m : s.metrics) {
                for (std::size_t k = 0; k < m.curve.size(); ++k)
                    out << split << ',' << csvQuote(m.name) << ",mean," << s.agreement.epochs[k].epoch << ','
                        << csvNumber(m.curve[k]) << ',' << (std::isnan(m.shownCurve[k]) ? 0 : 1) << '\n';
                if (!m.distinct)
                    continue;
                for (std::size_t v = 0; v < m.distinctCurves.values.size(); ++v)
                    for (std::size_t k = 0; k < m.distinctCurves.percent[v].size(); ++k) {
                        const bool shown = s.agreement.epochs[k].agreement >= a.options.agreementThreshold;
                        out << split << ',' << csvQuote(m.name) << ",value=" << csvNumber(m.distinctCurves.values[v])
                            << ',' << s.agreement.epochs[k].epoch << ',' << csvNumber(m.distinctCurves.percent[v][k])
                            << ',' << (shown ? 1 : 0) << '\n';
                    }
            }
        }
    });
}

void writeCorrelationsCsv(const std::string& path, const RunAnalysis& a)
{
    writeFileAtomically(path, [&](std::ostream& out) {
        out << "split,metric,measure,method,coefficient,p_value,ci_low,ci_high,n\n";
        for (const SplitAnalysis& s : a.splits)
            for (const CorrelationRow& r : s.correlations)
                out << recordSetName(s.selection.set) << ',' << csvQuote(r.metric) << ',' << r.measure << ','
                    << correlationMethodName(r.method) << ',' << csvNumber(r.result.coefficient) << ','
                    << csvNumber(r.result.pValue) << ',' << csvNumber(r.result.ciLow) << ','
                    << csvNumber(r.result.ciHigh) << ',' << r.result.n << '\n';
    });
}

void writeLabelAgreementCsv(const std::string& path, const RunAnalysis& a)
{
    writeFileAtomically(path, [&](std::ostream& out) {
        out << "split,epoch,class,fraction\n";
        for (const SplitAnalysis& s : a.splits)
            for (std::size_t k = 0; k < s.labels.epochs.size(); ++k)
                for (std::size_t c = 0; c < s.labels.fraction[k].size(); ++c)
                    out << recordSetName(s.selection.set) << ',' << s.labels.epochs[k] << ','
                        << csvQuote(c < a.classNames.size() ? a.classNames[c] : std::to_string(c)) << ','
                        << csvNumber(s.labels.fraction[k][c]) << '\n';
    });
}

std::size_t writeRecordsCsv(const std::string& path, const RunFile& run)
{
    std::size_t rows = 0;
    writeFileAtomically(path, [&](std::ostream& out) {
        out << "network,epoch,split,key,correct,predicted,p_true,margin\n";
        for (RecordSet set : {RecordSet::Train, RecordSet::Test, RecordSet::TrainEval}) {
            if (!run.hasRecordSet(set))
                continue;
            const std::vector<std::size_t> indices = run.manifest().splitIndices(recordSetSplit(set));
            for (int n = 0; n < run.shape().networks; ++n)
                for (int e = 0; e < run.epochsDone()[std::size_t(n)]; ++e) {
                    const SplitRecords r = run.readRecords(set, n, e);
                    for (std::size_t i = 0; i < indices.size(); ++i) {
                        out << n << ',' << e << ',' << recordSetName(set) << ','
                            << csvQuote(run.manifest().keys[indices[i]]) << ',' << int(r.correct[i]) << ','
                            << (run.shape().multiLabel ? std::to_string(std::uint64_t(r.predicted[i]))
                                                       : std::to_string(r.predicted[i]))
                            << ',' << floatCell(r.pTrue[i]) << ',' << floatCell(r.margin[i]) << '\n';
                        ++rows;
                    }
                }
        }
    });
    return rows;
}

std::vector<std::string> writeAnalysisTables(const std::string& dir, const RunAnalysis& analysis)
{
    const std::string base = dir.empty() || dir.back() == '/' ? dir : dir + "/";
    const std::vector<std::string> paths = {base + "agreement.csv", base + "images.csv", base + "metric_curves.csv",
                                            base + "correlations.csv", base + "label_agreement.csv",
                                            base + "analysis.json"};
    writeAgreementCsv(paths[0], analysis);
    writeImagesCsv(paths[1], analysis);
    writeMetricCurvesCsv(paths[2], analysis);
    writeCorrelationsCsv(paths[3], analysis);
    writeLabelAgreementCsv(paths[4], analysis);
    writeFileAtomically(paths[5], [&](std::ostream& out) { out << analysisSettingsJson(analysis); });
    return paths;
}

}  // namespace orderlens
