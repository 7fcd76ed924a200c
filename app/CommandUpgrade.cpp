#include "Command.h"

#include "common/Errors.h"
#include "storage/RunFile.h"

#include <cstdio>

namespace orderlens::cli {

namespace {

void declare(QCommandLineParser& p)
{
    p.addOption({"run", "The layout-1 run file to rewrite as layout 2. Required.", "FILE.h5"});
    p.addOption({"keep-backup", "Keep the original as FILE.h5.v1-backup."});
}

int run(const QCommandLineParser& p)
{
    if (!p.isSet("run"))
        throw ConfigError("--run FILE.h5 is required (the run file to upgrade)");
    const std::string path = stringOption(p, "run");
    upgradeRunFile(path, p.isSet("keep-backup"));
    std::printf("Upgraded %s to run-file layout %d%s\n", path.c_str(), RunFile::kLayoutVersion,
                p.isSet("keep-backup") ? (" (the original is " + path + ".v1-backup)").c_str() : "");
    return 0;
}

const CommandRegistration reg({"upgrade", "Rewrite an older (layout 1) run file in the current layout.", declare, run});

}  // namespace

}  // namespace orderlens::cli
