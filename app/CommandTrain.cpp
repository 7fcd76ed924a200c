#include "Command.h"

#include "common/Errors.h"
#include "models/Architecture.h"
#include "training/Trainer.h"

#include <QFile>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>

namespace orderlens::cli {

namespace {

std::atomic<bool> interrupted{false};

// The first Ctrl-C asks for a cooperative stop after the current batch; a second one kills.
extern "C" void onInterrupt(int)
{
    interrupted.store(true);
    std::signal(SIGINT, SIG_DFL);
}

QString list(const std::vector<std::string>& names)
{
    QStringList out;
    for (const auto& n : names)
        out << QString::fromStdString(n);
    return out.join(", ");
}

QString num(double v) { return QString::number(v); }

void declare(QCommandLineParser& p)
{
    const ExperimentConfig d;
    std::vector<std::string> archs;
    for (const auto& a : architectureInfos())
        archs.push_back(a.name);
    p.addOption({"run", "The run file to write (HDF5). Required.", "FILE.h5"});
    p.addOption({"resume", "Continue the interrupted run in --run with its stored configuration."});
    p.addOption({"task", "Train network K (0-based) only, into its own part of --run: one process per network, e.g. "
                         "one Slurm array task each (see `orderlens slurm`). With --resume: continue that network.",
                 "K"});
    p.addOption({"force", "Overwrite an existing run file."});
    p.addOption({"config", "Start from a saved configuration (JSON, as stored in run files); options given here override it.",
                 "FILE.json"});
    p.addOption({"preset", "Start from a recipe: " + list(ExperimentConfig::presetNames()) + ".", "NAME"});
    p.addOption({"dataset", "Dataset spec (default " + QString::fromStdString(d.dataset) + ").", "SPEC"});
    p.addOption({"limit-train", "Class-stratified subset of N training images (0 = all).", "N"});
    p.addOption({"limit-test", "Class-stratified subset of M test images (0 = all).", "M"});
    p.addOption({"input-size", "Square input side; smaller images are zero-padded, larger resized and cropped "
                               "(default: the images' own size).", "PX"});
    p.addOption({"architecture", "One of " + list(archs) + " (default " + QString::fromStdString(d.architecture) + ").",
                 "NAME"});
    p.addOption({"networks", "Number of networks (default " + num(d.networks) + ").", "N"});
    p.addOption({"epochs", "Epochs per network (default " + num(d.epochs) + ").", "E"});
    p.addOption({"batch-size", "Batch size (default " + num(d.batchSize) + ").", "B"});
    p.addOption({"micro-batch", "Split each batch into micro-batches of this size and accumulate gradients "
                                "(0 = off).", "M"});
    p.addOption({"optimizer", "sgd or adam (default " + QString::fromStdString(d.optimizer) + ").", "NAME"});
    p.addOption({"lr", "Learning rate (default " + num(d.lr) + ").", "LR"});
    p.addOption({"momentum", "SGD momentum (default " + num(d.momentum) + ").", "M"});
    p.addOption({"weight-decay", "Weight decay (default " + num(d.weightDecay) + ").", "WD"});
    p.addOption({"scheduler", "none, cosine, step or onecycle (default " + QString::fromStdString(d.scheduler) + ").",
                 "NAME"});
    p.addOption({"eta-min", "Cosine annealing's final learning rate (default " + num(d.etaMin) + ").", "LR"});
    p.addOption({"step-size", "Step scheduler: epochs between decays (default " + num(d.stepSize) + ").", "E"});
    p.addOption({"step-gamma", "Step scheduler: decay factor (default " + num(d.stepGamma) + ").", "G"});
    p.addOption({"init", "kaiming-normal, kaiming-uniform, xavier-normal or xavier-uniform (default " +
                             QString::fromStdString(d.init) + ").", "NAME"});
    p.addOption({"bn-eps", "Batch-norm epsilon (default " + num(d.batchNormEps) + ").", "EPS"});
    p.addOption({"corrupt-prob", "Replace each training label with a random class with this probability.", "P"});
    p.addOption({"random-crop", "Augment: random crop after zero padding (--crop-padding, default " +
                                    num(d.cropPadding) + ")."});
    p.addOption({"crop-padding", "Padding for --random-crop.", "PX"});
    p.addOption({"horizontal-flip", "Augment: random horizontal flip."});
    p.addOption({"cifar10h", "CIFAR-10H probabilities (.npy, 10000 x 10): store human uncertainty with the run's statistics.",
                 "FILE.npy"});
    p.addOption({"multilabel", "Multi-label training (BCE with logits, exact-match correctness)."});
    p.addOption({"save-prob-vector", "Also store every image's probability vector each epoch."});
    p.addOption({"eval-train", "Also run an eval-mode pass over the training images after each epoch."});
    p.addOption({"keep-checkpoints", "Keep the trained networks (RUN.h5.ckpt/) after the run completes; by default "
                                     "they are removed then."});
    p.addOption({"seed", "Experiment seed; every network's seed derives from it (default " + num(double(d.seed)) + ").",
                 "S"});
    p.addOption({"device", "auto, cpu or cuda (default " + QString::fromStdString(d.device) + ").", "DEV"});
    p.addOption({"threads", "CPU threads (0 = all cores).", "N"});
    p.addOption({"parallel-networks", "Train the networks side by side instead of one after another."});
    p.addOption({"fuse-networks",
                 "on: train the networks as one fused module where the architecture allows (all but densenet121); "
                 "off: one module per network (default " + QString(d.fuseNetworks ? "on" : "off") + ").",
                 "on|off"});
}

// Applies every option given on the command line over `c`.
void applyOptions(const QCommandLineParser& p, ExperimentConfig& c)
{
    auto str = [&](const char* name, std::string& field) {
        if (p.isSet(name))
            field = stringOption(p, name);
    };
    auto integer = [&](const char* name, auto& field, long long min, long long max) {
        if (p.isSet(name))
            field = static_cast<std::decay_t<decltype(field)>>(intOption(p, name, min, max));
    };
    auto real = [&](const char* name, double& field, double min, double max) {
        if (p.isSet(name))
            field = doubleOption(p, name, min, max);
    };
    auto flag = [&](const char* name, bool& field) {
        if (p.isSet(name))
            field = true;
    };
    constexpr long long kMaxCount = 1LL << 40;
    str("dataset", c.dataset);
    integer("limit-train", c.limitTrain, 0, kMaxCount);
    integer("limit-test", c.limitTest, 0, kMaxCount);
    integer("input-size", c.inputSize, 0, 4096);
    str("architecture", c.architecture);
    integer("networks", c.networks, 1, 1000);
    integer("epochs", c.epochs, 1, 100000);
    integer("batch-size", c.batchSize, 1, 1 << 20);
    integer("micro-batch", c.microBatch, 0, 1 << 20);
    str("optimizer", c.optimizer);
    real("lr", c.lr, 0, 1e6);
    real("momentum", c.momentum, 0, 1);
    real("weight-decay", c.weightDecay, 0, 1e6);
    str("scheduler", c.scheduler);
    real("eta-min", c.etaMin, 0, 1e6);
    integer("step-size", c.stepSize, 1, 100000);
    real("step-gamma", c.stepGamma, 0, 1e6);
    str("init", c.init);
    real("bn-eps", c.batchNormEps, 0, 1);
    real("corrupt-prob", c.corruptProb, 0, 1);
    flag("random-crop", c.randomCrop);
    integer("crop-padding", c.cropPadding, 0, 1024);
    flag("horizontal-flip", c.horizontalFlip);
    flag("multilabel", c.multiLabel);
    // Absolute, because the GUI reads the file from the stored configuration later.
    if (p.isSet("cifar10h"))
        c.humanUncertainty = std::filesystem::absolute(stringOption(p, "cifar10h")).string();
    flag("save-prob-vector", c.saveProbVector);
    flag("eval-train", c.evalTrain);
    flag("keep-checkpoints", c.keepCheckpoints);
    integer("seed", c.seed, 0, std::numeric_limits<long long>::max());
    str("device", c.device);
    integer("threads", c.threads, 0, 4096);
    flag("parallel-networks", c.parallelNetworks);
    if (p.isSet("fuse-networks")) {
        const std::string value = stringOption(p, "fuse-networks");
        if (value != "on" && value != "off")
            throw ConfigError("--fuse-networks takes on or off, not '" + value + "'");
        c.fuseNetworks = value == "on";
    }
}

ExperimentConfig loadConfigFile(const std::string& path)
{
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly))
        throw InputError(path, "cannot read the configuration file");
    try {
        return ExperimentConfig::fromJson(nlohmann::json::parse(f.readAll().toStdString()));
    } catch (const nlohmann::json::exception& e) {
        throw InputError(path, std::string("not valid JSON: ") + e.what());
    } catch (const ConfigError& e) {
        throw InputError(path, e.what());
    }
}

