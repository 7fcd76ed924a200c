#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace orderlens {

// What a network is built for. Feature sizes are inferred from these, so any input the
// architecture can take works; a smaller one is a ConfigError.
struct ModelSpec {
    std::string architecture = "lenet5";
    int channels = 1;
    int classes = 10;
    int inputSize = 32;
    double batchNormEps = 1e-5;  // docs/DEFINITIONS.md 8: PyTorch's default
    // More than one: that many networks stacked into one fused module (FusedEnsemble), for the
    // architectures whose ArchitectureInfo::fusable is set.
    int networks = 1;
};

struct ArchitectureInfo {
    std::string name;         // as in --architecture and the stored configuration
    std::string title;        // the study's spelling (LeNet5, WRN-28-10), also accepted as a name
    std::string description;  // one line for --help and the GUI
    int minimumInput = 0;     // smallest square input side that still has a feature map
    // Whether N networks can train as one module (--fuse-networks, docs/PERFORMANCE.md).
    bool fusable = false;
};

// The architectures of the study (docs/DEFINITIONS.md 8), in the order --help lists them.
const std::vector<ArchitectureInfo>& architectureInfos();
// Names match ignoring case, '-' and '_' (LeNet5, lenet-5 and lenet5 are one architecture).
// Throws ConfigError listing the known names.
const ArchitectureInfo& architectureInfo(const std::string& name);
// The stored name of the architecture `name` denotes, or `name` itself when it denotes none.
std::string canonicalArchitectureName(const std::string& name);

// One parameter tensor right after initialisation.
struct ParameterSummary {
    std::string name;  // LibTorch's dotted path, e.g. "classifier.0.weight"
    std::vector<std::int64_t> shape;
    double mean = 0, std = 0, maxAbs = 0;  // std: population standard deviation
};

// Builds and initialises the network once (no training) and reports its size and its
// parameters; for the GUI's setup page and for checking a configuration before a long run.
// Throws ConfigError for impossible specs or an unknown initialisation.
struct ModelSummary {
    std::int64_t parameters = 0;
    std::vector<std::int64_t> outputShape;  // for one input image: {1, classes}
    std::vector<ParameterSummary> tensors;  // in registration order
};
ModelSummary summarizeModel(const ModelSpec& spec, const std::string& init = "kaiming-normal",
                            std::uint64_t seed = 0);

}  // namespace orderlens
