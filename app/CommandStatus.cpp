#include "Command.h"

#include "common/Errors.h"
#include "storage/RunProgress.h"

#include <chrono>
#include <cstdio>
#include <thread>
#include <unistd.h>

namespace orderlens::cli {

namespace {

// --watch redraws at this interval: often enough to see epochs arrive, rarely enough to cost
// nothing next to training.
constexpr auto kWatchInterval = std::chrono::seconds(2);

void declare(QCommandLineParser& p)
{
    p.addOption({"run", "The run file (HDF5). Required.", "FILE.h5"});
    p.addOption({"watch", "Refresh every few seconds until the run completes (or nobody trains it)."});
}

int run(const QCommandLineParser& p)
{
    if (!p.isSet("run"))
        throw ConfigError("--run FILE.h5 is required (the run to report on)");
    const std::string path = stringOption(p, "run");
    RunFile runFile(path);
    const bool terminal = ::isatty(STDOUT_FILENO);
    for (;;) {
        runFile.refresh();
        const RunProgress progress = readRunProgress(runFile);
        if (p.isSet("watch") && terminal)
            std::printf("\033[H\033[2J");
        std::printf("%s", describeRunProgress(progress).c_str());
        std::fflush(stdout);
        if (!p.isSet("watch") || progress.complete() || !progress.writerLive)
            return 0;
        std::this_thread::sleep_for(kWatchInterval);
        if (!terminal)
            std::printf("\n");
    }
}

const CommandRegistration reg({"status", "How far a run is: epochs per network, its writer, throughput and ETA.",
                               declare, run});

}  // namespace

}  // namespace orderlens::cli
