#pragma once

#include "dataset/Dataset.h"
#include "statistics/ImageStatistic.h"
#include "statistics/MetricTable.h"

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace orderlens {

struct EngineOptions {
    unsigned threads = 0;  // 0 = every core
    // Called from the calling thread about ten times a second and once at the end.
    std::function<void(std::size_t done, std::size_t total)> progress;
    // Raised by another thread to stop; the engine then throws Cancelled.
    const std::atomic<bool>* cancel = nullptr;
};

// Computes every statistic on every image of the dataset, in parallel over images. Returns
// their columns in dataset order. For each statistic that has missing values, one warning
// says how many images and why (with an example key).
MetricTable computeStatistics(const Dataset& dataset, const std::vector<const ImageStatistic*>& statistics,
                              const EngineOptions& options, std::vector<std::string>* warnings = nullptr);

// What to compute for a dataset, by statistic name (statisticKinds()).
struct StatisticsRequest {
    std::vector<std::string> statistics;
    StatisticParameters parameters;
    std::string cacheDirectory;  // empty: no cache (MetricsCache::defaultDirectory() is usual)
};

struct StatisticsOutcome {
    MetricTable table;
    std::vector<std::string> warnings;
    std::vector<std::string> fromCache;  // columns read from the cache
    std::vector<std::string> computed;   // columns computed now
};

// The requested statistics for a dataset: columns already in the per-dataset cache (same
// dataset content, same parameters) are read from it; only the others are computed, then
// written back to the cache.
StatisticsOutcome datasetStatistics(const Dataset& dataset, const StatisticsRequest& request,
                                    const EngineOptions& options);

}  // namespace orderlens
