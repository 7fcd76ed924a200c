#include "storage/RunFile.h"

#include "common/CrashPoint.h"
#include "common/Errors.h"
#include "common/Numbering.h"
#include "io/AtomicFile.h"
#include "storage/RunLayout.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <random>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fcntl.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace orderlens {

using hdf5::check;
using hdf5::fail;
using hdf5::Id;
using namespace runlayout;

namespace {

fs::path folderOf(const std::string& path)
{
    const fs::path p = fs::absolute(path);
    return p.parent_path();
}

std::string megabytes(std::uint64_t bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.2f MB", double(bytes) / 1e6);
    return text;
}

// Records are written epoch by epoch: a run whose records cannot fit on the disk would fail
// days later. The space a file being replaced frees counts as free.
void checkFreeSpace(const std::string& path, const RunManifest& manifest, const RunShape& shape)
{
    std::error_code ec;
    const fs::space_info space = fs::space(folderOf(path), ec);
    if (ec)
        return;  // a file system that does not say: the writes will tell
    std::uint64_t available = space.available;
    if (const auto existing = fs::file_size(path, ec); !ec)
        available += existing;
    const std::uint64_t needed = recordBytes(manifest, shape);
    if (needed <= available)
        return;
    throw InputError(path, "no space left for this run's records: they need " + megabytes(needed) + " (" +
                               std::to_string(shape.networks) + " networks x " + std::to_string(shape.epochs) +
                               " epochs x " + std::to_string(manifest.keys.size()) + " images), " +
                               folderOf(path).string() + " has " + megabytes(space.available) +
                               " free; free some space or choose another folder");
}

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

bool RunWriterInfo::live() const
{
    if (!active)
        return false;
    if (host == hostName()) {
        if (isThisProcess())
            return true;
        // Signal 0 checks that the process exists (EPERM: it does, but belongs to someone else).
        return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno == EPERM);
    }
    return unixNow() - heartbeat < kStaleWriterSeconds;
}

bool RunWriterInfo::isThisProcess() const { return host == hostName() && pid == std::int64_t(::getpid()); }

std::string RunWriterInfo::describe() const { return host + ":" + std::to_string(pid); }

WriterBusyError::WriterBusyError(const std::string& path, const RunWriterInfo& writer)
    : InputError(path, "is being written by " + writer.describe() + " (its last sign of life " +
                           std::to_string(std::max(0, int(std::lround(unixNow() - writer.heartbeat)))) +
                           " s ago); only one process may write a run: wait for it, or stop it first"),
      writer_(writer)
{
}

namespace {

RunManifest manifestOf(const Dataset& dataset, const std::vector<std::int32_t>& labels)
{
    RunManifest m;
    m.name = dataset.name;
    m.source = dataset.source;
    m.fingerprint = dataset.fingerprint();
    m.labels = labels;
    m.classNames = dataset.classNames;
    m.keys.resize(dataset.size());
    m.splits.resize(dataset.size());
    m.trueLabels.resize(dataset.size());
    if (dataset.multiLabel)
        m.labelBits.resize(dataset.size());
    for (std::size_t i = 0; i < dataset.size(); ++i) {
        m.keys[i] = dataset.key(i);
        m.splits[i] = dataset.split(i);
        m.trueLabels[i] = dataset.label(i);
        if (dataset.multiLabel)
            m.labelBits[i] = dataset.labelBits(i);
    }
    return m;
}

// Unique among the processes of every host that may create the same file at once.
std::string temporarySuffix()
{
    return ".creating-" + hostName() + "-" + std::to_string(::getpid());
}

// Tells the parts of a run apart from those of an earlier run of the same name.
std::string newRunId()
{
    std::random_device device;
    const std::uint64_t id = (std::uint64_t(device()) << 32 | device()) ^ std::uint64_t(unixNow() * 1e6);
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(id));
    return hex;
}

// What a new run file holds besides its records, checked.
struct NewRun {
    RunManifest manifest;
    RunShape shape;
};

NewRun newRun(const std::string& path, const Dataset& dataset, const std::vector<std::int32_t>& labels,
              const RunShape& shape)
{
    if (labels.size() != dataset.size())
        throw Error("RunFile::create: one label per image expected");
    if (shape.networks < 1 || shape.epochs < 1 || shape.classes < 1)
        throw ConfigError("a run needs at least one network, one epoch and one class");
    const fs::path target(path);
    if (target.has_parent_path() && !fs::is_directory(target.parent_path()))
        throw InputError(path, "the folder " + target.parent_path().string() + " does not exist");
    NewRun run{manifestOf(dataset, labels), shape};
    run.shape.multiLabel = shape.multiLabel || dataset.multiLabel;
    return run;
}

}  // namespace

