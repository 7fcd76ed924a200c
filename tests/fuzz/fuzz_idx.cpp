// IDX files (MNIST layout), raw or gzip-compressed: magic, dimensions, payload size.
#include "FuzzInput.h"
#include "dataset/IdxReader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    // The first byte picks the rank the caller expects (labels 1, images 3); the rest is the file.
    if (size < 1)
        return 0;
    const int rank = data[0] % 2 ? 3 : 1;
    const std::string path = orderlens::fuzz::inputFile("input-idx-ubyte", data + 1, size - 1);
    try {
        orderlens::IdxReader::readIdxFile(path, rank);
    } catch (const orderlens::Error&) {
    }
    return 0;
}
