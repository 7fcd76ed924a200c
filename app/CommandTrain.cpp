#include "Command.h"

#include "common/Errors.h"
#include "common/Numbering.h"
#include "experiment/ExperimentSettings.h"
#include "training/Trainer.h"

#include <QFile>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
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

QStringList optionNames(const Setting& s)
{
    QStringList names{QString::fromStdString(s.option())};
    for (const auto& alias : s.aliases)
        names << QString::fromStdString(alias);
    return names;
}

QString negated(const Setting& s) { return QString::fromStdString("no-" + s.option()); }

// A setting's help line: what it does, its values, its default and the presets that set it.
QString helpText(const Setting& s)
{
    const ExperimentConfig defaults;
    std::string text = s.help;
    if (s.kind == SettingKind::Choice) {
        std::vector<std::string> values;
        for (const auto& c : s.choices())
            values.push_back(c.value);
        text += " One of: " + list(values).toStdString() + ".";
    } else if (s.kind == SettingKind::Count || s.kind == SettingKind::Real) {
        ExperimentConfig lo, hi;
        s.setNumber(lo, s.min);
        s.setNumber(hi, s.max);
        text += " From " + s.text(lo) + " to " + s.text(hi) + (s.zeroMeans.empty() ? "" : "; 0: " + s.zeroMeans) + ".";
    }
    if (s.kind == SettingKind::Flag)
        text += " --" + negated(s).toStdString() + " turns it off.";
    if (s.kind != SettingKind::File)
        text += " Default " + s.describe(defaults);
    std::string presets;
    for (const auto& [name, value] : s.presets) {
        ExperimentConfig c;
        s.parse(c, value);
        presets += (presets.empty() ? "" : ", ") + name + " " + s.describe(c);
    }
    if (!presets.empty())
        text += (s.kind == SettingKind::File ? " Presets: " : "; presets: ") + presets;
    if (s.kind != SettingKind::File || !presets.empty())
        text += ".";
    return QString::fromStdString(text);
}

void declare(QCommandLineParser& p)
{
    p.addOption({"run", "The run file to write (HDF5). Required.", "FILE.h5"});
    p.addOption({"resume", "Continue the interrupted run in --run with its stored configuration; options given with "
                           "it must equal the stored ones."});
    p.addOption({"task", "Train network K (0-based) only, into its own part of --run: one process per network, e.g. "
                         "one Slurm array task each (see `orderlens slurm`). With --resume: continue that network.",
                 "K"});
    p.addOption({"force", "Overwrite an existing run file."});
    p.addOption({"config", "Start from a saved configuration (JSON, as stored in run files); options given here override it.",
                 "FILE.json"});
    std::string presets;
    for (const auto& info : experimentPresetInfos())
        presets += (presets.empty() ? "" : "; ") + info.name + ": " + info.title;
    p.addOption({"preset",
                 QString::fromStdString("Start from a complete configuration: " + presets +
                                        "; options given here override it. Without --preset or --config every "
                                        "setting has its default, which the desktop application's form does not "
                                        "start from: it starts from the demo preset."),
                 "NAME"});
    p.addOption({"print-config", "Print the configuration (JSON, as --config reads it) after validating it, and exit "
                                 "without training."});
    for (const auto& s : experimentSettings()) {
        if (s.kind == SettingKind::Flag) {
            p.addOption({optionNames(s), helpText(s)});
            QCommandLineOption off(negated(s), "Turns --" + QString::fromStdString(s.option()) + " off.");
            off.setFlags(QCommandLineOption::HiddenFromHelp);
            p.addOption(off);
        } else {
            p.addOption({optionNames(s), helpText(s), QString::fromStdString(s.valueName)});
        }
    }
}

// The settings given on the command line, by key.
std::vector<std::string> givenSettings(const QCommandLineParser& p)
{
    std::vector<std::string> keys;
    for (const auto& s : experimentSettings())
        if (p.isSet(QString::fromStdString(s.option())) || (s.kind == SettingKind::Flag && p.isSet(negated(s))))
            keys.push_back(s.key);
    return keys;
}

// Applies every option given on the command line over `c`.
void applyOptions(const QCommandLineParser& p, ExperimentConfig& c)
{
    for (const auto& s : experimentSettings()) {
        const QString name = QString::fromStdString(s.option());
        if (s.kind == SettingKind::Flag) {
            if (p.isSet(name) && p.isSet(negated(s)))
                throw ConfigError("give either --" + s.option() + " or --" + negated(s).toStdString() + ", not both");
            if (p.isSet(name) || p.isSet(negated(s)))
                s.setFlag(c, p.isSet(name));
        } else if (p.isSet(name)) {
            s.parse(c, stringOption(p, name));
        }
    }
}

// A saved configuration and the keys it states.
struct ConfigFile {
    ExperimentConfig config;
    std::vector<std::string> keys;
};

ConfigFile loadConfigFile(const std::string& path)
{
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly))
        throw InputError(path, "cannot read the configuration file");
    try {
        const nlohmann::json json = nlohmann::json::parse(f.readAll().toStdString());
        ConfigFile file{ExperimentConfig::fromJson(json), {}};
        for (auto it = json.begin(); it != json.end(); ++it)
            file.keys.push_back(it.key());
        return file;
    } catch (const nlohmann::json::exception& e) {
        throw InputError(path, std::string("not valid JSON: ") + e.what());
    } catch (const ConfigError& e) {
        throw InputError(path, e.what());
    }
}

