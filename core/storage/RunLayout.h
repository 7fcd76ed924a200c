#pragma once

// The run file's layout (docs/FORMAT.md), shared by the reader, the writer, the upgrade and the
// verifier. Internal to core/storage.

#include "storage/Hdf5.h"
#include "storage/RunFile.h"

#include <array>
#include <map>
#include <string>
#include <vector>

namespace orderlens::runlayout {

constexpr const char* kFormatName = "orderlens-run";
// One network's records of a run trained as tasks (RUN.part-K.h5 beside RUN.h5).
constexpr const char* kPartFormatName = "orderlens-run-part";
constexpr const char* kStatisticsFormatName = "orderlens-statistics";
constexpr int kStatisticsLayoutVersion = 1;

// Per (network, epoch) summary values, in EpochSummary order; finished_at is layout 2 only.
constexpr std::array<const char*, 7> kSummaryFields = {"train_loss",    "train_accuracy", "test_loss",
                                                       "test_accuracy", "learning_rate",  "seconds",
                                                       "finished_at"};
std::array<double*, 7> summaryFields(EpochSummary& s);

// The record arrays of a record set: (name, values per image; 0 = bit-packed).
std::vector<RecordSet> recordSets(const RunShape& shape);
std::size_t packedBytes(std::size_t images);

// How a file is opened. Layout-2 readers use HDF5's SWMR-read mode, which sees a consistent
// file while its writer appends and also after that writer was killed.
enum class Access { Read, ReadLegacy, Write, Create };
hdf5::Id fileAccess(Access access, const std::string& path);
// Layout version as the file's superblock suggests it (0 = not HDF5), read without HDF5.
int superblockVersion(const std::string& path);
hdf5::Id openRun(const std::string& path);  // read-only, the right mode for the file's layout

// Bytes the records and summaries of a whole run take on disk (they are not compressed, so this
// is exact up to HDF5's chunk index): what must be free before the run is created.
std::uint64_t recordBytes(const RunManifest& manifest, const RunShape& shape);

// Writes a new layout-2 run (not yet renamed into place): everything but the records. A run
// trained as tasks has a `runId`: its root then says so (attributes network_parts and run_id)
// and its records stay empty, each network's being in its part.
void writeNewRun(const std::string& path, const std::string& configJson, const RunManifest& manifest,
                 const RunShape& shape, const std::map<std::string, std::string>& provenance,
                 const std::map<std::string, std::vector<double>>& metrics, const std::set<std::string>& distinctValued,
                 const std::string& runId = {});
// Writes network's part of a run trained as tasks (not yet in place): the records tree of the
// run's shape, of which only the network's rows are ever written, a writer announcement and
// the provenance of the process that trains it.
void writeNewPart(const std::string& path, const std::string& runId, int network, const std::string& runFileName,
                  const RunManifest& manifest, const RunShape& shape,
                  const std::map<std::string, std::string>& provenance);

// A file's /metrics group: one float64 column per statistic, attribute distinct_valued = 1 for
// categorical ones. Reading a file without the group adds nothing.
void readMetricGroup(hid_t file, const std::string& path, std::map<std::string, std::vector<double>>& columns,
                     std::set<std::string>& distinct, std::size_t images);
void writeMetricGroup(hid_t file, const std::string& path, const std::map<std::string, std::vector<double>>& columns,
                      const std::set<std::string>& distinct);

// Writes row (network, epoch) of a record or summary dataset, or reads it.
void accessRow(hid_t group, const std::string& name, hid_t memType, int network, int epoch, void* data, bool write,
               const std::string& path);

// Writes one epoch's records and summary (not the counter).
void writeEpochRows(hid_t file, const RunManifest& manifest, const RunShape& shape, int layoutVersion, int network,
                    int epoch, const std::map<RecordSet, SplitRecords>& records, const EpochSummary& summary,
                    const std::string& path);
// Reads a small dataset that a live writer rewrites in place (retrying a half-done write).
void readSmall(hid_t loc, const std::string& name, hid_t memType, void* out, const std::string& path);
// Sets records/epochs_done[network].
void writeEpochsDone(hid_t file, int network, int done, const std::string& path);

// The writer announcement (layout 2): a one-element compound dataset /writer.
struct WriterRecord {
    char host[64];
    long long pid;
    double started;
    double heartbeat;
    int active;
};
hdf5::Id writerType(const std::string& path);
void writeWriterRecord(hid_t file, const RunWriterInfo& info, const std::string& path);
RunWriterInfo readWriterRecord(hid_t file, const std::string& path);

std::string hostName();
double unixNow();

}  // namespace orderlens::runlayout
