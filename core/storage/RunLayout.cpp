#include "storage/RunLayout.h"

#include "common/Numbering.h"
#include "storage/Hdf5Metadata.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>
#include <unistd.h>

namespace orderlens::runlayout {

using hdf5::check;
using hdf5::fail;
using hdf5::Id;

namespace {

constexpr unsigned kMetadataReadAttempts = 8;
// Reads of the datasets rewritten in place, retried this often when a write was caught half-done.
constexpr int kRewriteReadAttempts = 6;

// A record chunk holds at most this many values: one chunk per (network, epoch) row up to
// 16 MB of float32, so that one epoch of one network is one checksummed unit on disk.
constexpr hsize_t kMaxChunkValues = hsize_t(1) << 22;

// Chunked, Fletcher-32 checksummed, allocated as epochs are written (the file grows with the
// run instead of holding the whole run's space from the start).
Id createRecordDataset(hid_t loc, const std::string& name, hid_t type, const std::vector<hsize_t>& dims,
                       const std::string& path)
{
    Id space = check(H5Screate_simple(int(dims.size()), dims.data(), nullptr), H5Sclose, path, "cannot make a dataspace");
    Id dcpl = check(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, path, "cannot make a property list");
    std::vector<hsize_t> chunk(dims.size(), 1);
    hsize_t inner = 1;
    for (std::size_t d = 3; d < dims.size(); ++d) {
        chunk[d] = std::max<hsize_t>(dims[d], 1);
        inner *= chunk[d];
    }
    if (dims.size() >= 3)
        chunk[2] = std::clamp<hsize_t>(dims[2], 1, std::max<hsize_t>(kMaxChunkValues / inner, 1));
    check(H5Pset_chunk(dcpl, int(chunk.size()), chunk.data()), path, "cannot set chunking of '" + name + "'");
    check(H5Pset_fletcher32(dcpl), path, "cannot set the checksum filter");
    check(H5Pset_obj_track_times(dcpl, false), path, "cannot set dataset properties");
    return check(H5Dcreate2(loc, name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), H5Dclose, path,
                 "cannot create dataset '" + name + "'");
}

// Rewritten in place while readers read it (the counters, the writer announcement): one chunk,
// checksummed like everything else, so that damage is detected; a reader that catches a write
// half-done sees a checksum error and reads again (readSmall).
Id createRewritable(hid_t loc, const std::string& name, hid_t type, hsize_t n, const std::string& path)
{
    Id space = check(H5Screate_simple(1, &n, nullptr), H5Sclose, path, "cannot make a dataspace");
    Id dcpl = check(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, path, "cannot make a property list");
    check(H5Pset_chunk(dcpl, 1, &n), path, "cannot set chunking of '" + name + "'");
    check(H5Pset_fletcher32(dcpl), path, "cannot set the checksum filter");
    check(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY), path, "cannot set dataset allocation");
    check(H5Pset_obj_track_times(dcpl, false), path, "cannot set dataset properties");
    return check(H5Dcreate2(loc, name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), H5Dclose, path,
                 "cannot create dataset '" + name + "'");
}

hid_t predictedFileType(bool multiLabel) { return multiLabel ? H5T_STD_U64LE : H5T_STD_I32LE; }

}  // namespace

std::array<double*, 7> summaryFields(EpochSummary& s)
{
    return {&s.trainLoss, &s.trainAccuracy, &s.testLoss, &s.testAccuracy, &s.learningRate, &s.seconds, &s.finishedAt};
}

std::vector<RecordSet> recordSets(const RunShape& shape)
{
    std::vector<RecordSet> sets = {RecordSet::Train, RecordSet::Test};
    if (shape.evalTrain)
        sets.push_back(RecordSet::TrainEval);
    return sets;
}

std::size_t packedBytes(std::size_t images) { return (images + 7) / 8; }

