#include "analysis/AnalysisPlan.h"

#include "common/Errors.h"
#include "storage/RunFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <set>

namespace orderlens {

AnalysisPlan::AnalysisPlan(std::string runPath) : runPath_(std::move(runPath)) {}

AnalysisPlan AnalysisPlan::forBrowsing(std::string runPath)
{
    AnalysisPlan plan(std::move(runPath));
    plan.options_.correlation.bootstrapResamples = 0;
    return plan;
}

void AnalysisPlan::setSplits(std::vector<RecordSet> splits)
{
    if (splits.empty())
        throw ConfigError("choose at least one split to analyse");
    if (std::set<RecordSet>(splits.begin(), splits.end()).size() != splits.size())
        throw ConfigError("each split can be analysed once");
    options_.sets = std::move(splits);
}

void AnalysisPlan::setNetworks(std::vector<int> networks)
{
    for (int n : networks)
        if (n < 0)
            throw ConfigError("networks are numbered from 0; " + std::to_string(n) + " is not a network");
    if (std::set<int>(networks.begin(), networks.end()).size() != networks.size())
        throw ConfigError("a network is listed twice");
    options_.networks = std::move(networks);
}

void AnalysisPlan::setEpochs(int first, int end)
{
    if (first < 0 || (end >= 0 && end <= first))
        throw ConfigError("the epoch range " + std::to_string(first) + ":" + std::to_string(end) +
                          " is empty (0-based epochs A:B, B excluded, A < B)");
    options_.firstEpoch = first;
    options_.endEpoch = end;
}

void AnalysisPlan::setStatistics(std::vector<std::string> names)
{
    if (std::set<std::string>(names.begin(), names.end()).size() != names.size())
        throw ConfigError("a statistic is listed twice");
    options_.statistics = std::move(names);
}

void AnalysisPlan::setNeverLearned(NeverLearnedPolicy policy) { options_.never = policy; }

void AnalysisPlan::setBootstrap(int resamples, double confidence, std::uint64_t seed)
{
    if (resamples < 0)
        throw ConfigError("the bootstrap needs 0 or more resamples, not " + std::to_string(resamples));
    if (!(confidence > 0.5 && confidence < 1))
        throw ConfigError("the confidence level must lie between 0.5 and 1 (e.g. 0.95), not " + std::to_string(confidence));
    options_.correlation.bootstrapResamples = resamples;
    options_.correlation.confidenceLevel = confidence;
    options_.correlation.seed = seed;
}

void AnalysisPlan::setDisplayThresholds(double agreementPercent, int epoch)
{
    if (!(agreementPercent >= 0 && agreementPercent <= 100))
        throw ConfigError("the agreement threshold is a percentage from 0 to 100");
    if (epoch < 0)
        throw ConfigError("the epoch threshold is a 0-based epoch");
    options_.agreementThreshold = agreementPercent;
    options_.epochThreshold = epoch;
}

void AnalysisPlan::setThreads(int threads)
{
    if (threads < 0)
        throw ConfigError("threads: 0 (the thread budget) or more");
    options_.threads = threads;
}

RunAnalysis AnalysisPlan::analyse(const AnalysisProgress& progress, const std::atomic<bool>* cancel) const
{
    const RunFile run(runPath_);
    AnalysisOptions options = options_;
    options.cancel = cancel;
    return analyseRun(run, options, progress);
}

std::string analysisSettingsJson(const RunAnalysis& a)
{
    nlohmann::json splits = nlohmann::json::array(), statistics = nlohmann::json::array();
    std::set<std::string> seen;
    for (const SplitAnalysis& s : a.splits) {
        splits.push_back(recordSetName(s.selection.set));
        for (const SplitMetric& m : s.metrics)
            if (seen.insert(m.name).second)
                statistics.push_back(m.name);
    }
    const AnalysisOptions& o = a.options;
    nlohmann::json j = nlohmann::json::object();
    j["run"] = a.runPath;
    j["splits"] = splits;
    j["networks"] = a.networks;
    j["first_epoch"] = a.firstEpoch;
    j["end_epoch"] = a.endEpoch;
    j["statistics"] = statistics;
    j["never_learned"] = neverLearnedPolicyName(o.never);
    j["bootstrap_resamples"] = o.correlation.bootstrapResamples;
    j["confidence_level"] = o.correlation.confidenceLevel;
    j["seed"] = o.correlation.seed;
    j["agreement_threshold"] = o.agreementThreshold;
    j["epoch_threshold"] = o.epochThreshold;
    j["distinct_value_limit"] = o.distinctValueLimit;
    j["coverage"] = a.coverage;
    return j.dump(2) + "\n";
}

}  // namespace orderlens
