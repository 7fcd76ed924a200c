// Pascal VOC reader on generated devkit trees: splits from ImageSets, multi-label bits from the
// annotations, object size and instances by hand, visual search difficulty import, bad input.

#include "ErrorExpectation.h"
#include "AnalysisRecount.h"
#include "DatasetFixtures.h"
#include "OutlineComparison.h"

#include "analysis/RunAnalysis.h"
#include "common/Errors.h"
#include "dataset/DatasetReader.h"
#include "storage/RunFile.h"
#include "dataset/VocReader.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace orderlens;
using test::expectError;
namespace fs = std::filesystem;

namespace {

std::uint64_t bit(int c) { return std::uint64_t(1) << c; }

bool hasNote(const Dataset& ds, const std::string& fragment)
{
    for (const auto& n : ds.notes)
        if (n.find(fragment) != std::string::npos)
            return true;
    return false;
}

}  // namespace

class TestVoc : public QObject {
    Q_OBJECT

    QTemporaryDir cache_;
    std::string vocDir_;
    QTemporaryDir tree_;

private slots:
    void initTestCase()
    {
        QVERIFY(cache_.isValid() && tree_.isValid());
        qputenv("ORDERLENS_CACHE_DIR", cache_.path().toUtf8());
        vocDir_ = tree_.path().toStdString() + "/VOCdevkit";
        test::writeVocTree(vocDir_, test::vocFixtureImages());
    }

    void splitsKeysAndLabels()
    {
        const Dataset ds = loadDataset("voc:" + vocDir_);
        QCOMPARE(ds.name, std::string("voc"));
        QVERIFY(ds.multiLabel);
        QCOMPARE(ds.classNames.size(), std::size_t(20));
        QCOMPARE(ds.classNames[0], std::string("aeroplane"));
        QCOMPARE(ds.classNames[11], std::string("dog"));
        QCOMPARE(ds.classNames[19], std::string("tvmonitor"));
        QCOMPARE(ds.count(Split::Train), std::size_t(5));
        QCOMPARE(ds.count(Split::Test), std::size_t(2));
        // VOC2007 trainval in list order, then VOC2012 trainval, then VOC2007 test.
        const std::vector<std::string> keys = {"VOC2007/000005", "VOC2007/000007",      "VOC2007/000009",
                                               "VOC2012/2008_000008", "VOC2012/2008_000015", "VOC2007/000001",
                                               "VOC2007/000002"};
        for (std::size_t i = 0; i < keys.size(); ++i)
            QCOMPARE(ds.key(i), keys[i]);
        QCOMPARE(ds.split(4), Split::Train);
        QCOMPARE(ds.split(5), Split::Test);
        // Classes 1 (bicycle) and 11 (dog) together: both bits, not the study's substring bug.
        QCOMPARE(ds.labelBits(0), bit(1) | bit(11));
        QCOMPARE(ds.label(0), 1);
        QCOMPARE(ds.labelBits(1), bit(6));
        QCOMPARE(ds.labelBits(2), bit(14));  // two persons: one class
        QCOMPARE(ds.labelBits(3), bit(12));
        QCOMPARE(ds.labelBits(4), bit(19));
        // Labels keep difficult objects (the metrics below do not, in the test split).
        QCOMPARE(ds.labelBits(5), bit(11) | bit(14));
        QCOMPARE(ds.labelBits(6), bit(6));
        QVERIFY(hasNote(ds, "train split: VOC2007 trainval (3 images) + VOC2012 trainval (2 images)"));
        QVERIFY(hasNote(ds, "test split: VOC2007 test (2 images)"));
    }

    void imagesAreDecodedRgbAtOriginalSize()
    {
        const Dataset ds = loadDataset("voc:" + vocDir_);
        QCOMPARE(ds.height(), 0);  // sizes vary
        const ImageView first = ds.image(0);
        QCOMPARE(first.height, 20);
        QCOMPARE(first.width, 40);
        QCOMPARE(first.channels, 3);
        // Pixel (x=7, y=3) of the first image (seed 1), within JPEG's error of the gradient.
        for (int c = 0; c < 3; ++c) {
            const int expected = test::gradientPixel(1, 7, 3, c);
            const int got = first.data[(3 * 40 + 7) * 3 + c];
            QVERIFY2(std::abs(got - expected) <= 12, qPrintable(QString("channel %1: %2 vs %3").arg(c).arg(got).arg(expected)));
        }
        const ImageView last = ds.image(6);
        QCOMPARE(last.height, 40);
        QCOMPARE(last.width, 20);
    }

