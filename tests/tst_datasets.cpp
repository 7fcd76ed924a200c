// Every dataset reader on real data (Fashion-MNIST) and on generated fixtures, good and bad.

#include "DatasetFixtures.h"
#include "ErrorExpectation.h"
#include "Fixtures.h"

#include "common/Errors.h"
#include "dataset/DatasetReader.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>

using namespace orderlens;
using test::expectError;
namespace fs = std::filesystem;

namespace {

void truncateFile(const std::string& path, std::uintmax_t size) { fs::resize_file(path, size); }

}  // namespace

class TestDatasets : public QObject {
    Q_OBJECT

private slots:
    void fashionMnistFromDebianPackage()
    {
        if (test::fashionMnistDir().empty())
            QSKIP("dataset-fashion-mnist is not installed");
        const Dataset ds = loadDataset("fashion-mnist");
        QCOMPARE(ds.count(Split::Train), std::size_t(60000));
        QCOMPARE(ds.count(Split::Test), std::size_t(10000));
        QCOMPARE(ds.classNames.size(), std::size_t(10));
        QCOMPARE(ds.classNames[9], std::string("Ankle boot"));
        QCOMPARE(ds.height(), 28);
        QCOMPARE(ds.width(), 28);
        QCOMPARE(ds.channels(), 1);
        QCOMPARE(ds.key(0), std::string("train/000000"));
        QCOMPARE(ds.key(60000), std::string("test/000000"));
        // Known values from the files: first labels 9,0,0,3 (train) and 9,2,1 (test).
        QCOMPARE(ds.label(0), 9);
        QCOMPARE(ds.label(3), 3);
        QCOMPARE(ds.label(60001), 2);
        const ImageView first = ds.image(0);
        QCOMPARE(std::accumulate(first.data, first.data + first.bytes(), 0L), 76247L);
        QCOMPARE(int(first.data[14 * 28 + 14]), 217);
        std::map<int, int> perClass;
        for (std::size_t i : ds.indices(Split::Train))
            ++perClass[ds.label(i)];
        for (const auto& [label, n] : perClass)
            QCOMPARE(n, 6000);
    }

    void fashionMnistSubsetIsStratifiedAndReproducible()
    {
        if (test::fashionMnistDir().empty())
            QSKIP("dataset-fashion-mnist is not installed");
        const Dataset a = loadDataset("fashion-mnist", 1000, 205);
        const Dataset b = loadDataset("fashion-mnist", 1000, 205);
        const Dataset c = loadDataset("fashion-mnist", 1000, 205, 7);
        QCOMPARE(a.count(Split::Train), std::size_t(1000));
        QCOMPARE(a.count(Split::Test), std::size_t(205));
        std::map<int, int> perClass;
        for (std::size_t i : a.indices(Split::Train))
            ++perClass[a.label(i)];
        for (const auto& [label, n] : perClass)
            QCOMPARE(n, 100);
        perClass.clear();
        for (std::size_t i : a.indices(Split::Test))
            ++perClass[a.label(i)];
        for (const auto& [label, n] : perClass)
            QVERIFY(n == 20 || n == 21);
        QCOMPARE(a.fingerprint(), b.fingerprint());
        QVERIFY(a.fingerprint() != c.fingerprint());
        for (std::size_t i = 1; i < a.size(); ++i)  // dataset order is kept
            QVERIFY(a.split(i - 1) != a.split(i) || a.key(i - 1) < a.key(i));
    }

    void idxFixtures_data()
    {
        QTest::addColumn<bool>("gzip");
        QTest::newRow("raw") << false;
        QTest::newRow("gzip") << true;
    }

