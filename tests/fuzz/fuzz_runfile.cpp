// Run files: the loader (format, layout version, configuration, provenance, manifest, shape,
// counters), every completed epoch's records and summary, the statistics, the writer record,
// and `orderlens verify`'s full read, on a damaged or hostile file.
#include "FuzzInput.h"
#include "storage/RunFile.h"
#include "storage/RunVerify.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string path = orderlens::fuzz::inputFile("run.h5", data, size);
    try {
        const orderlens::RunFile run(path);
        run.writer();
        run.metricNames();
        for (int n = 0; n < run.shape().networks; ++n)
            for (int e = 0; e < run.epochsDone()[std::size_t(n)]; ++e) {
                for (orderlens::RecordSet set :
                     {orderlens::RecordSet::Train, orderlens::RecordSet::Test, orderlens::RecordSet::TrainEval})
                    if (run.hasRecordSet(set))
                        run.readRecords(set, n, e);
                run.readSummary(n, e);
            }
    } catch (const orderlens::Error&) {
    }
    orderlens::verifyRun(path);
    return 0;
}
