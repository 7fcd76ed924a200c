// `orderlens train` and `orderlens --demo` as a user runs them: presets and saved configurations
// (and refusing both at once), the device choice on a CPU-only build, keeping the trained
// networks, and the headless demo end to end (train, statistics, report).

#include "DatasetFixtures.h"
#include "Fixtures.h"
#include "QuickTraining.h"

#include "common/Errors.h"
#include "storage/RunFile.h"
#include "training/Trainer.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

using namespace orderlens;
namespace fs = std::filesystem;

namespace {

struct Result {
    int code = -1;
    QString out, err;
};

Result runOrderlens(const QStringList& args, const QString& workingDirectory = {},
                 const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(environment);
    if (!workingDirectory.isEmpty())
        p.setWorkingDirectory(workingDirectory);
    p.start(ORDERLENS_BINARY, args);
    Result r;
    if (!p.waitForFinished(600000) || p.exitStatus() != QProcess::NormalExit)
        return r;
    r.code = p.exitCode();
    r.out = QString::fromLocal8Bit(p.readAllStandardOutput());
    r.err = QString::fromLocal8Bit(p.readAllStandardError());
    return r;
}

nlohmann::json storedConfig(const QString& run) { return nlohmann::json::parse(RunFile(run.toStdString()).configJson()); }

}  // namespace

