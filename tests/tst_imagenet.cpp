// ImageNet-style reader on generated trees: the resize-shorter-side-to-256 rule, RGB
// conversion, split folders, the on-disk decoded-image cache being reused, and bad input.

#include "ErrorExpectation.h"
#include "AnalysisRecount.h"
#include "DatasetFixtures.h"

#include "analysis/RunAnalysis.h"
#include "common/Errors.h"
#include "dataset/DatasetReader.h"
#include "storage/RunFile.h"
#include "dataset/DecodedImageCache.h"
#include "dataset/ImageNetReader.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

using namespace orderlens;
using test::expectError;
namespace fs = std::filesystem;

namespace {

bool hasNote(const Dataset& ds, const std::string& fragment)
{
    for (const auto& n : ds.notes)
        if (n.find(fragment) != std::string::npos)
            return true;
    return false;
}

std::size_t indexOf(const Dataset& ds, const std::string& key)
{
    for (std::size_t i = 0; i < ds.size(); ++i)
        if (ds.key(i) == key)
            return i;
    return ds.size();
}

// Sizes chosen for the resize rule: landscape, portrait, smaller than 256 (enlarged), exactly
// 256 (kept), a grey JPEG, and a PNG and a BMP.
const std::vector<test::FolderImageSpec> kImages = {
    {"train/n01/a.jpg", 200, 300},        // -> 256 x 384
    {"train/n01/b.png", 80, 100},         // -> 256 x 320 (enlarged)
    {"train/n01/c.JPEG", 300, 256, true}, // grey, shorter side already 256: kept, made RGB
    {"train/n02/d.jpg", 375, 500},        // -> 256 x 341 (341.33 truncated)
    {"train/n02/e.bmp", 256, 256},        // kept, lossless
    {"val/n01/f.jpg", 100, 100},          // -> 256 x 256
    {"val/n02/g.jpg", 512, 300},          // -> 436 x 256 (436.9 truncated)
};

}  // namespace

class TestImageNet : public QObject {
    Q_OBJECT

    QTemporaryDir cache_;
    QTemporaryDir tree_;
    std::string root_;

private slots:
    void initTestCase()
    {
        QVERIFY(cache_.isValid() && tree_.isValid());
        qputenv("ORDERLENS_CACHE_DIR", cache_.path().toUtf8());
        root_ = tree_.path().toStdString();
        test::writeImageTree(root_, kImages);
        std::ofstream(root_ + "/train/n02/notes.txt") << "not an image";
    }

    void layoutKeysAndResize()
    {
        const Dataset ds = loadDataset("imagenet:" + root_);
        QCOMPARE(ds.name, std::string("imagenet"));
        QCOMPARE(ds.classNames, (std::vector<std::string>{"n01", "n02"}));
        QCOMPARE(ds.count(Split::Train), std::size_t(5));
        QCOMPARE(ds.count(Split::Test), std::size_t(2));
        QCOMPARE(ds.height(), 0);
        QCOMPARE(ds.channels(), 3);
        QVERIFY(hasNote(ds, "test split: val/"));
        QVERIFY(hasNote(ds, "ignored 1 files"));
        QVERIFY(hasNote(ds, "shorter side resized to 256"));
        const std::vector<std::array<int, 2>> sizes = {{256, 384}, {256, 320}, {300, 256}, {256, 341},
                                                      {256, 256}, {256, 256}, {436, 256}};
        for (std::size_t n = 0; n < kImages.size(); ++n) {
            const std::size_t i = indexOf(ds, kImages[n].path);
            QVERIFY2(i < ds.size(), kImages[n].path.c_str());
            QCOMPARE(ds.image(i).height, sizes[n][0]);
            QCOMPARE(ds.image(i).width, sizes[n][1]);
            QCOMPARE(ds.image(i).channels, 3);
            QCOMPARE(ds.label(i), kImages[n].path.find("/n01/") != std::string::npos ? 0 : 1);
            QCOMPARE(ds.split(i), n < 5 ? Split::Train : Split::Test);
        }
        // The 256 x 256 BMP (the 5th image written, seed 5) is stored untouched, as RGB.
        const ImageView e = ds.image(indexOf(ds, "train/n02/e.bmp"));
        for (int y : {0, 100, 255})
            for (int x : {0, 17, 255})
                for (int c = 0; c < 3; ++c)
                    QCOMPARE(int(e.data[(y * 256 + x) * 3 + c]), int(test::gradientPixel(5, x, y, c)));
        // The grey JPEG became three equal channels.
        const ImageView grey = ds.image(indexOf(ds, "train/n01/c.JPEG"));
        QCOMPARE(grey.data[3 * 1000], grey.data[3 * 1000 + 1]);
        QCOMPARE(grey.data[3 * 1000], grey.data[3 * 1000 + 2]);
    }