std::uint64_t recordBytes(const RunManifest& manifest, const RunShape& shape)
{
    const std::uint64_t predictedBytes = shape.multiLabel ? 8 : 4;
    std::uint64_t perEpoch = kSummaryFields.size() * sizeof(double);
    for (RecordSet set : recordSets(shape)) {
        const std::uint64_t images = manifest.splitIndices(recordSetSplit(set)).size();
        perEpoch += packedBytes(images) + images * (predictedBytes + 2 * sizeof(float));
        if (shape.probVectors)
            perEpoch += images * std::uint64_t(shape.classes) * sizeof(float);
    }
    return std::uint64_t(shape.networks) * std::uint64_t(shape.epochs) * perEpoch;
}

Id fileAccess(Access access, const std::string& path)
{
    Id fapl = check(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, path, "cannot make a file access list");
    // OrderLens coordinates its writers itself (RunWriter's claim) and readers never block the
    // writer: HDF5's whole-file advisory locks would make a reader's open refuse the writer.
    check(H5Pset_file_locking(fapl, false, true), path, "cannot set file locking");
    if (access == Access::Read) {
        // SWMR readers re-read a metadata block whose checksum fails, in case the writer was
        // changing it; HDF5's default (100 attempts with growing pauses) turns a damaged block
        // into minutes of waiting. A torn read during a write heals in one or two attempts.
        check(H5Pset_metadata_read_attempts(fapl, kMetadataReadAttempts), path, "cannot set read attempts");
    }
    if (access == Access::Write || access == Access::Create)
        check(H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST), path, "cannot select the file format");
    if (access == Access::Write) {
        // A writer that was killed leaves HDF5's "open for writing" marks in the superblock; the
        // claim protocol has established that nobody writes, so they are cleared.
        hbool_t clear = true;
        check(H5Pset(fapl, "clear_status_flags", &clear), path, "cannot prepare taking over the file");
    }
    return fapl;
}

int superblockVersion(const std::string& path)
{
    static const char kSignature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
    char head[9] = {};
    std::ifstream in(path, std::ios::binary);
    in.read(head, sizeof head);
    if (!in || std::memcmp(head, kSignature, sizeof kSignature) != 0)
        return -1;
    return static_cast<unsigned char>(head[8]);
}

Id openRun(const std::string& path)
{
    hdf5::silence();
    const int sb = superblockVersion(path);
    if (sb < 0) {
        std::ifstream probe(path, std::ios::binary);
        if (!probe)
            fail(path, "run file not found or not readable");
        fail(path, "not an HDF5 file, so not an OrderLens run file");
    }
    // Superblock 3 is what layout 2 is written with; older superblocks are layout-1 files, whose
    // metadata has no checksum and is checked before HDF5 trusts it.
    const bool swmr = sb >= 3;
    hdf5::checkUnchecksummedMetadata(path);
    Id fapl = fileAccess(swmr ? Access::Read : Access::ReadLegacy, path);
    return check(H5Fopen(path.c_str(), swmr ? (H5F_ACC_RDONLY | H5F_ACC_SWMR_READ) : H5F_ACC_RDONLY, fapl), H5Fclose,
                 path, "cannot open the HDF5 file (damaged or truncated)");
}

