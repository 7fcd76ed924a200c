#pragma once

#include "analysis/Agreement.h"
#include "storage/RunFile.h"
#include "storage/RunFollower.h"

#include <QString>

#include <optional>
#include <vector>

namespace orderlens::ui {

// Everything the monitor draws, read from a run file at one moment: per-network epoch
// summaries and the agreement curves (docs/DEFINITIONS.md 3) of the networks that have started.
// Plain data, read on a worker thread and handed to the widgets.
struct RunSnapshot {
    QString path;
    QString error;  // set when the file could not be read
    std::string configJson;
    RunShape shape;
    std::vector<int> epochsDone;
    std::vector<std::vector<EpochSummary>> summaries;  // [network][epoch]
    // Over the networks with at least one epoch, for the epochs all of them completed. While
    // networks train one after another this is first a single network (agreement = accuracy),
    // then grows; `networks` says which.
    std::optional<AgreementCurve> train, test;
    // The process writing the run, as announced in the file when it was read.
    RunWriterInfo writer;
    bool writerLive = false;

    bool ok() const { return error.isEmpty(); }
    int completeEpochs() const;  // epochs every network completed
    bool interrupted() const { return ok() && completeEpochs() < shape.epochs && !writerLive; }
    // Another process (or another window of this one) is training the run right now.
    bool trainedElsewhere() const;

    // Never throws: problems land in `error`.
    static RunSnapshot read(const QString& path);
    // The same from a follower, which reads only the epochs that are new since its last poll.
    static RunSnapshot read(RunFollower& follower);
};

}  // namespace orderlens::ui
