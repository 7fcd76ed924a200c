// Benchmark: reading an ImageNet-style folder of JPEGs (VOC-sized, 500 x 375 photos with
// texture) the first time (decode, resize to shorter side 256, write the decoded-image cache),
// a later time (cache reused: map only), without a cache, and one epoch's pass over the mapped
// pixels. Usage: bench_decoded_images [images-per-class]

#include "dataset/DatasetReader.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <QTemporaryDir>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

using namespace orderlens;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// A photo-like JPEG: a gradient with noise, so the decoder does realistic work.
void writePhoto(const std::string& path, int seed)
{
    cv::Mat img(375, 500, CV_8UC3);
    cv::RNG rng{std::uint64_t(seed)};
    rng.fill(img, cv::RNG::NORMAL, cv::Scalar(120, 110, 100), cv::Scalar(40, 40, 40));
    for (int y = 0; y < img.rows; ++y)
        for (int x = 0; x < img.cols; ++x)
            img.at<cv::Vec3b>(y, x)[0] = cv::saturate_cast<std::uint8_t>(img.at<cv::Vec3b>(y, x)[0] / 2 + x / 4);
    fs::create_directories(fs::path(path).parent_path());
    cv::imwrite(path, img, {cv::IMWRITE_JPEG_QUALITY, 90});
}

}  // namespace

int main(int argc, char** argv)
{
    const int perClass = argc > 1 ? std::max(1, std::atoi(argv[1])) : 200;
    QTemporaryDir tree, cache;
    qputenv("ORDERLENS_CACHE_DIR", cache.path().toUtf8());
    const std::string root = tree.path().toStdString();
    int seed = 0;
    for (const char* split : {"train", "val"})
        for (const char* cls : {"n01", "n02"})
            for (int i = 0; i < (std::string(split) == "train" ? perClass : perClass / 4); ++i)
                writePhoto(root + "/" + split + "/" + cls + "/" + std::to_string(i) + ".jpg", ++seed);

    const auto t0 = Clock::now();
    const Dataset first = loadDataset("imagenet:" + root);
    const auto t1 = Clock::now();
    const Dataset second = loadDataset("imagenet:" + root);
    const auto t2 = Clock::now();
    const Dataset memory = loadDataset("imagenet:" + root + "?cache=off");
    const auto t3 = Clock::now();
    std::uint64_t checksum = 0, bytes = 0;
    for (std::size_t i = 0; i < second.size(); ++i) {
        const ImageView v = second.image(i);
        for (std::size_t b = 0; b < v.bytes(); b += 64)
            checksum += v.data[b];
        bytes += v.bytes();
    }
    const auto t4 = Clock::now();

    const double n = double(first.size());
    std::printf("%zu JPEG images 500 x 375, stored at shorter side 256 (%.0f MB decoded), %u threads\n",
                first.size(), double(bytes) / 1e6, std::max(1u, std::thread::hardware_concurrency()));
    std::printf("first load (decode + resize + write cache): %.2f s, %.0f images/s\n", seconds(t0, t1),
                n / seconds(t0, t1));
    std::printf("later load (cache reused, mapped):          %.3f s, %.0f images/s\n", seconds(t1, t2),
                n / seconds(t1, t2));
    std::printf("load without cache (decode into RAM):       %.2f s, %.0f images/s\n", seconds(t2, t3),
                n / seconds(t2, t3));
    std::printf("one pass over the mapped pixels (every cache line): %.3f s, %.2f GB/s (checksum %llu)\n", seconds(t3, t4),
                double(bytes) / 1e9 / seconds(t3, t4), static_cast<unsigned long long>(checksum));
    return memory.size() == first.size() ? 0 : 1;
}
