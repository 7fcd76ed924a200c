#include "Command.h"

#include "common/Errors.h"
#include "experiment/ExperimentConfig.h"
#include "io/AtomicFile.h"
#include "storage/RunFile.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace orderlens::cli {

namespace {

// The options of this command itself; every other option given is a training option and goes
// to each task's `orderlens train` unchanged.
const std::set<QString> kSlurmOptions = {"partition", "gres", "time", "cpus", "mem", "throttle", "analysis-output",
                                         "submit"};
// Training options that the script sets itself (or that make no sense for a whole array).
const std::set<QString> kNotForwarded = {"run", "resume", "force", "task", "help", "print-config"};

// A Slurm request that gives each task one GPU; `--gres none` on clusters without GPUs.
constexpr const char* kDefaultGres = "gpu:1";
// sbatch waits this long for the controller before giving up.
constexpr int kSbatchTimeoutMs = 120000;

const Command* trainCommand()
{
    for (const Command& c : commands())
        if (c.name == "train")
            return &c;
    return nullptr;
}

void declare(QCommandLineParser& p)
{
    // The training options are train's own, declared by it (so both stay the same).
    if (const Command* train = trainCommand())
        train->declare(p);
    p.addOption({"partition", "Slurm partition of the tasks and the analysis job (default: the cluster's).", "NAME"});
    p.addOption({"gres", QString("Generic resources of each task (default ") + kDefaultGres +
                             ": one GPU; 'none' requests none).",
                 "SPEC"});
    p.addOption({"time", "Time limit of each task and of the analysis job, as sbatch takes it (e.g. 24:00:00).",
                 "LIMIT"});
    p.addOption({"cpus", "CPUs per task (default 1); also each task's --threads unless that is given.", "N"});
    p.addOption({"mem", "Memory per task and for the analysis job, as sbatch takes it (e.g. 32G).", "SIZE"});
    p.addOption({"throttle", "Run at most K tasks at once (the array's %K).", "K"});
    p.addOption({"analysis-output", "Folder of the analysis (default: RUN-analysis beside the run).", "DIR"});
    p.addOption({"submit", "Submit the array and the analysis job with sbatch and print their job ids."});
}

// A word as bash reads it back unchanged.
std::string shellWord(const std::string& word)
{
    const bool plain = !word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                               "0123456789_./:=,+-@%") == std::string::npos;
    if (plain)
        return word;
    std::string out = "'";
    for (char c : word)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string shellLine(const std::vector<std::string>& words)
{
    std::string out;
    for (const std::string& w : words)
        out += (out.empty() ? "" : " ") + shellWord(w);
    return out;
}

// The number of networks in a saved configuration (the training checks the rest of it).
int networksIn(const std::string& path)
{
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly))
        throw InputError(path, "cannot read the configuration file");
    const nlohmann::json j = nlohmann::json::parse(f.readAll().toStdString(), nullptr, false);
    if (!j.is_object())
        throw InputError(path, "not a configuration (a JSON object) as --config reads it");
    const nlohmann::json networks = j.value("networks", nlohmann::json(ExperimentConfig().networks));
    if (!networks.is_number_integer() || networks.get<long long>() < 1 || networks.get<long long>() > 1000)
        throw InputError(path, "'networks' is not a whole number from 1 to 1000");
    return networks.get<int>();
}

// The number of networks the options configure: the array has one task per network.
int networksOf(const QCommandLineParser& p)
{
    if (p.isSet("networks"))
        return int(intOption(p, "networks", 1, 1000));
    if (p.isSet("config"))
        return networksIn(stringOption(p, "config"));
    if (p.isSet("preset"))
        return ExperimentConfig::preset(stringOption(p, "preset")).networks;
    return ExperimentConfig().networks;
}

// Everything the script and the analysis job are made of.
struct ArrayJob {
    std::string program;  // this orderlens, by absolute path
    std::string run, script, analysisOutput, folder, name, workingFolder;
    int networks = 0;
    int cpus = 1;
    std::vector<std::string> trainOptions;  // as given, plus --threads
    std::vector<std::string> resources;     // sbatch options shared by the tasks and the analysis
    std::vector<std::string> taskResources;  // the tasks' own (--array, --gres)
};

