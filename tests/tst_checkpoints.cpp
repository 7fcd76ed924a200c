// The per-network checkpoints beside a run file: removed when the run completes (kept on
// request or while the run is unfinished), what they hold (the one-cycle schedule's momentum or
// Adam's beta1 of the last step, closed form), and resuming from a damaged, mismatched or newer
// checkpoint, or after a checkpoint that could not be written.

// LibTorch before any Qt header: Qt's `slots` macro would break its headers.
#include "models/Networks.h"
#include "training/Checkpoint.h"

#include "QuickTraining.h"

#include "common/Errors.h"
#include "storage/RunFile.h"
#include "training/Trainer.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace orderlens;
namespace fs = std::filesystem;

namespace {

// One network of the quick fixture training: six steps per epoch, two epochs.
ExperimentConfig fixtureConfig(const QTemporaryDir& dir)
{
    ExperimentConfig c = test::quickFixtureConfig(dir);
    c.networks = 1;
    return c;
}

// LeNet-5 as the fixture's runs build it (1 channel, 4 classes, 16 px).
Classifier fixtureModel() { return buildModel({"lenet5", 1, 4, 16, 1e-5}); }

// The optimiser options of parameter group 0 as the checkpoint stores them (LibTorch restores an
// optimiser's state on load, not its options, so they are read from the archive itself).
template <typename Options>
Options storedOptions(const std::string& file)
{
    torch::serialize::InputArchive archive, optimizer, groups, group, options;
    archive.load_from(file);
    archive.read("optimizer", optimizer);
    optimizer.read("param_groups", groups);
    groups.read("param_groups/0", group);
    group.read("options", options);
    Options o(0);
    o.serialize(options);
    return o;
}

// PyTorch's OneCycleLR momentum (max 0.95, base 0.85, pct_start 0.3, cosine annealing) at
// `step` of `total`, written out from its documentation: down from max to base over the first
// 0.3 * total - 1 steps, back up to max at step total - 1.
double oneCycleMomentum(int step, int total)
{
    const double pi = std::acos(-1.0);
    auto anneal = [pi](double from, double to, double pct) { return to + (from - to) / 2 * (std::cos(pi * pct) + 1); };
    const double warmEnd = 0.3 * total - 1;
    if (step <= warmEnd)
        return anneal(0.95, 0.85, step / warmEnd);
    return anneal(0.85, 0.95, (step - warmEnd) / (total - 1 - warmEnd));
}

}  // namespace

class TestCheckpoints : public QObject {
    Q_OBJECT

private slots:
    void removedWhenTheRunCompletes()
    {
        QTemporaryDir dir;
        ExperimentConfig c = fixtureConfig(dir);
        const std::string run = dir.filePath("done.h5").toStdString();
        test::trainRun(c, run);
        QCOMPARE(RunFile(run).epochsDone(), std::vector<int>{2});
        QVERIFY(!fs::exists(Checkpoint::directory(run)));

        // Kept on request, and kept while the run is unfinished.
        c.keepCheckpoints = true;
        const std::string kept = dir.filePath("kept.h5").toStdString();
        test::trainRun(c, kept);
        QVERIFY(fs::is_regular_file(Checkpoint::file(kept, 0)));
        c.keepCheckpoints = false;
        const std::string unfinished = dir.filePath("unfinished.h5").toStdString();
        test::trainRun(c, unfinished, 1);
        QCOMPARE(RunFile(unfinished).epochsDone(), std::vector<int>{1});
        QVERIFY(fs::is_regular_file(Checkpoint::file(unfinished, 0)));
        // Resumed to the end, it goes too.
        Trainer::resume(unfinished).run();
        QVERIFY(!fs::exists(Checkpoint::directory(unfinished)));
    }

    void oneCycleMomentumIsInTheOptimiser()
    {
        // Interrupted after the first epoch (steps 0..5 of 12): SGD's momentum is the schedule's
        // at step 5, not the configured 0.9.
        QTemporaryDir dir;
        ExperimentConfig c = fixtureConfig(dir);
        c.scheduler = "onecycle";
        const std::string run = dir.filePath("sgd.h5").toStdString();
        test::trainRun(c, run, 1);
        const double momentum = storedOptions<torch::optim::SGDOptions>(Checkpoint::file(run, 0)).momentum();
        QVERIFY2(std::fabs(momentum - oneCycleMomentum(5, 12)) < 1e-12, qPrintable(QString::number(momentum)));
        QVERIFY(std::fabs(oneCycleMomentum(5, 12) - 0.8688255099070633) < 1e-12);  // cos-annealed by hand

        // Adam cycles beta1 the same way and leaves beta2.
        c.optimizer = "adam";
        c.lr = 1e-3;
        const std::string adamRun = dir.filePath("adam.h5").toStdString();
        test::trainRun(c, adamRun, 1);
        const auto betas = storedOptions<torch::optim::AdamOptions>(Checkpoint::file(adamRun, 0)).betas();
        QVERIFY(std::fabs(std::get<0>(betas) - oneCycleMomentum(5, 12)) < 1e-12);
        QCOMPARE(std::get<1>(betas), 0.999);

        // Without the one-cycle schedule the configured momentum stays.
        c.optimizer = "sgd";
        c.scheduler = "cosine";
        c.lr = 0.05;
        const std::string cosineRun = dir.filePath("cosine.h5").toStdString();
        test::trainRun(c, cosineRun, 1);
        QCOMPARE(storedOptions<torch::optim::SGDOptions>(Checkpoint::file(cosineRun, 0)).momentum(), 0.9);
    }