namespace {

// /records, /summary and /writer: what a writer fills and announces itself in.
void writeRecordTree(hid_t file, const RunManifest& manifest, const RunShape& shape, const std::string& path)
{
    Id rec = hdf5::createGroup(file, "records", path);
    hdf5::writeIntAttr(rec, "networks", shape.networks, path);
    hdf5::writeIntAttr(rec, "epochs", shape.epochs, path);
    hdf5::writeIntAttr(rec, "classes", shape.classes, path);
    hdf5::writeIntAttr(rec, "multi_label", shape.multiLabel ? 1 : 0, path);
    hdf5::writeIntAttr(rec, "prob_vectors", shape.probVectors ? 1 : 0, path);
    hdf5::writeIntAttr(rec, "eval_train", shape.evalTrain ? 1 : 0, path);
    const hsize_t N = hsize_t(shape.networks), E = hsize_t(shape.epochs);
    {
        Id done = createRewritable(rec, "epochs_done", H5T_STD_I32LE, N, path);
        const std::vector<std::int32_t> zeros(std::size_t(shape.networks), 0);
        check(H5Dwrite(done, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros.data()), path,
              "cannot write records/epochs_done");
        hdf5::closeWritten(done, "records/epochs_done", path);
    }
    for (RecordSet set : recordSets(shape)) {
        std::size_t images = 0;
        for (Split s : manifest.splits)
            images += s == recordSetSplit(set) ? 1 : 0;
        const hsize_t I = images;
        Id g = hdf5::createGroup(rec, recordSetName(set), path);
        hdf5::writeIntAttr(g, "images", static_cast<long long>(I), path);
        createRecordDataset(g, "correct", H5T_STD_U8LE, {N, E, packedBytes(images)}, path);
        createRecordDataset(g, "predicted", predictedFileType(shape.multiLabel), {N, E, I}, path);
        createRecordDataset(g, "p_true", H5T_IEEE_F32LE, {N, E, I}, path);
        createRecordDataset(g, "margin", H5T_IEEE_F32LE, {N, E, I}, path);
        if (shape.probVectors)
            createRecordDataset(g, "prob", H5T_IEEE_F32LE, {N, E, I, hsize_t(shape.classes)}, path);
    }
    Id summary = hdf5::createGroup(file, "summary", path);
    for (const char* name : kSummaryFields)
        createRecordDataset(summary, name, H5T_IEEE_F64LE, {N, E}, path);
    Id type = writerType(path);
    createRewritable(file, "writer", type, 1, path);
    writeWriterRecord(file, RunWriterInfo{}, path);
}

void writeProvenance(hid_t file, const std::map<std::string, std::string>& provenance, const std::string& path)
{
    Id prov = hdf5::createGroup(file, "provenance", path);
    for (const auto& [k, v] : provenance)
        hdf5::writeStringAttr(prov, k, v, path);
}

Id createFile(const std::string& path)
{
    hdf5::silence();
    return check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fileAccess(Access::Create, path)), H5Fclose, path,
                 "cannot create file (permissions? disk full?)");
}

void closeNewFile(Id& file, const std::string& path)
{
    hdf5::syncToDisk(file, path);
    if (!file.close())
        fail(path, "cannot close the new file (disk full?)");
}

}  // namespace

void writeNewRun(const std::string& path, const std::string& configJson, const RunManifest& manifest,
                 const RunShape& shape, const std::map<std::string, std::string>& provenance,
                 const std::map<std::string, std::vector<double>>& metrics, const std::set<std::string>& distinctValued,
                 const std::string& runId)
{
    Id file = createFile(path);
    hdf5::writeStringAttr(file, "format", kFormatName, path);
    hdf5::writeIntAttr(file, "layout_version", RunFile::kLayoutVersion, path);
    if (!runId.empty()) {
        hdf5::writeIntAttr(file, "network_parts", 1, path);
        hdf5::writeStringAttr(file, "run_id", runId, path);
    }
    hdf5::writeScalarString(file, "config", configJson, path);
    writeProvenance(file, provenance, path);

    const std::size_t n = manifest.keys.size();
    Id ds = hdf5::createGroup(file, "dataset", path);
    hdf5::writeStringAttr(ds, "name", manifest.name, path);
    hdf5::writeStringAttr(ds, "source", manifest.source, path);
    hdf5::writeStringAttr(ds, "fingerprint", manifest.fingerprint, path);
    hdf5::writeIntAttr(ds, "multi_label", shape.multiLabel ? 1 : 0, path);
    std::vector<std::uint8_t> splits(n);
    for (std::size_t i = 0; i < n; ++i)
        splits[i] = std::uint8_t(manifest.splits[i]);
    hdf5::writeStrings(ds, "keys", manifest.keys, path);
    hdf5::writeArray(ds, "split", H5T_STD_U8LE, H5T_NATIVE_UINT8, splits, path);
    hdf5::writeArray(ds, "label", H5T_STD_I32LE, H5T_NATIVE_INT32, manifest.labels, path);
    hdf5::writeArray(ds, "true_label", H5T_STD_I32LE, H5T_NATIVE_INT32, manifest.trueLabels, path);
    if (shape.multiLabel)
        hdf5::writeArray(ds, "label_bits", H5T_STD_U64LE, H5T_NATIVE_UINT64, manifest.labelBits, path);
    hdf5::writeStrings(ds, "class_names", manifest.classNames, path);

    writeRecordTree(file, manifest, shape, path);
    writeMetricGroup(file, path, metrics, distinctValued);
    closeNewFile(file, path);
}

