#include "Command.h"

#include "common/Errors.h"
#include "dataset/DatasetReader.h"
#include "storage/RecordImport.h"

#include <cstdio>

namespace orderlens::cli {

namespace {

void declare(QCommandLineParser& p)
{
    p.addOption({"records", "The records to import: the long CSV that `orderlens export` writes "
                            "(network,epoch,split,key,correct,predicted[,p_true,margin]), or the same columns as "
                            "the arrays of a .npz or the fields of a structured .npy (docs/IMPORT.md). Required.",
                 "FILE"});
    p.addOption({"dataset", "The dataset the records were made on; their keys name its images. Required.", "SPEC"});
    p.addOption({"run", "The run file to create (HDF5). Required.", "FILE.h5"});
    p.addOption({"architecture", "What trained the networks, stored in the run's configuration (default unknown).",
                 "NAME", "unknown"});
    p.addOption({"epochs", "Epochs the training was planned for, when the records stop earlier (default: as many as "
                           "the records hold).",
                 "N", "0"});
    p.addOption({"force", "Overwrite an existing run file."});
}

int run(const QCommandLineParser& p)
{
    for (const char* required : {"records", "dataset", "run"})
        if (!p.isSet(required))
            throw ConfigError(std::string("--") + required + " is required (orderlens import --help)");
    RecordImport import;
    import.recordsPath = stringOption(p, "records");
    import.runPath = stringOption(p, "run");
    import.architecture = stringOption(p, "architecture");
    import.plannedEpochs = int(intOption(p, "epochs", 0, 100000));
    import.overwrite = p.isSet("force");
    const std::string spec = stringOption(p, "dataset");
    std::printf("Loading %s ...\n", spec.c_str());
    std::fflush(stdout);
    const Dataset dataset = loadDataset(spec);
    std::printf("Reading %s ...\n", import.recordsPath.c_str());
    std::fflush(stdout);
    const RecordImportResult r = importRecords(import, dataset, spec);
    for (const std::string& column : r.ignoredColumns)
        std::printf("Ignored column '%s' (not a record column)\n", column.c_str());
    std::printf("Imported %zu records: %d networks, up to %d epochs, %zu train and %zu test images, into %s\n", r.rows,
                r.networks, r.epochs, r.trainImages, r.testImages, import.runPath.c_str());
    return 0;
}

const CommandRegistration reg({"import", "Turn per-image records made by another program into a run.", declare, run});

}  // namespace

}  // namespace orderlens::cli
