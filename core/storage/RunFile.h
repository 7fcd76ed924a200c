#pragma once

#include "common/Errors.h"
#include "dataset/Dataset.h"

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace orderlens {

// The per-image records of one network, one epoch and one split (docs/DEFINITIONS.md 2), in the
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
    double finishedAt = 0;  // when the epoch was written, seconds since 1970 (0 = unknown: layout 1)
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

// The process that writes a run (layout 2), as it announced itself in the file. A writer
// refreshes its heartbeat every kHeartbeatSeconds; a claim is stale when its process is gone
// (same host) or its heartbeat is older than kStaleWriterSeconds (another host).
struct RunWriterInfo {
    static constexpr double kHeartbeatSeconds = 5;
    static constexpr double kStaleWriterSeconds = 120;

    bool active = false;  // announced and not released
    std::string host;
    std::int64_t pid = 0;
    double started = 0, heartbeat = 0;  // seconds since 1970

    // Active and not stale: another writer must not start.
    bool live() const;
    bool isThisProcess() const;
    std::string describe() const;  // "HOST:PID"
};

// A second writer tried to open a run that a live writer holds.
class WriterBusyError : public InputError {
public:
    WriterBusyError(const std::string& path, const RunWriterInfo& writer);
    const RunWriterInfo& writer() const { return writer_; }

private:
    RunWriterInfo writer_;
};

class RunWriter;

// One experiment's HDF5 file (docs/FORMAT.md). Layout 2 is written by exactly one RunWriter in
// HDF5's single-writer/multiple-reader mode while any number of RunFile readers, in this or
// other processes, read it: a reader sees an epoch only after its records and summary are on
// disk (the per-network counter is raised last), every record chunk carries a Fletcher-32
// checksum and all metadata carries HDF5's own checksums, so a damaged file is an InputError,
// never a crash. Statistics live in a file beside the run (statisticsPath()), replaced whole,
// so adding them never copies or rewrites the records. Layout 1 files open read-only.
class RunFile {
public:
    static constexpr int kLayoutVersion = 2;

    // Creates the file (atomically: written beside it, then renamed into place). `labels` are
    // the labels the networks see (after corruption), one per dataset image.
    static void create(const std::string& path, const std::string& configJson, const Dataset& dataset,
                       const std::vector<std::int32_t>& labels, const RunShape& shape,
                       const std::map<std::string, std::string>& provenance);

    // Runs trained as tasks (`orderlens train --task K`, docs/FORMAT.md): the run file holds the
    // configuration and the dataset, and network K's records live in its part RUN.part-K.h5,
    // written by that task alone. Readers see the parts as one run. Creates such a run file
    // unless one exists (several tasks may start at once on different hosts: exactly one
    // creates it, atomically); returns false when it existed. Parts left by an earlier run of
    // the same name are removed.
    static bool createForTasks(const std::string& path, const std::string& configJson, const Dataset& dataset,
                               const std::vector<std::int32_t>& labels, const RunShape& shape,
                               const std::map<std::string, std::string>& provenance);
    // Creates network's part unless it exists (then returns false).
    bool createPart(int network, const std::map<std::string, std::string>& provenance) const;
    bool madeOfParts() const { return !runId_.empty(); }
    // RUN.part-K.h5 beside RUN.h5 (RUN.part-K.h5 beside any other name RUN).
    static std::string partPathFor(const std::string& runPath, int network);
    // Whether a file name is that of a part (NAME.part-K.h5), which is no run of its own.
    static bool isPartPath(const std::string& path);
    // The file holding network's records: its part, or the run file itself.
    std::string recordsPath(int network) const;
    // The writer announced in network's part (inactive when the part does not exist yet).
    RunWriterInfo partWriter(int network) const;

    explicit RunFile(const std::string& path);  // opens read-only; throws InputError
    int layoutVersion() const { return layoutVersion_; }
    // The file holding the run's statistics columns (it need not exist yet): RUN.stats.h5 beside
    // RUN.h5 (move and copy the two together). It names the run's dataset fingerprint, so a
    // statistics file that belongs to another run is refused.
    std::string statisticsPath() const;
    static std::string statisticsPathFor(const std::string& runPath);
    // The writer announced in the file, read now (inactive for layout 1). A run made of parts:
    // a live writer of one of them, else the one heard of last.
    RunWriterInfo writer() const;
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

    // Writes one epoch through a RunWriter held for this call only (see RunWriter::appendEpoch).
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
    // Metrics whose values are categories (attribute distinct_valued = 1), docs/DEFINITIONS.md 4.
    std::set<std::string> distinctValuedMetrics() const;
    // Adds or replaces metric columns in the statistics file (statisticsPath()): the columns it
    // had and the new ones are written to a new file that replaces it, so a crash leaves the old
    // statistics or the new ones. The run file itself is never touched, also while it is trained.
    void writeMetrics(const std::map<std::string, std::vector<double>>& columns,
                      const std::set<std::string>& distinctValued = {});

private:
    friend class RunWriter;
    void load();
    void refresh(long long file);
    void checkCompleted(int network, int epoch) const;
    void readAllMetrics(std::map<std::string, std::vector<double>>& columns, std::set<std::string>& distinct) const;
    void readStatistics(std::map<std::string, std::vector<double>>& columns, std::set<std::string>& distinct) const;
    void removeStaleParts() const;
    void removeForeignStatistics() const;
    int partEpochsDone(int network) const;  // 0 when the part does not exist yet
    std::string path_;
    std::string runId_;  // runs trained as tasks only
    int layoutVersion_ = 0;
    RunShape shape_;
    RunManifest manifest_;
    std::string configJson_;
    std::map<std::string, std::string> provenance_;
    std::vector<int> epochsDone_;
};

// The single writer of a layout-2 run. Constructing it claims the run: it refuses (with
// WriterBusyError naming host and process) while another live writer holds it, takes over the
// claim of a writer that was killed, opens the file in HDF5's SWMR-write mode and keeps a
// heartbeat until it is destroyed, which releases the claim.
class RunWriter {
public:
    explicit RunWriter(const std::string& path);
    // The writer of network's part of a run trained as tasks (the part must exist): claims the
    // part, and writes that network only.
    RunWriter(const std::string& runPath, int network);
    ~RunWriter();
    RunWriter(const RunWriter&) = delete;
    RunWriter& operator=(const RunWriter&) = delete;

    const std::string& path() const;  // the file written: the run, or the part
    // Writes one network's epoch: records for every record set the run has and the summary,
    // flushed to disk, then the counter that makes the epoch visible. Epochs are written in
    // order (epoch == epochs done) or rewritten (a resumed network replays its last epoch).
    void appendEpoch(int network, int epoch, const std::map<RecordSet, SplitRecords>& records,
                     const EpochSummary& summary);
    const std::vector<int>& epochsDone() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Layout 1 -> 2: writes the run as layout 2 beside it, keeps the original as PATH.v1-backup
// until the new file is complete and in place, then removes the backup unless `keepBackup`.
void upgradeRunFile(const std::string& path, bool keepBackup);

}  // namespace orderlens