void RunFile::create(const std::string& path, const std::string& configJson, const Dataset& dataset,
                     const std::vector<std::int32_t>& labels, const RunShape& shape,
                     const std::map<std::string, std::string>& provenance)
{
    const NewRun run = newRun(path, dataset, labels, shape);
    checkFreeSpace(path, run.manifest, run.shape);
    // A run trained as tasks that this one replaces leaves no parts behind.
    std::optional<RunFile> replaced;
    try {
        if (fs::exists(path))
            replaced.emplace(path);
    } catch (const InputError&) {
        // Not a readable run: it has no parts to remove.
    }
    replaceFile(
        path,
        [&](const std::string& tmp) {
            writeNewRun(tmp, configJson, run.manifest, run.shape, provenance, dataset.metrics, dataset.distinctValued);
            crashPoint("run-created");
        },
        ".creating");
    std::error_code ec;
    if (replaced && replaced->madeOfParts())
        for (int n = 0; n < replaced->shape().networks; ++n)
            fs::remove(partPathFor(path, n), ec);
    // Statistics left by an earlier run of the same name stay only if they describe these images.
    RunFile created(path);
    created.removeForeignStatistics();
}

bool RunFile::createForTasks(const std::string& path, const std::string& configJson, const Dataset& dataset,
                             const std::vector<std::int32_t>& labels, const RunShape& shape,
                             const std::map<std::string, std::string>& provenance)
{
    const NewRun run = newRun(path, dataset, labels, shape);
    const bool created = createFileExclusively(
        path,
        [&](const std::string& tmp) {
            writeNewRun(tmp, configJson, run.manifest, run.shape, provenance, dataset.metrics, dataset.distinctValued,
                        newRunId());
        },
        temporarySuffix());
    if (!created)
        return false;
    const RunFile createdRun(path);
    createdRun.removeForeignStatistics();
    createdRun.removeStaleParts();
    return true;
}

RunFile::RunFile(const std::string& path) : path_(path) { load(); }
RunFile::~RunFile() = default;
RunFile::RunFile(RunFile&&) noexcept = default;
RunFile& RunFile::operator=(RunFile&&) noexcept = default;