// The sbatch command of the analysis job, waiting for `dependency` (afterok:ARRAY_ID).
std::vector<std::string> analysisSubmission(const ArrayJob& job)
{
    std::vector<std::string> words = {"sbatch", "--job-name=orderlens-" + job.name + "-analysis"};
    words.insert(words.end(), job.resources.begin(), job.resources.end());
    words.push_back("--output=" + (fs::path(job.folder) / (job.name + "-%j-analysis.log")).string());
    const std::string threads = std::to_string(job.cpus);
    words.push_back("--wrap=" + shellLine({job.program, "metrics", "--run", job.run, "--threads", threads}) + " && " +
                    shellLine({job.program, "analyze", "--run", job.run, "--output", job.analysisOutput, "--threads",
                               threads}));
    return words;
}

std::string scriptText(const ArrayJob& job)
{
    const std::string firstPart = RunFile::partPathFor(job.run, 0);
    const std::string partPrefix = firstPart.substr(0, firstPart.size() - std::string("0.h5").size());
    std::vector<std::string> analysis = analysisSubmission(job);
    analysis.erase(analysis.begin());
    std::string s = "#!/bin/bash\n";
    s += "# OrderLens: the run " + job.run + " trained as a Slurm job array, one task per network\n";
    s += "# (" + std::to_string(job.networks) + " networks), written by `orderlens slurm`.\n";
    s += "# Task K trains network K into its own part, " + fs::path(partPrefix).filename().string() +
         "K.h5; readers see the parts as one run.\n";
    s += "#\n# Submit it, and the analysis that starts once every task succeeded (`orderlens slurm --submit` does "
         "both):\n";
    s += "#   array=$(sbatch --parsable " + shellWord(job.script) + ")\n";
    s += "#   sbatch --dependency=afterok:${array%%;*} " + shellLine(analysis) + "\n";
    s += "# Progress: " + shellLine({job.program, "status", "--run", job.run}) + "\n";
    s += "# A failed task K: sbatch --array=K " + shellWord(job.script) +
         " (its part exists, so it runs orderlens train --run RUN --task K --resume).\n";
    s += "#SBATCH --job-name=orderlens-" + job.name + "\n";
    for (const std::string& r : job.taskResources)
        s += "#SBATCH " + r + "\n";
    for (const std::string& r : job.resources)
        s += "#SBATCH " + r + "\n";
    s += "#SBATCH --output=" + (fs::path(job.folder) / (job.name + "-%A-task-%a.log")).string() + "\n";
    s += "set -euo pipefail\n";
    s += "task=${SLURM_ARRAY_TASK_ID:?submit this script with sbatch: it is a job array}\n";
    s += "if [ -e " + shellWord(partPrefix) + "\"$task\".h5 ]; then\n";
    s += "    # Started before (failed, cancelled or requeued): continue where its records end.\n";
    s += "    exec " + shellLine({job.program, "train", "--run", job.run, "--task"}) + " \"$task\" --resume\n";
    s += "fi\n";
    std::vector<std::string> train = {job.program, "train"};
    train.insert(train.end(), job.trainOptions.begin(), job.trainOptions.end());
    train.insert(train.end(), {"--run", job.run, "--task"});
    s += "exec " + shellLine(train) + " \"$task\"\n";
    return s;
}

// Removes a run that is started over (--force): its file, parts and checkpoints; refused while
// any task of it still runs.
void removeRun(const std::string& run)
{
    {
        const RunFile existing(run);
        const RunWriterInfo writer = existing.writer();
        if (writer.live())
            throw WriterBusyError(run, writer);
        std::error_code ec;
        if (existing.madeOfParts())
            for (int n = 0; n < existing.shape().networks; ++n)
                fs::remove(RunFile::partPathFor(run, n), ec);
    }
    std::error_code ec;
    fs::remove(run, ec);
    fs::remove_all(run + ".ckpt", ec);
}

// Runs sbatch and returns the job id it prints (--parsable: "ID" or "ID;CLUSTER").
std::string sbatch(const std::vector<std::string>& words)
{
    QProcess p;
    QStringList args;
    for (std::size_t i = 1; i < words.size(); ++i)
        args << QString::fromStdString(words[i]);
    p.start(QString::fromStdString(words.front()), args);
    if (!p.waitForStarted())
        throw InputError("sbatch", "cannot be started: is this a Slurm login node (is sbatch on the PATH)?");
    p.waitForFinished(kSbatchTimeoutMs);
    const std::string out = QString::fromLocal8Bit(p.readAllStandardOutput()).trimmed().toStdString();
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        throw InputError("sbatch", "refused the job: " +
                                       QString::fromLocal8Bit(p.readAllStandardError()).trimmed().toStdString());
    const std::string id = out.substr(0, out.find(';'));
    if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
        throw InputError("sbatch", "printed '" + out + "' instead of a job id");
    return id;
}