    void resizeOptions()
    {
        const Dataset original = loadDataset("imagenet:" + root_ + "?resize=none");
        QVERIFY(hasNote(original, "original size"));
        const std::size_t d = indexOf(original, "train/n02/d.jpg");
        QCOMPARE(original.image(d).height, 375);
        QCOMPARE(original.image(d).width, 500);
        QCOMPARE(original.image(indexOf(original, "train/n01/c.JPEG")).channels, 3);
        const Dataset small = loadDataset("imagenet:" + root_ + "?resize=64");
        QCOMPARE(small.image(indexOf(small, "train/n01/a.jpg")).height, 64);
        QCOMPARE(small.image(indexOf(small, "train/n01/a.jpg")).width, 96);
        expectError([&] { loadDataset("imagenet:" + root_ + "?resize=-3"); }, {"resize=-3"});
        expectError([&] { loadDataset("imagenet:" + root_ + "?crop=224"); }, {"unknown option 'crop'", "resize, cache"});
    }

    void decodedCacheIsReused()
    {
        QTemporaryDir cacheRoot, dir;
        const std::string root = dir.path().toStdString();
        test::writeImageTree(root, kImages);
        qputenv("ORDERLENS_CACHE_DIR", cacheRoot.path().toUtf8());
        const std::vector<std::string> files = {root + "/train/n01/a.jpg", root + "/train/n02/e.bmp"};
        const DecodedImages first = decodeImages(files, DecodePolicy{kImageNetShorterSide}, decodedCacheRoot());
        QCOMPARE(first.decoded, std::size_t(2));
        QVERIFY(!first.reused);
        const fs::path pixels = fs::path(first.cacheFolder) / "pixels.bin";
        QVERIFY(fs::is_regular_file(pixels));
        QCOMPARE(std::uintmax_t(fs::file_size(pixels)), std::uintmax_t(256 * 384 * 3 + 256 * 256 * 3));
        const auto written = fs::last_write_time(pixels);

        const DecodedImages second = decodeImages(files, DecodePolicy{kImageNetShorterSide}, decodedCacheRoot());
        QVERIFY(second.reused);
        QCOMPARE(second.decoded, std::size_t(0));
        QCOMPARE(second.cacheFolder, first.cacheFolder);
        QVERIFY(fs::last_write_time(pixels) == written);
        QCOMPARE(second.images[1].offset, std::size_t(256 * 384 * 3));
        QCOMPARE(second.images[0].originalHeight, 200);
        QCOMPARE(second.images[0].originalWidth, 300);
        QVERIFY(std::equal(first.pixels->data(), first.pixels->data() + first.pixels->size(), second.pixels->data()));

        // Another policy is another cache.
        const DecodedImages other = decodeImages(files, DecodePolicy{0}, decodedCacheRoot());
        QVERIFY(!other.reused);
        QVERIFY(other.cacheFolder != first.cacheFolder);

        // Through the reader: the second load decodes nothing.
        const Dataset a = loadDataset("imagenet:" + root);
        QVERIFY(hasNote(a, "decoded 7 images into the cache"));
        const Dataset b = loadDataset("imagenet:" + root);
        QVERIFY(hasNote(b, "reused the decoded-image cache"));
        QVERIFY(b.pixelsExternal());

        // A changed image file changes the fingerprint: decoded afresh, new pixels.
        test::writeGradientImage(root + "/train/n02/e.bmp", 256, 256, 42);
        fs::last_write_time(root + "/train/n02/e.bmp", fs::last_write_time(root + "/train/n02/e.bmp") +
                                                           std::chrono::seconds(5));
        const Dataset c = loadDataset("imagenet:" + root);
        QVERIFY(hasNote(c, "decoded 7 images"));
        QCOMPARE(int(c.image(indexOf(c, "train/n02/e.bmp")).data[0]), int(test::gradientPixel(42, 0, 0, 0)));

        // A damaged cache is rebuilt rather than trusted.
        const DecodedImages again = decodeImages(files, DecodePolicy{kImageNetShorterSide}, decodedCacheRoot());
        fs::resize_file(fs::path(again.cacheFolder) / "pixels.bin", 1000);
        const DecodedImages rebuilt = decodeImages(files, DecodePolicy{kImageNetShorterSide}, decodedCacheRoot());
        QVERIFY(!rebuilt.reused);
        QCOMPARE(rebuilt.pixels->size(), std::size_t(256 * 384 * 3 + 256 * 256 * 3));

        // Subsets share the mapped store instead of copying it.
        const Dataset sub = loadDataset("imagenet:" + root, 2, 1);
        QVERIFY(sub.pixelsExternal());
        const std::size_t i = indexOf(b, sub.key(0));
        QCOMPARE(sub.image(0).bytes(), b.image(i).bytes());
        QVERIFY(std::equal(sub.image(0).data, sub.image(0).data + sub.image(0).bytes(), b.image(i).data));

        qputenv("ORDERLENS_CACHE_DIR", cache_.path().toUtf8());
    }

