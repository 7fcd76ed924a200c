// KTH-TIPS2-b file names: scale and image index from '_'-separated fields, then the categories.
#include "FuzzInput.h"
#include "dataset/KthTipsReader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string name(reinterpret_cast<const char*>(data), size);
    try {
        int scale = 0, index = 0;
        orderlens::parseKthFileName(std::filesystem::path("wool/sample_a") / name, scale, index);
        orderlens::kthRotation(index);
        orderlens::kthIllumination(index);
    } catch (const orderlens::Error&) {
    }
    return 0;
}