std::string percent(double fraction)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f%%", 100 * fraction);
    return buf;
}

// Prints the trainer's progress: a bar on a terminal, plain lines otherwise.
class CliObserver : public TrainingObserver {
public:
    CliObserver(int networks, int epochs) : printer_("train"), networks_(networks), epochs_(epochs) {}
    void onMessage(const std::string& text) override { printer_.line(text); }
    void onBatch(const BatchProgress& p) override
    {
        const auto now = std::chrono::steady_clock::now();
        // A terminal redraw per batch would cost more than small batches take.
        if (now - lastDraw_ < std::chrono::milliseconds(200) && p.batch + 1 < p.batches)
            return;
        lastDraw_ = now;
        char detail[160];
        std::snprintf(detail, sizeof detail, "net %d/%d epoch %d/%d batch %d/%d loss %.3f acc %s %.0f img/s",
                      p.network + 1, networks_, p.epoch + 1, epochs_, p.batch + 1, p.batches, p.loss,
                      percent(p.runningAccuracy).c_str(), p.imagesPerSecond);
        printer_.update(p.fraction, detail, p.etaSeconds);
    }
    void onEpoch(const EpochProgress& p) override
    {
        char text[200];
        const EpochSummary& s = p.summary;
        std::snprintf(text, sizeof text,
                      "network %d epoch %d/%d: train loss %.4f acc %s | test loss %.4f acc %s | lr %.5g | %.1f s",
                      p.network + 1, p.epoch + 1, epochs_, s.trainLoss, percent(s.trainAccuracy).c_str(), s.testLoss,
                      percent(s.testAccuracy).c_str(), s.learningRate, s.seconds);
        printer_.line(text);
    }
    ProgressPrinter& printer() { return printer_; }

private:
    ProgressPrinter printer_;
    int networks_, epochs_;
    std::chrono::steady_clock::time_point lastDraw_{};
};

