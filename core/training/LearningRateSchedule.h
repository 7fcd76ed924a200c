#pragma once

#include "experiment/ExperimentConfig.h"

namespace orderlens {

// The learning rate (and, for one-cycle, the momentum) of every optimiser step, as a closed
// function of the position in training, so a resumed run continues exactly where it stopped.
// Matches PyTorch's schedulers stepped the way the study steps them:
//   none     lr
//   cosine   CosineAnnealingLR(T_max = epochs, eta_min), stepped once per epoch
//   step     StepLR(step_size, gamma), stepped once per epoch
//   onecycle OneCycleLR(max_lr = lr, total_steps = epochs x batches) with its defaults,
//            stepped after every batch
class LearningRateSchedule {
public:
    LearningRateSchedule(const ExperimentConfig& config, int batchesPerEpoch);

    double learningRate(int epoch, int batch) const;
    // One-cycle cycles SGD's momentum (Adam's beta1) inversely to the learning rate; other
    // schedules leave it at the configured value (returned here for SGD, 0.9 for Adam's beta1).
    double momentum(int epoch, int batch) const;

    // PyTorch OneCycleLR defaults.
    static constexpr double kOneCyclePctStart = 0.3;
    static constexpr double kOneCycleDivFactor = 25.0;
    static constexpr double kOneCycleFinalDivFactor = 1e4;
    static constexpr double kOneCycleBaseMomentum = 0.85;
    static constexpr double kOneCycleMaxMomentum = 0.95;
    // torch.optim.Adam's default betas[0].
    static constexpr double kAdamBeta1 = 0.9;

private:
    // OneCycleLR's phase and fraction within it for a global step.
    double oneCyclePhase(int step, bool& rising) const;

    ExperimentConfig config_;
    int batchesPerEpoch_;
};

}  // namespace orderlens
