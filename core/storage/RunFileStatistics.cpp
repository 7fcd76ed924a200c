// The run's image statistics: the columns stored in the run and the statistics file beside it
// (docs/FORMAT.md), read together and written to the statistics file.

#include "storage/RunFile.h"

#include "common/CrashPoint.h"
#include "common/Errors.h"
#include "io/AtomicFile.h"
#include "storage/Hdf5Metadata.h"
#include "storage/RunLayout.h"

#include <filesystem>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace orderlens {

using hdf5::check;
using hdf5::fail;
using hdf5::Id;
using namespace runlayout;

namespace {

// Holds an exclusive advisory lock on a folder while the statistics file beside a run is
// replaced, so that two processes adding statistics at once do not lose each other's columns.
class FolderLock {
public:
    explicit FolderLock(const fs::path& folder)
    {
        fd_ = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd_ >= 0)
            ::flock(fd_, LOCK_EX);
    }
    ~FolderLock()
    {
        if (fd_ >= 0)
            ::close(fd_);  // releases the lock
    }
    FolderLock(const FolderLock&) = delete;
    FolderLock& operator=(const FolderLock&) = delete;

private:
    int fd_ = -1;
};

}  // namespace

std::string RunFile::statisticsPath() const { return statisticsPathFor(path_); }

std::string RunFile::statisticsPathFor(const std::string& runPath)
{
    fs::path p(runPath);
    const std::string ext = p.extension().string();
    if (ext == ".h5" || ext == ".hdf5")
        p.replace_extension();
    return p.string() + ".stats.h5";
}

void RunFile::removeForeignStatistics() const
{
    try {
        std::map<std::string, std::vector<double>> columns;
        std::set<std::string> distinct;
        readStatistics(columns, distinct);
    } catch (const InputError&) {
        std::error_code ec;
        fs::remove(statisticsPath(), ec);
    }
}

// Statistics: columns stored in the run when it was created (the dataset's own, such as VOC's
// object sizes, or everything a layout-1 run held), overridden by the statistics file beside it.
void RunFile::readAllMetrics(std::map<std::string, std::vector<double>>& columns, std::set<std::string>& distinct) const
{
    {
        Id file = openRun(path_);
        readMetricGroup(file, path_, columns, distinct, manifest_.keys.size());
    }
    std::map<std::string, std::vector<double>> added;
    std::set<std::string> addedDistinct;
    readStatistics(added, addedDistinct);
    for (auto& [name, values] : added) {
        columns[name] = std::move(values);
        distinct.erase(name);
    }
    distinct.insert(addedDistinct.begin(), addedDistinct.end());
}

void RunFile::readStatistics(std::map<std::string, std::vector<double>>& columns, std::set<std::string>& distinct) const
{
    const std::string side = statisticsPath();
    if (!fs::exists(side))
        return;
    hdf5::silence();
    hdf5::checkUnchecksummedMetadata(side);
    Id fapl = fileAccess(Access::ReadLegacy, side);
    Id file = check(H5Fopen(side.c_str(), H5F_ACC_RDONLY, fapl), H5Fclose, side,
                    "cannot open the run's statistics file (damaged or truncated)");
    if (H5Aexists(file, "format") <= 0 || hdf5::readStringAttr(file, "format", side) != kStatisticsFormatName)
        fail(side, "not an OrderLens statistics file");
    if (hdf5::readStringAttr(file, "run_fingerprint", side) != manifest_.fingerprint ||
        hdf5::readIntAttr(file, "images", side) != static_cast<long long>(manifest_.keys.size()))
        fail(side, "this statistics file belongs to another run than " + path_);
    readMetricGroup(file, side, columns, distinct, manifest_.keys.size());
}

std::vector<std::string> RunFile::metricNames() const
{
    std::map<std::string, std::vector<double>> columns;
    std::set<std::string> distinct;
    readAllMetrics(columns, distinct);
    std::vector<std::string> names;
    for (const auto& [name, values] : columns)
        names.push_back(name);
    return names;
}

std::vector<double> RunFile::readMetric(const std::string& name) const
{
    std::map<std::string, std::vector<double>> columns;
    std::set<std::string> distinct;
    readAllMetrics(columns, distinct);
    auto it = columns.find(name);
    if (it == columns.end())
        throw InputError(path_, "no metric '" + name + "'");
    return it->second;
}

std::set<std::string> RunFile::distinctValuedMetrics() const
{
    std::map<std::string, std::vector<double>> columns;
    std::set<std::string> distinct;
    readAllMetrics(columns, distinct);
    return distinct;
}

void RunFile::writeMetrics(const std::map<std::string, std::vector<double>>& columns,
                           const std::set<std::string>& distinctValued)
{
    const std::size_t images = manifest_.keys.size();
    for (const auto& [name, values] : columns) {
        if (values.size() != images)
            throw Error("RunFile::writeMetrics: metric '" + name + "' has " + std::to_string(values.size()) +
                        " values for " + std::to_string(images) + " images");
        if (name.empty() || name.find('/') != std::string::npos || name == ".")
            throw ConfigError("invalid metric name '" + name + "'");
    }
    const std::string side = statisticsPath();
    const FolderLock lock(fs::absolute(side).parent_path());
    // The statistics file's own columns are carried over; the run's stay in the run.
    std::map<std::string, std::vector<double>> kept;
    std::set<std::string> keptDistinct;
    readStatistics(kept, keptDistinct);
    for (const auto& [name, values] : columns) {
        kept[name] = values;
        if (distinctValued.count(name))
            keptDistinct.insert(name);
        else
            keptDistinct.erase(name);
    }
    replaceFile(side, [&](const std::string& tmp) {
        hdf5::silence();
        Id file = check(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fileAccess(Access::Create, tmp)), H5Fclose,
                        tmp, "cannot create the statistics file (permissions? disk full?)");
        hdf5::writeStringAttr(file, "format", kStatisticsFormatName, tmp);
        hdf5::writeIntAttr(file, "layout_version", kStatisticsLayoutVersion, tmp);
        hdf5::writeStringAttr(file, "run_fingerprint", manifest_.fingerprint, tmp);
        hdf5::writeIntAttr(file, "images", static_cast<long long>(images), tmp);
        hdf5::writeStringAttr(file, "run_file", fs::path(path_).filename().string(), tmp);
        writeMetricGroup(file, tmp, kept, keptDistinct);
        hdf5::syncToDisk(file, tmp);
        if (!file.close())
            fail(tmp, "cannot close the statistics file (disk full?)");
        crashPoint("statistics-written");
    });
}

}  // namespace orderlens
