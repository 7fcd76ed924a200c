#include "analysis/RunAnalysis.h"

#include "common/Errors.h"
#include "common/Numbering.h"
#include "common/ThreadBudget.h"
#include "numeric/Hashing.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <set>
#include <thread>

namespace orderlens {

std::uint64_t correlationSeed(std::uint64_t seed, const std::string& split, const std::string& metric,
                              const std::string& measure)
{
    // FNV-1a over the names, then mixed with the seed (splitmix64 finaliser).
    Fnv1a64 names;
    const std::uint8_t separator = 0xff;
    for (const std::string* s : {&split, &metric, &measure}) {
        names.add(*s);
        names.add(&separator, 1);
    }
    std::uint64_t z = names.value() + seed * 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

namespace {

void correlateSplit(SplitAnalysis& split, const AnalysisOptions& options)
{
    const auto measures = measureColumns(split.measures, options.never);
    const std::string splitName = recordSetName(split.selection.set);
    struct Job {
        const SplitMetric* metric;
        const std::pair<std::string, std::vector<double>>* measure;
    };
    std::vector<Job> jobs;
    for (const SplitMetric& m : split.metrics)
        for (const auto& measure : measures)
            jobs.push_back({&m, &measure});
    std::vector<std::array<Correlation, 3>> results(jobs.size());
    std::atomic<std::size_t> next{0};
    // The first failure of any worker (or a cancel) stops the others and is rethrown here, on
    // the calling thread: an exception leaving a std::thread would end the process.
    std::exception_ptr failure;
    std::mutex failureMutex;
    auto work = [&] {
        try {
            for (std::size_t j = next++; j < jobs.size(); j = next++) {
                if (options.cancel && options.cancel->load())
                    throw Cancelled();
                CorrelationOptions o = options.correlation;
                o.seed = correlationSeed(options.correlation.seed, splitName, jobs[j].metric->name, jobs[j].measure->first);
                results[j] = correlate(jobs[j].metric->values, jobs[j].measure->second, o);
            }
        } catch (...) {
            const std::lock_guard<std::mutex> lock(failureMutex);
            if (!failure)
                failure = std::current_exception();
            next = jobs.size();
        }
    };
    const unsigned threads = std::max(1u, std::min<unsigned>(workerThreads(options.threads), unsigned(std::max<std::size_t>(jobs.size(), 1))));
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (auto& t : pool)
        t.join();
    if (failure)
        std::rethrow_exception(failure);
    for (std::size_t j = 0; j < jobs.size(); ++j)
        for (std::size_t k = 0; k < kCorrelationMethods.size(); ++k)
            split.correlations.push_back(
                {jobs[j].metric->name, jobs[j].measure->first, kCorrelationMethods[k], results[j][k]});
}

// Numbers as "0, 1 and 3", each `offset` more than its index.
std::string numberList(const std::vector<int>& indices, int offset)
{
    std::string out;
    for (std::size_t k = 0; k < indices.size(); ++k)
        out += (k == 0 ? "" : k + 1 == indices.size() ? " and " : ", ") + std::to_string(indices[k] + offset);
    return out;
}

// Networks as people count them, then the indices the files and --networks use: "networks 1 and
// 3 (indices 0 and 2)".
std::string networkList(const std::vector<int>& networks)
{
    const bool one = networks.size() == 1;
    return std::string(one ? "network " : "networks ") + numberList(networks, 1) + (one ? " (index " : " (indices ") +
           numberList(networks, 0) + ")";
}

std::string describeCoverage(const RunFile& run, const RecordSelection& selection)
{
    const RunShape& shape = run.shape();
    const std::vector<int>& done = run.epochsDone();
    if (int(selection.networks.size()) == shape.networks && selection.firstEpoch == 0 &&
        selection.endEpoch == shape.epochs)
        return {};
    std::string text = "Analysed " + networkList(selection.networks) + " of " + std::to_string(shape.networks) + ", epochs " +
                       std::to_string(selection.firstEpoch) + " to " + std::to_string(selection.endEpoch - 1) +
                       " (0-based) of the " + std::to_string(shape.epochs) + " planned";
    std::vector<int> untrained, left;
    for (int n = 0; n < shape.networks; ++n)
        if (std::find(selection.networks.begin(), selection.networks.end(), n) == selection.networks.end())
            (done[std::size_t(n)] == 0 ? untrained : left).push_back(n);
    if (!untrained.empty())
        text += "; " + networkList(untrained) + (untrained.size() == 1 ? " has" : " have") + " not completed an epoch";
    if (!left.empty())
        text += "; " + networkList(left) + " not selected";
    if (selection.endEpoch < shape.epochs) {
        std::string counts;
        for (int n : selection.networks)
            counts += (counts.empty() ? "" : ", ") + networkText(n) + ": " + std::to_string(done[std::size_t(n)]);
        text += "; epochs completed per network (" + counts + ")";
    }
    return text + ".";
}

}  // namespace

RunAnalysis analyseRun(const RunFile& run, const AnalysisOptions& options, const AnalysisProgress& progress)
{
    if (options.sets.empty())
        throw ConfigError("choose at least one split to analyse");
    auto report = [&](const std::string& what, double fraction) {
        if (progress)
            progress(what, fraction);
    };
    RunAnalysis a;
    a.options = options;
    a.runPath = run.path();
    a.datasetName = run.manifest().name;
    a.datasetSource = run.manifest().source;
    a.configJson = run.configJson();
    a.shape = run.shape();
    a.classNames = run.manifest().classNames;
    a.keys = run.manifest().keys;
    a.labels = run.manifest().labels;
    a.trueLabels = run.manifest().trueLabels;
    a.labelBits = run.manifest().labelBits;

    RecordSelection base;
    base.networks = options.networks;
    if (base.networks.empty()) {
        for (std::size_t n = 0; n < run.epochsDone().size(); ++n)
            if (run.epochsDone()[n] > 0)
                base.networks.push_back(int(n));
        if (base.networks.empty())
            throw ConfigError(run.path() + ": no network has completed an epoch yet");
    }
    base.firstEpoch = options.firstEpoch;
    base.endEpoch = options.endEpoch;
    base.set = options.sets.front();
    const RecordSelection resolved = base.resolved(run);
    if (resolved.epochs() == 0)
        throw ConfigError(run.path() + ": no epoch is completed by every selected network yet");
    a.networks = resolved.networks;
    a.firstEpoch = resolved.firstEpoch;
    a.endEpoch = resolved.endEpoch;
    a.coverage = describeCoverage(run, resolved);
    for (int n : a.networks) {
        std::vector<EpochSummary> h;
        for (int e = a.firstEpoch; e < a.endEpoch; ++e)
            h.push_back(run.readSummary(n, e));
        a.history.push_back(std::move(h));
    }

    std::vector<std::string> names = run.metricNames();
    if (!options.statistics.empty()) {
        for (const std::string& wanted : options.statistics)
            if (std::find(names.begin(), names.end(), wanted) == names.end()) {
                std::string stored;
                for (const std::string& name : names)
                    stored += (stored.empty() ? "" : ", ") + name;
                throw ConfigError(run.path() + ": the run has no statistic '" + wanted + "' (it has: " +
                                  (stored.empty() ? "none" : stored) + ")");
            }
        names = options.statistics;
    }
    std::vector<std::pair<std::string, std::vector<double>>> metrics;
    for (const std::string& name : names)
        metrics.emplace_back(name, run.readMetric(name));
    const std::set<std::string> flaggedDistinct = run.distinctValuedMetrics();

    const double steps = double(options.sets.size());
    for (std::size_t s = 0; s < options.sets.size(); ++s) {
        const std::string setName = recordSetName(options.sets[s]);
        if (options.cancel && options.cancel->load())
            throw Cancelled();
        report("agreement (" + setName + ")", double(s) / steps);
        SplitAnalysis split;
        RecordSelection sel = resolved;
        sel.set = options.sets[s];
        split.selection = sel.resolved(run);
        const CorrectnessBits bits = CorrectnessBits::load(run, split.selection);
        split.agreement = computeAgreement(bits);
        split.agreement.set = split.selection.set;
        split.agreement.networks = split.selection.networks;

        const std::vector<std::size_t> indices = run.manifest().splitIndices(recordSetSplit(sel.set));
        std::vector<std::int32_t> labels;
        std::vector<std::uint64_t> labelBits;
        for (std::size_t m : indices) {
            labels.push_back(run.manifest().labels[m]);
            if (!run.manifest().labelBits.empty())
                labelBits.push_back(run.manifest().labelBits[m]);
        }
        split.labels = computeLabelAgreement(bits, labels, run.shape().multiLabel ? labelBits : std::vector<std::uint64_t>{},
                                             run.shape().classes);

        for (const auto& [name, column] : metrics) {
            SplitMetric m;
            m.name = name;
            bool any = false;
            for (std::size_t i : indices) {
                m.values.push_back(column[i]);
                any = any || !std::isnan(column[i]);
            }
            if (!any)
                continue;
            m.curve = computeMetricCurve(bits, m.values);
            m.shownCurve = thresholdMetricCurve(split.agreement, m.curve, options.agreementThreshold, options.epochThreshold);
            const std::size_t distinctValues = countDistinctValues(m.values, options.distinctValueLimit);
            m.constant = distinctValues < 2;
            m.distinct = !m.constant && (flaggedDistinct.count(name) > 0 || distinctValues <= options.distinctValueLimit);
            if (m.distinct)
                m.distinctCurves = computeDistinctMetricCurves(bits, m.values);
            split.metrics.push_back(std::move(m));
        }

        report("per-image measures (" + setName + ")", (double(s) + 0.3) / steps);
        split.measures.selection = split.selection;
        split.measures.manifestIndices = indices;
        split.measures.epochs = computeLearningEpochs(bits);
        split.measures.dynamics = computeTrainingDynamics(run, split.selection);

        report("correlations (" + setName + ")", (double(s) + 0.6) / steps);
        correlateSplit(split, options);
        a.splits.push_back(std::move(split));
    }
    report("done", 1.0);
    return a;
}

}  // namespace orderlens
