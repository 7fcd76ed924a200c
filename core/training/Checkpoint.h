#pragma once

// The per-network training state beside a run file. LibTorch's types are only declared here:
// the header does not pull LibTorch into the files that include it.

#include <optional>
#include <string>

namespace c10 {
struct Device;
}
namespace torch {
namespace nn {
class Module;
}
namespace optim {
class Optimizer;
}
}  // namespace torch

namespace orderlens {

// One network's state after a completed epoch: model parameters and buffers, optimiser state
// (momentum / Adam moments) and the number of epochs it covers. The learning-rate schedule,
// batch order, augmentation and dropout are functions of (seed, network, epoch), so the epoch
// count is their whole position. Files live in RUN.h5.ckpt/network-N.pt and are replaced
// atomically (written to a temporary file, flushed, renamed).
class Checkpoint {
public:
    static std::string directory(const std::string& runPath);
    static std::string file(const std::string& runPath, int network);

    static void save(const std::string& runPath, int network, int epochsDone, torch::nn::Module& model,
                     torch::optim::Optimizer& optimizer);
    // Loads into model and optimizer (on `device`) and returns the epochs it covers; nullopt
    // when there is no checkpoint for the network. A damaged file is an InputError.
    static std::optional<int> load(const std::string& runPath, int network, torch::nn::Module& model,
                                   torch::optim::Optimizer& optimizer, const c10::Device& device);
    // The epochs the network's checkpoint covers, without loading it into a model; nullopt when
    // there is none. A damaged file is an InputError.
    static std::optional<int> epochsCovered(const std::string& runPath, int network);
    // Removes RUN.h5.ckpt/ (when a run is overwritten, or finished and no longer resumable).
    static void remove(const std::string& runPath);
    // Removes the temporary files of checkpoints whose writing a killed process left unfinished.
    static void removeUnfinished(const std::string& runPath);
    // Removes one network's checkpoint (a task whose network completed, or that starts anew).
    static void remove(const std::string& runPath, int network);
};

}  // namespace orderlens