void writeNewPart(const std::string& path, const std::string& runId, int network, const std::string& runFileName,
                  const RunManifest& manifest, const RunShape& shape,
                  const std::map<std::string, std::string>& provenance)
{
    Id file = createFile(path);
    hdf5::writeStringAttr(file, "format", kPartFormatName, path);
    hdf5::writeIntAttr(file, "layout_version", RunFile::kLayoutVersion, path);
    hdf5::writeStringAttr(file, "run_id", runId, path);
    hdf5::writeIntAttr(file, "network", network, path);
    hdf5::writeStringAttr(file, "run_file", runFileName, path);
    writeProvenance(file, provenance, path);
    writeRecordTree(file, manifest, shape, path);
    closeNewFile(file, path);
}

void readMetricGroup(hid_t file, const std::string& path, std::map<std::string, std::vector<double>>& columns,
                     std::set<std::string>& distinct, std::size_t images)
{
    if (!hdf5::exists(file, "metrics"))
        return;
    Id g = hdf5::openGroup(file, "metrics", path);
    for (const std::string& name : hdf5::linkNames(g, path)) {
        columns[name] = hdf5::readArray<double>(g, name, H5T_NATIVE_DOUBLE, path, static_cast<long long>(images));
        Id ds = hdf5::openDataset(g, name, path);
        if (H5Aexists(ds, "distinct_valued") > 0 && hdf5::readIntAttr(ds, "distinct_valued", path) != 0)
            distinct.insert(name);
    }
}

void writeMetricGroup(hid_t file, const std::string& path, const std::map<std::string, std::vector<double>>& columns,
                      const std::set<std::string>& distinct)
{
    Id g = hdf5::createGroup(file, "metrics", path);
    for (const auto& [name, values] : columns) {
        hdf5::writeArray(g, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values, path);
        Id column = hdf5::openDataset(g, name, path);
        hdf5::writeIntAttr(column, "distinct_valued", distinct.count(name) ? 1 : 0, path);
    }
}

