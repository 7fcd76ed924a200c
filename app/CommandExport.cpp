#include "Command.h"

#include "analysis/AnalysisTables.h"
#include "common/Errors.h"

#include <cstdio>

namespace orderlens::cli {

namespace {

void declare(QCommandLineParser& p)
{
    p.addOption({"run", "The run file (HDF5). Required.", "FILE.h5"});
    p.addOption({"records", "CSV to write: network,epoch,split,key,correct,predicted,p_true,margin, one row per "
                            "record of every completed epoch. Required.", "FILE.csv"});
}

int run(const QCommandLineParser& p)
{
    if (!p.isSet("run"))
        throw ConfigError("--run FILE.h5 is required (the run file to export)");
    if (!p.isSet("records"))
        throw ConfigError("--records FILE.csv is required (where the records go)");
    const RunFile runFile(stringOption(p, "run"));
    const std::size_t rows = writeRecordsCsv(stringOption(p, "records"), runFile);
    std::printf("Wrote %zu records to %s\n", rows, stringOption(p, "records").c_str());
    return 0;
}

const CommandRegistration reg({"export", "Write a run's raw per-image records as one long CSV.", declare, run});

}  // namespace

}  // namespace orderlens::cli
