// CIFAR-100 binary batches: the input is train.bin beside a valid one-record test.bin and the
// class names, read by the whole CIFAR-100 reader.
#include "FuzzInput.h"
#include "dataset/CifarReader.h"

#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const bool prepared = [] {
        std::vector<std::uint8_t> record(2 + 3072, 7);
        record[0] = 1;
        record[1] = 3;
        orderlens::fuzz::inputFile("test.bin", record.data(), record.size());
        std::string names;
        for (int c = 0; c < 100; ++c)
            names += "class" + std::to_string(c) + "\n";
        orderlens::fuzz::inputFile("fine_label_names.txt", reinterpret_cast<const std::uint8_t*>(names.data()),
                                   names.size());
        return true;
    }();
    (void)prepared;
    orderlens::fuzz::inputFile("train.bin", data, size);
    try {
        orderlens::CifarReader(100).read(orderlens::fuzz::scratchFolder());
    } catch (const orderlens::Error&) {
    }
    return 0;
}