void RunFile::load()
{
    Id file = openRun(path_);
    const std::string format = H5Aexists(file, "format") > 0 ? hdf5::readStringAttr(file, "format", path_) : "";
    if (format == kPartFormatName)
        fail(path_, "holds " + networkIndexText(hdf5::readIntAttr(file, "network", path_)) + " of the run " +
                        hdf5::readStringAttr(file, "run_file", path_) +
                        ", which was trained as tasks: open that file, it reads every part");
    if (format != kFormatName)
        fail(path_, "not an OrderLens run file (no 'format' = orderlens-run attribute)");
    const long long version = hdf5::readIntAttr(file, "layout_version", path_);
    if (version != 1 && version != kLayoutVersion)
        fail(path_, "run-file layout version " + std::to_string(version) + " is not supported (this OrderLens reads 1 and " +
                        std::to_string(kLayoutVersion) + ")");
    layoutVersion_ = int(version);
    runId_.clear();
    if (H5Aexists(file, "network_parts") > 0 && hdf5::readIntAttr(file, "network_parts", path_) != 0) {
        runId_ = hdf5::readStringAttr(file, "run_id", path_);
        if (runId_.empty())
            fail(path_, "a run trained as tasks without a run_id: damaged file");
    }
    configJson_ = hdf5::readScalarString(file, "config", path_);
    provenance_.clear();
    if (hdf5::exists(file, "provenance")) {
        Id prov = hdf5::openGroup(file, "provenance", path_);
        for (const std::string& name : hdf5::attributeNames(prov, path_))
            provenance_[name] = hdf5::readStringAttr(prov, name, path_);
    }
    Id ds = hdf5::openGroup(file, "dataset", path_);
    manifest_.name = hdf5::readStringAttr(ds, "name", path_);
    manifest_.source = hdf5::readStringAttr(ds, "source", path_);
    manifest_.fingerprint = hdf5::readStringAttr(ds, "fingerprint", path_);
    manifest_.keys = hdf5::readStrings(ds, "keys", path_);
    const long long n = static_cast<long long>(manifest_.keys.size());
    const auto splits = hdf5::readArray<std::uint8_t>(ds, "split", H5T_NATIVE_UINT8, path_, n);
    manifest_.splits.resize(splits.size());
    for (std::size_t i = 0; i < splits.size(); ++i) {
        if (splits[i] > 1)
            fail(path_, "dataset/split holds " + std::to_string(splits[i]) + " for image " + std::to_string(i) +
                            " (0 = train, 1 = test expected): damaged file");
        manifest_.splits[i] = splits[i] ? Split::Test : Split::Train;
    }
    manifest_.labels = hdf5::readArray<std::int32_t>(ds, "label", H5T_NATIVE_INT32, path_, n);
    manifest_.trueLabels = hdf5::readArray<std::int32_t>(ds, "true_label", H5T_NATIVE_INT32, path_, n);
    if (hdf5::exists(ds, "label_bits"))
        manifest_.labelBits = hdf5::readArray<std::uint64_t>(ds, "label_bits", H5T_NATIVE_UINT64, path_, n);
    manifest_.classNames = hdf5::readStrings(ds, "class_names", path_);

    Id rec = hdf5::openGroup(file, "records", path_);
    shape_.networks = int(hdf5::readIntAttr(rec, "networks", path_));
    shape_.epochs = int(hdf5::readIntAttr(rec, "epochs", path_));
    shape_.classes = int(hdf5::readIntAttr(rec, "classes", path_));
    shape_.multiLabel = hdf5::readIntAttr(rec, "multi_label", path_) != 0;
    shape_.probVectors = hdf5::readIntAttr(rec, "prob_vectors", path_) != 0;
    shape_.evalTrain = hdf5::readIntAttr(rec, "eval_train", path_) != 0;
    if (shape_.networks < 1 || shape_.networks > 100000 || shape_.epochs < 1 || shape_.epochs > 1000000 ||
        shape_.classes < 1 || shape_.classes > 1000000)
        fail(path_, "records has an impossible shape (" + std::to_string(shape_.networks) + " networks, " +
                        std::to_string(shape_.epochs) + " epochs, " + std::to_string(shape_.classes) +
                        " classes): damaged file");
    if (std::size_t(shape_.classes) != manifest_.classNames.size() && !manifest_.classNames.empty())
        fail(path_, "records/classes (" + std::to_string(shape_.classes) + ") does not match the " +
                        std::to_string(manifest_.classNames.size()) + " class names: damaged file");
    if (shape_.multiLabel && manifest_.labelBits.size() != manifest_.keys.size())
        fail(path_, "a multi-label run without dataset/label_bits for every image: damaged file");
    for (RecordSet set : recordSets(shape_)) {
        Id g = hdf5::openGroup(rec, recordSetName(set), path_);
        const long long images = hdf5::readIntAttr(g, "images", path_);
        if (images != static_cast<long long>(manifest_.splitIndices(recordSetSplit(set)).size()))
            fail(path_, std::string("records/") + recordSetName(set) + " holds " + std::to_string(images) +
                            " images but the manifest has a different count: damaged file");
    }
    refresh(file);
}

void RunFile::refresh()
{
    Id file = openRun(path_);
    refresh(file);
}

void RunFile::refresh(long long fileId)
{
    const hid_t file = hid_t(fileId);
    Id ds = hdf5::openDataset(file, "records/epochs_done", path_);
    if (hdf5::dimensions(ds, 1, "records/epochs_done", path_)[0] != hsize_t(shape_.networks))
        fail(path_, "records/epochs_done has the wrong length: damaged file");
    std::vector<std::int32_t> done(std::size_t(shape_.networks), 0);
    readSmall(file, "records/epochs_done", H5T_NATIVE_INT32, done.data(), path_);
    epochsDone_.assign(done.begin(), done.end());
    for (int n = 0; n < shape_.networks; ++n) {
        if (madeOfParts())
            epochsDone_[std::size_t(n)] = partEpochsDone(n);
        if (epochsDone_[std::size_t(n)] < 0 || epochsDone_[std::size_t(n)] > shape_.epochs)
            fail(recordsPath(n), "records/epochs_done says " + networkIndexText(n) + " completed " +
                                     std::to_string(epochsDone_[std::size_t(n)]) + " of " +
                                     std::to_string(shape_.epochs) + " epochs: damaged file");
    }
}

