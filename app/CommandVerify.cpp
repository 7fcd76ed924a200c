#include "Command.h"

#include "common/Errors.h"
#include "storage/RunVerify.h"

#include <cstdio>

namespace orderlens::cli {

namespace {

void declare(QCommandLineParser& p) { p.addOption({"run", "The run file (HDF5). Required.", "FILE.h5"}); }

int run(const QCommandLineParser& p)
{
    if (!p.isSet("run"))
        throw ConfigError("--run FILE.h5 is required (the run file to check)");
    const RunVerification v = verifyRun(stringOption(p, "run"));
    if (v.intact()) {
        std::printf("%s: intact (layout %d, %zu network-epochs and %zu values read, every checksum correct)\n",
                    v.path.c_str(), v.layoutVersion, v.epochsChecked, v.valuesChecked);
        return 0;
    }
    std::printf("%s: DAMAGED\n", v.path.c_str());
    for (const std::string& d : v.damage)
        std::printf("  %s\n", d.c_str());
    if (v.layoutVersion > 0)
        std::printf("(%zu network-epochs read; the rest of the file is intact)\n", v.epochsChecked);
    return 1;
}

const CommandRegistration reg({"verify", "Read every byte of a run, check every checksum and the records' consistency.",
                               declare, run});

}  // namespace

}  // namespace orderlens::cli