    void objectSizeAndInstancesByHand()
    {
        const Dataset ds = loadDataset("voc:" + vocDir_);
        const auto& size = ds.metrics.at(kObjectSizeMetric);
        const auto& count = ds.metrics.at(kInstancesMetric);
        QVERIFY(ds.distinctValued.empty());
        // 000005: (10*10 + 20*10) / (40*20), two objects.
        QCOMPARE(size[0], 300.0 / 800.0);
        QCOMPARE(count[0], 2.0);
        // 000007: a difficult car counts in the train split.
        QCOMPARE(size[1], 150.0 / 900.0);
        QCOMPARE(count[1], 1.0);
        QCOMPARE(size[2], (50.0 + 40.0) / 500.0);
        QCOMPARE(count[2], 2.0);
        QCOMPARE(size[3], 1.0);
        QCOMPARE(size[4], 4.0 * 8.0 / 256.0);  // fractional box corners
        // Test split: the difficult person is left out of both metrics.
        QCOMPARE(size[5], 100.0 / 400.0);
        QCOMPARE(count[5], 1.0);
        QCOMPARE(size[6], (400.0 + 200.0) / 800.0);
        QCOMPARE(count[6], 2.0);
    }

    void visualSearchDifficultyImport()
    {
        const std::string csv = tree_.path().toStdString() + "/VSD_dataset.csv";
        std::ofstream(csv) << "2008_000008,3.25\n2008_000015.jpg,2.5\n2009_001234,4.0\n\n";
        const Dataset ds = loadDataset("voc:" + vocDir_);
        const VisualSearchDifficulty vsd = importVisualSearchDifficulty(ds, csv);
        QCOMPARE(vsd.rows, std::size_t(3));
        QCOMPARE(vsd.matched, std::size_t(2));
        QCOMPARE(vsd.values.size(), ds.size());
        QVERIFY(std::isnan(vsd.values[0]));  // VOC2007 images have no score
        QCOMPARE(vsd.values[3], 3.25);
        QCOMPARE(vsd.values[4], 2.5);
        QVERIFY(std::isnan(vsd.values[6]));

        // The same through the spec option, into the dataset's metrics.
        const Dataset withOption = loadDataset("voc:" + vocDir_ + "?visual-search=" + csv);
        const auto& column = withOption.metrics.at(kVisualSearchDifficultyMetric);
        QCOMPARE(column[3], 3.25);
        QVERIFY(std::isnan(column[1]));
        QVERIFY(hasNote(withOption, "visual search difficulty: 2 of 7 images matched a score (3 scores in"));

        // Subsets carry the column along.
        const Dataset sub = loadDataset("voc:" + vocDir_ + "?visual-search=" + csv, 0, 1);
        QCOMPARE(sub.metrics.at(kVisualSearchDifficultyMetric).size(), sub.size());
        QCOMPARE(sub.metrics.at(kObjectSizeMetric).size(), sub.size());
    }

    void visualSearchDifficultyBadFiles()
    {
        const Dataset ds = loadDataset("voc:" + vocDir_);
        const std::string dir = tree_.path().toStdString();
        std::ofstream(dir + "/bad1.csv") << "2008_000008,3.25\n2008_000015,fast\n";
        expectError([&] { importVisualSearchDifficulty(ds, dir + "/bad1.csv"); }, {"bad1.csv", "line 2", "fast"});
        std::ofstream(dir + "/bad2.csv") << "2008_000008,3.25\n2008_000008.jpg,1\n";
        expectError([&] { importVisualSearchDifficulty(ds, dir + "/bad2.csv"); }, {"bad2.csv", "line 2", "second"});
        std::ofstream(dir + "/bad3.csv") << "2008_000008 3.25\n";
        expectError([&] { importVisualSearchDifficulty(ds, dir + "/bad3.csv"); }, {"bad3.csv", "line 1"});
        expectError([&] { importVisualSearchDifficulty(ds, dir + "/none.csv"); }, {"none.csv"});
    }