    void cacheOffAndUnwritableCache()
    {
        const Dataset memory = loadDataset("imagenet:" + root_ + "?cache=off");
        QVERIFY(hasNote(memory, "decoded 7 images into memory"));
        QTemporaryDir dir;
        const std::string blocker = dir.path().toStdString() + "/file";
        std::ofstream(blocker) << "x";
        qputenv("ORDERLENS_CACHE_DIR", QByteArray::fromStdString(blocker + "/cache"));
        expectError([&] { loadDataset("imagenet:" + root_); }, {"cannot create the decoded-image cache", "cache=off"});
        qputenv("ORDERLENS_CACHE_DIR", cache_.path().toUtf8());
    }

    void trainTwoTinyNetworksAndAnalyse()
    {
        const std::string runPath = root_ + "/imagenet.h5";
        const test::CommandResult r =
            test::runCommand(ORDERLENS_BINARY, test::tinyTrainingArgs("imagenet:" + root_, runPath));
        QVERIFY2(r.exitCode == 0, r.output.c_str());
        const RunFile run(runPath);
        QCOMPARE(run.epochsDone(), (std::vector<int>{2, 2}));
        QCOMPARE(run.manifest().keys.size(), kImages.size());
        QCOMPARE(run.manifest().classNames, (std::vector<std::string>{"n01", "n02"}));
        const RunAnalysis analysis = analyseRun(run, AnalysisOptions{});
        QCOMPARE(analysis.splits.size(), std::size_t(2));
        for (const SplitAnalysis& split : analysis.splits) {
            QCOMPARE(split.agreement.epochs.size(), std::size_t(2));
            QCOMPARE(split.agreement.epochs[0].images, split.selection.set == RecordSet::Test ? std::size_t(2)
                                                                                          : std::size_t(5));
        }
        test::expectAnalysisMatchesRecords(run, analysis);
    }