namespace {

// Opens a part and checks that it is network's part of the run `runId`.
Id openPart(const std::string& part, const std::string& runPath, const std::string& runId, int network)
{
    Id file = openRun(part);
    if (H5Aexists(file, "format") <= 0 || hdf5::readStringAttr(file, "format", part) != kPartFormatName ||
        H5Aexists(file, "run_id") <= 0)
        fail(part, "is not a part of an OrderLens run (no 'format' = orderlens-run-part attribute)");
    if (hdf5::readStringAttr(file, "run_id", part) != runId)
        fail(part, "belongs to another run than " + runPath +
                       " (an earlier run of the same name): remove it, or restart the run");
    if (hdf5::readIntAttr(file, "network", part) != network)
        fail(part, "holds " + networkIndexText(hdf5::readIntAttr(file, "network", part)) + ", not " +
                       networkIndexText(network) + ": damaged or renamed file");
    return file;
}

}  // namespace

int RunFile::partEpochsDone(int network) const
{
    const std::string part = recordsPath(network);
    if (!fs::exists(part))
        return 0;
    Id file = openPart(part, path_, runId_, network);
    Id ds = hdf5::openDataset(file, "records/epochs_done", part);
    if (hdf5::dimensions(ds, 1, "records/epochs_done", part)[0] != hsize_t(shape_.networks))
        fail(part, "records/epochs_done has the wrong length: damaged file");
    std::vector<std::int32_t> done(std::size_t(shape_.networks), 0);
    readSmall(file, "records/epochs_done", H5T_NATIVE_INT32, done.data(), part);
    return done[std::size_t(network)];
}

std::string RunFile::partPathFor(const std::string& runPath, int network)
{
    fs::path p(runPath);
    const std::string ext = p.extension().string();
    if (ext == ".h5" || ext == ".hdf5")
        p.replace_extension();
    return p.string() + ".part-" + std::to_string(network) + ".h5";
}