    // The outline (the setup form's preview) lists the images and parses the annotations but takes
    // the sizes from the JPEG headers, as ?resize= would store them, and decodes only the samples:
    // the first training image of each lowest class. It agrees with the dataset loaded whole.
    void outlineMatchesTheLoadedDataset()
    {
        for (const std::string options : {"", "?resize=16"}) {
            const std::string spec = "voc:" + vocDir_ + options;
            const DatasetOutline outline = outlineDataset(spec, 10);
            QCOMPARE(outline.trainImages, std::size_t(5));
            QCOMPARE(outline.testImages, std::size_t(2));
            QCOMPARE(outline.classNames.size(), std::size_t(20));
            QCOMPARE(outline.height, 0);  // sizes vary, resized or not
            QCOMPARE(outline.channels, 3);
            QCOMPARE(outline.smallestSide, 16);  // 2008_000015 is 16 x 16
            std::vector<std::pair<std::string, int>> samples;
            for (const auto& sample : outline.samples)
                samples.emplace_back(sample.key, sample.label);
            // Lowest classes: bicycle 1, car 6, person 14, horse 12, tvmonitor 19.
            QCOMPARE(samples, (std::vector<std::pair<std::string, int>>{{"VOC2007/000005", 1},
                                                                        {"VOC2007/000007", 6},
                                                                        {"VOC2007/000009", 14},
                                                                        {"VOC2012/2008_000008", 12},
                                                                        {"VOC2012/2008_000015", 19}}));
            QCOMPARE(outline.samples.front().width, options.empty() ? 40 : 32);  // 20 x 40 -> 16 x 32
            test::compareWithLoadedOutline(outline, DatasetOutline::of(loadDataset(spec), 10));
        }
        QCOMPARE(outlineDataset("voc:" + vocDir_, 2).samples.size(), std::size_t(2));
        expectError([&] { outlineDataset("voc:" + vocDir_ + "?visual-search=" + vocDir_ + "/none.csv", 10); },
                    {"none.csv", "cannot open"});
        expectError([&] { outlineDataset("voc:" + vocDir_ + "?colour=yes", 10); }, {"unknown option 'colour'"});
    }

    void onlyVoc2007AndParentFolder()
    {
        QTemporaryDir dir;
        auto images = test::vocFixtureImages();
        images.erase(std::remove_if(images.begin(), images.end(), [](const auto& i) { return i.year == "VOC2012"; }),
                     images.end());
        // Given the folder above VOCdevkit/, as torchvision lays it out.
        test::writeVocTree(dir.path().toStdString() + "/VOCdevkit", images);
        const Dataset ds = loadDataset("voc:" + dir.path().toStdString());
        QCOMPARE(ds.count(Split::Train), std::size_t(3));
        QCOMPARE(ds.count(Split::Test), std::size_t(2));
        QVERIFY(hasNote(ds, "train split: VOC2007 trainval (3 images)"));
        QVERIFY(hasNote(ds, "VOC2012 not found"));
    }

    void voc2012TrainvalWithVoc2007TestOnly()
    {
        QTemporaryDir dir;
        auto images = test::vocFixtureImages();
        images.erase(std::remove_if(images.begin(), images.end(),
                                    [](const auto& i) { return i.year == "VOC2007" && i.set == "trainval"; }),
                     images.end());
        test::writeVocTree(dir.path().toStdString(), images);
        const Dataset ds = loadDataset("voc:" + dir.path().toStdString());
        QCOMPARE(ds.count(Split::Train), std::size_t(2));
        QCOMPARE(ds.key(0), std::string("VOC2012/2008_000008"));
        QVERIFY(hasNote(ds, "VOC2007 trainval not found"));
    }

    void resizeOption()
    {
        const Dataset ds = loadDataset("voc:" + vocDir_ + "?resize=16");
        // 20 x 40 -> shorter side 16: 16 x 32; the metrics stay those of the annotation.
        QCOMPARE(ds.image(0).height, 16);
        QCOMPARE(ds.image(0).width, 32);
        QCOMPARE(ds.metrics.at(kObjectSizeMetric)[0], 300.0 / 800.0);
        expectError([&] { loadDataset("voc:" + vocDir_ + "?resize=big"); }, {"resize=big"});
        expectError([&] { loadDataset("voc:" + vocDir_ + "?colour=yes"); }, {"unknown option 'colour'", "voc"});
    }

