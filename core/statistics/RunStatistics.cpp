#include "statistics/RunStatistics.h"

#include "common/Errors.h"
#include "statistics/HumanUncertainty.h"
#include "statistics/MetricsCache.h"

namespace orderlens {

namespace {

RunDataset located(const RunFile& run, const std::string& datasetSpec)
{
    RunDataset source = RunDataset::of(run);
    if (!datasetSpec.empty())
        source.spec = datasetSpec;
    return source;
}

}  // namespace

RunStatistics::RunStatistics(const std::string& runPath, const std::string& datasetSpec)
    : run_(runPath), source_(located(run_, datasetSpec)), dataset_(source_.load(run_))
{
}

StatisticsRequest RunStatistics::request() const
{
    StatisticsRequest request;
    for (const StatisticKind& kind : statisticKinds())
        request.statistics.push_back(kind.name);
    request.parameters.crispSeed = source_.seed;
    request.cacheDirectory = MetricsCache::defaultDirectory();
    return request;
}

StatisticsOutcome RunStatistics::compute(const StatisticsRequest& request, const EngineOptions& options) const
{
    StatisticsOutcome outcome = datasetStatistics(dataset_, request, options);
    for (const auto& [name, values] : dataset_.metrics) {
        if (outcome.table.has(name))
            throw ConfigError("the dataset brings a column '" + name + "' that a statistic computes as well");
        outcome.table.set(name, values);
    }
    if (!source_.humanUncertainty.empty())
        outcome.table.set("human_uncertainty", importCifar10h(source_.humanUncertainty, dataset_));
    return outcome;
}

void RunStatistics::store(const MetricTable& table)
{
    std::map<std::string, std::vector<double>> columns;
    for (const std::string& name : table.names()) {
        if (table.column(name).size() != dataset_.size())
            throw Error("RunStatistics::store: column '" + name + "' has " + std::to_string(table.column(name).size()) +
                        " values for the run's " + std::to_string(dataset_.size()) + " images");
        columns[name] = table.column(name);
    }
    run_.writeMetrics(columns, dataset_.distinctValued);
}

StatisticsOutcome computeRunStatistics(const std::string& runPath, const EngineOptions& options,
                                       std::vector<std::string>* notes)
{
    RunStatistics statistics(runPath);
    StatisticsOutcome outcome = statistics.compute(statistics.request(), options);
    statistics.store(outcome.table);
    if (notes) {
        *notes = outcome.warnings;
        if (!outcome.fromCache.empty())
            notes->push_back(std::to_string(outcome.fromCache.size()) + " statistics read from the metrics cache");
    }
    return outcome;
}

}  // namespace orderlens