    void idxFixtures()
    {
        QFETCH(bool, gzip);
        QTemporaryDir dir;
        test::FixtureSpec spec;
        spec.height = 5;
        spec.width = 7;
        test::writeIdxDataset(dir.path().toStdString(), spec, gzip);
        const Dataset ds = loadDataset("idx:" + dir.path().toStdString());
        QCOMPARE(ds.count(Split::Train), std::size_t(spec.trainCount));
        QCOMPARE(ds.count(Split::Test), std::size_t(spec.testCount));
        QCOMPARE(ds.height(), 5);
        QCOMPARE(ds.width(), 7);
        QCOMPARE(ds.classNames.size(), std::size_t(spec.classes));
        for (int i = 0; i < spec.testCount; ++i) {
            const std::size_t idx = std::size_t(spec.trainCount + i);
            QCOMPARE(ds.label(idx), test::fixtureLabel(spec, true, i));
            QCOMPARE(ds.image(idx).data[0], test::fixtureFirstByte(spec, true, i));
        }
    }

    void cifar10Fixture()
    {
        QTemporaryDir dir;
        test::FixtureSpec spec;
        spec.trainCount = 23;  // uneven over the five batch files
        spec.classes = 10;
        test::writeCifar10(dir.path().toStdString(), spec);
        const Dataset ds = loadDataset("cifar10:" + dir.path().toStdString());
        QCOMPARE(ds.count(Split::Train), std::size_t(23));
        QCOMPARE(ds.count(Split::Test), std::size_t(spec.testCount));
        QCOMPARE(ds.height(), 32);
        QCOMPARE(ds.channels(), 3);
        QCOMPARE(ds.classNames[3], std::string("class3"));
        QCOMPARE(ds.key(22), std::string("train/000022"));
        for (int i = 0; i < 23; ++i)
            QCOMPARE(ds.label(std::size_t(i)), test::fixtureLabel(spec, false, i));
        // The planar R, G, B planes become interleaved RGB pixels.
        const ImageView v = ds.image(5);
        QCOMPARE(v.data[0], test::fixtureFirstByte(spec, false, 5));
        QCOMPARE(v.data[3 * 7 + 1], test::fixturePixel(spec, false, 5, 3 * 7 + 1));  // pixel 7, green
        QCOMPARE(v.data[3 * 1023 + 2], test::fixturePixel(spec, false, 5, 3 * 1023 + 2));  // last pixel, blue
    }

    void cifar100UsesFineLabels()
    {
        QTemporaryDir dir;
        test::FixtureSpec spec;
        spec.classes = 100;
        spec.trainCount = 30;
        test::writeCifar100(dir.path().toStdString(), spec);
        const Dataset ds = loadDataset("cifar100:" + dir.path().toStdString());
        QCOMPARE(ds.classNames.size(), std::size_t(100));
        for (int i = 0; i < 30; ++i)
            QCOMPARE(ds.label(std::size_t(i)), test::fixtureLabel(spec, false, i));
    }

    void imageFolders_data()
    {
        QTest::addColumn<bool>("colour");
        QTest::newRow("grey") << false;
        QTest::newRow("colour") << true;
    }