    void malformedXml()
    {
        QTemporaryDir dir;
        test::writeVocTree(dir.path().toStdString(), test::vocFixtureImages());
        const std::string xml = dir.path().toStdString() + "/VOC2007/Annotations/000007.xml";
        std::ofstream(xml) << "<annotation><size><width>3</width></size><object><name>car</name>\n";
        expectError([&] { loadDataset("voc:" + dir.path().toStdString()); }, {"000007.xml", "malformed XML"});
    }

    void unknownClass()
    {
        QTemporaryDir dir;
        auto images = test::vocFixtureImages();
        images[2].objects[1].name = "unicorn";
        test::writeVocTree(dir.path().toStdString(), images);
        expectError([&] { loadDataset("voc:" + dir.path().toStdString()); },
                    {"000009.xml", "object 2", "unknown class 'unicorn'"});
    }

    void missingBoxAndNoObjects()
    {
        QTemporaryDir dir;
        auto images = test::vocFixtureImages();
        images[3].objects.clear();
        test::writeVocTree(dir.path().toStdString(), images);
        expectError([&] { loadDataset("voc:" + dir.path().toStdString()); }, {"2008_000008.xml", "no <object>"});
        std::ofstream(dir.path().toStdString() + "/VOC2012/Annotations/2008_000008.xml")
            << "<annotation><object><name>horse</name><bndbox><xmin>1</xmin></bndbox></object></annotation>";
        expectError([&] { loadDataset("voc:" + dir.path().toStdString()); }, {"2008_000008.xml", "bndbox"});
    }

    void missingImageAndAnnotation()
    {
        QTemporaryDir dir;
        test::writeVocTree(dir.path().toStdString(), test::vocFixtureImages());
        const std::string root = dir.path().toStdString();
        fs::remove(root + "/VOC2007/JPEGImages/000002.jpg");
        expectError([&] { loadDataset("voc:" + root); }, {"JPEGImages/000002.jpg", "missing image"});
        fs::remove(root + "/VOC2012/Annotations/2008_000015.xml");
        expectError([&] { loadDataset("voc:" + root); }, {"2008_000015.xml", "missing annotation"});
    }

    void corruptJpeg()
    {
        QTemporaryDir dir;
        test::writeVocTree(dir.path().toStdString(), test::vocFixtureImages());
        const std::string jpeg = dir.path().toStdString() + "/VOC2007/JPEGImages/000009.jpg";
        std::ofstream(jpeg, std::ios::trunc) << "not a jpeg";
        expectError([&] { loadDataset("voc:" + dir.path().toStdString()); }, {"000009.jpg", "unreadable image"});
    }

