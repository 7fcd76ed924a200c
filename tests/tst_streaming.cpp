// Batches built on demand from the memory-mapped decoded-image cache: training on an
// ImageNet-layout tree whose pixels stay in the cache gives exactly the records of the same
// images read into RAM (the folder reader), which take the in-memory tensor path, with and
// without augmentation; batches prepared ahead on background threads equal the ones built in
// the training loop.

#include "DatasetFixtures.h"

#include "dataset/DatasetReader.h"
#include "storage/RunFile.h"
#include "training/BatchPrefetcher.h"
#include "training/TrainingData.h"

// LibTorch before any Qt header: Qt's `slots` macro would break its headers.
#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <string>
#include <vector>

using namespace orderlens;

namespace {

// Lossless RGB images whose shorter side is already the 256 px resize side, so that the
// ImageNet reader (pixels in the memory-mapped cache) stores exactly the pixels the folder
// reader keeps in RAM: the same dataset on both training paths. Landscape, portrait and square,
// two classes, both splits (test/, the ImageNet layout without val/).
const std::vector<test::FolderImageSpec> kImages = {
    {"test/n01/m.png", 256, 256},  {"test/n01/n.png", 300, 256},  {"test/n02/o.bmp", 256, 290},
    {"test/n02/p.png", 256, 256},  {"train/n01/a.png", 256, 300}, {"train/n01/b.png", 256, 256},
    {"train/n01/c.png", 320, 256}, {"train/n01/d.bmp", 256, 256}, {"train/n01/e.png", 256, 270},
    {"train/n01/f.png", 256, 256}, {"train/n02/g.png", 256, 340}, {"train/n02/h.bmp", 256, 256},
    {"train/n02/i.png", 290, 256}, {"train/n02/j.png", 256, 256}, {"train/n02/k.png", 256, 280},
    {"train/n02/l.png", 256, 256},
};

std::vector<std::string> trainingArgs(const std::string& spec, const std::string& runPath, bool augment)
{
    std::vector<std::string> args = test::tinyTrainingArgs(spec, runPath);
    if (augment)
        args.insert(args.end(), {"--random-crop", "--crop-padding", "3", "--horizontal-flip"});
    return args;
}

}  // namespace

class TestStreaming : public QObject {
    Q_OBJECT

    QTemporaryDir cache_;
    QTemporaryDir tree_;
    std::string root_;

    void compareRuns(bool augment)
    {
        const std::string streamedPath = root_ + "/streamed.h5";
        const std::string memoryPath = root_ + "/memory.h5";
        test::CommandResult r = test::runCommand(ORDERLENS_BINARY, trainingArgs("imagenet:" + root_, streamedPath, augment));
        QVERIFY2(r.exitCode == 0, r.output.c_str());
        QVERIFY2(r.output.find("built on demand from the decoded-image cache, 1 background thread per training network "
                               "preparing them ahead") != std::string::npos,
                 r.output.c_str());
        r = test::runCommand(ORDERLENS_BINARY, trainingArgs("folder:" + root_, memoryPath, augment));
        QVERIFY2(r.exitCode == 0, r.output.c_str());
        QVERIFY2(r.output.find("built on demand") == std::string::npos, r.output.c_str());

        const RunFile streamed(streamedPath);
        const RunFile memory(memoryPath);
        QCOMPARE(streamed.epochsDone(), (std::vector<int>{2, 2}));
        QCOMPARE(memory.epochsDone(), streamed.epochsDone());
        QCOMPARE(streamed.manifest().keys, memory.manifest().keys);
        QCOMPARE(streamed.manifest().labels, memory.manifest().labels);
        bool anyWrong = false, anyRight = false;
        for (RecordSet set : {RecordSet::Train, RecordSet::Test}) {
            for (int network = 0; network < 2; ++network) {
                for (int epoch = 0; epoch < 2; ++epoch) {
                    const SplitRecords a = streamed.readRecords(set, network, epoch);
                    const SplitRecords b = memory.readRecords(set, network, epoch);
                    QCOMPARE(a.correct.size(), set == RecordSet::Train ? std::size_t(12) : std::size_t(4));
                    QCOMPARE(a.correct, b.correct);
                    QCOMPARE(a.predicted, b.predicted);
                    // Bit-identical probabilities and margins: the networks saw the same tensors.
                    QCOMPARE(a.pTrue.size(), b.pTrue.size());
                    for (std::size_t i = 0; i < a.pTrue.size(); ++i) {
                        QVERIFY(a.pTrue[i] == b.pTrue[i]);
                        QVERIFY(a.margin[i] == b.margin[i]);
                        QVERIFY(a.pTrue[i] > 0.0f && a.pTrue[i] < 1.0f);
                    }
                    for (std::uint8_t c : a.correct)
                        (c ? anyRight : anyWrong) = true;
                }
            }
        }
        // Records that are all right or all wrong would also match by accident.
        QVERIFY(anyRight && anyWrong);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(cache_.isValid() && tree_.isValid());
        qputenv("ORDERLENS_CACHE_DIR", cache_.path().toUtf8());
        root_ = tree_.path().toStdString();
        test::writeImageTree(root_, kImages);
    }