    // The outline of an image folder reads each image's size from its header (PNG, JPEG,
    // PGM/PPM; other formats are decoded): checked against the decoded images of loadDataset.
    void outlineReadsSizesFromHeaders()
    {
        QTemporaryDir dir;
        const std::string mixed = dir.filePath("mixed").toStdString();
        test::writeImageTree(mixed, {{"train/a/1.png", 10, 14},
                                     {"train/a/2.jpg", 9, 20},
                                     {"train/b/1.ppm", 7, 11},
                                     {"train/b/2.pgm", 8, 8, true},
                                     {"test/a/1.bmp", 12, 6},
                                     {"test/b/1.jpg", 30, 5, true}});
        const Dataset ds = loadDataset("folder:" + mixed);
        const DatasetOutline o = outlineDataset("folder:" + mixed, 10);
        QCOMPARE(o.classNames, ds.classNames);
        QCOMPARE(o.trainImages, ds.count(Split::Train));
        QCOMPARE(o.testImages, ds.count(Split::Test));
        QCOMPARE(o.height, ds.height());  // 0: the sizes differ
        QCOMPARE(o.channels, ds.channels());
        int smallest = std::numeric_limits<int>::max();
        for (std::size_t i = 0; i < ds.size(); ++i)
            smallest = std::min({smallest, ds.image(i).height, ds.image(i).width});
        QCOMPARE(o.smallestSide, smallest);
        QCOMPARE(o.samples.size(), std::size_t(2));
        for (const DatasetOutline::Sample& sample : o.samples) {
            std::size_t i = 0;
            while (ds.key(i) != sample.key)
                ++i;
            const ImageView v = ds.image(i);
            QCOMPARE(sample.label, ds.label(i));
            QCOMPARE(sample.height, v.height);
            QCOMPARE(sample.width, v.width);
            QCOMPARE(sample.channels, v.channels);
            QVERIFY(sample.pixels == std::vector<std::uint8_t>(v.data, v.data + v.bytes()));
        }

        // One size and grey JPEGs throughout: the outline says so, as the decoded dataset does.
        const std::string grey = dir.filePath("grey").toStdString();
        test::writeImageTree(grey, {{"train/a/1.jpg", 13, 17, true},
                                    {"train/b/1.jpg", 13, 17, true},
                                    {"test/a/1.jpg", 13, 17, true}});
        const Dataset greyDs = loadDataset("folder:" + grey);
        const DatasetOutline greyOutline = outlineDataset("folder:" + grey, 10);
        QCOMPARE(greyOutline.height, greyDs.height());
        QCOMPARE(greyOutline.width, greyDs.width());
        QCOMPARE(greyOutline.channels, greyDs.channels());
        QCOMPARE(greyOutline.channels, 1);
    }

    void imageFolders()
    {
        QFETCH(bool, colour);
        QTemporaryDir dir;
        test::FixtureSpec spec;
        spec.height = 6;
        spec.width = 9;
        spec.classes = 3;
        test::writeFolderDataset(dir.path().toStdString(), spec, colour);
        const Dataset ds = loadDataset("folder:" + dir.path().toStdString());
        QCOMPARE(ds.classNames, (std::vector<std::string>{"class0", "class1", "class2"}));
        QCOMPARE(ds.count(Split::Train), std::size_t(spec.trainCount));
        QCOMPARE(ds.count(Split::Test), std::size_t(spec.testCount));
        QCOMPARE(ds.channels(), colour ? 3 : 1);
        QCOMPARE(ds.height(), 6);
        QCOMPARE(ds.width(), 9);
        // Keys are paths relative to the root; classes in sorted order, files sorted by name.
        QCOMPARE(ds.key(0), std::string("train/class0/00000.png"));
        QCOMPARE(ds.label(0), 0);
        for (std::size_t i = 0; i < ds.size(); ++i) {
            const std::string& key = ds.key(i);
            const int label = key[key.find("class") + 5] - '0';
            QCOMPARE(ds.label(i), label);
            const int n = std::stoi(key.substr(key.size() - 9, 5));
            const bool test = key.rfind("test/", 0) == 0;
            QCOMPARE(label, test::fixtureLabel(spec, test, n));
            // The fixture wrote OpenCV's BGR order; the reader gives RGB: byte 0 went to channel 2.
            QCOMPARE(ds.image(i).data[colour ? 2 : 0], test::fixtureFirstByte(spec, test, n));
        }
    }