    void missingImageSets()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        test::writeVocTree(root, test::vocFixtureImages());
        fs::remove(root + "/VOC2012/ImageSets/Main/trainval.txt");
        expectError([&] { loadDataset("voc:" + root); }, {"VOC2012/ImageSets/Main/trainval.txt", "missing"});
        test::writeVocTree(root, test::vocFixtureImages());
        fs::remove(root + "/VOC2007/ImageSets/Main/test.txt");
        expectError([&] { loadDataset("voc:" + root); }, {"VOC2007/ImageSets/Main/test.txt", "missing"});
        test::writeVocTree(root, test::vocFixtureImages());
        std::ofstream(root + "/VOC2007/ImageSets/Main/test.txt", std::ios::trunc) << "\n";
        expectError([&] { loadDataset("voc:" + root); }, {"test.txt", "lists no images"});
        std::ofstream(root + "/VOC2007/ImageSets/Main/test.txt", std::ios::trunc) << "000001\n000002\n000001\n";
        expectError([&] { loadDataset("voc:" + root); }, {"test.txt", "line 3", "listed twice"});
    }

    void missingVoc2007()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        expectError([&] { loadDataset("voc:" + root + "/nowhere"); }, {"nowhere", "not a folder"});
        auto images = test::vocFixtureImages();
        images.erase(std::remove_if(images.begin(), images.end(), [](const auto& i) { return i.year == "VOC2007"; }),
                     images.end());
        test::writeVocTree(root, images);
        expectError([&] { loadDataset("voc:" + root); }, {"VOC2007", "test split is VOC2007 test"});
    }

    void infoCommandSaysWhatWasFound()
    {
        const test::CommandResult r = test::runCommand(ORDERLENS_BINARY, {"info", "--dataset", "voc:" + vocDir_});
        QVERIFY2(r.exitCode == 0, r.output.c_str());
        for (const char* line : {"Note: train split: VOC2007 trainval (3 images) + VOC2012 trainval (2 images)",
                                 "Note: test split: VOC2007 test (2 images)", "Classes: 20 (multi-label)",
                                 "Dataset metric: object_size", "Dataset metric: instances"})
            QVERIFY2(r.output.find(line) != std::string::npos, (std::string(line) + " not in:\n" + r.output).c_str());
        const test::CommandResult bad =
            test::runCommand(ORDERLENS_BINARY, {"info", "--dataset", "voc:" + vocDir_ + "/VOC2007/Annotations"});
        QVERIFY(bad.exitCode != 0);
        QVERIFY2(bad.output.find("VOC2007") != std::string::npos, bad.output.c_str());
    }

    void trainTwoTinyNetworksAndAnalyse()
    {
        const std::string csv = tree_.path().toStdString() + "/VSD_e2e.csv";
        std::ofstream(csv) << "2008_000008,3.25\n2008_000015,2.5\n";
        const std::string runPath = tree_.path().toStdString() + "/voc.h5";
        auto args = test::tinyTrainingArgs("voc:" + vocDir_ + "?visual-search=" + csv, runPath);
        args.push_back("--multilabel");
        const test::CommandResult r = test::runCommand(ORDERLENS_BINARY, args);
        QVERIFY2(r.exitCode == 0, r.output.c_str());

        const RunFile run(runPath);
        QCOMPARE(run.epochsDone(), (std::vector<int>{2, 2}));
        const RunManifest& m = run.manifest();
        QCOMPARE(m.keys.size(), std::size_t(7));
        QCOMPARE(m.labelBits.size(), std::size_t(7));
        const auto names = run.metricNames();
        for (const char* name : {kObjectSizeMetric, kInstancesMetric, kVisualSearchDifficultyMetric})
            QVERIFY2(std::find(names.begin(), names.end(), name) != names.end(), name);
        const std::vector<double> size = run.readMetric(kObjectSizeMetric);
        const std::vector<double> vsd = run.readMetric(kVisualSearchDifficultyMetric);
        auto indexOf = [&](const std::string& key) {
            return std::size_t(std::find(m.keys.begin(), m.keys.end(), key) - m.keys.begin());
        };
        const std::size_t first = indexOf("VOC2007/000001"), scored = indexOf("VOC2012/2008_000008");
        QVERIFY(first < m.keys.size() && scored < m.keys.size());
        QCOMPARE(size[first], 0.25);
        QCOMPARE(m.labelBits[first], bit(11) | bit(14));
        QVERIFY(std::isnan(vsd[first]));
        QCOMPARE(vsd[scored], 3.25);

        // Agreement and metric curves recounted from the stored records.
        const RunAnalysis analysis = analyseRun(run, AnalysisOptions{});
        QCOMPARE(analysis.splits.size(), std::size_t(2));
        for (const SplitAnalysis& split : analysis.splits) {
            QCOMPARE(split.agreement.epochs.size(), std::size_t(2));
            const auto metric = std::find_if(split.metrics.begin(), split.metrics.end(),
                                             [](const SplitMetric& sm) { return sm.name == kObjectSizeMetric; });
            QVERIFY(metric != split.metrics.end());
            QCOMPARE(metric->curve.size(), std::size_t(2));
        }
        test::expectAnalysisMatchesRecords(run, analysis);
    }

    void decodedCacheIsReused()
    {
        QTemporaryDir dir;
        test::writeVocTree(dir.path().toStdString(), test::vocFixtureImages());
        const Dataset first = loadDataset("voc:" + dir.path().toStdString());
        QVERIFY(hasNote(first, "decoded 7 images into the cache"));
        const Dataset second = loadDataset("voc:" + dir.path().toStdString());
        QVERIFY(hasNote(second, "reused the decoded-image cache"));
        QVERIFY(second.pixelsExternal());
        QCOMPARE(second.image(3).bytes(), first.image(3).bytes());
        QVERIFY(std::equal(first.image(3).data, first.image(3).data + first.image(3).bytes(), second.image(3).data));
        const Dataset uncached = loadDataset("voc:" + dir.path().toStdString() + "?cache=off");
        QVERIFY(hasNote(uncached, "into memory"));
        QVERIFY(std::equal(first.image(6).data, first.image(6).data + first.image(6).bytes(), uncached.image(6).data));
    }
};

QTEST_GUILESS_MAIN(TestVoc)
#include "tst_voc.moc"
