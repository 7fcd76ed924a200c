#pragma once

// Internal to core: N networks of one architecture trained as one module. LibTorch's types are
// only declared here (torch::Tensor is at::Tensor, torch::Device is c10::Device); the files that
// use the ensemble include models/Networks.h.

#include "models/Architecture.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace at {
class Tensor;
}
namespace c10 {
struct Device;
}
namespace torch {
namespace optim {
class Optimizer;
}
}  // namespace torch

namespace orderlens {

struct ClassifierImpl;  // models/Networks.h

// One network as the trainer keeps it: its model and the optimiser over its parameters.
struct EnsembleMember {
    ClassifierImpl* model = nullptr;
    torch::optim::Optimizer* optimizer = nullptr;
};

// The networks stacked into one module of grouped layers (buildModel with spec.networks = N):
// group k of every layer is network k. Its input images are channels [k C, (k + 1) C) of the
// fused batch and its logits columns [k classes, (k + 1) classes) of the output; no layer mixes
// groups, so the module computes what the N networks compute, up to float rounding
// (tests/tst_fused.cpp). Parameters and buffers carry the names of a single network's, so
// every tensor of network k is a slice of the fused tensor of the same name: a block of rows
// (convolutions, batch norm) or index k of a leading network axis (batched linear layers).
//
// SGD and Adam update every element on its own (weight decay included), and every parameter of
// every network gets a gradient at every step, so Adam's per-parameter step counts agree: one
// optimiser over the fused parameters, given the networks' state, makes the same step.
class FusedEnsemble {
public:
    // Builds the module on `device` and loads the members' weights into it.
    FusedEnsemble(ModelSpec spec, const std::vector<EnsembleMember>& members, const c10::Device& device);

    int size() const { return networks_; }
    ClassifierImpl& module() { return *module_; }

    // Copies the members' parameters, buffers and (when `fused` is given) optimiser state into
    // the groups. The optimisers must all be SGD or all Adam, like `fused`.
    void load(const std::vector<EnsembleMember>& members, torch::optim::Optimizer* fused = nullptr);
    // Copies the groups back into the members: what a checkpoint of each network stores.
    void store(const std::vector<EnsembleMember>& members, const torch::optim::Optimizer& fused) const;

    // Network k's batch (B, C, H, W) into channel group k: (B, N C, H, W).
    static at::Tensor stackInputs(const std::vector<at::Tensor>& batches);
    // The same images for every network (evaluation passes).
    at::Tensor repeatInput(const at::Tensor& batch) const;
    // Network k's logits (B, classes) from the fused output (B, N classes).
    at::Tensor networkLogits(const at::Tensor& fusedLogits, int k) const;
    // Seeds network k's dropout stream as training network k alone seeds LibTorch's generator.
    void seedDropout(const std::vector<std::uint64_t>& seeds);

private:
    int networks_ = 0;
    std::shared_ptr<ClassifierImpl> module_;
};

}  // namespace orderlens
