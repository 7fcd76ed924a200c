#include "storage/RunFile.h"

#include "common/CrashPoint.h"
#include "common/Numbering.h"
#include "storage/RunLayout.h"

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <fcntl.h>
#include <mutex>
#include <optional>
#include <thread>
#include <unistd.h>

namespace orderlens {

using hdf5::check;
using hdf5::fail;
using hdf5::Id;
using namespace runlayout;

namespace {

// Writers on one host exclude each other with an open-file-description lock on one byte far
// beyond any data (it does not interfere with HDF5's own locks, and the kernel drops it when
// the process dies, however it dies). Writers on other hosts are seen through the heartbeat.
constexpr off_t kClaimByte = off_t(1) << 62;

int lockClaim(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0)
        fail(path, "cannot open the run for writing (permissions?)");
    struct flock fl = {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = kClaimByte;
    fl.l_len = 1;
    if (::fcntl(fd, F_OFD_SETLK, &fl) != 0) {
        const int err = errno;
        ::close(fd);
        if (err == EAGAIN || err == EACCES)
            return -1;
        // File systems without locks (some network file systems): rely on the heartbeat alone.
        return ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    }
    return fd;
}

}  // namespace

struct RunWriter::Impl {
    std::string path;  // the file written: the run, or a part of it
    int network = -1;  // the only network written (a part's writer), or -1 for all
    std::optional<RunFile> run;
    Id file;
    int claimFd = -1;
    RunWriterInfo me;
    std::vector<int> done;

    std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false;
    std::thread heartbeat;

    void claim();
    void beat()
    {
        std::unique_lock<std::mutex> lock(mutex);
        while (!wake.wait_for(lock, std::chrono::duration<double>(RunWriterInfo::kHeartbeatSeconds),
                              [this] { return stopping; })) {
            me.heartbeat = unixNow();
            try {
                writeWriterRecord(file, me, path);
            } catch (const Error&) {
                // A missed heartbeat only makes the claim look older; the next one retries.
            }
        }
    }
};

RunWriter::RunWriter(const std::string& path) : impl_(std::make_unique<Impl>())
{
    Impl& m = *impl_;
    m.path = path;
    m.run.emplace(path);
    if (m.run->layoutVersion() < 2)
        fail(path, "is a layout-1 run file, which this OrderLens reads but does not extend: convert it with "
                   "`orderlens upgrade --run " + path + "`");
    if (m.run->madeOfParts())
        fail(path, "is trained as tasks: each network's records are written to its own part, by its task "
                   "(`orderlens train --run " + path + " --task K`)");
    m.claim();
}

RunWriter::RunWriter(const std::string& runPath, int network) : impl_(std::make_unique<Impl>())
{
    Impl& m = *impl_;
    m.run.emplace(runPath);
    if (!m.run->madeOfParts())
        fail(runPath, "is not trained as tasks, so it has no parts");
    if (network < 0 || network >= m.run->shape().networks)
        throw ConfigError(networkIndexText(network) + " is outside the run's " +
                          std::to_string(m.run->shape().networks) + " networks (0 to " +
                          std::to_string(m.run->shape().networks - 1) + ")");
    m.path = m.run->recordsPath(network);
    m.network = network;
    m.claim();
}

void RunWriter::Impl::claim()
{
    Impl& m = *this;
    m.me.active = true;
    m.me.host = hostName();
    m.me.pid = std::int64_t(::getpid());
    m.me.started = m.me.heartbeat = unixNow();

    const RunWriterInfo before = m.network < 0 ? m.run->writer() : m.run->partWriter(m.network);
    m.claimFd = lockClaim(path);
    if (m.claimFd < 0)
        throw WriterBusyError(path, before.active ? before : m.me);
    auto busyElsewhere = [&](const RunWriterInfo& w) { return w.active && w.host != m.me.host && w.live(); };
    try {
        if (busyElsewhere(before))
            throw WriterBusyError(path, before);
        // Nobody else writes: open in SWMR-write mode, clearing the marks a killed writer left.
        hdf5::silence();
        m.file = check(H5Fopen(path.c_str(), H5F_ACC_RDWR | H5F_ACC_SWMR_WRITE, fileAccess(Access::Write, path)),
                       H5Fclose, path, "cannot open the run for writing (damaged file, or a read-only folder?)");
        const RunWriterInfo now = readWriterRecord(m.file, path);
        if (busyElsewhere(now) && !(now.host == before.host && now.pid == before.pid))
            throw WriterBusyError(path, now);
        writeWriterRecord(m.file, m.me, path);
        hdf5::syncToDisk(m.file, path);
    } catch (...) {
        m.file.close();
        ::close(m.claimFd);
        throw;
    }
    m.run->refresh();
    m.done = m.run->epochsDone();
    m.heartbeat = std::thread([&m] { m.beat(); });
}

RunWriter::~RunWriter()
{
    Impl& m = *impl_;
    {
        std::lock_guard<std::mutex> lock(m.mutex);
        m.stopping = true;
    }
    m.wake.notify_all();
    if (m.heartbeat.joinable())
        m.heartbeat.join();
    try {
        RunWriterInfo released = m.me;
        released.active = false;
        released.heartbeat = unixNow();
        writeWriterRecord(m.file, released, m.path);
        hdf5::syncToDisk(m.file, m.path);
    } catch (const Error&) {
        // Releasing is a courtesy: a claim left behind is recognised as stale by the next writer.
    }
    m.file.close();
    if (m.claimFd >= 0)
        ::close(m.claimFd);
}

const std::string& RunWriter::path() const { return impl_->path; }
const std::vector<int>& RunWriter::epochsDone() const { return impl_->done; }

void RunWriter::appendEpoch(int network, int epoch, const std::map<RecordSet, SplitRecords>& records,
                            const EpochSummary& summary)
{
    Impl& m = *impl_;
    const RunShape& shape = m.run->shape();
    if (m.network >= 0 && network != m.network)
        throw Error("RunWriter::appendEpoch: the writer of the part of " + networkIndexText(m.network) + " got " +
                    networkIndexText(network));
    if (network < 0 || network >= shape.networks || epoch < 0 || epoch >= shape.epochs)
        throw Error("RunWriter::appendEpoch: " + networkIndexText(network) + ", epoch " + std::to_string(epoch) +
                    " is outside the run");
    std::lock_guard<std::mutex> lock(m.mutex);
    const int done = m.done[std::size_t(network)];
    if (epoch > done)
        throw Error("RunWriter::appendEpoch: epoch " + std::to_string(epoch) + " of " + networkIndexText(network) +
                    " written before epoch " + std::to_string(done));
    EpochSummary s = summary;
    if (s.finishedAt <= 0)
        s.finishedAt = unixNow();
    writeEpochRows(m.file, m.run->manifest(), shape, RunFile::kLayoutVersion, network, epoch, records, s, m.path);
    crashPoint("records-written");
    // Data first, on disk; only then the counter that makes the epoch visible.
    hdf5::syncToDisk(m.file, m.path);
    crashPoint("records-synced");
    if (epoch + 1 > done) {
        writeEpochsDone(m.file, network, epoch + 1, m.path);
        m.me.heartbeat = unixNow();
        writeWriterRecord(m.file, m.me, m.path);
        hdf5::syncToDisk(m.file, m.path);
        m.done[std::size_t(network)] = epoch + 1;
    }
    crashPoint("epoch-visible");
}

}  // namespace orderlens