    void badIdxInput()
    {
        QTemporaryDir dir;
        const std::string d = dir.path().toStdString();
        test::FixtureSpec spec;
        test::writeIdxDataset(d, spec, false);
        const std::string images = d + "/train-images-idx3-ubyte";
        // Truncated payload.
        truncateFile(images, 16 + 64 * 10);
        expectError([&] { loadDataset("idx:" + d); }, {images, "truncated"});
        // Wrong magic.
        { std::ofstream f(images, std::ios::binary); f << "PK\x03\x04 definitely not idx"; }
        expectError([&] { loadDataset("idx:" + d); }, {images, "magic"});
        // Labels and images disagree.
        test::writeIdxDataset(d, spec, false);
        test::writeIdxFile(d + "/train-labels-idx1-ubyte", {3}, {0, 1, 2}, false);
        expectError([&] { loadDataset("idx:" + d); }, {"train-labels-idx1-ubyte", "3 labels"});
        // Truncated gzip stream.
        QTemporaryDir gz;
        test::writeIdxDataset(gz.path().toStdString(), spec, true);
        const std::string gzImages = gz.path().toStdString() + "/t10k-images-idx3-ubyte.gz";
        truncateFile(gzImages, fs::file_size(gzImages) / 2);
        expectError([&] { loadDataset("idx:" + gz.path().toStdString()); }, {gzImages});
        // Missing file and missing folder.
        test::writeIdxDataset(d, spec, false);
        fs::remove(d + "/t10k-labels-idx1-ubyte");
        expectError([&] { loadDataset("idx:" + d); }, {"t10k-labels-idx1-ubyte", "not found"});
        expectError([&] { loadDataset("idx:" + d + "/nope"); }, {d + "/nope", "not a folder"});
    }

    void fashionMnistLabelOutOfRange()
    {
        QTemporaryDir dir;
        const std::string d = dir.path().toStdString();
        test::FixtureSpec spec;
        test::writeIdxDataset(d, spec, true);
        test::writeIdxFile(d + "/t10k-labels-idx1-ubyte.gz", {std::uint32_t(spec.testCount)},
                           std::vector<std::uint8_t>(std::size_t(spec.testCount), 42), true);
        expectError([&] { loadDataset("fashion-mnist:" + d); }, {"t10k-labels-idx1-ubyte.gz", "label 42", "out of range"});
    }

    void badCifarInput()
    {
        QTemporaryDir dir;
        const std::string d = dir.path().toStdString();
        test::FixtureSpec spec;
        spec.classes = 10;
        test::writeCifar10(d, spec);
        const std::string batch = d + "/data_batch_3.bin";
        truncateFile(batch, fs::file_size(batch) - 100);
        expectError([&] { loadDataset("cifar10:" + d); }, {batch, "truncated"});
        test::writeCifar10(d, spec);
        {
            std::fstream f(d + "/test_batch.bin", std::ios::in | std::ios::out | std::ios::binary);
            f.seekp(3073);  // label byte of the second record
            f.put(char(12));
        }
        expectError([&] { loadDataset("cifar10:" + d); }, {"test_batch.bin", "label 12"});
        fs::remove(d + "/data_batch_5.bin");
        expectError([&] { loadDataset("cifar10:" + d); }, {"data_batch_5.bin"});
    }

    void badFolderInput()
    {
        QTemporaryDir dir;
        const std::string d = dir.path().toStdString();
        test::FixtureSpec spec;
        spec.classes = 2;
        test::writeFolderDataset(d, spec, true);
        // An unreadable image.
        { std::ofstream f(d + "/train/class1/broken.png"); f << "not a png"; }
        expectError([&] { loadDataset("folder:" + d); }, {"broken.png", "unreadable image"});
        fs::remove(d + "/train/class1/broken.png");
        // An empty class folder.
        fs::create_directories(d + "/test/class9");
        expectError([&] { loadDataset("folder:" + d); }, {"class9", "empty class folder"});
        fs::remove(d + "/test/class9");
        // A missing split.
        fs::remove_all(d + "/test");
        expectError([&] { loadDataset("folder:" + d); }, {"test", "missing"});
    }

    void badSpecs()
    {
        expectError([] { loadDataset("imagenet-ish:/x"); }, {"unknown dataset format", "cifar10"});
        expectError([] { loadDataset("cifar10"); }, {"needs a folder"});
        expectError([] { loadDataset("fashion-mnist:/does/not/exist"); }, {"/does/not/exist"});
    }

