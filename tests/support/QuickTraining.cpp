#include "QuickTraining.h"

#include "Fixtures.h"

#include "common/Errors.h"
#include "training/Trainer.h"

#include <atomic>
#include <filesystem>

namespace orderlens::test {

ExperimentConfig quickFixtureConfig(const QTemporaryDir& dir)
{
    FixtureSpec spec;
    spec.trainCount = 96;
    spec.testCount = 32;
    spec.height = spec.width = 16;
    spec.classes = 4;
    const std::string data = dir.filePath("fixture").toStdString();
    if (!std::filesystem::exists(data))
        writeIdxDataset(data, spec, false);
    ExperimentConfig c;
    c.dataset = "idx:" + data;
    c.architecture = "lenet5";
    c.networks = 2;
    c.epochs = 2;
    c.batchSize = 16;
    c.lr = 0.05;
    c.device = "cpu";
    c.threads = 1;
    return c;
}

void trainRun(const ExperimentConfig& config, const std::string& run, int epochs)
{
    std::atomic<bool> cancel{false};
    struct CancelAfter : TrainingObserver {
        std::atomic<bool>* flag = nullptr;
        int left = 0;
        void onEpoch(const EpochProgress&) override
        {
            if (--left == 0)
                flag->store(true);
        }
    } observer;
    observer.flag = &cancel;
    observer.left = epochs;
    try {
        Trainer(config, run).run(&observer, &cancel);
    } catch (const Cancelled&) {
        if (epochs <= 0)
            throw;
    }
}

}  // namespace orderlens::test
