// Benchmark: the setup form's dataset check (outlineDataset: image lists, annotations, headers,
// the thumbnails decoded) against loading the whole dataset (every image decoded, no cache), on a
// generated Pascal VOC tree of 500 x 375 JPEGs (VOC's typical size) and a KTH-TIPS2-b tree of
// 200 x 200 PNGs. Usage: bench_dataset_preview [voc-images]

#include "DatasetFixtures.h"
#include "dataset/DatasetReader.h"
#include "dataset/VocReader.h"

#include <QTemporaryDir>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace orderlens;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// The median of three outlines (the first also warms the file system cache), then one whole load.
void compare(const char* what, const std::string& spec)
{
    std::vector<double> outline;
    std::size_t images = 0;
    for (int r = 0; r < 3; ++r) {
        const auto t0 = Clock::now();
        const DatasetOutline o = outlineDataset(spec, 10);
        outline.push_back(seconds(t0, Clock::now()));
        images = o.trainImages + o.testImages;
    }
    std::sort(outline.begin(), outline.end());
    const auto t0 = Clock::now();
    const Dataset ds = loadDataset(spec + "?cache=off");
    const double load = seconds(t0, Clock::now());
    std::printf("%s: %zu images; outline %.3f s (median of 3), whole load without cache %.2f s: %.0fx\n", what,
                images, outline[1], load, load / outline[1]);
}

}  // namespace

int main(int argc, char** argv)
{
    const int vocImages = argc > 1 ? std::max(10, std::atoi(argv[1])) : 1000;
    QTemporaryDir tree;
    const std::string root = tree.path().toStdString();

    // VOC: 60 % VOC2007 trainval, 20 % VOC2012 trainval, 20 % VOC2007 test, one object each.
    std::vector<test::VocImageSpec> voc;
    for (int i = 0; i < vocImages; ++i) {
        const bool test = i % 5 == 4, voc2012 = i % 5 == 3;
        char id[16];
        std::snprintf(id, sizeof id, voc2012 ? "2008_%06d" : "%06d", i);
        voc.push_back({voc2012 ? "VOC2012" : "VOC2007", id, test ? "test" : "trainval", 375, 500,
                       {{kVocClasses[std::size_t(i) % kVocClasses.size()], 10, 20, 300, 200}}});
    }
    test::writeVocTree(root + "/VOCdevkit", voc);
    compare("Pascal VOC", "voc:" + root + "/VOCdevkit");

    // KTH-TIPS2-b: 11 classes, 4 samples, 12 images each (one scale).
    std::vector<std::string> classes;
    for (int c = 0; c < 11; ++c)
        classes.push_back("class" + std::to_string(c));
    std::vector<std::pair<int, int>> grid;
    for (int index = 1; index <= 12; ++index)
        grid.push_back({2, index});
    test::writeKthTree(root + "/KTH-TIPS2-b", classes, grid, 200);
    compare("KTH-TIPS2-b", "kth-tips2b:" + root + "/KTH-TIPS2-b");
    return 0;
}
