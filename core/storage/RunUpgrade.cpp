#include "storage/RunFile.h"

#include "storage/RunLayout.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace orderlens {

using hdf5::check;
using hdf5::Id;
using namespace runlayout;

void upgradeRunFile(const std::string& path, bool keepBackup)
{
    const RunFile old(path);
    if (old.layoutVersion() >= RunFile::kLayoutVersion)
        throw InputError(path, "is already a layout-" + std::to_string(old.layoutVersion()) + " run file");
    const std::string tmp = path + ".upgrading";
    const std::string backup = path + ".v1-backup";
    try {
        // Everything the old file held: columns stored in it move to the new run's /metrics.
        std::map<std::string, std::vector<double>> metrics;
        std::set<std::string> distinct;
        {
            Id file = openRun(path);
            readMetricGroup(file, path, metrics, distinct, old.manifest().keys.size());
        }
        std::map<std::string, std::string> provenance = old.provenance();
        provenance["upgraded_from_layout"] = std::to_string(old.layoutVersion());
        writeNewRun(tmp, old.configJson(),
                    old.manifest(), old.shape(), provenance, metrics, distinct);
        Id file = check(H5Fopen(tmp.c_str(), H5F_ACC_RDWR, fileAccess(Access::Create, tmp)), H5Fclose, tmp,
                        "cannot open the new run file");
        for (int n = 0; n < old.shape().networks; ++n) {
            for (int e = 0; e < old.epochsDone()[std::size_t(n)]; ++e) {
                std::map<RecordSet, SplitRecords> records;
                for (RecordSet set : recordSets(old.shape()))
                    records[set] = old.readRecords(set, n, e);
                writeEpochRows(file, old.manifest(), old.shape(), RunFile::kLayoutVersion, n, e, records,
                               old.readSummary(n, e), tmp);
            }
            writeEpochsDone(file, n, old.epochsDone()[std::size_t(n)], tmp);
        }
        hdf5::syncToDisk(file, tmp);
        if (!file.close())
            hdf5::fail(tmp, "cannot close the new run file (disk full?)");
    } catch (...) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw;
    }
    // The original stays reachable as the backup until the new file has replaced it.
    std::error_code ec;
    fs::remove(backup, ec);
    fs::create_hard_link(path, backup, ec);
    if (ec)
        fs::copy_file(path, backup, fs::copy_options::overwrite_existing, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw InputError(path, "cannot keep a backup of the original as " + backup + ": " + ec.message());
    }
    fs::rename(tmp, path, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw InputError(path, "cannot move the upgraded file into place: " + ec.message() + " (the original is unchanged)");
    }
    if (!keepBackup)
        fs::remove(backup, ec);
}

}  // namespace orderlens
