#include "dataset/CifarReader.h"

#include "common/Errors.h"
#include "dataset/NumberedKeys.h"

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace orderlens {

namespace {

constexpr int kCifarSide = 32;
constexpr std::size_t kCifarPlane = kCifarSide * kCifarSide;
constexpr std::size_t kCifarPixels = 3 * kCifarPlane;

std::vector<std::string> readNames(const fs::path& path, int classes)
{
    std::vector<std::string> names;
    std::ifstream in(path);
    if (in) {
        std::string line;
        while (std::getline(in, line)) {
            while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
                line.pop_back();
            if (!line.empty())
                names.push_back(line);
        }
    }
    if (int(names.size()) != classes) {
        names.clear();
        for (int c = 0; c < classes; ++c)
            names.push_back(std::to_string(c));
    }
    return names;
}

void readBatch(const fs::path& path, Split split, int labelBytes, int classes, Dataset& ds,
               std::size_t& index)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(path.string(), "file not found or unreadable");
    in.seekg(0, std::ios::end);
    const std::size_t size = std::size_t(in.tellg());
    in.seekg(0);
    const std::size_t record = std::size_t(labelBytes) + kCifarPixels;
    if (size == 0 || size % record != 0)
        throw InputError(path.string(), "size " + std::to_string(size) + " is not a multiple of the " +
                                            std::to_string(record) + "-byte CIFAR record (truncated or not a CIFAR file)");
    const std::size_t n = size / record;
    std::vector<std::uint8_t> buf(size);
    in.read(reinterpret_cast<char*>(buf.data()), std::streamsize(size));
    if (!in)
        throw InputError(path.string(), "read error");
    ds.reserve(ds.size() + n, (ds.size() + n) * kCifarPixels);
    for (std::size_t r = 0; r < n; ++r, ++index) {
        const std::uint8_t* rec = buf.data() + r * record;
        const int label = rec[labelBytes - 1];  // CIFAR-100: the fine label is the second byte
        if (label >= classes)
            throw InputError(path.string(), "record " + std::to_string(r) + " has label " + std::to_string(label) +
                                                " (expected 0.." + std::to_string(classes - 1) + ")");
        const std::uint8_t* planes = rec + labelBytes;
        std::uint8_t* dst = ds.appendPixels(kCifarPixels);
        for (std::size_t p = 0; p < kCifarPlane; ++p) {  // planar -> interleaved RGB
            dst[3 * p + 0] = planes[p];
            dst[3 * p + 1] = planes[kCifarPlane + p];
            dst[3 * p + 2] = planes[2 * kCifarPlane + p];
        }
        ds.add(numberedKey(split, index), split, label, nullptr, kCifarSide, kCifarSide, 3);
    }
}

}  // namespace

std::string CifarReader::description() const
{
    return classes_ == 10 ? "cifar10:DIR  CIFAR-10 binary version (data_batch_1..5.bin, test_batch.bin)"
                          : "cifar100:DIR CIFAR-100 binary version (train.bin, test.bin; fine labels)";
}

Dataset CifarReader::read(const std::string& location) const
{
    const fs::path dir(location);
    if (!fs::is_directory(dir))
        throw InputError(location, "not a folder");
    Dataset ds;
    ds.name = scheme();
    std::size_t trainIndex = 0, testIndex = 0;
    if (classes_ == 10) {
        for (int b = 1; b <= 5; ++b)
            readBatch(dir / ("data_batch_" + std::to_string(b) + ".bin"), Split::Train, 1, 10, ds, trainIndex);
        readBatch(dir / "test_batch.bin", Split::Test, 1, 10, ds, testIndex);
        ds.classNames = readNames(dir / "batches.meta.txt", 10);
    } else {
        readBatch(dir / "train.bin", Split::Train, 2, 100, ds, trainIndex);
        readBatch(dir / "test.bin", Split::Test, 2, 100, ds, testIndex);
        ds.classNames = readNames(dir / "fine_label_names.txt", 100);
    }
    return ds;
}

}  // namespace orderlens
