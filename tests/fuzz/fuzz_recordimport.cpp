// `orderlens import` record files (long CSV, .npz, structured .npy): the input is tried as each
// format against a small dataset; a good one becomes a run file, which is then read back.
#include "FuzzInput.h"
#include "storage/RecordImport.h"
#include "storage/RunFile.h"

#include <filesystem>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const orderlens::Dataset dataset = [] {
        orderlens::Dataset d;
        d.name = "fuzz";
        d.source = "idx:/fuzz";
        d.classNames = {"a", "b", "c"};
        const std::vector<std::uint8_t> pixels(4, 1);
        for (int i = 0; i < 6; ++i)
            d.add((i < 4 ? "train/00000" : "test/00000") + std::to_string(i), i < 4 ? orderlens::Split::Train
                                                                                    : orderlens::Split::Test,
                  i % 3, pixels.data(), 2, 2, 1);
        return d;
    }();
    for (const char* name : {"records.csv", "records.npz", "records.npy"}) {
        orderlens::RecordImport import;
        import.recordsPath = orderlens::fuzz::inputFile(name, data, size);
        import.runPath = orderlens::fuzz::scratchFolder() + "/imported.h5";
        import.overwrite = true;
        try {
            orderlens::importRecords(import, dataset, "idx:/fuzz");
            const orderlens::RunFile run(import.runPath);
            for (int n = 0; n < run.shape().networks; ++n)
                for (int e = 0; e < run.epochsDone()[std::size_t(n)]; ++e)
                    run.readRecords(orderlens::RecordSet::Train, n, e);
        } catch (const orderlens::Error&) {
        }
        std::error_code ec;
        std::filesystem::remove(import.runPath, ec);
    }
    return 0;
}
