#pragma once

#include "analysis/RunAnalysis.h"
#include "browser/ImageTable.h"
#include "dataset/Dataset.h"

#include <QImage>
#include <QString>

#include <memory>
#include <string>
#include <vector>

namespace orderlens::ui {

// What one image's networks did along training: the network x epoch strip of the detail panel.
struct ImageRecords {
    std::vector<int> networks;         // the run's network numbers
    int firstEpoch = 0;
    int epochs = 0;
    std::vector<std::uint8_t> correct;  // [network slot * epochs + epoch slot], 0/1
    std::vector<float> pTrue;           // same layout; empty when the run is too large to keep it
    // Same layout: the class each network predicted (multi-label: the predicted label set, as
    // class names joined by ", "); empty when the run is too large to keep its predictions.
    std::vector<QString> predicted;
};

// Everything the browser, the detail panel and the explorer show about the images of one run:
// the run's analysis (docs/DEFINITIONS.md 3-5), the per-image table it sorts and filters, the records
// of every image and, when the run's dataset can be loaded, the pixels. Immutable once loaded,
// so views on several threads may share it.
class RunImages {
public:
    // p_true is kept for the detail strip while networks x epochs x images stays below this
    // (bytes, one per value); larger runs show correct/incorrect only.
    static constexpr std::size_t kProbabilityBudget = 256u << 20;
    // Predictions (8 bytes each: a class or the label bits) are kept below this many bytes.
    static constexpr std::size_t kPredictionBudget = 512u << 20;

    // Reads the run file, analyses it (correlation intervals are left to the explorer, which
    // computes them for the pair on screen) and loads its dataset from the run's configuration
    // (dataset, limit_train, limit_test). A dataset that cannot be loaded or does not match the
    // run is not an error: the images are then missing and datasetProblem() says why.
    // Throws InputError / ConfigError when the run itself cannot be read or has no epoch yet.
    static std::shared_ptr<const RunImages> load(const std::string& runPath);

    const RunAnalysis& analysis() const { return analysis_; }
    const ImageTable& table() const { return table_; }
    std::size_t size() const { return table_.size(); }
    const std::string& key(std::size_t i) const { return analysis_.keys[i]; }
    Split split(std::size_t i) const { return table_.splits[i]; }
    int label(std::size_t i) const { return table_.labels[i]; }
    QString className(std::size_t i) const;
    const std::vector<std::string>& classNames() const { return analysis_.classNames; }
    QString runName() const;

    // The split's analysis (agreement, measures, metrics), null when the split was not analysed.
    const SplitAnalysis* splitAnalysis(Split split) const;
    // The learned epoch of each selected network on its own (kNeverLearned = never).
    std::vector<int> networkLearnedEpochs(std::size_t i) const;
    int firstAgreedEpoch(std::size_t i) const;
    ImageRecords records(std::size_t i) const;
    // A stored prediction in the dataset's class names: the class, or for multi-label runs the
    // predicted label set ("none" when it is empty).
    QString predictionName(std::uint64_t predicted) const;
    bool multiLabel() const { return multiLabel_; }

    bool hasImages() const { return dataset_ != nullptr; }
    const std::string& datasetProblem() const { return datasetProblem_; }
    const Dataset* dataset() const { return dataset_.get(); }
    // The image as stored (grey or RGB, its own size); null without a dataset.
    QImage image(std::size_t i) const;
    // The seed in the run's configuration: crisp boundary maps drawn with it and the image's key
    // are the ones whose sums `orderlens metrics --run` stores.
    std::uint64_t seed() const { return seed_; }

private:
    RunImages() = default;

    RunAnalysis analysis_;
    ImageTable table_;
    std::shared_ptr<const Dataset> dataset_;
    std::string datasetProblem_;
    std::uint64_t seed_ = 0;
    // Per split slot of the analysis: each image's position within its split, the correctness
    // bits and (within budget) p_true quantised to a byte, [network][epoch][position].
    std::vector<int> splitSlot_;            // per image: index into analysis_.splits, -1 = none
    std::vector<std::uint32_t> position_;   // per image: position within its split
    std::vector<CorrectnessBits> bits_;     // per split slot
    std::vector<std::vector<std::uint8_t>> pTrue_;  // per split slot, empty over budget
    // Per split slot, the stored predictions in the same layout as pTrue_, empty over budget.
    std::vector<std::vector<std::uint64_t>> predicted_;
    bool multiLabel_ = false;
};

// The image statistic a view shows first: the study's first one (mean local entropy) when the
// run has it, else the first metric whose values are not all equal; empty without metrics.
std::string defaultMetric(const ImageTable& table);

// How a column is named on screen ("Learned-by-all epoch", "Mean local entropy") and on an axis
// (with its unit), from the figure builders' names (figures/Figures.h).
QString columnTitle(const ImageColumn& column);
QString columnAxisLabel(const ImageColumn& column);

// A grey or RGB 8-bit image view as a QImage (deep copy).
QImage toQImage(const ImageView& view);

}  // namespace orderlens::ui