    void damagedCheckpointIsRefused()
    {
        QTemporaryDir dir;
        const ExperimentConfig c = fixtureConfig(dir);
        const std::string run = dir.filePath("damaged.h5").toStdString();
        test::trainRun(c, run, 1);
        std::ofstream(Checkpoint::file(run, 0), std::ios::binary | std::ios::trunc) << "not a checkpoint";
        try {
            Trainer::resume(run).run();
            QFAIL("resumed from a damaged checkpoint");
        } catch (const InputError& e) {
            const std::string message = e.what();
            QVERIFY2(message.find("network-0.pt") != std::string::npos, e.what());
            QVERIFY2(message.find("damaged checkpoint") != std::string::npos, e.what());
        }
        QCOMPARE(RunFile(run).epochsDone(), std::vector<int>{1});  // the records are untouched
    }

    void checkpointAheadOfTheRecordsIsRefused()
    {
        // A checkpoint of two epochs beside records of one: the files do not belong together.
        QTemporaryDir dir;
        ExperimentConfig c = fixtureConfig(dir);
        c.keepCheckpoints = true;
        const std::string ahead = dir.filePath("ahead.h5").toStdString(), run = dir.filePath("run.h5").toStdString();
        test::trainRun(c, ahead);
        test::trainRun(c, run, 1);
        fs::copy_file(Checkpoint::file(ahead, 0), Checkpoint::file(run, 0), fs::copy_options::overwrite_existing);
        try {
            Trainer::resume(run).run();
            QFAIL("resumed from a checkpoint ahead of the records");
        } catch (const InputError& e) {
            QVERIFY2(std::string(e.what()).find("ahead of the run file's records (2 vs 1 epochs)") != std::string::npos,
                     e.what());
        }
    }

    void newerCheckpointFormatIsRefused()
    {
        QTemporaryDir dir;
        const ExperimentConfig c = fixtureConfig(dir);
        const std::string run = dir.filePath("newer.h5").toStdString();
        test::trainRun(c, run, 1);
        // Rewritten with the layout of docs/FORMAT.md and a format number from the future.
        Classifier model = fixtureModel();
        torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(c.lr));
        QCOMPARE(Checkpoint::load(run, 0, *model, sgd, torch::kCPU), std::optional<int>(1));
        torch::serialize::OutputArchive archive, modelArchive, optimizerArchive;
        model->save(modelArchive);
        sgd.save(optimizerArchive);
        archive.write("model", modelArchive);
        archive.write("optimizer", optimizerArchive);
        archive.write("epochs_done", torch::tensor(std::int64_t(1)));
        archive.write("format", torch::tensor(std::int64_t(2)));
        archive.save_to(Checkpoint::file(run, 0));
        try {
            Trainer::resume(run).run();
            QFAIL("resumed from a newer checkpoint format");
        } catch (const InputError& e) {
            QVERIFY2(std::string(e.what()).find("checkpoint format 2 is newer") != std::string::npos, e.what());
        }
    }

    void failedCheckpointWriteLeavesNoTemporaryFile()
    {
        // Where network 0's checkpoint should go stands a non-empty folder: the rename fails,
        // the run stops with a message, and no .writing file is left behind.
        QTemporaryDir dir;
        const ExperimentConfig c = fixtureConfig(dir);
        const std::string run = dir.filePath("blocked.h5").toStdString();
        struct BlockCheckpoint : TrainingObserver {
            std::string target;
            void onBatch(const BatchProgress& p) override
            {
                if (p.batch == 0 && p.epoch == 0)
                    fs::create_directories(target + "/inside");
            }
        } observer;
        observer.target = Checkpoint::file(run, 0);
        try {
            Trainer(c, run).run(&observer);
            QFAIL("the checkpoint could not be written, yet training went on");
        } catch (const InputError& e) {
            QVERIFY2(std::string(e.what()).find("network-0.pt") != std::string::npos, e.what());
        }
        QVERIFY(!fs::exists(Checkpoint::file(run, 0) + ".writing"));
        for (const auto& entry : fs::directory_iterator(Checkpoint::directory(run)))
            QVERIFY2(entry.path().extension() != ".writing", entry.path().c_str());
        QCOMPARE(RunFile(run).epochsDone(), std::vector<int>{1});  // records come first
    }
};

QTEST_GUILESS_MAIN(TestCheckpoints)
#include "tst_checkpoints.moc"
