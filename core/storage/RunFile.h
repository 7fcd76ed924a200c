#pragma once

#include "dataset/Dataset.h"

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace orderlens {

// The per-image records of one network, one epoch and one split (DEFINITIONS.md 2), in the
// order of the split's images in the run's manifest.
struct SplitRecords {
    std::vector<std::uint8_t> correct;     // 0/1 per image
    std::vector<std::int64_t> predicted;   // class, or label bits (multi-label)
    std::vector<float> pTrue;              // softmax probability of the label (NaN multi-label)
    std::vector<float> margin;             // label logit minus the largest other logit
    std::vector<float> prob;               // images x classes, only with save_prob_vector
};

// What a network did in one epoch, besides the per-image records.
struct EpochSummary {
    double trainLoss = 0, trainAccuracy = 0;
    double testLoss = 0, testAccuracy = 0;
    double learningRate = 0;
    double seconds = 0;
};

enum class RecordSet { Train, Test, TrainEval };
const char* recordSetName(RecordSet set);  // "train", "test", "train_eval"
Split recordSetSplit(RecordSet set);

// The shape of a run's records, fixed when the run file is created.
struct RunShape {
    int networks = 0;
    int epochs = 0;
    int classes = 0;
    bool multiLabel = false;
    bool probVectors = false;
    bool evalTrain = false;
};

// The dataset as the run saw it: keys, splits, labels the networks trained on (after label
// corruption) and the true labels.
struct RunManifest {
    std::string name, source, fingerprint;
    std::vector<std::string> keys;
    std::vector<Split> splits;
    std::vector<std::int32_t> labels;      // what the networks saw
    std::vector<std::int32_t> trueLabels;  // before corruption
    std::vector<std::uint64_t> labelBits;  // multi-label only
    std::vector<std::string> classNames;
    std::vector<std::size_t> splitIndices(Split split) const;  // manifest indices of a split
};

// One experiment's HDF5 file (docs/FORMAT.md). Record arrays are allocated in full when the
// run is created, so appending an epoch writes raw data only and then bumps a per-network
// counter: a reader never sees half an epoch and a killed writer leaves every completed epoch
// intact. Opening a file that is not a run, or a newer layout, is an InputError.
class RunFile {
public:
    static constexpr int kLayoutVersion = 1;

    // Creates the file (atomically: written beside it, then renamed into place). `labels` are
    // the labels the networks see (after corruption), one per dataset image.
    static void create(const std::string& path, const std::string& configJson, const Dataset& dataset,
                       const std::vector<std::int32_t>& labels, const RunShape& shape,
                       const std::map<std::string, std::string>& provenance);

    explicit RunFile(const std::string& path);  // opens read-only; throws InputError
    ~RunFile();
    RunFile(RunFile&&) noexcept;
    RunFile& operator=(RunFile&&) noexcept;

    const std::string& path() const { return path_; }
    const RunShape& shape() const { return shape_; }
    const RunManifest& manifest() const { return manifest_; }
    const std::string& configJson() const { return configJson_; }
    const std::map<std::string, std::string>& provenance() const { return provenance_; }
    // Completed epochs per network (re-read from the file by refresh()).
    const std::vector<int>& epochsDone() const { return epochsDone_; }
    int completeEpochs() const;  // epochs completed by every network
    void refresh();

    // Throws InputError when the run was made from a different dataset.
    void checkDataset(const Dataset& dataset) const;

    // Writes one network's epoch: records for every record set the run has, the summary, then
    // the counter. Epochs must be written in order (epoch == epochsDone()[network]) or rewritten.
    void appendEpoch(int network, int epoch, const std::map<RecordSet, SplitRecords>& records,
                     const EpochSummary& summary);

    // Reading. Bit-packed correctness: bit i of byte i/8 (little-endian bit order) is image i.
    std::vector<std::uint8_t> readCorrectBits(RecordSet set, int network, int epoch) const;
    SplitRecords readRecords(RecordSet set, int network, int epoch) const;
    EpochSummary readSummary(int network, int epoch) const;
    bool hasRecordSet(RecordSet set) const;

    // Per-image metrics by name (one value per manifest image, NaN = missing).
    std::vector<std::string> metricNames() const;
    std::vector<double> readMetric(const std::string& name) const;
    // Metrics whose values are categories (attribute distinct_valued = 1), DEFINITIONS.md 4.
    std::set<std::string> distinctValuedMetrics() const;
    // Adds or replaces metric columns. The file is copied, changed and renamed into place, so a
    // crash leaves either the old or the new file.
    void writeMetrics(const std::map<std::string, std::vector<double>>& columns,
                      const std::set<std::string>& distinctValued = {});

private:
    void load();
    struct Handle;
    std::string path_;
    RunShape shape_;
    RunManifest manifest_;
    std::string configJson_;
    std::map<std::string, std::string> provenance_;
    std::vector<int> epochsDone_;
};

}  // namespace orderlens
