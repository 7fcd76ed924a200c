// KTH-TIPS2-b reader on generated trees: sample_c is the test split, rotation / illumination /
// scale from the file names (docs/DEFINITIONS.md 7), bad layouts and names.

#include "ErrorExpectation.h"
#include "AnalysisRecount.h"
#include "DatasetFixtures.h"
#include "OutlineComparison.h"

#include "analysis/RunAnalysis.h"
#include "common/Errors.h"
#include "dataset/DatasetReader.h"
#include "storage/RunFile.h"
#include "dataset/KthTipsReader.h"

#include <QTemporaryDir>
#include <QtTest>

#include <array>
#include <filesystem>
#include <fstream>
#include <map>

using namespace orderlens;
using test::expectError;
namespace fs = std::filesystem;

namespace {

// Every image index once, at two scales.
const std::vector<std::pair<int, int>> kGrid = {{2, 1}, {2, 2}, {2, 3},  {2, 4},  {2, 5},  {2, 6},
                                                {2, 7}, {2, 8}, {2, 9},  {2, 10}, {2, 11}, {2, 12},
                                                {10, 4}, {5, 12}};

}  // namespace

class TestKth : public QObject {
    Q_OBJECT

    QTemporaryDir cache_;
    QTemporaryDir tree_;
    std::string root_;

private slots:
    void initTestCase()
    {
        QVERIFY(cache_.isValid() && tree_.isValid());
        qputenv("ORDERLENS_CACHE_DIR", cache_.path().toUtf8());
        root_ = tree_.path().toStdString() + "/KTH-TIPS2-b";
        test::writeKthTree(root_, {"wool", "aluminium_foil", "cork"}, kGrid);
    }

    void rotationAndIlluminationCodes()
    {
        // docs/DEFINITIONS.md 7: rotation 1,2,3,10 frontal; 4,5,6,11 right; 7,8,9,12 left.
        const int rotation[13] = {-1, 0, 0, 0, 1, 1, 1, 2, 2, 2, 0, 1, 2};
        // Illumination 1,4,7 frontal; 2,5,8 top; 3,6,9 side; 10,11,12 ambient.
        const int illumination[13] = {-1, 0, 1, 2, 0, 1, 2, 0, 1, 2, 3, 3, 3};
        for (int i = 0; i <= 12; ++i) {
            QCOMPARE(kthRotation(i), rotation[i]);
            QCOMPARE(kthIllumination(i), illumination[i]);
        }
        QCOMPARE(kthRotation(13), -1);
        QCOMPARE(kthIllumination(13), -1);
    }

    void splitsClassesAndKeys()
    {
        const Dataset ds = loadDataset("kth-tips2b:" + root_);
        QCOMPARE(ds.name, std::string("kth-tips2b"));
        QVERIFY(!ds.multiLabel);
        QCOMPARE(ds.classNames, (std::vector<std::string>{"aluminium_foil", "cork", "wool"}));
        QCOMPARE(ds.size(), std::size_t(3 * 4 * kGrid.size()));
        QCOMPARE(ds.count(Split::Test), std::size_t(3 * kGrid.size()));
        std::map<std::string, int> testPerSample;
        for (std::size_t i = 0; i < ds.size(); ++i) {
            const std::string& key = ds.key(i);
            const bool sampleC = key.find("/sample_c/") != std::string::npos;
            QCOMPARE(ds.split(i) == Split::Test, sampleC);
            const std::string cls = key.substr(0, key.find('/'));
            QCOMPARE(ds.classNames[std::size_t(ds.label(i))], cls);
        }
        // wool was written as class number 1, so its files are "1a-scale_...".
        QCOMPARE(ds.key(ds.size() - 1).substr(0, 19), std::string("wool/sample_d/1d-sc"));
        QCOMPARE(ds.height(), 12);
        QCOMPARE(ds.width(), 12);
        QCOMPARE(ds.channels(), 3);
    }

