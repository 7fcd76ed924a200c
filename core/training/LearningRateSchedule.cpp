#include "training/LearningRateSchedule.h"

#include "common/Errors.h"

#include <algorithm>
#include <cmath>

namespace orderlens {

namespace {

constexpr double kPi = 3.14159265358979323846;

// OneCycleLR's anneal_strategy='cos': from start (pct 0) to end (pct 1).
double cosineAnneal(double start, double end, double pct) { return end + (start - end) / 2.0 * (std::cos(kPi * pct) + 1); }

}  // namespace

LearningRateSchedule::LearningRateSchedule(const ExperimentConfig& config, int batchesPerEpoch)
    : config_(config), batchesPerEpoch_(batchesPerEpoch)
{
    if (batchesPerEpoch < 1)
        throw ConfigError("a training epoch needs at least one batch");
}

double LearningRateSchedule::oneCyclePhase(int step, bool& rising) const
{
    const double total = double(config_.epochs) * batchesPerEpoch_;
    // As in OneCycleLR (three_phase=False): phase ends at float(pct_start * total) - 1 and total - 1.
    const double endRise = kOneCyclePctStart * total - 1;
    const double endFall = total - 1;
    if (step <= endRise) {
        rising = true;
        return endRise > 0 ? step / endRise : 1.0;
    }
    rising = false;
    return endFall > endRise ? (step - endRise) / (endFall - endRise) : 1.0;
}

double LearningRateSchedule::learningRate(int epoch, int batch) const
{
    const double lr = config_.lr;
    if (config_.scheduler == "cosine")
        return config_.etaMin + (lr - config_.etaMin) * (1 + std::cos(kPi * epoch / config_.epochs)) / 2;
    if (config_.scheduler == "step")
        return lr * std::pow(config_.stepGamma, epoch / config_.stepSize);
    if (config_.scheduler == "onecycle") {
        const double initial = lr / kOneCycleDivFactor;
        const double minimum = initial / kOneCycleFinalDivFactor;
        bool rising = false;
        const double pct = oneCyclePhase(epoch * batchesPerEpoch_ + batch, rising);
        return rising ? cosineAnneal(initial, lr, pct) : cosineAnneal(lr, minimum, pct);
    }
    return lr;
}

double LearningRateSchedule::momentum(int epoch, int batch) const
{
    if (config_.scheduler == "onecycle") {
        bool rising = false;
        const double pct = oneCyclePhase(epoch * batchesPerEpoch_ + batch, rising);
        return rising ? cosineAnneal(kOneCycleMaxMomentum, kOneCycleBaseMomentum, pct)
                      : cosineAnneal(kOneCycleBaseMomentum, kOneCycleMaxMomentum, pct);
    }
    return config_.optimizer == "adam" ? kAdamBeta1 : config_.momentum;
}

}  // namespace orderlens
