#pragma once

#include "experiment/ExperimentConfig.h"
#include "storage/RunFile.h"

#include <atomic>
#include <memory>
#include <string>

namespace orderlens {

// Progress reported to observers (CLI progress bar, GUI live monitor). Plain data, no Qt.
struct BatchProgress {
    int network = 0;
    int epoch = 0;
    int batch = 0;           // 0-based, within the epoch
    int batches = 0;         // batches per epoch
    double loss = 0;         // this batch's mean loss
    double runningAccuracy = 0;  // fraction correct so far in this epoch (train forward pass)
    double imagesPerSecond = 0;
    double learningRate = 0;
    double fraction = 0;     // of the whole experiment, 0..1
    double etaSeconds = 0;
};

struct EpochProgress {
    int network = 0;
    int epoch = 0;
    EpochSummary summary;    // per-network train/test accuracy and loss, learning rate, seconds
    double fraction = 0;     // of the whole experiment, 0..1
    double elapsedSeconds = 0;
    double etaSeconds = 0;
};

// Called from the training thread; implementations must be quick and thread-safe.
class TrainingObserver {
public:
    virtual ~TrainingObserver() = default;
    virtual void onMessage(const std::string& text) {}
    virtual void onBatch(const BatchProgress& p) {}
    // After the epoch's records are in the run file (readers can now see it).
    virtual void onEpoch(const EpochProgress& p) {}
};

// Trains config.networks networks on the dataset and writes every epoch's records to the run
// file (docs/DEFINITIONS.md 2, 7, 8). A checkpoint beside the run file after every epoch makes an
// interrupted run resumable (docs/FORMAT.md, Checkpoints); cancel is cooperative (after the
// current batch). Accuracies in the summaries and progress are fractions (0..1).
// Threads: config.threads (0 = all cores) is the budget for LibTorch and OpenBLAS together;
// side by side (config.parallelNetworks) each network gets an equal share, at least one.
// Fused (config.fuseNetworks, see trainingPath()): the networks at the same epoch train as one
// FusedEnsemble with the whole budget; records and checkpoints stay per network.
// On the CPU, the same configuration and seed give bit-identical records, resumed or not.
class Trainer {
public:
    // A new run: creates runPath (it must not exist unless overwrite is set).
    Trainer(ExperimentConfig config, std::string runPath, bool overwrite = false);
    // Trains network `network` (0-based) of config.networks only, exactly as the run with every
    // network would train it (same seeds, same data order), into its own part of runPath: one
    // process per network, on any hosts sharing the folder (docs/FORMAT.md, "Runs trained as
    // tasks"). The first task creates runPath; the others join it and are refused when their
    // configuration differs.
    static Trainer task(ExperimentConfig config, std::string runPath, int network);
    // Resumes the run in runPath with its stored configuration. For a run trained as tasks,
    // `network` >= 0 resumes that task alone; -1 resumes every unfinished network in turn.
    static Trainer resume(const std::string& runPath, int network = -1);
    ~Trainer();
    Trainer(Trainer&&) noexcept;

    const ExperimentConfig& config() const;
    const std::string& runPath() const;
    // How the networks train: "fused" (one module, config.fuseNetworks where the architecture
    // has a fused form and there is more than one network), "side-by-side", "sequential", or
    // "tasks" (one network per process, each trained as "sequential" trains it).
    // Stored in the run file's provenance as "training".
    std::string trainingPath() const;
    static std::string trainingPath(const ExperimentConfig& config);

    // Runs to completion (or until cancel becomes true: throws Cancelled after saving what is
    // complete). Throws ConfigError / InputError for bad configurations and inputs.
    void run(TrainingObserver* observer = nullptr, const std::atomic<bool>* cancel = nullptr);

    // Whether a CUDA device is usable by this LibTorch build.
    static bool cudaAvailable();
    // The device `--device auto` resolves to ("cpu" or "cuda").
    static std::string resolveDevice(const std::string& requested);
    // Architectures known to the model factory, for --help and the GUI.
    static std::vector<std::string> architectures();

private:
    Trainer() = default;
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace orderlens
