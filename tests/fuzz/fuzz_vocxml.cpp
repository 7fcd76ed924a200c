// Pascal VOC annotation XML: classes, difficult flags, sizes and bounding boxes.
#include "FuzzInput.h"
#include "dataset/VocReader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string path = orderlens::fuzz::inputFile("000005.xml", data, size);
    try {
        orderlens::parseVocAnnotation(path);
    } catch (const orderlens::Error&) {
    }
    return 0;
}
