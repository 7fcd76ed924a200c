#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace orderlens {

// Everything that defines an experiment. The CLI and the GUI fill the same object; it is
// stored verbatim (as JSON) in the run file. Defaults follow the study's CIFAR-10 recipe
// (docs/DEFINITIONS.md 8) where one exists. Each field is declared once as a Setting
// (experiment/ExperimentSettings.h: JSON key, CLI option, GUI label, range, help, presets).
struct ExperimentConfig {
    // Data
    std::string dataset = "fashion-mnist";
    std::uint64_t limitTrain = 0;  // 0 = all images of the split
    std::uint64_t limitTest = 0;
    int inputSize = 0;             // 0 = the images' own size; otherwise pad/resize to this side
    bool randomCrop = false;       // augmentation: random crop with padding
    int cropPadding = 4;
    bool horizontalFlip = false;
    double corruptProb = 0.0;      // docs/DEFINITIONS.md 7, label corruption
    bool multiLabel = false;
    // CIFAR-10H probabilities (.npy, 10000 x 10) whose human uncertainty is stored with the run's
    // image statistics; empty = none. CIFAR-10 only.
    std::string humanUncertainty;

    // Networks
    std::string architecture = "lenet5";
    int networks = 5;
    std::string init = "kaiming-normal";
    double batchNormEps = 1e-5;

    // Optimisation
    int epochs = 60;
    int batchSize = 128;
    int microBatch = 0;            // 0 = whole batch at once; otherwise accumulate gradients
    std::string optimizer = "sgd"; // sgd | adam
    double lr = 0.1;
    double momentum = 0.9;
    double weightDecay = 5e-4;
    std::string scheduler = "none"; // none | cosine | step | onecycle
    double etaMin = 5e-4;
    int stepSize = 50;
    double stepGamma = 0.2;

    // Records
    bool saveProbVector = false;
    bool evalTrain = false;
    // Keep the per-network checkpoints (the trained networks) after the run completes; without
    // it they are removed once every network has finished every epoch.
    bool keepCheckpoints = false;

    // Execution
    std::string device = "auto";   // auto | cpu | cuda
    int threads = 0;               // 0 = all cores
    bool parallelNetworks = false; // train the networks side by side instead of one after another
    // Train the networks as one fused module where the architecture allows (docs/PERFORMANCE.md,
    // "Fused training"); parallelNetworks then applies only to runs that are not fused.
    bool fuseNetworks = false;
    std::uint64_t seed = 0;

    nlohmann::json toJson() const;
    // Unknown keys and wrong types are ConfigErrors naming the key.
    static ExperimentConfig fromJson(const nlohmann::json& j);
    // A run file's stored configuration: as fromJson, but a key added after the run was made
    // takes the value that reproduces it rather than today's default (fuse_networks: off, since
    // runs from before fused training trained unfused).
    static ExperimentConfig fromStoredJson(const nlohmann::json& j);
    // Throws ConfigError explaining every impossible value or combination (findProblems, one
    // line each).
    void validate() const;

    // Named recipes: the study's (docs/DEFINITIONS.md 8: cifar10, voc, kth, cifar10-random-labels)
    // and `demo`, the quick Fashion-MNIST experiment of the README. A preset is a complete
    // configuration: the defaults with the values the settings declare for it (the dataset
    // without its location, which the user adds).
    static std::vector<std::string> presetNames();
    // Throws ConfigError for an unknown name.
    static ExperimentConfig preset(const std::string& name);
};

}  // namespace orderlens