void accessRow(hid_t group, const std::string& name, hid_t memType, int network, int epoch, void* data, bool write,
               const std::string& path)
{
    Id ds = hdf5::openDataset(group, name, path);
    Id space = check(H5Dget_space(ds), H5Sclose, path, "cannot read the shape of '" + name + "'");
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank < 2 || rank > 4)
        fail(path, "dataset '" + name + "' has " + std::to_string(rank) + " dimensions (damaged file?)");
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    check(H5Sget_simple_extent_dims(space, dims.data(), nullptr), path, "cannot read the shape of '" + name + "'");
    if (hsize_t(network) >= dims[0] || hsize_t(epoch) >= dims[1])
        fail(path, "dataset '" + name + "' has no row for " + networkIndexText(network) + ", epoch " +
                       std::to_string(epoch));
    std::vector<hsize_t> start(dims.size(), 0), count = dims;
    start[0] = hsize_t(network);
    start[1] = hsize_t(epoch);
    count[0] = count[1] = 1;
    check(H5Sselect_hyperslab(space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr), path,
          "cannot select a row of '" + name + "'");
    Id mem = check(H5Screate_simple(rank, count.data(), nullptr), H5Sclose, path, "cannot make a dataspace");
    const herr_t st = write ? H5Dwrite(ds, memType, mem, space, H5P_DEFAULT, data)
                            : H5Dread(ds, memType, mem, space, H5P_DEFAULT, data);
    check(st, path,
          std::string(write ? "cannot write " : "cannot read ") + name + " of " + networkIndexText(network) +
              ", epoch " + std::to_string(epoch) + (write ? "" : " (damaged file: checksum or read error)"));
    if (write)
        hdf5::closeWritten(ds, name + " of " + networkIndexText(network) + ", epoch " + std::to_string(epoch), path);
}

void writeEpochRows(hid_t file, const RunManifest& manifest, const RunShape& shape, int layoutVersion, int network,
                    int epoch, const std::map<RecordSet, SplitRecords>& records, const EpochSummary& summary,
                    const std::string& path)
{
    Id rec = hdf5::openGroup(file, "records", path);
    for (RecordSet set : recordSets(shape)) {
        auto it = records.find(set);
        if (it == records.end())
            throw Error(std::string("RunWriter::appendEpoch: records for ") + recordSetName(set) + " missing");
        const SplitRecords& r = it->second;
        const std::size_t images = manifest.splitIndices(recordSetSplit(set)).size();
        if (r.correct.size() != images || r.predicted.size() != images || r.pTrue.size() != images ||
            r.margin.size() != images)
            throw Error(std::string("RunWriter::appendEpoch: ") + recordSetName(set) + " records have the wrong length");
        if (shape.probVectors && r.prob.size() != images * std::size_t(shape.classes))
            throw Error("RunWriter::appendEpoch: probability vectors have the wrong length");
        std::vector<std::uint8_t> packed(packedBytes(images), 0);
        for (std::size_t i = 0; i < images; ++i)
            if (r.correct[i])
                packed[i / 8] |= std::uint8_t(1u << (i % 8));
        Id g = hdf5::openGroup(rec, recordSetName(set), path);
        accessRow(g, "correct", H5T_NATIVE_UINT8, network, epoch, packed.data(), true, path);
        if (shape.multiLabel) {
            std::vector<std::uint64_t> bits(r.predicted.begin(), r.predicted.end());
            accessRow(g, "predicted", H5T_NATIVE_UINT64, network, epoch, bits.data(), true, path);
        } else {
            std::vector<std::int32_t> cls(r.predicted.begin(), r.predicted.end());
            accessRow(g, "predicted", H5T_NATIVE_INT32, network, epoch, cls.data(), true, path);
        }
        accessRow(g, "p_true", H5T_NATIVE_FLOAT, network, epoch, const_cast<float*>(r.pTrue.data()), true, path);
        accessRow(g, "margin", H5T_NATIVE_FLOAT, network, epoch, const_cast<float*>(r.margin.data()), true, path);
        if (shape.probVectors)
            accessRow(g, "prob", H5T_NATIVE_FLOAT, network, epoch, const_cast<float*>(r.prob.data()), true, path);
    }
    Id sum = hdf5::openGroup(file, "summary", path);
    EpochSummary s = summary;
    const auto fields = summaryFields(s);
    const std::size_t count = layoutVersion >= 2 ? fields.size() : fields.size() - 1;
    for (std::size_t k = 0; k < count; ++k)
        accessRow(sum, kSummaryFields[k], H5T_NATIVE_DOUBLE, network, epoch, fields[k], true, path);
}