    void metricsFromFileNames()
    {
        const Dataset ds = loadDataset("kth-tips2b:" + root_);
        QCOMPARE(ds.distinctValued, (std::set<std::string>{"rotation", "illumination"}));
        const auto& rotation = ds.metrics.at(kRotationMetric);
        const auto& illumination = ds.metrics.at(kIlluminationMetric);
        const auto& scale = ds.metrics.at(kScaleMetric);
        // Every image against its file name, decoded here from the fixture's grid with the table
        // of docs/METRICS.md (image index -> rotation, illumination).
        const int rotationOf[13] = {-1, 0, 0, 0, 1, 1, 1, 2, 2, 2, 0, 1, 2};
        const int illuminationOf[13] = {-1, 0, 1, 2, 0, 1, 2, 0, 1, 2, 3, 3, 3};
        std::map<std::string, std::array<double, 3>> expected;
        const std::vector<std::string> classes = {"wool", "aluminium_foil", "cork"};
        for (std::size_t c = 0; c < classes.size(); ++c)
            for (char sample : {'a', 'b', 'c', 'd'})
                for (const auto& [s, index] : kGrid)
                    expected[classes[c] + "/sample_" + sample + "/" + std::to_string(c + 1) + sample + "-scale_" +
                             std::to_string(s) + "_im_" + std::to_string(index) + "_col.png"] = {
                        double(rotationOf[index]), double(illuminationOf[index]), double(s)};
        QCOMPARE(ds.size(), expected.size());
        for (std::size_t i = 0; i < ds.size(); ++i) {
            const auto it = expected.find(ds.key(i));
            QVERIFY2(it != expected.end(), ds.key(i).c_str());
            QCOMPARE(rotation[i], it->second[0]);
            QCOMPARE(illumination[i], it->second[1]);
            QCOMPARE(scale[i], it->second[2]);
            QCOMPARE(ds.split(i) == Split::Test, ds.key(i).find("/sample_c/") != std::string::npos);
        }
        // Per value, every class and sample has the same count: 4 frontal images of 14 (1, 2, 3, 10).
        QCOMPARE(std::count(rotation.begin(), rotation.end(), 0.0), std::ptrdiff_t(3 * 4 * 4));
        QCOMPARE(std::count(illumination.begin(), illumination.end(), 3.0), std::ptrdiff_t(3 * 4 * 4));
    }

    void pixelsAreLossless()
    {
        const Dataset ds = loadDataset("kth-tips2b:" + root_);
        // The first image written (seed 1) is wool's first; its index in sorted order differs.
        std::size_t i = 0;
        while (ds.key(i) != "wool/sample_a/" + test::kthFileName(1, 'a', 2, 1))
            ++i;
        const ImageView v = ds.image(i);
        for (int y : {0, 5, 11})
            for (int x : {0, 7, 11})
                for (int c = 0; c < 3; ++c)
                    QCOMPARE(int(v.data[(y * 12 + x) * 3 + c]), int(test::gradientPixel(1, x, y, c)));
    }

    // The outline (the setup form's preview) takes names, classes and splits from the folders and
    // file names and the sizes from the PNG headers, and decodes only the first image of each
    // class: it agrees with the dataset loaded whole.
    void outlineMatchesTheLoadedDataset()
    {
        const DatasetOutline outline = outlineDataset("kth-tips2b:" + root_, 10);
        QCOMPARE(outline.classNames, (std::vector<std::string>{"aluminium_foil", "cork", "wool"}));
        QCOMPARE(outline.trainImages, std::size_t(3 * 3 * kGrid.size()));
        QCOMPARE(outline.testImages, std::size_t(3 * kGrid.size()));
        QCOMPARE(outline.height, 12);
        QCOMPARE(outline.width, 12);
        QCOMPARE(outline.channels, 3);
        QCOMPARE(outline.smallestSide, 12);
        QCOMPARE(outline.samples.size(), std::size_t(3));
        // aluminium_foil was written as class number 2; "scale_10" sorts before "scale_2".
        QCOMPARE(outline.samples.front().key, std::string("aluminium_foil/sample_a/2a-scale_10_im_4_col.png"));
        test::compareWithLoadedOutline(outline, DatasetOutline::of(loadDataset("kth-tips2b:" + root_), 10));
        expectError([&] { outlineDataset("kth-tips2b:" + root_ + "?resize=16", 10); }, {"unknown option 'resize'"});
    }

    void parentFolderAndSubset()
    {
        const Dataset ds = loadDataset("kth-tips2b:" + tree_.path().toStdString(), 12, 6);
        QCOMPARE(ds.count(Split::Train), std::size_t(12));
        QCOMPARE(ds.count(Split::Test), std::size_t(6));
        QCOMPARE(ds.metrics.at(kRotationMetric).size(), std::size_t(18));
        QCOMPARE(ds.distinctValued.size(), std::size_t(2));
        QVERIFY(ds.pixelsExternal());
    }

