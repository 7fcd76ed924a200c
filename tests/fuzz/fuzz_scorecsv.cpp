// Score CSVs (visual search difficulty, imported statistics, crisp boundaries), matched to a
// small dataset by key, path, file name and stem.
#include "FuzzInput.h"
#include "statistics/ScoreCsv.h"

#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const orderlens::Dataset dataset = [] {
        orderlens::Dataset d;
        d.name = d.source = "fuzz";
        d.classNames = {"a", "b"};
        const std::vector<std::uint8_t> pixels(4, 1);
        for (const char* key : {"train/cat/1.png", "train/dog/2.png", "VOC2012/2008_000008", "test/000001"})
            d.add(key, orderlens::Split::Train, 0, pixels.data(), 2, 2, 1);
        return d;
    }();
    const std::string path = orderlens::fuzz::inputFile("scores.csv", data, size);
    try {
        orderlens::importScoreCsv(path, dataset);
        orderlens::importScoreCsv(path, dataset, "Image", "EdgeStrength");
    } catch (const orderlens::Error&) {
    }
    return 0;
}
