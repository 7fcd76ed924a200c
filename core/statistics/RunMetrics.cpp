#include "statistics/RunMetrics.h"

#include "common/Errors.h"
#include "dataset/DatasetReader.h"
#include "statistics/HumanUncertainty.h"
#include "statistics/MetricsCache.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <unordered_map>

namespace orderlens {

std::size_t storeMetricsInRun(RunFile& run, const Dataset& dataset, const MetricTable& table)
{
    const RunManifest& m = run.manifest();
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < dataset.size(); ++i)
        index.emplace(dataset.key(i), i);
    std::vector<std::size_t> at(m.keys.size(), SIZE_MAX);
    std::size_t found = 0;
    for (std::size_t r = 0; r < m.keys.size(); ++r)
        if (auto it = index.find(m.keys[r]); it != index.end()) {
            at[r] = it->second;
            ++found;
        }
    if (found == 0)
        throw InputError(run.path(), "none of the run's " + std::to_string(m.keys.size()) + " images is in dataset " +
                                         dataset.source + " (the run was made from " + m.source + ")");
    std::map<std::string, std::vector<double>> columns;
    for (const std::string& name : table.names()) {
        const std::vector<double>& src = table.column(name);
        std::vector<double>& dst = columns[name];
        dst.assign(m.keys.size(), std::nan(""));
        for (std::size_t r = 0; r < m.keys.size(); ++r)
            if (at[r] != SIZE_MAX)
                dst[r] = src[at[r]];
    }
    run.writeMetrics(columns);
    return found;
}

std::uint64_t runSeed(const RunFile& run)
{
    const nlohmann::json config = nlohmann::json::parse(run.configJson(), nullptr, false);
    if (!config.is_object())
        return 0;
    const auto it = config.find("seed");
    return it != config.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

void computeRunStatistics(const std::string& runPath, const EngineOptions& options, std::vector<std::string>* notes)
{
    RunFile run(runPath);
    // Exactly the run's images (a demo uses a subset of a large dataset).
    const Dataset full = loadDataset(run.manifest().source);
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < full.size(); ++i)
        index.emplace(full.key(i), i);
    std::vector<std::size_t> chosen;
    for (const std::string& key : run.manifest().keys)
        if (auto it = index.find(key); it != index.end())
            chosen.push_back(it->second);
    const Dataset dataset = full.select(chosen);
    StatisticsRequest request;
    for (const StatisticKind& kind : statisticKinds())
        request.statistics.push_back(kind.name);
    request.parameters.crispSeed = runSeed(run);
    request.cacheDirectory = MetricsCache::defaultDirectory();
    StatisticsOutcome outcome = datasetStatistics(dataset, request, options);
    // The run's configuration names the CIFAR-10H file (ExperimentConfig::humanUncertainty). Only
    // that key is read: runs written by older versions carry configurations without it.
    const nlohmann::json config = nlohmann::json::parse(run.configJson(), nullptr, false);
    if (config.is_object()) {
        const auto it = config.find("human_uncertainty");
        if (it != config.end() && it->is_string() && !it->get<std::string>().empty())
            outcome.table.set("human_uncertainty", importCifar10h(it->get<std::string>(), dataset));
    }
    const std::size_t found = storeMetricsInRun(run, dataset, outcome.table);
    if (!notes)
        return;
    *notes = outcome.warnings;
    if (!outcome.fromCache.empty())
        notes->push_back(std::to_string(outcome.fromCache.size()) + " statistics read from the metrics cache");
    if (found < run.manifest().keys.size())
        notes->push_back(std::to_string(run.manifest().keys.size() - found) + " of the run's images are not in " +
                         dataset.source + "; their statistics are missing");
}

}  // namespace orderlens
