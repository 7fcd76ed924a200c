#pragma once

#include "dataset/Dataset.h"
#include "statistics/StatisticsEngine.h"
#include "storage/RunDataset.h"
#include "storage/RunFile.h"

#include <string>
#include <vector>

namespace orderlens {

// The image statistics of one run: what `orderlens metrics --run` and the desktop application
// (when a training finishes) both do, so that they compute the same images with the same
// parameters, share one metrics cache entry and take the human uncertainty from one place.
//
// The statistics cover exactly the run's images (RunDataset::load), never the whole dataset a
// run was cut from, and come out in the run's image order.
class RunStatistics {
public:
    // Reads the run and loads its images. `datasetSpec` replaces the location stored in the run
    // (a dataset that moved); the run's limits still apply. Throws InputError / ConfigError.
    explicit RunStatistics(const std::string& runPath, const std::string& datasetSpec = {});

    const RunFile& run() const { return run_; }
    const RunDataset& source() const { return source_; }
    // The run's images in the run's order.
    const Dataset& dataset() const { return dataset_; }

    // Every built-in statistic (statisticKinds()) with the study's parameters, the run's seed for
    // the random ones and the default metrics cache.
    StatisticsRequest request() const;

    // The requested statistics (from the cache where it has them), then the values the dataset
    // brings itself (e.g. Pascal VOC object size) and the human uncertainty of the CIFAR-10H
    // file the run's configuration names. Throws Cancelled when options.cancel is raised.
    StatisticsOutcome compute(const StatisticsRequest& request, const EngineOptions& options) const;

    // Adds or replaces the columns (one value per image of dataset()) in the run's statistics file.
    void store(const MetricTable& table);

private:
    RunFile run_;
    RunDataset source_;
    Dataset dataset_;
};

// The statistics a finished training stores (RunStatistics::request()), computed and stored in
// the run. Messages (warnings, what came from the cache) go to `notes` when given.
StatisticsOutcome computeRunStatistics(const std::string& runPath, const EngineOptions& options,
                                       std::vector<std::string>* notes = nullptr);

}  // namespace orderlens
