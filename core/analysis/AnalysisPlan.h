#pragma once

#include "analysis/RunAnalysis.h"

#include <atomic>
#include <string>
#include <vector>

namespace orderlens {

// A run's analysis: which run, which splits, networks, epochs and statistics, how the
// correlations are bootstrapped and on how many threads. `orderlens analyze`, the Analysis page,
// the image browser and the report all analyse through a plan, so one run analysed with the same
// choices gives the same analysis everywhere; the defaults are the study's and are set here only.
class AnalysisPlan {
public:
    // The default analysis of the run at `runPath`: both splits (train and test), every network
    // that has completed an epoch, every epoch all of them completed, every statistic stored in
    // the run, the study's 1000-resample percentile bootstrap (95 %, seed 0), the study's display
    // thresholds, never-learned images counted as learned after the last epoch, and the process's
    // thread budget.
    explicit AnalysisPlan(std::string runPath);
    // The image browser's analysis: the default without the bootstrap, whose intervals the
    // browser does not show (its scatter computes them on request; the report has them).
    static AnalysisPlan forBrowsing(std::string runPath);

    // The user's choices. Each throws ConfigError naming the choice when it is impossible on
    // its face; a choice the run cannot satisfy (a network it does not have) fails in analyse().
    void setSplits(std::vector<RecordSet> splits);
    // Run numbers of the networks; empty = every network that has completed an epoch.
    void setNetworks(std::vector<int> networks);
    // 0-based epochs [first, end); end -1 = every epoch the selected networks all completed.
    void setEpochs(int first, int end);
    // Names of the run's statistics to correlate and plot; empty = all the run has.
    void setStatistics(std::vector<std::string> names);
    void setNeverLearned(NeverLearnedPolicy policy);
    // Resamples (0 = no intervals), confidence level in (0.5, 1), seed.
    void setBootstrap(int resamples, double confidence, std::uint64_t seed);
    // Metric curves are hidden below `agreementPercent` agreement and before `epoch`.
    void setDisplayThresholds(double agreementPercent, int epoch);
    // Correlation threads; 0 = the thread budget (core/common/ThreadBudget.h).
    void setThreads(int threads);

    const std::string& runPath() const { return runPath_; }
    const AnalysisOptions& options() const { return options_; }

    // Opens the run and analyses it (analyseRun). Throws InputError / ConfigError, and
    // Cancelled once `cancel` is raised.
    RunAnalysis analyse(const AnalysisProgress& progress = {}, const std::atomic<bool>* cancel = nullptr) const;

private:
    std::string runPath_;
    AnalysisOptions options_;
};

// What an analysis ran with, resolved against its run (the networks and epochs it covers, the
// statistics it correlated): the content of the report's analysis.json, so a reader can repeat
// it (docs/METRICS.md, "analysis.json"). Threads are left out: they do not change a number.
std::string analysisSettingsJson(const RunAnalysis& analysis);

}  // namespace orderlens