void writeEpochsDone(hid_t file, int network, int done, const std::string& path)
{
    Id counter = hdf5::openDataset(file, "records/epochs_done", path);
    Id space = check(H5Dget_space(counter), H5Sclose, path, "cannot read the shape of records/epochs_done");
    const hsize_t start = hsize_t(network), count = 1;
    check(H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, nullptr, &count, nullptr), path,
          "cannot select in records/epochs_done");
    Id mem = check(H5Screate_simple(1, &count, nullptr), H5Sclose, path, "cannot make a dataspace");
    const std::int32_t value = done;
    check(H5Dwrite(counter, H5T_NATIVE_INT32, mem, space, H5P_DEFAULT, &value), path, "cannot update records/epochs_done");
    hdf5::closeWritten(counter, "records/epochs_done", path);
}

Id writerType(const std::string& path)
{
    Id host = check(H5Tcopy(H5T_C_S1), H5Tclose, path, "cannot make a string type");
    check(H5Tset_size(host, sizeof(WriterRecord::host)), path, "cannot size a string type");
    check(H5Tset_strpad(host, H5T_STR_NULLPAD), path, "cannot set string padding");
    Id t = check(H5Tcreate(H5T_COMPOUND, sizeof(WriterRecord)), H5Tclose, path, "cannot make the writer type");
    check(H5Tinsert(t, "host", HOFFSET(WriterRecord, host), host), path, "cannot make the writer type");
    check(H5Tinsert(t, "pid", HOFFSET(WriterRecord, pid), H5T_NATIVE_LLONG), path, "cannot make the writer type");
    check(H5Tinsert(t, "started", HOFFSET(WriterRecord, started), H5T_NATIVE_DOUBLE), path, "cannot make the writer type");
    check(H5Tinsert(t, "heartbeat", HOFFSET(WriterRecord, heartbeat), H5T_NATIVE_DOUBLE), path,
          "cannot make the writer type");
    check(H5Tinsert(t, "active", HOFFSET(WriterRecord, active), H5T_NATIVE_INT), path, "cannot make the writer type");
    return t;
}

void writeWriterRecord(hid_t file, const RunWriterInfo& info, const std::string& path)
{
    WriterRecord r{};
    std::strncpy(r.host, info.host.c_str(), sizeof r.host - 1);
    r.pid = info.pid;
    r.started = info.started;
    r.heartbeat = info.heartbeat;
    r.active = info.active ? 1 : 0;
    Id ds = hdf5::openDataset(file, "writer", path);
    Id type = writerType(path);
    check(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &r), path, "cannot write the writer announcement");
    check(H5Dflush(ds), path, "cannot flush the writer announcement");
    hdf5::closeWritten(ds, "writer", path);
}

void readSmall(hid_t loc, const std::string& name, hid_t memType, void* out, const std::string& path)
{
    Id ds = hdf5::openDataset(loc, name, path);
    for (int attempt = 1;; ++attempt) {
        if (H5Dread(ds, memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0)
            return;
        if (attempt == kRewriteReadAttempts)
            fail(path, "cannot read '" + name + "' (damaged file: checksum or read error)");
        std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
    }
}

RunWriterInfo readWriterRecord(hid_t file, const std::string& path)
{
    RunWriterInfo info;
    if (!hdf5::exists(file, "writer"))
        return info;  // layout 1
    Id ds = hdf5::openDataset(file, "writer", path);
    if (hdf5::dimensions(ds, 1, "writer", path)[0] != 1)
        fail(path, "the writer announcement has the wrong shape (damaged file?)");
    Id type = writerType(path);
    WriterRecord r{};
    readSmall(file, "writer", type, &r, path);
    r.host[sizeof r.host - 1] = '\0';
    info.active = r.active != 0;
    info.host = r.host;
    info.pid = r.pid;
    info.started = r.started;
    info.heartbeat = r.heartbeat;
    return info;
}

std::string hostName()
{
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0)
        return "unknown";
    return buf;
}

double unixNow()
{
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace orderlens::runlayout
