#pragma once

#include "dataset/Dataset.h"
#include "statistics/MetricTable.h"
#include "statistics/StatisticsEngine.h"
#include "storage/RunFile.h"

#include <string>
#include <vector>

namespace orderlens {

// Stores columns computed on `dataset` in the run, in the run's image order (a run may use a
// subset of the dataset: images are matched by key). Returns how many of the run's images were
// found; the others get NaN. Throws InputError when none is found.
std::size_t storeMetricsInRun(RunFile& run, const Dataset& dataset, const MetricTable& table);

// The seed in the run's configuration (0 when it has none): the seed of its random statistics
// (crisp boundaries), so that they are reproducible from the run alone.
std::uint64_t runSeed(const RunFile& run);

// Every built-in image statistic with the study's parameters (and the run's seed), computed on the run's images
// (through the metrics cache) and stored in the run: what `orderlens metrics --run`
// does with its defaults, for callers that finish a training (the GUI). Messages (warnings,
// what came from the cache) go to `notes` when given.
void computeRunStatistics(const std::string& runPath, const EngineOptions& options,
                          std::vector<std::string>* notes = nullptr);

}  // namespace orderlens
