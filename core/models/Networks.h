#pragma once

// Internal to core: includes LibTorch, so only the .cpp files that train or evaluate include it
// (never a header that ui or tests see).

#include "models/Architecture.h"

#include <torch/torch.h>

#include <memory>
#include <cstdint>
#include <string>
#include <vector>

namespace orderlens {

// Every architecture maps a batch (N, C, H, W) to logits (N, classes).
struct ClassifierImpl : torch::nn::Module {
    virtual torch::Tensor forward(torch::Tensor x) = 0;
};
using Classifier = std::shared_ptr<ClassifierImpl>;

// Builds an untrained network (PyTorch default initialisation), or with spec.networks > 1 the
// fused module of that many networks (FusedEnsemble). Throws ConfigError.
Classifier buildModel(const ModelSpec& spec);

// Dropout layers of a fused module draw network k's mask from a generator of its own, seeded
// here with seeds[k] (LibTorch's CPU generator, as torch::manual_seed seeds the global one).
void seedGroupDropout(torch::nn::Module& fused, const std::vector<std::uint64_t>& seeds);

// docs/DEFINITIONS.md 8: conv and linear weights by `scheme` (kaiming-normal, kaiming-uniform,
// xavier-normal, xavier-uniform), biases 0, batch-norm scale 1 and shift 0. Draws from
// LibTorch's global generator, so seed it first.
void initializeWeights(torch::nn::Module& model, const std::string& scheme);

}  // namespace orderlens