// The form's validation, each problem with the option to change.
void refuseProblems(const ExperimentConfig& config)
{
    const std::vector<SettingProblem> problems = findProblems(config);
    auto line = [](const SettingProblem& problem) {
        return "--" + experimentSetting(problem.key).option() + ": " + problem.message;
    };
    if (problems.size() == 1)
        throw ConfigError(line(problems.front()));
    std::string message = "the configuration cannot work:";
    for (const auto& problem : problems)
        message += "\n  " + line(problem);
    if (!problems.empty())
        throw ConfigError(message);
}

// Resuming with the options that started the run is the natural retry; an option that would
// change the run is refused, naming both values.
void refuseChanges(const ExperimentConfig& stored, const ExperimentConfig& given, const std::vector<std::string>& stated)
{
    std::string message;
    for (const auto& d : differingSettings(stored, given, stated))
        message += "\n  " + d.setting->label + " (--" + d.setting->option() + "): stored " + d.stored + ", given " +
                   d.given;
    if (!message.empty())
        throw ConfigError("--resume continues the run with its stored configuration, and these options differ "
                          "from it:" + message);
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
        std::snprintf(detail, sizeof detail, "network %d/%d %s batch %d/%d loss %.3f acc %s %.0f img/s",
                      p.network + 1, networks_, epochProgressText(p.epoch, epochs_).c_str(), p.batch + 1, p.batches, p.loss,
                      percent(p.runningAccuracy).c_str(), p.imagesPerSecond);
        printer_.update(p.fraction, detail, p.etaSeconds);
    }
    void onEpoch(const EpochProgress& p) override
    {
        char text[200];
        const EpochSummary& s = p.summary;
        std::snprintf(text, sizeof text,
                      "%s %s: train loss %.4f acc %s | test loss %.4f acc %s | lr %.5g | %.1f s",
                      networkText(p.network).c_str(), epochProgressText(p.epoch, epochs_).c_str(), s.trainLoss, percent(s.trainAccuracy).c_str(), s.testLoss,
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
    if (p.isSet("config") && p.isSet("preset"))
        throw ConfigError("give either --config or --preset, not both");
    std::vector<std::string> stated = givenSettings(p);
    ExperimentConfig config;
    if (p.isSet("config")) {
        ConfigFile file = loadConfigFile(stringOption(p, "config"));
        config = file.config;
        stated.insert(stated.end(), file.keys.begin(), file.keys.end());
    } else if (p.isSet("preset")) {
        const std::string name = stringOption(p, "preset");
        config = ExperimentConfig::preset(name);
        for (const auto& s : experimentSettings())
            for (const auto& preset : s.presets)
                if (preset.first == name)
                    stated.push_back(s.key);
    }
    applyOptions(p, config);
    if (p.isSet("print-config")) {
        refuseProblems(config);
        std::printf("%s\n", config.toJson().dump(2).c_str());
        return 0;
    }

    if (!p.isSet("run"))
        throw ConfigError("--run FILE.h5 is required (the run file to write or resume)");
    const std::string runPath = stringOption(p, "run");

    const int task = p.isSet("task") ? int(intOption(p, "task", 0, 999)) : -1;
    Trainer trainer = [&] {
        if (p.isSet("resume")) {
            if (p.isSet("force"))
                throw ConfigError("--resume continues the run in --run; --force would replace it: give one of them");
            Trainer resumed = Trainer::resume(runPath, task);
            refuseChanges(resumed.config(), config, stated);
            return resumed;
        }
        if (task >= 0 && p.isSet("force"))
            throw ConfigError("--force cannot be combined with --task: the tasks share one run, so none may replace it "
                              "(remove the run first, or let `orderlens slurm --force` do it)");
        refuseProblems(config);
        return task >= 0 ? Trainer::task(config, runPath, task) : Trainer(config, runPath, p.isSet("force"));
    }();

    const ExperimentConfig& c = trainer.config();
    CliObserver observer(c.networks, c.epochs);
    const std::string which = task >= 0 ? networkIndexText(task) + " of " : "";
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

// The preset the desktop application's setup form and `orderlens --demo` start from.
constexpr const char* kDesktopPreset = "demo";

// Where plain `orderlens train` differs from the desktop application's setup form, which opens
// on the demo preset: users who compare the two otherwise wonder why the results differ.
QString differencesFromDesktop()
{
    const ExperimentConfig defaults;
    const ExperimentConfig demo = ExperimentConfig::preset(kDesktopPreset);
    std::vector<std::array<std::string, 3>> rows;  // option, plain default, desktop value
    std::size_t width = 0;
    for (const auto& s : experimentSettings()) {
        const std::string plain = s.describe(defaults), desktop = s.describe(demo);
        if (plain != desktop) {
            rows.push_back({"--" + s.option(), plain, desktop});
            width = std::max(width, rows.back()[0].size());
        }
    }
    std::string text = "Without --preset or --config, these defaults differ from the desktop application's\n"
                       "setup form, which starts from the " + std::string(kDesktopPreset) + " preset (--preset " +
                       kDesktopPreset + " gives the same run):";
    for (const auto& [option, plain, desktop] : rows)
        text += "\n  " + option + std::string(width - option.size() + 2, ' ') + plain + " here, " + desktop +
                " in the desktop application";
    return QString::fromStdString(text);
}

const CommandRegistration reg({"train", "Train N networks and record every image's correctness every epoch.", declare,
                               run, false, differencesFromDesktop});

}  // namespace

}  // namespace orderlens::cli
