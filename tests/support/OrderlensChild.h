#pragma once

// `orderlens COMMAND ...` run as a child process by the kill and full-disk campaigns, optionally
// stopped at a crash point (core/common/CrashPoint.h) and then killed or continued.

#include <QString>
#include <QStringList>

#include <functional>
#include <string>
#include <vector>

namespace orderlens::test {

struct ChildOutcome {
    bool reachedCrashPoint = false;
    bool killed = false;    // by the test, with SIGKILL
    bool finished = false;  // exited on its own
    int exitCode = -1;
    QString errors;         // its stderr (its stdout is discarded)
};

// Runs `orderlens ARGUMENTS` to the end. With `crashPoint` ("NAME:PASS") the child stops at
// that pass and is killed there, or, when `atCrashPoint` is given, that is called while the
// child is stopped and the child then continues to its end. With `killAfterMs` >= 0 (and no
// crash point) it is killed after that long unless it ended first.
ChildOutcome runOrderlens(const QStringList& arguments, const QString& crashPoint = {},
                          const std::function<void()>& atCrashPoint = {}, int killAfterMs = -1);

// The names in a folder, sorted.
std::vector<std::string> folderEntries(const std::string& folder);

}  // namespace orderlens::test
