#pragma once

#include "analysis/CorrectnessBits.h"

#include <string>
#include <utility>
#include <vector>

namespace orderlens {

// "never" in the epoch columns below.
constexpr int kNeverLearned = -1;

// docs/DEFINITIONS.md 5, from the correctness bits alone. Epochs are the run's epoch numbers.
struct LearningEpochs {
    // First epoch e* with every selected network correct at every epoch >= e* of the range;
    // kNeverLearned when the last epoch of the range is not all-correct.
    std::vector<int> learnedEpoch;
    // First epoch where every selected network is correct (may be unlearned later).
    std::vector<int> firstAgreedEpoch;
    // The learned epoch of each network on its own: [network slot][image].
    std::vector<std::vector<int>> networkLearnedEpoch;
    // Forgetting events (Toneva et al., ICLR 2019): correct at e-1, incorrect at e, summed over
    // the selected networks (divide by their number for the mean).
    std::vector<int> forgettingEvents;
    // Fraction of (network, epoch) pairs correct: the data-map correctness.
    std::vector<double> correctness;
};

LearningEpochs computeLearningEpochs(const CorrectnessBits& bits);

// Training dynamics from the per-epoch probabilities and margins.
struct TrainingDynamics {
    // Data map (Swayamdipta et al., EMNLP 2020): mean p_true over epochs, and its standard
    // deviation over epochs. The std is the population one (divide by E), as the authors'
    // cartography code (np.std) computes it. Both are taken per network, then averaged over
    // the selected networks. NaN for multi-label runs (no p_true).
    std::vector<double> confidence;
    std::vector<double> variability;
    // Area under the margin (Pleiss et al., NeurIPS 2020): mean over networks and epochs of the
    // label logit minus the largest other logit.
    std::vector<double> aum;
};

// Reads p_true and margin of the selection from the run (one network at a time, so memory stays
// at a few doubles per image).
TrainingDynamics computeTrainingDynamics(const RunFile& run, const RecordSelection& selection);

// Everything per image for one record set, in the order of the split's images in the manifest.
struct ImageMeasures {
    RecordSelection selection;                 // resolved
    std::vector<std::size_t> manifestIndices;  // manifest index of each image of the split
    LearningEpochs epochs;
    TrainingDynamics dynamics;
};

ImageMeasures computeImageMeasures(const RunFile& run, const RecordSelection& selection);

// How "never learned" enters correlations and numeric columns.
enum class NeverLearnedPolicy {
    AfterLastEpoch,  // never = the end of the epoch range (learned "after" the last epoch); default
    Exclude,         // never = missing, the image drops out of correlations with that measure
};
NeverLearnedPolicy parseNeverLearnedPolicy(const std::string& name);  // "end" | "exclude"
const char* neverLearnedPolicyName(NeverLearnedPolicy policy);

// The per-image measures as named numeric columns, in the images.csv order: learned_epoch,
// first_agreed_epoch, forgetting_events, confidence, variability, correctness, aum.
std::vector<std::pair<std::string, std::vector<double>>> measureColumns(const ImageMeasures& measures,
                                                                        NeverLearnedPolicy never);

}  // namespace orderlens