    void trainTwoTinyNetworksAndAnalyse()
    {
        const std::string runPath = tree_.path().toStdString() + "/kth.h5";
        const test::CommandResult r =
            test::runCommand(ORDERLENS_BINARY, test::tinyTrainingArgs("kth-tips2b:" + root_, runPath));
        QVERIFY2(r.exitCode == 0, r.output.c_str());
        const RunFile run(runPath);
        QCOMPARE(run.epochsDone(), (std::vector<int>{2, 2}));
        QCOMPARE(run.distinctValuedMetrics(), (std::set<std::string>{"rotation", "illumination"}));
        const std::vector<double> scale = run.readMetric(kScaleMetric);
        const RunManifest& m = run.manifest();
        const auto corkAt10 = std::find(m.keys.begin(), m.keys.end(), "cork/sample_c/3c-scale_10_im_4_col.png");
        QVERIFY(corkAt10 != m.keys.end());
        QCOMPARE(scale[std::size_t(corkAt10 - m.keys.begin())], 10.0);

        const RunAnalysis analysis = analyseRun(run, AnalysisOptions{});
        QCOMPARE(analysis.splits.size(), std::size_t(2));
        for (const SplitAnalysis& split : analysis.splits) {
            QCOMPARE(split.agreement.epochs.size(), std::size_t(2));
            const auto rotation = std::find_if(split.metrics.begin(), split.metrics.end(),
                                               [](const SplitMetric& sm) { return sm.name == kRotationMetric; });
            QVERIFY(rotation != split.metrics.end());
            QVERIFY(rotation->distinct);
            // The study's per-value curves: one per rotation code, over every image of the split.
            QCOMPARE(rotation->distinctCurves.values, (std::vector<double>{0, 1, 2}));
            // Frontal: indices 1, 2, 3 and 10 of the grid, in 3 classes and 1 (test) or 3 samples.
            const std::size_t samples = split.selection.set == RecordSet::Test ? 1 : 3;
            QCOMPARE(rotation->distinctCurves.counts[0], 3 * samples * 4);
        }
        // Every curve recounted from the stored records.
        test::expectAnalysisMatchesRecords(run, analysis);
    }

    void badFileNames()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        test::writeKthTree(root, {"cork"}, {{2, 1}});
        test::writeGradientImage(root + "/cork/sample_b/3b-scale_2_im_13_col.png", 4, 4, 1);
        expectError([&] { loadDataset("kth-tips2b:" + root); }, {"3b-scale_2_im_13_col.png", "image index (1..12)"});
        fs::remove(root + "/cork/sample_b/3b-scale_2_im_13_col.png");
        test::writeGradientImage(root + "/cork/sample_b/3b-scale_11_im_1_col.png", 4, 4, 1);
        expectError([&] { loadDataset("kth-tips2b:" + root); }, {"3b-scale_11_im_1_col.png", "scale (2..10)"});
        fs::remove(root + "/cork/sample_b/3b-scale_11_im_1_col.png");
        test::writeGradientImage(root + "/cork/sample_b/picture.png", 4, 4, 1);
        expectError([&] { loadDataset("kth-tips2b:" + root); }, {"picture.png", "2nd and 4th"});
        fs::remove(root + "/cork/sample_b/picture.png");
        // Files that are not PNG are skipped, and said so.
        std::ofstream(root + "/cork/sample_b/Thumbs.db") << "x";
        const Dataset ds = loadDataset("kth-tips2b:" + root);
        QCOMPARE(ds.size(), std::size_t(4));
        QVERIFY(std::any_of(ds.notes.begin(), ds.notes.end(),
                            [](const auto& n) { return n.find("ignored 1 files") != std::string::npos; }));
    }

    void badLayouts()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        expectError([&] { loadDataset("kth-tips2b:" + root); }, {"no class folders"});
        test::writeKthTree(root, {"cork", "wool"}, {{2, 1}});
        fs::remove_all(root + "/wool/sample_c");
        expectError([&] { loadDataset("kth-tips2b:" + root); }, {"wool/sample_c", "missing"});
        fs::create_directories(root + "/wool/sample_c");
        expectError([&] { loadDataset("kth-tips2b:" + root); }, {"wool/sample_c", "no PNG images"});
        test::writeKthTree(root, {"cork", "wool"}, {{2, 1}});
        fs::create_directories(root + "/wool/sample_e");
        expectError([&] { loadDataset("kth-tips2b:" + root); }, {"wool/sample_e", "unexpected folder"});
        fs::remove_all(root + "/wool/sample_e");
        std::ofstream(root + "/wool/sample_a/" + test::kthFileName(2, 'a', 2, 1), std::ios::trunc) << "broken";
        expectError([&] { loadDataset("kth-tips2b:" + root); }, {"2a-scale_2_im_1_col.png", "unreadable image"});
        expectError([&] { loadDataset("kth-tips2b:" + root + "?cache=maybe"); }, {"cache=maybe", "on or off"});
    }
};

QTEST_GUILESS_MAIN(TestKth)
#include "tst_kth.moc"
