#pragma once

#include "storage/RunFile.h"

#include <string>
#include <vector>

namespace orderlens {

// How far a run has come and how fast it goes, from its records alone (`orderlens status`, the
// GUI's progress for runs trained by another process).
struct NetworkProgress {
    int epochsDone = 0;
    double lastFinishedAt = 0;  // seconds since 1970; 0 = unknown (layout 1) or no epoch yet
    double secondsPerEpoch = 0;  // mean over the network's completed epochs; 0 = unknown
    double imagesPerSecond = 0;  // in its last epoch (training and evaluation passes together)
    // Runs trained as tasks: the writer of the network's part (inactive before its task started).
    RunWriterInfo writer;
    bool writerLive = false;
};

struct RunProgress {
    std::string path;
    int epochs = 0;
    std::vector<NetworkProgress> networks;
    RunWriterInfo writer;
    bool writerLive = false;
    bool sideBySide = false;  // the networks train at the same time (so the ETA is their maximum)
    bool tasks = false;       // one process per network (train --task): writers are per network
    double etaSeconds = -1;   // -1 = unknown (nothing measured yet, or nobody trains the run)

    bool complete() const;
    double lastEpochAt() const;  // the latest lastFinishedAt; 0 when unknown
};

RunProgress readRunProgress(const RunFile& run);

// A few lines for a terminal: writer, a row per network, the ETA.
std::string describeRunProgress(const RunProgress& progress);

}  // namespace orderlens