    void fingerprintCoversNamesLabelsAndPixels()
    {
        test::FixtureSpec spec;
        spec.trainCount = 6;
        spec.testCount = 3;
        auto build = [&](int flippedImage) {
            Dataset ds;
            for (int i = 0; i < spec.trainCount; ++i) {
                std::vector<std::uint8_t> pixels(64);
                for (int p = 0; p < 64; ++p)
                    pixels[std::size_t(p)] = test::fixturePixel(spec, false, i, p);
                if (i == flippedImage)
                    pixels[10] ^= 1;
                ds.add("train/" + std::to_string(i), i < 4 ? Split::Train : Split::Test, i % 2, pixels.data(), 8, 8, 1);
            }
            return ds;
        };
        const Dataset a = build(-1), same = build(-1), changed = build(3);
        QCOMPARE(a.fingerprint(), same.fingerprint());
        QVERIFY(a.fingerprint() != changed.fingerprint());
        QCOMPARE(a.legacyFingerprint(), changed.legacyFingerprint());  // names and labels alone
        QCOMPARE(a.fingerprint().substr(0, 17), a.legacyFingerprint() + "-");
        QCOMPARE(changed.matchFingerprint(a.fingerprint()), Dataset::FingerprintMatch::PixelsDiffer);
        QCOMPARE(a.matchFingerprint(a.fingerprint()), Dataset::FingerprintMatch::Same);
        // A run made before the fingerprint covered pixels stores the legacy form: still accepted.
        QCOMPARE(changed.matchFingerprint(a.legacyFingerprint()), Dataset::FingerprintMatch::Same);
        Dataset renamed = build(-1);
        renamed.add("train/extra", Split::Train, 0, std::vector<std::uint8_t>(64, 0).data(), 8, 8, 1);
        QCOMPARE(renamed.matchFingerprint(a.fingerprint()), Dataset::FingerprintMatch::Different);
        // A subset carries its images' hashes: the same as the images loaded on their own.
        QCOMPARE(a.select({1, 4}).fingerprint(), build(-1).select({1, 4}).fingerprint());
        QVERIFY(a.select({1, 3}).fingerprint() != changed.select({1, 3}).fingerprint());
        QCOMPARE(a.select({1, 4}).fingerprint(), changed.select({1, 4}).fingerprint());
    }

    void cliInfoPrintsSummary()
    {
        if (test::fashionMnistDir().empty())
            QSKIP("dataset-fashion-mnist is not installed");
        QProcess p;
        p.start(ORDERLENS_BINARY, {"info", "--dataset", "fashion-mnist"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const QString out = p.readAllStandardOutput();
        QVERIFY2(out.contains("60000 train, 10000 test"), qPrintable(out));
        QVERIFY(out.contains("28 x 28 x 1"));
        QVERIFY(out.contains("Classes: 10"));
    }

    void cliRejectsBadOptions()
    {
        QProcess p;
        p.start(ORDERLENS_BINARY, {"info", "--limit-train", "many"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        const QString err = p.readAllStandardError();
        QVERIFY2(err.contains("--limit-train") && err.count('\n') == 1, qPrintable(err));
        // An unknown option is a usage error (status 1, naming it), not any failure or a crash.
        p.start(ORDERLENS_BINARY, {"info", "--no-such-option"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 1);
        const QString unknown = p.readAllStandardError();
        QVERIFY2(unknown.contains("no-such-option") && unknown.count('\n') == 1, qPrintable(unknown));
        p.start(ORDERLENS_BINARY, {"frobnicate"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        p.start(ORDERLENS_BINARY, {"--help"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(QString(p.readAllStandardOutput()).contains("info"));
    }
};

QTEST_GUILESS_MAIN(TestDatasets)
#include "tst_datasets.moc"