    void readersGiveTheSameImages()
    {
        const Dataset cached = loadDataset("imagenet:" + root_);
        const Dataset memory = loadDataset("folder:" + root_);
        QVERIFY(cached.pixelsExternal());
        QVERIFY(!memory.pixelsExternal());
        QCOMPARE(cached.size(), kImages.size());
        QCOMPARE(memory.fingerprint(), cached.fingerprint());
        for (std::size_t i = 0; i < cached.size(); ++i) {
            const ImageView a = cached.image(i);
            const ImageView b = memory.image(i);
            QCOMPARE(a.height, b.height);
            QCOMPARE(a.width, b.width);
            QCOMPARE(a.channels, 3);
            QCOMPARE(b.channels, 3);
            QVERIFY(std::equal(a.data, a.data + a.bytes(), b.data));
        }
    }

    void prefetchedBatchesEqualBatchesBuiltInTheLoop()
    {
        // Batches of 3 images (the last one shorter), random crops with padding and flips on,
        // two workers racing ahead: every batch equals the one the training loop would build,
        // the in-memory tensor's too, and the engine ends where the loop leaves it.
        const Dataset cached = loadDataset("imagenet:" + root_);
        const Dataset memory = loadDataset("folder:" + root_);
        std::vector<std::int32_t> labels;
        for (std::size_t i = 0; i < cached.size(); ++i)
            labels.push_back(cached.label(i));
        const TrainingData streamed(cached, labels, 224);
        const TrainingData inMemory(memory, labels, 224, TrainingData::Residency::InMemory);
        QVERIFY(streamed.streamed());
        ExperimentConfig config;
        config.randomCrop = true;
        config.cropPadding = 5;
        config.horizontalFlip = true;
        for (bool augment : {true, false}) {
            const auto& indices = streamed.splitIndices(augment ? Split::Train : Split::Test);
            std::vector<std::vector<std::int64_t>> batches;
            for (std::size_t b = 0; b < indices.size(); b += 3)
                batches.emplace_back(indices.begin() + std::ptrdiff_t(b),
                                     indices.begin() + std::ptrdiff_t(std::min(indices.size(), b + 3)));
            std::mt19937_64 ahead(21), loop(21), tensor(21);
            BatchPrefetcher prefetch(streamed, batches, augment, config, &ahead, 2);
            bool asymmetric = false;  // a wrong flip shows only on images that are not symmetric
            for (const auto& ids : batches) {
                const torch::Tensor idx = torch::tensor(ids, torch::kInt64);
                const torch::Tensor got = prefetch.next();
                QCOMPARE(got.size(0), std::int64_t(ids.size()));
                QVERIFY(torch::equal(got, streamed.images(idx, torch::kCPU, augment, config, &loop)));
                const torch::Tensor expected = inMemory.images(idx, torch::kCPU, augment, config, &tensor);
                QVERIFY(torch::equal(got, expected));
                asymmetric = asymmetric || !torch::equal(expected, expected.flip({3}));
            }
            QVERIFY(asymmetric);
            QCOMPARE(ahead(), loop());
        }
        // Taking more batches than there are is a programming error, reported, not a hang.
        std::mt19937_64 engine(1);
        BatchPrefetcher one(streamed, {{streamed.splitIndices(Split::Test).front()}}, false, config, &engine, 1);
        one.next();
        QVERIFY_THROWS_EXCEPTION(Error, one.next());
    }

    void streamedRecordsEqualInMemory() { compareRuns(false); }
    void streamedAugmentedRecordsEqualInMemory() { compareRuns(true); }
};

QTEST_GUILESS_MAIN(TestStreaming)
#include "tst_streaming.moc"