int run(const QCommandLineParser& p)
{
    if (!p.isSet("run"))
        throw ConfigError("--run FILE.h5 is required (the run file to write or resume)");
    const std::string runPath = stringOption(p, "run");

    const int task = p.isSet("task") ? int(intOption(p, "task", 0, 999)) : -1;
    Trainer trainer = [&] {
        if (p.isSet("resume")) {
            for (const QString& name : p.optionNames())
                if (name != "run" && name != "resume" && name != "task")
                    throw ConfigError("--resume continues a run with its stored configuration; --" + name.toStdString() +
                                      " cannot change it");
            return Trainer::resume(runPath, task);
        }
        if (task >= 0 && p.isSet("force"))
            throw ConfigError("--force cannot be combined with --task: the tasks share one run, so none may replace it "
                              "(remove the run first, or let `orderlens slurm --force` do it)");
        if (p.isSet("config") && p.isSet("preset"))
            throw ConfigError("give either --config or --preset, not both");
        ExperimentConfig config = p.isSet("config")   ? loadConfigFile(stringOption(p, "config"))
                                  : p.isSet("preset") ? ExperimentConfig::preset(stringOption(p, "preset"))
                                                      : ExperimentConfig();
        applyOptions(p, config);
        return task >= 0 ? Trainer::task(config, runPath, task) : Trainer(config, runPath, p.isSet("force"));
    }();

    const ExperimentConfig& c = trainer.config();
    CliObserver observer(c.networks, c.epochs);
    const std::string which = task >= 0 ? "network " + std::to_string(task) + " of " : "";
    observer.printer().line("Training " + which + std::to_string(c.networks) + " x " + c.architecture + " (" +
                            trainer.trainingPath() + ") for " + std::to_string(c.epochs) + " epochs on " + c.dataset +
                            " (device " + Trainer::resolveDevice(c.device) + ") -> " + runPath);
    interrupted.store(false);
    auto previous = std::signal(SIGINT, onInterrupt);
    const auto started = std::chrono::steady_clock::now();
    try {
        trainer.run(&observer, &interrupted);
    } catch (const Cancelled&) {
        std::signal(SIGINT, previous);
        observer.printer().line("Interrupted: completed epochs are saved in " + runPath +
                                ". Continue with: orderlens train --run " + runPath +
                                (task >= 0 ? " --task " + std::to_string(task) : std::string()) + " --resume");
        return 130;
    }
    std::signal(SIGINT, previous);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    char done[64];
    std::snprintf(done, sizeof done, "%.1f s", seconds);
    observer.printer().finish(std::string("done in ") + done + "; records in " + runPath);
    return 0;
}

const CommandRegistration reg({"train", "Train N networks and record every image's correctness every epoch.", declare,
                               run});

}  // namespace

}  // namespace orderlens::cli