class TestTrainCommand : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString dataset_;

    // One quick network on the fixture dataset; `extra` comes last.
    QStringList quick(const QString& run, const QStringList& extra) const
    {
        return QStringList{"train", "--dataset", dataset_, "--networks", "1", "--epochs", "1", "--input-size", "16",
                           "--batch-size", "10", "--threads", "1", "--device", "cpu", "--run", run} +
               extra;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        test::FixtureSpec spec;
        spec.height = spec.width = 8;
        const std::string data = dir_.filePath("fixture").toStdString();
        test::writeIdxDataset(data, spec, false);
        dataset_ = QString::fromStdString("idx:" + data);
    }

    void presetSetsTheRecipe()
    {
        // The study's CIFAR-10 recipe (SGD, momentum 0.9, lr 0.1, cosine to 5e-4, weight decay
        // 5e-4, batch 128, 32 px, 60 epochs, five networks) with the options given overriding it.
        const QString run = dir_.filePath("preset.h5");
        const Result r = runOrderlens({"train", "--preset", "cifar10", "--dataset", dataset_, "--epochs", "1", "--networks",
                                    "1", "--batch-size", "10", "--threads", "1", "--device", "cpu", "--run", run});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        const nlohmann::json c = storedConfig(run);
        QCOMPARE(c["optimizer"].get<std::string>(), std::string("sgd"));
        QCOMPARE(c["momentum"].get<double>(), 0.9);
        QCOMPARE(c["lr"].get<double>(), 0.1);
        QCOMPARE(c["scheduler"].get<std::string>(), std::string("cosine"));
        QCOMPARE(c["eta_min"].get<double>(), 5e-4);
        QCOMPARE(c["weight_decay"].get<double>(), 5e-4);
        QCOMPARE(c["input_size"].get<int>(), 32);
        QCOMPARE(c["epochs"].get<int>(), 1);       // overridden
        QCOMPARE(c["networks"].get<int>(), 1);     // overridden
        QCOMPARE(c["batch_size"].get<int>(), 10);  // overridden
        QCOMPARE(RunFile(run.toStdString()).epochsDone(), std::vector<int>{1});

        const Result unknown = runOrderlens(quick(dir_.filePath("unknown.h5"), {"--preset", "cifar11"}));
        QCOMPARE(unknown.code, 1);
        QVERIFY2(unknown.err.contains("'cifar11'") && unknown.err.contains("cifar10-random-labels"), qPrintable(unknown.err));
        QVERIFY(!QFile::exists(dir_.filePath("unknown.h5")));
    }

    void helpSaysWhereDefaultsDifferFromTheDesktop()
    {
        // The desktop application's form opens on the demo preset. Its values, as the README's
        // demo describes them (10,000 + 2,000 images at 32 px, 15 epochs, lr 0.05 with a cosine
        // schedule, the networks side by side), against plain `orderlens train`'s defaults
        // (all images at their own size, 60 epochs, lr 0.1, no schedule, one after another).
        const Result r = runOrderlens({"train", "--help"});
        QCOMPARE(r.code, 0);
        const QStringList expected = {"--limit-train 0 (all) here, 10000 in the desktop application",
                                      "--limit-test 0 (all) here, 2000 in the desktop application",
                                      "--input-size 0 (the images' own size) here, 32 px in the desktop application",
                                      "--epochs 60 here, 15 in the desktop application",
                                      "--lr 0.1 here, 0.05 in the desktop application",
                                      "--scheduler none here, cosine in the desktop application",
                                      "--parallel-networks off here, on in the desktop application"};
        QStringList listed;
        const QStringList lines = r.out.split('\n');
        const qsizetype start = lines.indexOf(QRegularExpression("^setup form, which starts from the demo preset.*"));
        QVERIFY2(start > 0, qPrintable(r.out));
        for (qsizetype i = start + 1; i < lines.size() && lines[i].startsWith("  --"); ++i)
            listed << lines[i].simplified();
        QCOMPARE(listed, expected);
    }

    void savedConfigurationAndItsConflictWithAPreset()
    {
        // A saved configuration (the JSON a run stores), one option overriding it.
        const QString json = dir_.filePath("saved.json");
        nlohmann::json saved = {{"dataset", dataset_.toStdString()}, {"networks", 1}, {"epochs", 2}, {"input_size", 16},
                                {"batch_size", 20}, {"lr", 0.02}, {"optimizer", "adam"}, {"device", "cpu"}, {"threads", 1}};
        std::ofstream(json.toStdString()) << saved.dump();
        const QString run = dir_.filePath("saved.h5");
        const Result r = runOrderlens({"train", "--config", json, "--epochs", "1", "--run", run});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        const nlohmann::json c = storedConfig(run);
        QCOMPARE(c["optimizer"].get<std::string>(), std::string("adam"));
        QCOMPARE(c["lr"].get<double>(), 0.02);
        QCOMPARE(c["batch_size"].get<int>(), 20);
        QCOMPARE(c["epochs"].get<int>(), 1);

        const QString both = dir_.filePath("both.h5");
        const Result conflict = runOrderlens({"train", "--config", json, "--preset", "demo", "--run", both});
        QCOMPARE(conflict.code, 1);
        QVERIFY2(conflict.err.contains("either --config or --preset"), qPrintable(conflict.err));
        QVERIFY(!QFile::exists(both));

        std::ofstream(dir_.filePath("typo.json").toStdString()) << nlohmann::json{{"epochz", 3}}.dump();
        const Result typo = runOrderlens({"train", "--config", dir_.filePath("typo.json"), "--run", both});
        QCOMPARE(typo.code, 1);
        QVERIFY2(typo.err.contains("typo.json") && typo.err.contains("'epochz'"), qPrintable(typo.err));
    }

    void deviceChoiceOnACpuBuild()
    {
        if (Trainer::cudaAvailable())
            QSKIP("this LibTorch sees a CUDA device; the CPU-only resolution cannot be checked here");
        QCOMPARE(Trainer::resolveDevice("auto"), std::string("cpu"));
        QCOMPARE(Trainer::resolveDevice("cpu"), std::string("cpu"));
        QVERIFY_THROWS_EXCEPTION(ConfigError, Trainer::resolveDevice("cuda"));
        QVERIFY_THROWS_EXCEPTION(ConfigError, Trainer::resolveDevice("tpu"));

        // auto trains on the CPU and says so; cuda is refused before any file is written.
        QStringList args = quick(dir_.filePath("auto.h5"), {});
        args[args.indexOf("--device") + 1] = "auto";
        const Result r = runOrderlens(args);
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.out.contains("(device cpu"), qPrintable(r.out));
        QCOMPARE(RunFile(dir_.filePath("auto.h5").toStdString()).provenance().at("device"), std::string("cpu"));
        args = quick(dir_.filePath("cuda.h5"), {});
        args[args.indexOf("--device") + 1] = "cuda";
        const Result cuda = runOrderlens(args);
        QCOMPARE(cuda.code, 1);
        QVERIFY2(cuda.err.contains("no CUDA device"), qPrintable(cuda.err));
        QVERIFY(!QFile::exists(dir_.filePath("cuda.h5")));
    }

    // Re-running the command that started a run with --resume appended continues it; an option
    // that differs from the stored configuration is refused, naming it with both values.
    void resumeWithTheStartingOptions()
    {
        const QString run = dir_.filePath("resume.h5");
        ExperimentConfig c;
        c.dataset = dataset_.toStdString();
        c.networks = 1;
        c.epochs = 2;
        c.inputSize = 16;
        c.batchSize = 10;
        c.threads = 1;
        c.device = "cpu";
        c.architecture = "lenet5";
        test::trainRun(c, run.toStdString(), 1);  // interrupted after its first epoch
        QCOMPARE(RunFile(run.toStdString()).epochsDone(), std::vector<int>{1});

        QStringList options = quick(run, {"--architecture", "LeNet5"});
        options[options.indexOf("--epochs") + 1] = "2";
        QStringList changed = options;
        changed[changed.indexOf("--batch-size") + 1] = "20";
        const Result refused = runOrderlens(changed + QStringList{"--resume"});
        QCOMPARE(refused.code, 1);
        QVERIFY2(refused.err.contains("Batch size (--batch-size): stored 10, given 20"), qPrintable(refused.err));
        QCOMPARE(RunFile(run.toStdString()).epochsDone(), std::vector<int>{1});

        const Result resumed = runOrderlens(options + QStringList{"--resume"});
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err + resumed.out));
        QCOMPARE(RunFile(run.toStdString()).epochsDone(), std::vector<int>{2});
    }

    // The study's spellings of the architectures name the stored ones.
    void studyArchitectureNames()
    {
        const std::pair<const char*, const char*> names[] = {
            {"LeNet5", "lenet5"},       {"VGG16", "vgg16"},         {"ResNet18", "resnet18"},
            {"ResNet50", "resnet50"},   {"WRN-28-10", "wrn-28-10"}, {"DenseNet121", "densenet121"},
            {"LENET-5", "lenet5"},
        };
        for (const auto& [typed, stored] : names) {
            const Result r = runOrderlens({"train", "--architecture", typed, "--print-config"});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QCOMPARE(nlohmann::json::parse(r.out.toStdString()).at("architecture").get<std::string>(), std::string(stored));
        }
        const Result bad = runOrderlens({"train", "--architecture", "LeNet7", "--print-config"});
        QCOMPARE(bad.code, 1);
        QVERIFY2(bad.err.contains("--architecture: Architecture 'LeNet7' is unknown") && bad.err.contains("lenet5"),
                 qPrintable(bad.err));

        // Trained under the study's name.
        const QString run = dir_.filePath("lenet5-name.h5");
        const Result trained = runOrderlens(quick(run, {"--architecture", "LeNet5"}));
        QVERIFY2(trained.code == 0, qPrintable(trained.err + trained.out));
        QCOMPARE(storedConfig(run)["architecture"].get<std::string>(), std::string("lenet5"));
    }

    // Every problem at once, each with its option, in the words the form uses.
    void nonsenseIsRefusedWithItsOption()
    {
        const Result r = runOrderlens({"train", "--lr", "99", "--networks", "0", "--print-config"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("--networks: Networks must be from 1 to 100; it is 0."), qPrintable(r.err));
        QVERIFY2(r.err.contains("--lr: Learning rate must be from 1e-08 to 10; it is 99."), qPrintable(r.err));
        const Result cosine = runOrderlens({"train", "--scheduler", "cosine", "--eta-min", "1", "--print-config"});
        QCOMPARE(cosine.code, 1);
        QVERIFY2(cosine.err.contains("--eta-min: The final learning rate (1) must not exceed the learning rate (0.1)."),
                 qPrintable(cosine.err));
        // More training images than the dataset has (40 in the fixture) is found when it is read.
        const QString run = dir_.filePath("too-many.h5");
        const Result many = runOrderlens(quick(run, {"--limit-train", "70"}));
        QCOMPARE(many.code, 1);
        QVERIFY2(many.err.contains("Training images: 70 asked for, but"), qPrintable(many.err));
        QVERIFY(!QFile::exists(run));
    }

    void keepCheckpointsOption()
    {
        const QString removed = dir_.filePath("removed.h5"), kept = dir_.filePath("kept.h5");
        Result r = runOrderlens(quick(removed, {}));
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        QVERIFY(!fs::exists(removed.toStdString() + ".ckpt"));
        r = runOrderlens(quick(kept, {"--keep-checkpoints"}));
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        QVERIFY(fs::is_regular_file(kept.toStdString() + ".ckpt/network-0.pt"));
        QCOMPARE(storedConfig(kept)["keep_checkpoints"].get<bool>(), true);
    }

    void headlessDemo()
    {
        if (test::fashionMnistDir().empty())
            QSKIP("dataset-fashion-mnist is not installed");
        // No display at all: the demo trains headless, computes the statistics of the run's
        // images (its 400, not Fashion-MNIST's 70,000) and writes the report into
        // ./orderlens-demo (options after --demo make it quick).
        QTemporaryDir cwd;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char* name : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"})
            env.remove(name);
        const Result r = runOrderlens({"--demo", "--limit-train", "300", "--limit-test", "100", "--epochs", "2",
                                       "--networks", "2", "--threads", "1"},
                                      cwd.path(), env);
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        QVERIFY2(r.out.contains("No display found"), qPrintable(r.out));
        const std::string run = cwd.filePath("orderlens-demo/run.h5").toStdString();
        const RunFile file(run);
        QCOMPARE(file.epochsDone(), (std::vector<int>{2, 2}));
        const nlohmann::json c = nlohmann::json::parse(file.configJson());
        QCOMPARE(c["architecture"].get<std::string>(), std::string("lenet5"));  // the demo's recipe
        QCOMPARE(c["scheduler"].get<std::string>(), std::string("cosine"));
        QCOMPARE(c["limit_train"].get<int>(), 300);                              // the changes
        QCOMPARE(file.manifest().keys.size(), std::size_t(400));
        const auto metrics = file.metricNames();
        for (const char* name : {"entropy", "dct_percent", "segment_count", "sobel_edge_strength", "crisp_edge_strength"})
            QVERIFY2(std::find(metrics.begin(), metrics.end(), name) != metrics.end(), name);
        const std::vector<double> crisp = file.readMetric("crisp_edge_strength");
        QCOMPARE(std::size_t(std::count_if(crisp.begin(), crisp.end(), [](double v) { return !std::isnan(v); })),
                 std::size_t(400));
        QFile pdf(cwd.filePath("orderlens-demo/report/report.pdf"));
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QCOMPARE(pdf.read(5), QByteArray("%PDF-"));
        QVERIFY(r.out.contains("orderlens-demo/report/report.pdf"));
    }
};

QTEST_GUILESS_MAIN(TestTrainCommand)
#include "tst_traincommand.moc"
