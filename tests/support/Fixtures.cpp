#include "Fixtures.h"

#include <opencv2/imgcodecs.hpp>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace orderlens::test {

namespace {

std::uint8_t pixel(const FixtureSpec& spec, bool test, int i, int p)
{
    std::uint32_t h = spec.seed * 2654435761u ^ (test ? 0x9e3779b9u : 0u) ^ std::uint32_t(i) * 40503u ^
                      std::uint32_t(p) * 2246822519u;
    h ^= h >> 13;
    h *= 3266489917u;
    h ^= h >> 16;
    return std::uint8_t(h & 0xff);
}

void writeBytes(const std::string& path, const std::vector<std::uint8_t>& bytes)
{
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!out)
        throw std::runtime_error("cannot write " + path);
}

}  // namespace

int fixtureLabel(const FixtureSpec& spec, bool test, int i) { return (i + (test ? 1 : 0)) % spec.classes; }

std::uint8_t fixtureFirstByte(const FixtureSpec& spec, bool test, int i) { return pixel(spec, test, i, 0); }

std::uint8_t fixturePixel(const FixtureSpec& spec, bool test, int i, int p) { return pixel(spec, test, i, p); }

void writeIdxFile(const std::string& path, const std::vector<std::uint32_t>& dims,
                  const std::vector<std::uint8_t>& data, bool gzip)
{
    std::vector<std::uint8_t> bytes = {0, 0, 0x08, std::uint8_t(dims.size())};
    for (std::uint32_t d : dims)
        for (int s = 24; s >= 0; s -= 8)
            bytes.push_back(std::uint8_t(d >> s));
    bytes.insert(bytes.end(), data.begin(), data.end());
    if (!gzip) {
        writeBytes(path, bytes);
        return;
    }
    gzFile f = gzopen(path.c_str(), "wb");
    if (!f || gzwrite(f, bytes.data(), unsigned(bytes.size())) != int(bytes.size()))
        throw std::runtime_error("cannot write " + path);
    gzclose(f);
}

void writeIdxDataset(const std::string& dir, const FixtureSpec& spec, bool gzip)
{
    fs::create_directories(dir);
    const std::string ext = gzip ? ".gz" : "";
    for (bool test : {false, true}) {
        const int n = test ? spec.testCount : spec.trainCount;
        const std::string prefix = test ? "t10k" : "train";
        std::vector<std::uint8_t> images, labels;
        for (int i = 0; i < n; ++i) {
            for (int p = 0; p < spec.height * spec.width; ++p)
                images.push_back(pixel(spec, test, i, p));
            labels.push_back(std::uint8_t(fixtureLabel(spec, test, i)));
        }
        writeIdxFile(dir + "/" + prefix + "-images-idx3-ubyte" + ext,
                     {std::uint32_t(n), std::uint32_t(spec.height), std::uint32_t(spec.width)}, images, gzip);
        writeIdxFile(dir + "/" + prefix + "-labels-idx1-ubyte" + ext, {std::uint32_t(n)}, labels, gzip);
    }
}

namespace {

std::vector<std::uint8_t> cifarRecords(const FixtureSpec& spec, bool test, int first, int count, int labelBytes)
{
    std::vector<std::uint8_t> out;
    for (int i = first; i < first + count; ++i) {
        const int label = fixtureLabel(spec, test, i);
        if (labelBytes == 2)
            out.push_back(std::uint8_t(label / 5));  // coarse
        out.push_back(std::uint8_t(label));
        // Planar: R plane, G plane, B plane. Pixel p of channel c = pixel(spec, test, i, 3p + c)
        for (int c = 0; c < 3; ++c)
            for (int p = 0; p < 1024; ++p)
                out.push_back(pixel(spec, test, i, 3 * p + c));
    }
    return out;
}

}  // namespace

void writeCifar10(const std::string& dir, const FixtureSpec& spec)
{
    fs::create_directories(dir);
    int first = 0;
    for (int b = 1; b <= 5; ++b) {
        const int count = spec.trainCount / 5 + (b <= spec.trainCount % 5 ? 1 : 0);
        writeBytes(dir + "/data_batch_" + std::to_string(b) + ".bin", cifarRecords(spec, false, first, count, 1));
        first += count;
    }
    writeBytes(dir + "/test_batch.bin", cifarRecords(spec, true, 0, spec.testCount, 1));
    std::ofstream meta(dir + "/batches.meta.txt");
    for (int c = 0; c < spec.classes; ++c)
        meta << "class" << c << "\n";
}

void writeCifar100(const std::string& dir, const FixtureSpec& spec)
{
    fs::create_directories(dir);
    writeBytes(dir + "/train.bin", cifarRecords(spec, false, 0, spec.trainCount, 2));
    writeBytes(dir + "/test.bin", cifarRecords(spec, true, 0, spec.testCount, 2));
}

void writeFolderDataset(const std::string& dir, const FixtureSpec& spec, bool colour)
{
    for (bool test : {false, true}) {
        const int n = test ? spec.testCount : spec.trainCount;
        for (int i = 0; i < n; ++i) {
            const int label = fixtureLabel(spec, test, i);
            const fs::path classDir = fs::path(dir) / (test ? "test" : "train") / ("class" + std::to_string(label));
            fs::create_directories(classDir);
            cv::Mat img(spec.height, spec.width, colour ? CV_8UC3 : CV_8UC1);
            const int ch = colour ? 3 : 1;
            for (int p = 0; p < spec.height * spec.width * ch; ++p)
                img.data[p] = pixel(spec, test, i, p);
            char name[32];
            std::snprintf(name, sizeof name, "%05d.png", i);
            if (!cv::imwrite((classDir / name).string(), img))
                throw std::runtime_error("cannot write " + (classDir / name).string());
        }
    }
}

std::string fashionMnistDir()
{
    const std::string dir = "/usr/share/datasets/fashion-mnist";
    return fs::exists(dir + "/train-images-idx3-ubyte.gz") ? dir : std::string();
}

}  // namespace orderlens::test
