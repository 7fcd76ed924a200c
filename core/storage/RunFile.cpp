#include "storage/RunFile.h"

#include "common/Errors.h"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace orderlens {

namespace {

constexpr const char* kFormatName = "orderlens-run";

// Owns one HDF5 identifier and closes it with the right function.
class Id {
public:
    Id() = default;
    Id(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
    Id(const Id&) = delete;
    Id& operator=(const Id&) = delete;
    Id(Id&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = H5I_INVALID_HID; }
    Id& operator=(Id&& o) noexcept
    {
        std::swap(id_, o.id_);
        std::swap(close_, o.close_);
        return *this;
    }
    ~Id()
    {
        if (id_ >= 0 && close_)
            close_(id_);
    }
    operator hid_t() const { return id_; }
    bool valid() const { return id_ >= 0; }

private:
    hid_t id_ = H5I_INVALID_HID;
    herr_t (*close_)(hid_t) = nullptr;
};

// HDF5 prints an error stack to stderr by default; we turn failures into exceptions instead.
void silenceHdf5()
{
    static const bool done = [] {
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        return true;
    }();
    (void)done;
}

[[noreturn]] void fail(const std::string& path, const std::string& what)
{
    throw InputError(path, what);
}

Id check(hid_t id, herr_t (*close)(hid_t), const std::string& path, const std::string& what)
{
    if (id < 0)
        fail(path, what);
    return Id(id, close);
}

void checkStatus(herr_t status, const std::string& path, const std::string& what)
{
    if (status < 0)
        fail(path, what);
}

Id stringType()
{
    Id t(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

bool exists(hid_t loc, const char* name) { return H5Lexists(loc, name, H5P_DEFAULT) > 0; }

void writeStringAttr(hid_t obj, const char* name, const std::string& value)
{
    Id type = stringType();
    Id space(H5Screate(H5S_SCALAR), H5Sclose);
    if (H5Aexists(obj, name) > 0)
        H5Adelete(obj, name);
    Id attr(H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    const char* p = value.c_str();
    H5Awrite(attr, type, &p);
}

void writeIntAttr(hid_t obj, const char* name, long long value)
{
    Id space(H5Screate(H5S_SCALAR), H5Sclose);
    Id attr(H5Acreate2(obj, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    H5Awrite(attr, H5T_NATIVE_LLONG, &value);
}

std::string readStringAttr(hid_t obj, const char* name, const std::string& path)
{
    if (H5Aexists(obj, name) <= 0)
        fail(path, std::string("missing attribute '") + name + "'");
    Id attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
    Id fileType(H5Aget_type(attr), H5Tclose);
    if (H5Tget_class(fileType) != H5T_STRING)
        fail(path, std::string("attribute '") + name + "' is not a string");
    if (H5Tis_variable_str(fileType) > 0) {
        Id type = stringType();
        char* p = nullptr;
        checkStatus(H5Aread(attr, type, &p), path, std::string("cannot read attribute ") + name);
        std::string out = p ? p : "";
        H5free_memory(p);
        return out;
    }
    const std::size_t size = H5Tget_size(fileType);
    std::string out(size, '\0');
    checkStatus(H5Aread(attr, fileType, out.data()), path, std::string("cannot read attribute ") + name);
    out.resize(std::strlen(out.c_str()));
    return out;
}

long long readIntAttr(hid_t obj, const char* name, const std::string& path)
{
    if (H5Aexists(obj, name) <= 0)
        fail(path, std::string("missing attribute '") + name + "'");
    Id attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
    long long v = 0;
    checkStatus(H5Aread(attr, H5T_NATIVE_LLONG, &v), path, std::string("cannot read attribute ") + name);
    return v;
}

// A dataset whose storage is allocated in full at creation and never filled: later writes are
// raw data only, which is what makes appending an epoch safe against a kill.
Id createPreallocated(hid_t loc, const char* name, hid_t type, const std::vector<hsize_t>& dims,
                      const std::string& path)
{
    Id space(H5Screate_simple(int(dims.size()), dims.data(), nullptr), H5Sclose);
    Id dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    H5Pset_layout(dcpl, H5D_CONTIGUOUS);
    H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY);
    H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER);
    H5Pset_obj_track_times(dcpl, false);
    return check(H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), H5Dclose, path,
                 std::string("cannot create dataset ") + name);
}

// A small compressed array written once.
template <typename T>
void writeArray(hid_t loc, const char* name, hid_t fileType, hid_t memType, const std::vector<T>& values,
                const std::string& path)
{
    const hsize_t n = values.size();
    Id space(H5Screate_simple(1, &n, nullptr), H5Sclose);
    Id dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    H5Pset_obj_track_times(dcpl, false);
    if (n > 0) {
        const hsize_t chunk = std::min<hsize_t>(n, 1 << 16);
        H5Pset_chunk(dcpl, 1, &chunk);
        H5Pset_shuffle(dcpl);
        H5Pset_deflate(dcpl, 4);
    }
    if (exists(loc, name))
        H5Ldelete(loc, name, H5P_DEFAULT);
    Id ds = check(H5Dcreate2(loc, name, fileType, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), H5Dclose, path,
                  std::string("cannot create dataset ") + name);
    if (n > 0)
        checkStatus(H5Dwrite(ds, memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), path,
                    std::string("cannot write dataset ") + name);
}

void writeStrings(hid_t loc, const char* name, const std::vector<std::string>& values, const std::string& path)
{
    std::vector<const char*> ptrs(values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
        ptrs[i] = values[i].c_str();
    Id type = stringType();
    writeArray(loc, name, type, type, ptrs, path);
}

template <typename T>
std::vector<T> readArray(hid_t loc, const char* name, hid_t memType, const std::string& path)
{
    if (!exists(loc, name))
        fail(path, std::string("missing dataset '") + name + "'");
    Id ds(H5Dopen2(loc, name, H5P_DEFAULT), H5Dclose);
    Id space(H5Dget_space(ds), H5Sclose);
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    std::vector<T> out(std::size_t(std::max<hssize_t>(n, 0)));
    if (n > 0)
        checkStatus(H5Dread(ds, memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), path,
                    std::string("cannot read dataset ") + name + " (truncated or damaged file?)");
    return out;
}

std::vector<std::string> readStrings(hid_t loc, const char* name, const std::string& path)
{
    Id type = stringType();
    std::vector<char*> ptrs = readArray<char*>(loc, name, type, path);
    std::vector<std::string> out(ptrs.size());
    for (std::size_t i = 0; i < ptrs.size(); ++i) {
        out[i] = ptrs[i] ? ptrs[i] : "";
        H5free_memory(ptrs[i]);
    }
    return out;
}

// Writes (or reads) row [network, epoch, ...] of a preallocated (N, E, ...) dataset.
void accessRow(hid_t loc, const char* name, hid_t memType, int network, int epoch, void* data, bool write,
               const std::string& path)
{
    Id ds(H5Dopen2(loc, name, H5P_DEFAULT), H5Dclose);
    if (!ds.valid())
        fail(path, std::string("missing dataset '") + name + "'");
    Id space(H5Dget_space(ds), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(std::size_t(std::max(rank, 0)));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    if (rank < 2 || hsize_t(network) >= dims[0] || hsize_t(epoch) >= dims[1])
        fail(path, std::string("dataset '") + name + "' has no row for network " + std::to_string(network) +
                       ", epoch " + std::to_string(epoch));
    std::vector<hsize_t> start(dims.size(), 0), count = dims;
    start[0] = hsize_t(network);
    start[1] = hsize_t(epoch);
    count[0] = count[1] = 1;
    H5Sselect_hyperslab(space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
    Id mem(H5Screate_simple(rank, count.data(), nullptr), H5Sclose);
    const herr_t st = write ? H5Dwrite(ds, memType, mem, space, H5P_DEFAULT, data)
                            : H5Dread(ds, memType, mem, space, H5P_DEFAULT, data);
    checkStatus(st, path, std::string(write ? "cannot write " : "cannot read ") + name);
}

std::size_t packedBytes(std::size_t images) { return (images + 7) / 8; }

// Consistency comes from the layout (preallocated records, counters written last), not from
// HDF5's whole-file locks, which would stop the GUI from reading a run the CLI is training.
Id fileAccess()
{
    Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    H5Pset_file_locking(fapl, false, true);
    return fapl;
}

Id openFile(const std::string& path, bool writable)
{
    silenceHdf5();
    if (!fs::exists(path))
        fail(path, "run file not found");
    {
        // Our files start with the HDF5 signature (no user block).
        static const char kSignature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
        char head[8] = {};
        std::ifstream in(path, std::ios::binary);
        in.read(head, sizeof head);
        if (!in || std::memcmp(head, kSignature, sizeof head) != 0)
            fail(path, "not an HDF5 file, so not an OrderLens run file");
    }
    Id fapl = fileAccess();
    return check(H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl), H5Fclose, path,
                 "cannot open the HDF5 file (damaged or truncated)");
}

void syncToDisk(hid_t file)
{
    H5Fflush(file, H5F_SCOPE_GLOBAL);
    void* handle = nullptr;
    if (H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) >= 0 && handle)
        ::fsync(*static_cast<int*>(handle));
}

void writeMetricColumn(hid_t group, const std::string& name, const std::vector<double>& values, bool distinct,
                       const std::string& path)
{
    writeArray(group, name.c_str(), H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values, path);
    Id ds(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose);
    writeIntAttr(ds, "distinct_valued", distinct ? 1 : 0);
}

hid_t predictedFileType(bool multiLabel) { return multiLabel ? H5T_STD_U64LE : H5T_STD_I32LE; }

}  // namespace

const char* recordSetName(RecordSet set)
{
    switch (set) {
    case RecordSet::Train: return "train";
    case RecordSet::Test: return "test";
    case RecordSet::TrainEval: return "train_eval";
    }
    return "?";
}

Split recordSetSplit(RecordSet set) { return set == RecordSet::Test ? Split::Test : Split::Train; }

std::vector<std::size_t> RunManifest::splitIndices(Split split) const
{
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < splits.size(); ++i)
        if (splits[i] == split)
            out.push_back(i);
    return out;
}

void RunFile::create(const std::string& path, const std::string& configJson, const Dataset& dataset,
                     const std::vector<std::int32_t>& labels, const RunShape& shape,
                     const std::map<std::string, std::string>& provenance)
{
    silenceHdf5();
    if (labels.size() != dataset.size())
        throw Error("RunFile::create: one label per image expected");
    if (shape.networks < 1 || shape.epochs < 1 || shape.classes < 1)
        throw ConfigError("a run needs at least one network, one epoch and one class");
    const fs::path target(path);
    if (target.has_parent_path() && !fs::is_directory(target.parent_path()))
        throw InputError(path, "the folder " + target.parent_path().string() + " does not exist");
    const std::string tmp = path + ".creating";
    {
        Id file = check(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fileAccess()), H5Fclose, tmp,
                        "cannot create file (permissions? disk full?)");
        writeStringAttr(file, "format", kFormatName);
        writeIntAttr(file, "layout_version", kLayoutVersion);

        Id configSpace(H5Screate(H5S_SCALAR), H5Sclose);
        Id strType = stringType();
        Id config(H5Dcreate2(file, "config", strType, configSpace, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
        const char* cfg = configJson.c_str();
        H5Dwrite(config, strType, H5S_ALL, H5S_ALL, H5P_DEFAULT, &cfg);

        Id prov(H5Gcreate2(file, "provenance", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
        for (const auto& [k, v] : provenance)
            writeStringAttr(prov, k.c_str(), v);

        Id ds(H5Gcreate2(file, "dataset", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
        writeStringAttr(ds, "name", dataset.name);
        writeStringAttr(ds, "source", dataset.source);
        writeStringAttr(ds, "fingerprint", dataset.fingerprint());
        writeIntAttr(ds, "multi_label", dataset.multiLabel ? 1 : 0);
        std::vector<std::string> keys(dataset.size());
        std::vector<std::uint8_t> splits(dataset.size());
        std::vector<std::int32_t> trueLabels(dataset.size());
        std::vector<std::uint64_t> bits(dataset.multiLabel ? dataset.size() : 0);
        for (std::size_t i = 0; i < dataset.size(); ++i) {
            keys[i] = dataset.key(i);
            splits[i] = std::uint8_t(dataset.split(i));
            trueLabels[i] = dataset.label(i);
            if (dataset.multiLabel)
                bits[i] = dataset.labelBits(i);
        }
        writeStrings(ds, "keys", keys, tmp);
        writeArray(ds, "split", H5T_STD_U8LE, H5T_NATIVE_UINT8, splits, tmp);
        writeArray(ds, "label", H5T_STD_I32LE, H5T_NATIVE_INT32, labels, tmp);
        writeArray(ds, "true_label", H5T_STD_I32LE, H5T_NATIVE_INT32, trueLabels, tmp);
        if (dataset.multiLabel)
            writeArray(ds, "label_bits", H5T_STD_U64LE, H5T_NATIVE_UINT64, bits, tmp);
        writeStrings(ds, "class_names", dataset.classNames, tmp);

        Id rec(H5Gcreate2(file, "records", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
        writeIntAttr(rec, "networks", shape.networks);
        writeIntAttr(rec, "epochs", shape.epochs);
        writeIntAttr(rec, "classes", shape.classes);
        writeIntAttr(rec, "multi_label", shape.multiLabel ? 1 : 0);
        writeIntAttr(rec, "prob_vectors", shape.probVectors ? 1 : 0);
        writeIntAttr(rec, "eval_train", shape.evalTrain ? 1 : 0);
        writeArray(rec, "epochs_done", H5T_STD_I32LE, H5T_NATIVE_INT32, std::vector<std::int32_t>(std::size_t(shape.networks), 0), tmp);
        // epochs_done must be rewritable in place: recreate it preallocated and zeroed.
        H5Ldelete(rec, "epochs_done", H5P_DEFAULT);
        {
            Id done = createPreallocated(rec, "epochs_done", H5T_STD_I32LE, {hsize_t(shape.networks)}, tmp);
            std::vector<std::int32_t> zeros(std::size_t(shape.networks), 0);
            H5Dwrite(done, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros.data());
        }
        std::vector<RecordSet> sets = {RecordSet::Train, RecordSet::Test};
        if (shape.evalTrain)
            sets.push_back(RecordSet::TrainEval);
        const hsize_t N = hsize_t(shape.networks), E = hsize_t(shape.epochs);
        for (RecordSet set : sets) {
            const hsize_t I = dataset.count(recordSetSplit(set));
            Id g(H5Gcreate2(rec, recordSetName(set), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
            writeIntAttr(g, "images", static_cast<long long>(I));
            createPreallocated(g, "correct", H5T_STD_U8LE, {N, E, packedBytes(I)}, tmp);
            createPreallocated(g, "predicted", predictedFileType(shape.multiLabel), {N, E, I}, tmp);
            createPreallocated(g, "p_true", H5T_IEEE_F32LE, {N, E, I}, tmp);
            createPreallocated(g, "margin", H5T_IEEE_F32LE, {N, E, I}, tmp);
            if (shape.probVectors)
                createPreallocated(g, "prob", H5T_IEEE_F32LE, {N, E, I, hsize_t(shape.classes)}, tmp);
        }
        Id summary(H5Gcreate2(file, "summary", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
        for (const char* name :
             {"train_loss", "train_accuracy", "test_loss", "test_accuracy", "learning_rate", "seconds"})
            createPreallocated(summary, name, H5T_IEEE_F64LE, {N, E}, tmp);
        Id metrics(H5Gcreate2(file, "metrics", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
        for (const auto& [name, values] : dataset.metrics)
            writeMetricColumn(metrics, name, values, dataset.distinctValued.count(name) > 0, tmp);
        syncToDisk(file);
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) {
        fs::remove(tmp);
        throw InputError(path, "cannot move the new run file into place: " + ec.message());
    }
}

RunFile::RunFile(const std::string& path) : path_(path) { load(); }
RunFile::~RunFile() = default;
RunFile::RunFile(RunFile&&) noexcept = default;
RunFile& RunFile::operator=(RunFile&&) noexcept = default;

void RunFile::load()
{
    Id file = openFile(path_, false);
    if (H5Aexists(file, "format") <= 0 || readStringAttr(file, "format", path_) != kFormatName)
        fail(path_, "not an OrderLens run file (no 'format' = orderlens-run attribute)");
    const long long version = readIntAttr(file, "layout_version", path_);
    if (version != kLayoutVersion)
        fail(path_, "run-file layout version " + std::to_string(version) + " is not supported (this OrderLens reads " +
                        std::to_string(kLayoutVersion) + ")");
    {
        Id strType = stringType();
        Id config(H5Dopen2(file, "config", H5P_DEFAULT), H5Dclose);
        if (!config.valid())
            fail(path_, "missing dataset 'config'");
        char* p = nullptr;
        checkStatus(H5Dread(config, strType, H5S_ALL, H5S_ALL, H5P_DEFAULT, &p), path_, "cannot read config");
        configJson_ = p ? p : "";
        H5free_memory(p);
    }
    provenance_.clear();
    if (exists(file, "provenance")) {
        Id prov(H5Gopen2(file, "provenance", H5P_DEFAULT), H5Gclose);
        H5O_info_t info;
        H5Oget_info(prov, &info);
        for (hsize_t a = 0; a < info.num_attrs; ++a) {
            char name[256];
            H5Aget_name_by_idx(prov, ".", H5_INDEX_NAME, H5_ITER_INC, a, name, sizeof name, H5P_DEFAULT);
            provenance_[name] = readStringAttr(prov, name, path_);
        }
    }
    if (!exists(file, "dataset") || !exists(file, "records"))
        fail(path_, "missing group /dataset or /records");
    Id ds(H5Gopen2(file, "dataset", H5P_DEFAULT), H5Gclose);
    manifest_.name = readStringAttr(ds, "name", path_);
    manifest_.source = readStringAttr(ds, "source", path_);
    manifest_.fingerprint = readStringAttr(ds, "fingerprint", path_);
    manifest_.keys = readStrings(ds, "keys", path_);
    const auto splits = readArray<std::uint8_t>(ds, "split", H5T_NATIVE_UINT8, path_);
    manifest_.splits.resize(splits.size());
    for (std::size_t i = 0; i < splits.size(); ++i)
        manifest_.splits[i] = splits[i] ? Split::Test : Split::Train;
    manifest_.labels = readArray<std::int32_t>(ds, "label", H5T_NATIVE_INT32, path_);
    manifest_.trueLabels = readArray<std::int32_t>(ds, "true_label", H5T_NATIVE_INT32, path_);
    if (exists(ds, "label_bits"))
        manifest_.labelBits = readArray<std::uint64_t>(ds, "label_bits", H5T_NATIVE_UINT64, path_);
    manifest_.classNames = readStrings(ds, "class_names", path_);
    const std::size_t n = manifest_.keys.size();
    if (splits.size() != n || manifest_.labels.size() != n || manifest_.trueLabels.size() != n)
        fail(path_, "dataset manifest arrays have different lengths");

    Id rec(H5Gopen2(file, "records", H5P_DEFAULT), H5Gclose);
    shape_.networks = int(readIntAttr(rec, "networks", path_));
    shape_.epochs = int(readIntAttr(rec, "epochs", path_));
    shape_.classes = int(readIntAttr(rec, "classes", path_));
    shape_.multiLabel = readIntAttr(rec, "multi_label", path_) != 0;
    shape_.probVectors = readIntAttr(rec, "prob_vectors", path_) != 0;
    shape_.evalTrain = readIntAttr(rec, "eval_train", path_) != 0;
    const auto done = readArray<std::int32_t>(rec, "epochs_done", H5T_NATIVE_INT32, path_);
    if (int(done.size()) != shape_.networks)
        fail(path_, "records/epochs_done has the wrong length");
    epochsDone_.assign(done.begin(), done.end());
    for (int& d : epochsDone_)
        d = std::clamp(d, 0, shape_.epochs);
}

void RunFile::refresh()
{
    Id file = openFile(path_, false);
    Id rec(H5Gopen2(file, "records", H5P_DEFAULT), H5Gclose);
    const auto done = readArray<std::int32_t>(rec, "epochs_done", H5T_NATIVE_INT32, path_);
    epochsDone_.assign(done.begin(), done.end());
    for (int& d : epochsDone_)
        d = std::clamp(d, 0, shape_.epochs);
}

int RunFile::completeEpochs() const
{
    int m = shape_.epochs;
    for (int d : epochsDone_)
        m = std::min(m, d);
    return epochsDone_.empty() ? 0 : m;
}

void RunFile::checkDataset(const Dataset& dataset) const
{
    const Dataset::FingerprintMatch match = dataset.matchFingerprint(manifest_.fingerprint);
    if (match == Dataset::FingerprintMatch::PixelsDiffer)
        throw InputError(path_, "the images of " + dataset.source +
                                    " changed since this run was made (same names and labels, different pixels)");
    if (match == Dataset::FingerprintMatch::Different)
        throw InputError(path_, "this run was made from a different dataset (" + manifest_.source + ", " +
                                    std::to_string(manifest_.keys.size()) + " images) than " + dataset.source +
                                    " (" + std::to_string(dataset.size()) + " images)");
}

bool RunFile::hasRecordSet(RecordSet set) const { return set != RecordSet::TrainEval || shape_.evalTrain; }

void RunFile::appendEpoch(int network, int epoch, const std::map<RecordSet, SplitRecords>& records,
                          const EpochSummary& summary)
{
    if (network < 0 || network >= shape_.networks || epoch < 0 || epoch >= shape_.epochs)
        throw Error("RunFile::appendEpoch: network " + std::to_string(network) + " epoch " + std::to_string(epoch) +
                    " is outside the run");
    refresh();
    if (epoch > epochsDone_[std::size_t(network)])
        throw Error("RunFile::appendEpoch: epoch " + std::to_string(epoch) + " of network " + std::to_string(network) +
                    " written before epoch " + std::to_string(epochsDone_[std::size_t(network)]));
    Id file = openFile(path_, true);
    Id rec(H5Gopen2(file, "records", H5P_DEFAULT), H5Gclose);
    for (RecordSet set : {RecordSet::Train, RecordSet::Test, RecordSet::TrainEval}) {
        if (!hasRecordSet(set))
            continue;
        auto it = records.find(set);
        if (it == records.end())
            throw Error(std::string("RunFile::appendEpoch: records for ") + recordSetName(set) + " missing");
        const SplitRecords& r = it->second;
        const std::size_t images = manifest_.splitIndices(recordSetSplit(set)).size();
        if (r.correct.size() != images || r.predicted.size() != images || r.pTrue.size() != images ||
            r.margin.size() != images)
            throw Error(std::string("RunFile::appendEpoch: ") + recordSetName(set) + " records have the wrong length");
        std::vector<std::uint8_t> packed(packedBytes(images), 0);
        for (std::size_t i = 0; i < images; ++i)
            if (r.correct[i])
                packed[i / 8] |= std::uint8_t(1u << (i % 8));
        Id g(H5Gopen2(rec, recordSetName(set), H5P_DEFAULT), H5Gclose);
        accessRow(g, "correct", H5T_NATIVE_UINT8, network, epoch, packed.data(), true, path_);
        if (shape_.multiLabel) {
            std::vector<std::uint64_t> bits(r.predicted.begin(), r.predicted.end());
            accessRow(g, "predicted", H5T_NATIVE_UINT64, network, epoch, bits.data(), true, path_);
        } else {
            std::vector<std::int32_t> cls(r.predicted.begin(), r.predicted.end());
            accessRow(g, "predicted", H5T_NATIVE_INT32, network, epoch, cls.data(), true, path_);
        }
        accessRow(g, "p_true", H5T_NATIVE_FLOAT, network, epoch, const_cast<float*>(r.pTrue.data()), true, path_);
        accessRow(g, "margin", H5T_NATIVE_FLOAT, network, epoch, const_cast<float*>(r.margin.data()), true, path_);
        if (shape_.probVectors) {
            if (r.prob.size() != images * std::size_t(shape_.classes))
                throw Error("RunFile::appendEpoch: probability vectors have the wrong length");
            accessRow(g, "prob", H5T_NATIVE_FLOAT, network, epoch, const_cast<float*>(r.prob.data()), true, path_);
        }
    }
    Id sum(H5Gopen2(file, "summary", H5P_DEFAULT), H5Gclose);
    const std::pair<const char*, double> fields[] = {
        {"train_loss", summary.trainLoss},         {"train_accuracy", summary.trainAccuracy},
        {"test_loss", summary.testLoss},           {"test_accuracy", summary.testAccuracy},
        {"learning_rate", summary.learningRate},   {"seconds", summary.seconds}};
    for (auto [name, value] : fields)
        accessRow(sum, name, H5T_NATIVE_DOUBLE, network, epoch, &value, true, path_);
    // Data first, on disk; only then the counter that makes the epoch visible.
    syncToDisk(file);
    std::int32_t done = epoch + 1;
    {
        Id counter(H5Dopen2(rec, "epochs_done", H5P_DEFAULT), H5Dclose);
        Id space(H5Dget_space(counter), H5Sclose);
        const hsize_t start = hsize_t(network), count = 1;
        H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, nullptr, &count, nullptr);
        Id mem(H5Screate_simple(1, &count, nullptr), H5Sclose);
        checkStatus(H5Dwrite(counter, H5T_NATIVE_INT32, mem, space, H5P_DEFAULT, &done), path_,
                    "cannot update records/epochs_done");
    }
    syncToDisk(file);
    epochsDone_[std::size_t(network)] = std::max(epochsDone_[std::size_t(network)], int(done));
}

std::vector<std::uint8_t> RunFile::readCorrectBits(RecordSet set, int network, int epoch) const
{
    if (!hasRecordSet(set))
        throw InputError(path_, std::string("this run has no ") + recordSetName(set) + " records");
    if (network < 0 || network >= shape_.networks || epoch < 0 || epoch >= epochsDone_[std::size_t(network)])
        throw InputError(path_, "network " + std::to_string(network) + " has no completed epoch " + std::to_string(epoch));
    Id file = openFile(path_, false);
    Id g(H5Gopen2(file, (std::string("records/") + recordSetName(set)).c_str(), H5P_DEFAULT), H5Gclose);
    std::vector<std::uint8_t> out(packedBytes(manifest_.splitIndices(recordSetSplit(set)).size()));
    accessRow(g, "correct", H5T_NATIVE_UINT8, network, epoch, out.data(), false, path_);
    return out;
}

SplitRecords RunFile::readRecords(RecordSet set, int network, int epoch) const
{
    const std::vector<std::uint8_t> packed = readCorrectBits(set, network, epoch);
    const std::size_t images = manifest_.splitIndices(recordSetSplit(set)).size();
    Id file = openFile(path_, false);
    Id g(H5Gopen2(file, (std::string("records/") + recordSetName(set)).c_str(), H5P_DEFAULT), H5Gclose);
    SplitRecords r;
    r.correct.resize(images);
    for (std::size_t i = 0; i < images; ++i)
        r.correct[i] = (packed[i / 8] >> (i % 8)) & 1u;
    r.predicted.resize(images);
    if (shape_.multiLabel) {
        std::vector<std::uint64_t> bits(images);
        accessRow(g, "predicted", H5T_NATIVE_UINT64, network, epoch, bits.data(), false, path_);
        r.predicted.assign(bits.begin(), bits.end());
    } else {
        std::vector<std::int32_t> cls(images);
        accessRow(g, "predicted", H5T_NATIVE_INT32, network, epoch, cls.data(), false, path_);
        r.predicted.assign(cls.begin(), cls.end());
    }
    r.pTrue.resize(images);
    r.margin.resize(images);
    accessRow(g, "p_true", H5T_NATIVE_FLOAT, network, epoch, r.pTrue.data(), false, path_);
    accessRow(g, "margin", H5T_NATIVE_FLOAT, network, epoch, r.margin.data(), false, path_);
    if (shape_.probVectors) {
        r.prob.resize(images * std::size_t(shape_.classes));
        accessRow(g, "prob", H5T_NATIVE_FLOAT, network, epoch, r.prob.data(), false, path_);
    }
    return r;
}

EpochSummary RunFile::readSummary(int network, int epoch) const
{
    if (network < 0 || network >= shape_.networks || epoch < 0 || epoch >= epochsDone_[std::size_t(network)])
        throw InputError(path_, "network " + std::to_string(network) + " has no completed epoch " + std::to_string(epoch));
    Id file = openFile(path_, false);
    Id sum(H5Gopen2(file, "summary", H5P_DEFAULT), H5Gclose);
    EpochSummary s;
    std::pair<const char*, double*> fields[] = {
        {"train_loss", &s.trainLoss},       {"train_accuracy", &s.trainAccuracy},
        {"test_loss", &s.testLoss},         {"test_accuracy", &s.testAccuracy},
        {"learning_rate", &s.learningRate}, {"seconds", &s.seconds}};
    for (auto [name, value] : fields)
        accessRow(sum, name, H5T_NATIVE_DOUBLE, network, epoch, value, false, path_);
    return s;
}

std::vector<std::string> RunFile::metricNames() const
{
    Id file = openFile(path_, false);
    std::vector<std::string> names;
    if (!exists(file, "metrics"))
        return names;
    Id g(H5Gopen2(file, "metrics", H5P_DEFAULT), H5Gclose);
    H5G_info_t info;
    H5Gget_info(g, &info);
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        char name[512];
        H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
        names.push_back(name);
    }
    return names;
}

std::vector<double> RunFile::readMetric(const std::string& name) const
{
    Id file = openFile(path_, false);
    if (!exists(file, "metrics"))
        throw InputError(path_, "no metric '" + name + "'");
    Id g(H5Gopen2(file, "metrics", H5P_DEFAULT), H5Gclose);
    if (!exists(g, name.c_str()))
        throw InputError(path_, "no metric '" + name + "'");
    return readArray<double>(g, name.c_str(), H5T_NATIVE_DOUBLE, path_);
}

std::set<std::string> RunFile::distinctValuedMetrics() const
{
    std::set<std::string> out;
    Id file = openFile(path_, false);
    if (!exists(file, "metrics"))
        return out;
    Id g(H5Gopen2(file, "metrics", H5P_DEFAULT), H5Gclose);
    for (const std::string& name : metricNames()) {
        Id ds(H5Dopen2(g, name.c_str(), H5P_DEFAULT), H5Dclose);
        if (H5Aexists(ds, "distinct_valued") > 0 && readIntAttr(ds, "distinct_valued", path_) != 0)
            out.insert(name);
    }
    return out;
}

void RunFile::writeMetrics(const std::map<std::string, std::vector<double>>& columns,
                           const std::set<std::string>& distinctValued)
{
    for (const auto& [name, values] : columns) {
        if (values.size() != manifest_.keys.size())
            throw Error("RunFile::writeMetrics: metric '" + name + "' has " + std::to_string(values.size()) +
                        " values for " + std::to_string(manifest_.keys.size()) + " images");
        if (name.empty() || name.find('/') != std::string::npos || name == "." )
            throw ConfigError("invalid metric name '" + name + "'");
    }
    const std::string tmp = path_ + ".writing";
    std::error_code ec;
    fs::copy_file(path_, tmp, fs::copy_options::overwrite_existing, ec);
    if (ec)
        throw InputError(path_, "cannot copy the run file to add metrics: " + ec.message());
    try {
        Id file = check(H5Fopen(tmp.c_str(), H5F_ACC_RDWR, fileAccess()), H5Fclose, tmp, "cannot open copy");
        if (!exists(file, "metrics"))
            H5Gclose(H5Gcreate2(file, "metrics", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        Id g(H5Gopen2(file, "metrics", H5P_DEFAULT), H5Gclose);
        for (const auto& [name, values] : columns)
            writeMetricColumn(g, name, values, distinctValued.count(name) > 0, tmp);
        syncToDisk(file);
    } catch (...) {
        fs::remove(tmp, ec);
        throw;
    }
    fs::rename(tmp, path_, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw InputError(path_, "cannot replace the run file: " + ec.message());
    }
}

}  // namespace orderlens
