// NPY matrices (CIFAR-10H probabilities): header, dtype, shape, order, payload.
#include "FuzzInput.h"
#include "io/NpyFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string path = orderlens::fuzz::inputFile("input.npy", data, size);
    try {
        orderlens::readNpyMatrix(path);
    } catch (const orderlens::Error&) {
    }
    return 0;
}