    void imageStatisticsOnStoredImages()
    {
        // The statistics engine measures what the reader stored: the 256-short-side copies by
        // default, the originals with ?resize=none. Every image size must work.
        auto table = [&](const std::string& spec, const std::string& csv) {
            const test::CommandResult r = test::runCommand(
                ORDERLENS_BINARY, {"metrics", "--dataset", spec, "--metrics", "entropy,dct,segments,edges",
                                   "--no-cache", "--threads", "1", "--output", csv});
            if (r.exitCode != 0)
                return std::map<std::string, std::vector<std::string>>{{"error", {r.output}}};
            std::map<std::string, std::vector<std::string>> rows;
            std::ifstream in(csv);
            std::string line;
            std::getline(in, line);
            while (std::getline(in, line)) {
                std::vector<std::string> cells;
                std::stringstream ss(line);
                for (std::string cell; std::getline(ss, cell, ',');)
                    cells.push_back(cell);
                rows[cells.at(0)] = cells;
            }
            return rows;
        };
        const auto resized = table("imagenet:" + root_, root_ + "/resized.csv");
        const auto original = table("imagenet:" + root_ + "?resize=none", root_ + "/original.csv");
        QVERIFY2(!resized.count("error"), resized.count("error") ? resized.at("error")[0].c_str() : "");
        QVERIFY2(!original.count("error"), original.count("error") ? original.at("error")[0].c_str() : "");
        QCOMPARE(resized.size(), kImages.size());
        for (const auto& [key, cells] : resized) {
            QCOMPARE(cells.size(), original.at(key).size());
            for (std::size_t c = 3; c < cells.size(); ++c)
                QVERIFY2(std::isfinite(std::stod(cells[c])), (key + ": " + cells[c]).c_str());
        }
        // The 256 x 256 BMP is stored unchanged either way; the enlarged 80 x 100 PNG is not.
        QCOMPARE(resized.at("train/n02/e.bmp"), original.at("train/n02/e.bmp"));
        QVERIFY(resized.at("train/n01/b.png") != original.at("train/n01/b.png"));
    }

    void testFolderWhenNoVal()
    {
        QTemporaryDir dir;
        test::writeImageTree(dir.path().toStdString(),
                             {{"train/cat/1.png", 10, 12}, {"train/dog/2.png", 10, 12}, {"test/dog/3.png", 12, 10}});
        const Dataset ds = loadDataset("imagenet:" + dir.path().toStdString());
        QVERIFY(hasNote(ds, "test split: test/"));
        QCOMPARE(ds.key(2), std::string("test/dog/3.png"));
        QCOMPARE(ds.label(2), 1);
        QCOMPARE(ds.image(2).width, 256);
        QCOMPARE(ds.image(2).height, 307);  // int(256 * 12 / 10)
    }

    void oneSmallFixedSizeIsNotEnlarged()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        test::writeImageTree(root, {{"train/a/1.png", 64, 64}, {"train/b/2.png", 64, 64}, {"val/a/3.png", 64, 64}});
        const Dataset ds = loadDataset("imagenet:" + root);
        QCOMPARE(ds.height(), 64);
        QCOMPARE(ds.width(), 64);
        QVERIFY(hasNote(ds, "every image is 64 x 64, smaller than 256: stored at that size"));
        QCOMPARE(int(ds.image(2).data[3 * 65]), int(test::gradientPixel(3, 1, 1, 0)));
        const Dataset forced = loadDataset("imagenet:" + root + "?resize=256");
        QCOMPARE(forced.height(), 256);
        QVERIFY(!hasNote(forced, "every image is"));
    }

    void badLayouts()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        expectError([&] { loadDataset("imagenet:" + root); }, {"train", "missing"});
        test::writeImageTree(root, {{"train/cat/1.png", 4, 4}, {"train/dog/2.png", 4, 4}});
        expectError([&] { loadDataset("imagenet:" + root); }, {"no val/ or test/"});
        test::writeImageTree(root, {{"val/ILSVRC2012_val_00000001.JPEG", 4, 4}});
        expectError([&] { loadDataset("imagenet:" + root); }, {"val", "no class folders"});
        test::writeImageTree(root, {{"val/bird/3.png", 4, 4}});
        expectError([&] { loadDataset("imagenet:" + root); }, {"val/bird", "no counterpart in train/"});
        fs::remove_all(root + "/val/bird");
        test::writeImageTree(root, {{"val/cat/3.png", 4, 4}});
        fs::create_directories(root + "/train/eel");
        expectError([&] { loadDataset("imagenet:" + root); }, {"train/eel", "empty class folder"});
        fs::remove_all(root + "/train/eel");
        QCOMPARE(loadDataset("imagenet:" + root).size(), std::size_t(3));
        std::ofstream(root + "/train/dog/2.png", std::ios::trunc) << "\x89PNG broken";
        expectError([&] { loadDataset("imagenet:" + root); }, {"train/dog/2.png", "unreadable image"});
    }
};

QTEST_GUILESS_MAIN(TestImageNet)
#include "tst_imagenet.moc"
