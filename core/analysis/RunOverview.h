#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace orderlens {

// One run as a lab's table of runs shows it (the desktop application's File > Open folder):
// what it trains, how far it is, and how well its networks agree at the end of what it has.
struct RunOverview {
    enum class State { Running, Interrupted, Complete, Unreadable };

    std::string path;
    State state = State::Unreadable;
    std::string error;  // why the run could not be read (state Unreadable)
    std::string dataset, architecture;
    int networks = 0;
    int epochs = 0;                // planned
    std::vector<int> epochsDone;   // per network
    int completeEpochs = 0;        // completed by every network
    // At the last epoch every network completed (NaN before the first): the test split's
    // agreement (docs/DEFINITIONS.md 3, percent) and the networks' mean test accuracy (percent).
    double finalTestAgreement = std::numeric_limits<double>::quiet_NaN();
    double meanTestAccuracy = std::numeric_limits<double>::quiet_NaN();
    // The stored configuration, key -> value as JSON text (strings without quotes).
    std::map<std::string, std::string> settings;
    // The file's modification time and size when it was read: a run is read again only when
    // they change.
    std::int64_t modifiedNs = 0;
    std::uintmax_t bytes = 0;
};

const char* runStateName(RunOverview::State state);  // "running", "interrupted", "complete", "unreadable"

// Reads one run's overview. Never throws: a run that cannot be read is State::Unreadable with
// the reason in `error`.
RunOverview readRunOverview(const std::string& path);

// The run files under `folder`, recursively, sorted: files ending in .h5 except statistics files
// (.stats.h5) and checkpoint folders. Files being written beside a run (.creating, .importing,
// ...) do not end in .h5 and are left out. Unreadable sub-folders are skipped.
std::vector<std::string> findRunFiles(const std::string& folder);

// The configuration keys whose values are not the same in every readable run (a key missing
// from a run counts as a value of its own), sorted, leaving out those an overview shows anyway
// (dataset, architecture, networks, epochs).
std::vector<std::string> differingSettings(const std::vector<RunOverview>& runs);

// Keeps `runs` up to date with a folder: re-reads the runs whose file changed since the last
// call, adds new ones and drops those that are gone. Returns whether anything changed.
bool refreshRunOverviews(const std::string& folder, std::vector<RunOverview>& runs);

}  // namespace orderlens