int run(const QCommandLineParser& p)
{
    if (!p.isSet("run"))
        throw ConfigError("--run FILE.h5 is required (the run the array trains)");
    for (const char* refused : {"resume", "task"})
        if (p.isSet(refused))
            throw ConfigError(std::string("--") + refused +
                              " is for one task; the script gives each task its own (and resumes a task whose part exists)");
    ArrayJob job;
    job.program = QCoreApplication::applicationFilePath().toStdString();
    job.run = fs::absolute(stringOption(p, "run")).lexically_normal().string();
    job.folder = fs::path(job.run).parent_path().string();
    job.name = fs::path(job.run).stem().string();
    job.script = (fs::path(job.folder) / (job.name + ".sbatch")).string();
    job.analysisOutput = p.isSet("analysis-output")
                             ? fs::absolute(stringOption(p, "analysis-output")).lexically_normal().string()
                             : (fs::path(job.folder) / (job.name + "-analysis")).string();
    job.workingFolder = QDir::currentPath().toStdString();
    job.networks = networksOf(p);
    job.cpus = p.isSet("cpus") ? int(intOption(p, "cpus", 1, 4096)) : 1;
    if (!fs::is_directory(job.folder))
        throw InputError(job.run, "the folder " + job.folder + " does not exist");

    // Training options in the order given; relative paths in them keep their meaning because
    // every job starts in this folder (--chdir).
    std::map<QString, int> seen;
    for (const QString& name : p.optionNames()) {
        if (kSlurmOptions.count(name) || kNotForwarded.count(name))
            continue;
        const QStringList values = p.values(name);
        job.trainOptions.push_back("--" + name.toStdString());
        if (!values.isEmpty())
            job.trainOptions.push_back(values.value(seen[name]++).toStdString());
    }
    if (!p.isSet("threads"))
        job.trainOptions.insert(job.trainOptions.end(), {"--threads", std::to_string(job.cpus)});

    std::string array = "--array=0-" + std::to_string(job.networks - 1);
    if (p.isSet("throttle"))
        array += "%" + std::to_string(intOption(p, "throttle", 1, 100000));
    job.taskResources.push_back(array);
    const std::string gres = p.isSet("gres") ? stringOption(p, "gres") : kDefaultGres;
    if (gres != "none")
        job.taskResources.push_back("--gres=" + gres);
    job.resources.push_back("--chdir=" + job.workingFolder);
    if (p.isSet("partition"))
        job.resources.push_back("--partition=" + stringOption(p, "partition"));
    job.resources.push_back("--cpus-per-task=" + std::to_string(job.cpus));
    if (p.isSet("mem"))
        job.resources.push_back("--mem=" + stringOption(p, "mem"));
    if (p.isSet("time"))
        job.resources.push_back("--time=" + stringOption(p, "time"));

    if (fs::exists(job.run)) {
        if (!p.isSet("force"))
            throw ConfigError(job.run + " exists: continue its unfinished tasks with `sbatch --array=K " + job.script +
                              "` (a task whose part exists resumes it), or start over with --force");
        removeRun(job.run);
    }
    writeFileAtomically(job.script, [&](std::ostream& out) { out << scriptText(job); });
    std::printf("%s\n", job.script.c_str());
    if (!p.isSet("submit"))
        return 0;
    const std::string arrayId = sbatch({"sbatch", "--parsable", job.script});
    std::vector<std::string> analysis = analysisSubmission(job);
    analysis.insert(analysis.begin() + 1, {"--parsable", "--dependency=afterok:" + arrayId});
    const std::string analysisId = sbatch(analysis);
    std::printf("Submitted the training array as job %s (%d tasks) and the analysis as job %s (after every task "
                "succeeded; into %s)\nProgress: orderlens status --run %s\n",
                arrayId.c_str(), job.networks, analysisId.c_str(), job.analysisOutput.c_str(), job.run.c_str());
    return 0;
}

const CommandRegistration reg({"slurm",
                               "Write (and with --submit, submit) a Slurm job array that trains a run one network per "
                               "task, and its analysis job.",
                               declare, run});

}  // namespace

}  // namespace orderlens::cli