bool RunFile::isPartPath(const std::string& path)
{
    const std::string name = fs::path(path).filename().string();
    const std::size_t at = name.rfind(".part-");
    if (at == std::string::npos || name.size() < at + 6 + 1 + 3 || name.compare(name.size() - 3, 3, ".h5") != 0)
        return false;
    const std::string number = name.substr(at + 6, name.size() - 3 - (at + 6));
    return !number.empty() && std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string RunFile::recordsPath(int network) const { return madeOfParts() ? partPathFor(path_, network) : path_; }

RunWriterInfo RunFile::partWriter(int network) const
{
    const std::string part = recordsPath(network);
    if (!madeOfParts() || !fs::exists(part))
        return {};
    Id file = openPart(part, path_, runId_, network);
    return readWriterRecord(file, part);
}

bool RunFile::createPart(int network, const std::map<std::string, std::string>& provenance) const
{
    if (!madeOfParts())
        throw Error("RunFile::createPart: " + path_ + " is not trained as tasks");
    // This run opened, so a part already there is its own (refresh() refuses any other).
    const std::string part = partPathFor(path_, network);
    if (fs::exists(part))
        return false;
    RunShape oneNetwork = shape_;
    oneNetwork.networks = 1;
    checkFreeSpace(part, manifest_, oneNetwork);
    return createFileExclusively(
        part,
        [&](const std::string& tmp) {
            writeNewPart(tmp, runId_, network, fs::path(path_).filename().string(), manifest_, shape_, provenance);
        },
        temporarySuffix());
}

// Parts of an earlier run of the same name (a run created anew never has parts of its own yet).
void RunFile::removeStaleParts() const
{
    for (int n = 0; n < shape_.networks; ++n) {
        const std::string part = partPathFor(path_, n);
        std::error_code ec;
        if (!fs::exists(part, ec))
            continue;
        try {
            (void)partWriter(n);
            continue;  // already this run's: a task that started since
        } catch (const InputError&) {
        }
        fs::remove(part, ec);
    }
}

int RunFile::completeEpochs() const
{
    int m = shape_.epochs;
    for (int d : epochsDone_)
        m = std::min(m, d);
    return epochsDone_.empty() ? 0 : m;
}

RunWriterInfo RunFile::writer() const
{
    if (layoutVersion_ < 2)
        return {};
    if (madeOfParts()) {
        RunWriterInfo latest;
        for (int n = 0; n < shape_.networks; ++n) {
            const RunWriterInfo w = partWriter(n);
            if (w.live())
                return w;
            if (w.heartbeat > latest.heartbeat)
                latest = w;
        }
        return latest;
    }
    Id file = openRun(path_);
    return readWriterRecord(file, path_);
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
    std::optional<RunWriter> writer;
    if (madeOfParts())
        writer.emplace(path_, network);
    else
        writer.emplace(path_);
    writer->appendEpoch(network, epoch, records, summary);
    epochsDone_ = writer->epochsDone();
}

void RunFile::checkCompleted(int network, int epoch) const
{
    if (network < 0 || network >= shape_.networks || epoch < 0 || epoch >= epochsDone_[std::size_t(network)])
        throw InputError(path_, networkIndexText(network) + " has no completed epoch " + std::to_string(epoch));
}

std::vector<std::uint8_t> RunFile::readCorrectBits(RecordSet set, int network, int epoch) const
{
    if (!hasRecordSet(set))
        throw InputError(path_, std::string("this run has no ") + recordSetName(set) + " records");
    checkCompleted(network, epoch);
    const std::string from = recordsPath(network);
    Id file = openRun(from);
    Id g = hdf5::openGroup(file, std::string("records/") + recordSetName(set), from);
    const std::size_t images = manifest_.splitIndices(recordSetSplit(set)).size();
    std::vector<std::uint8_t> out(packedBytes(images));
    accessRow(g, "correct", H5T_NATIVE_UINT8, network, epoch, out.data(), false, from);
    // Bits past the last image are never set by a writer.
    if (images % 8 && (out.back() >> (images % 8)) != 0)
        fail(from, std::string("records/") + recordSetName(set) + "/correct of " + networkIndexText(network) +
                        ", epoch " + std::to_string(epoch) + " has bits beyond the last image: damaged file");
    return out;
}

SplitRecords RunFile::readRecords(RecordSet set, int network, int epoch) const
{
    const std::vector<std::uint8_t> packed = readCorrectBits(set, network, epoch);
    const std::size_t images = manifest_.splitIndices(recordSetSplit(set)).size();
    const std::string from = recordsPath(network);
    Id file = openRun(from);
    Id g = hdf5::openGroup(file, std::string("records/") + recordSetName(set), from);
    SplitRecords r;
    r.correct.resize(images);
    for (std::size_t i = 0; i < images; ++i)
        r.correct[i] = (packed[i / 8] >> (i % 8)) & 1u;
    r.predicted.resize(images);
    if (shape_.multiLabel) {
        std::vector<std::uint64_t> bits(images);
        accessRow(g, "predicted", H5T_NATIVE_UINT64, network, epoch, bits.data(), false, from);
        r.predicted.assign(bits.begin(), bits.end());
    } else {
        std::vector<std::int32_t> cls(images);
        accessRow(g, "predicted", H5T_NATIVE_INT32, network, epoch, cls.data(), false, from);
        r.predicted.assign(cls.begin(), cls.end());
    }
    r.pTrue.resize(images);
    r.margin.resize(images);
    accessRow(g, "p_true", H5T_NATIVE_FLOAT, network, epoch, r.pTrue.data(), false, from);
    accessRow(g, "margin", H5T_NATIVE_FLOAT, network, epoch, r.margin.data(), false, from);
    if (shape_.probVectors) {
        r.prob.resize(images * std::size_t(shape_.classes));
        accessRow(g, "prob", H5T_NATIVE_FLOAT, network, epoch, r.prob.data(), false, from);
    }
    return r;
}

EpochSummary RunFile::readSummary(int network, int epoch) const
{
    checkCompleted(network, epoch);
    const std::string from = recordsPath(network);
    Id file = openRun(from);
    Id sum = hdf5::openGroup(file, "summary", from);
    EpochSummary s;
    const auto fields = summaryFields(s);
    for (std::size_t k = 0; k < fields.size(); ++k)
        if (layoutVersion_ >= 2 || hdf5::exists(sum, kSummaryFields[k]))
            accessRow(sum, kSummaryFields[k], H5T_NATIVE_DOUBLE, network, epoch, fields[k], false, from);
    return s;
}

}  // namespace orderlens
