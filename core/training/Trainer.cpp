#include "training/Trainer.h"

#include "training/TrainerImpl.h"

#include "common/CrashPoint.h"
#include "common/Errors.h"
#include "common/Numbering.h"
#include "common/ThreadBudget.h"
#include "dataset/DatasetReader.h"
#include "experiment/ExperimentSettings.h"
#include "models/FusedEnsemble.h"
#include "models/Networks.h"
#include "storage/RunDataset.h"
#include "training/BatchPrefetcher.h"
#include "training/Checkpoint.h"
#include "training/LabelCorruption.h"
#include "training/LearningRateSchedule.h"
#include "training/Seeds.h"
#include "training/TrainingData.h"

#include <torch/version.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <mutex>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;

namespace orderlens {

namespace {

// The shared library that provides BLAS to this process, from its memory map: LibTorch links
// libblas.so.3, which Debian's alternatives point at OpenBLAS or the slow reference BLAS.
std::string blasLibrary()
{
    std::ifstream maps("/proc/self/maps");
    std::string line, found;
    while (std::getline(maps, line)) {
        const auto slash = line.rfind('/');
        if (slash == std::string::npos)
            continue;
        const std::string path = line.substr(line.find('/'));
        const std::string name = line.substr(slash + 1);
        if (name.find("openblas") != std::string::npos || name.find("libblas") != std::string::npos ||
            name.find("mkl") != std::string::npos || name.find("blis") != std::string::npos) {
            std::error_code ec;
            const std::string real = fs::canonical(path, ec).string();
            if (found.find(ec ? path : real) == std::string::npos)
                found += (found.empty() ? "" : ", ") + (ec ? path : real);
        }
    }
    return found.empty() ? "none found" : found;
}

std::string utcNow()
{
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string hostName()
{
    char buf[256] = {0};
    ::gethostname(buf, sizeof buf - 1);
    return buf;
}

}  // namespace

std::map<std::string, std::string> Trainer::Impl::processProvenance(const std::string& device, int threads) const
{
    std::map<std::string, std::string> provenance;
    provenance["program"] = std::string("OrderLens ") + ORDERLENS_VERSION;
    provenance["date"] = utcNow();
    provenance["device"] = device;
    provenance["libtorch"] = TORCH_VERSION;
    provenance["threads"] = std::to_string(threads);
    provenance["host"] = hostName();
    provenance["blas"] = blasLibrary();
    provenance["training"] = trainingPath();
    return provenance;
}

// Resuming a run trained as tasks: the parts of the networks this process continues (complete
// ones too: a kept checkpoint behind its records replays the last epoch), created for tasks that
// never started.
void Trainer::Impl::claimParts(const std::map<std::string, std::string>& provenance)
{
    const RunFile run(runPath);
    for (int n = 0; n < run.shape().networks; ++n) {
        if (!trains(n))
            continue;
        run.createPart(n, provenance);
        partWriters[n] = std::make_unique<RunWriter>(runPath, n);
    }
}

// Refuses, before the dataset is loaded, a task that cannot join the run: one trained all in
// one process, or whose network is being trained or has records already.
void Trainer::Impl::checkTaskCanStart() const
{
    if (!fs::exists(runPath))
        return;
    const RunFile run(runPath);
    if (!run.madeOfParts())
        throw ConfigError(runPath + " exists and was trained all in one process, not as tasks; choose another run file "
                                    "(or remove it)");
    if (task >= run.shape().networks)
        throw ConfigError("--task " + std::to_string(task) + ": " + runPath + " has " +
                          std::to_string(run.shape().networks) + " networks, numbered from 0");
    const RunWriterInfo other = run.partWriter(task);
    if (other.live())
        throw WriterBusyError(run.recordsPath(task), other);
    if (run.epochsDone()[std::size_t(task)] > 0)
        throw ConfigError(networkIndexText(task) + " of " + runPath + " already has " +
                          std::to_string(run.epochsDone()[std::size_t(task)]) + " epochs recorded in " +
                          run.recordsPath(task) + "; continue it with --task " + std::to_string(task) + " --resume");
}

// The first task creates the run; every task then checks that it trains the run's very
// configuration and dataset, and claims its network's part.
void Trainer::Impl::joinTaskRun(const Dataset& dataset, const std::vector<std::int32_t>& labels, const RunShape& shape,
                                const std::map<std::string, std::string>& provenance,
                                const std::map<std::string, std::string>& own)
{
    RunFile::createForTasks(runPath, config.toJson().dump(), dataset, labels, shape, provenance);
    runFile = std::make_unique<RunFile>(runPath);
    if (!runFile->madeOfParts())
        throw ConfigError(runPath + " was created by a process that trains all networks, not as tasks");
    nlohmann::json stored;
    try {
        stored = nlohmann::json::parse(runFile->configJson());
    } catch (const nlohmann::json::exception& e) {
        throw InputError(runPath, std::string("the stored configuration is not valid JSON: ") + e.what());
    }
    const nlohmann::json ours = config.toJson();
    std::string differences;
    for (const auto& [key, value] : ours.items()) {
        if (stored.contains(key) && stored[key] == value)
            continue;
        differences += (differences.empty() ? "" : "; ") + key + " " + value.dump() + " here, " +
                       (stored.contains(key) ? stored[key].dump() : "absent") + " in the run";
    }
    if (!differences.empty())
        throw ConfigError("task " + std::to_string(task) + " has other settings than the tasks that started " + runPath +
                          ": " + differences + ". Every task of a run must get the same options");
    runFile->checkDataset(dataset);
    runFile->createPart(task, own);
    partWriters[task] = std::make_unique<RunWriter>(runPath, task);
    const int done = partWriters[task]->epochsDone()[std::size_t(task)];
    if (done > 0)
        throw ConfigError(networkIndexText(task) + " of " + runPath + " already has " + std::to_string(done) +
                          " epochs recorded; continue it with --task " + std::to_string(task) + " --resume");
    // A checkpoint of an earlier run of this name must not be mistaken for this task's.
    Checkpoint::remove(runPath, task);
}

// The validation the setup form shows, now that the images are known (the subset asked for:
// a limit beyond the split leaves fewer images than asked).
void Trainer::Impl::checkAgainst(const Dataset& dataset)
{
    DatasetFacts facts;
    facts.name = dataset.source;
    facts.trainImages = dataset.indices(Split::Train).size();
    facts.testImages = dataset.indices(Split::Test).size();
    facts.multiLabel = dataset.multiLabel;
    facts.height = dataset.height();
    facts.width = dataset.width();
    std::string message;
    for (const auto& p : findProblems(config, &facts))
        message += (message.empty() ? "" : "\n") + p.message;
    if (!message.empty())
        throw ConfigError(message);
    followDataset(config, facts);
}

void Trainer::Impl::prepare()
{
    config.validate();
    const std::string resolved = Trainer::resolveDevice(config.device);
    device = resolved == "cuda" ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    // The run's threads setting is the process's budget (the GUI's analysis and statistics after
    // the training share it).
    if (config.threads > 0)
        setThreadBudget(unsigned(config.threads));
    const int threads = int(threadBudget());
    setLibraryThreads(threads);
    const std::map<std::string, std::string> ownProvenance = processProvenance(resolved, threads);
    // Claim the run before the (possibly long) dataset load, so a second writer is refused at once.
    if (resuming && tasks)
        claimParts(ownProvenance);
    else if (resuming)
        writer = std::make_unique<RunWriter>(runPath);
    else if (tasks)
        checkTaskCanStart();
    else if (fs::exists(runPath)) {
        RunWriterInfo other;
        try {
            other = RunFile(runPath).writer();
        } catch (const InputError&) {
            // Not a readable run, so nobody is writing it: overwriting is the user's call.
        }
        if (other.live())
            throw WriterBusyError(runPath, other);
    }

    message("Loading " + config.dataset + " ...");
    if (resuming)
        runFile = std::make_unique<RunFile>(runPath);
    // A resumed run continues on exactly the images it started with.
    Dataset dataset = resuming ? RunDataset::of(*runFile).load(*runFile)
                               : loadDataset(config.dataset, std::size_t(config.limitTrain), std::size_t(config.limitTest));
    checkAgainst(dataset);
    if (dataset.multiLabel && dataset.classNames.size() > 64)
        throw ConfigError("multi-label training supports at most 64 classes");
    if (config.inputSize == 0)  // checkAgainst refused images of different sizes
        config.inputSize = std::max(dataset.height(), dataset.width());
    architectureInfo(config.architecture);

    std::vector<std::int32_t> labels;
    if (resuming) {
        labels = runFile->manifest().labels;
    } else {
        labels = corruptLabels(dataset, config.corruptProb, config.seed);
    }
    message("Preparing " + std::to_string(dataset.size()) + " images at " + std::to_string(config.inputSize) + " x " +
            std::to_string(config.inputSize) + " ...");
    data = std::make_unique<TrainingData>(dataset, labels, config.inputSize);
    if (data->streamed()) {
        const int workers = BatchPrefetcher::workersFor(device, torch::get_num_threads());
        message("Batches are built on demand from the " +
                std::string(dataset.pixelsExternal() ? "decoded-image cache" : "dataset (too large to copy)") + ", " +
                std::to_string(workers) + " background thread" + (workers == 1 ? "" : "s") +
                " per training network preparing them ahead.");
    }
    if (data->splitIndices(Split::Train).empty() || data->splitIndices(Split::Test).empty())
        throw InputError(dataset.source, "training needs images in both the train and the test split");
    // Builds one network up front so that an impossible architecture/input fails before the run file exists.
    buildModel({config.architecture, data->channels(), data->classes(), data->inputSize(), config.batchNormEps});

    if (!resuming) {
        if (fs::exists(runPath) && !overwrite && !tasks)
            throw ConfigError(runPath + " exists; choose another run file, resume it, or allow overwriting (--force)");
        std::map<std::string, std::string> provenance = ownProvenance;
        std::string seeds;
        for (int n = 0; n < config.networks; ++n)
            seeds += (n ? "," : "") + std::to_string(networkSeed(config.seed, n));
        provenance["network_seeds"] = seeds;
        std::ostringstream mean, sd;
        for (std::size_t c = 0; c < data->mean().size(); ++c) {
            mean << (c ? "," : "") << data->mean()[c];
            sd << (c ? "," : "") << data->std()[c];
        }
        provenance["normalisation_mean"] = mean.str();
        provenance["normalisation_std"] = sd.str();
        RunShape shape;
        shape.networks = config.networks;
        shape.epochs = config.epochs;
        shape.classes = data->classes();
        shape.multiLabel = config.multiLabel;
        shape.probVectors = config.saveProbVector;
        shape.evalTrain = config.evalTrain;
        if (tasks) {
            joinTaskRun(dataset, labels, shape, provenance, ownProvenance);
        } else {
            Checkpoint::remove(runPath);
            RunFile::create(runPath, config.toJson().dump(), dataset, labels, shape, provenance);
            writer = std::make_unique<RunWriter>(runPath);
            runFile = std::make_unique<RunFile>(runPath);
        }
    }
    const auto batches = batchesOf(std::vector<std::int64_t>(data->splitIndices(Split::Train).size()));
    batchesPerEpoch = int(batches.size());
    schedule = std::make_unique<LearningRateSchedule>(config, batchesPerEpoch);
}

Trainer::Trainer(ExperimentConfig config, std::string runPath, bool overwrite) : impl_(std::make_unique<Impl>())
{
    config.validate();
    architectureInfo(config.architecture);
    resolveDevice(config.device);
    if (runPath.empty())
        throw ConfigError("a run file is required");
    if (fs::exists(runPath) && !overwrite)
        throw ConfigError(runPath + " exists; choose another run file, resume it, or allow overwriting (--force)");
    impl_->config = std::move(config);
    impl_->runPath = std::move(runPath);
    impl_->overwrite = overwrite;
}

Trainer Trainer::task(ExperimentConfig config, std::string runPath, int network)
{
    config.validate();
    architectureInfo(config.architecture);
    resolveDevice(config.device);
    if (runPath.empty())
        throw ConfigError("a run file is required");
    if (network < 0 || network >= config.networks)
        throw ConfigError("--task " + std::to_string(network) + ": the run has " + std::to_string(config.networks) +
                          " networks, numbered 0 to " + std::to_string(config.networks - 1));
    Trainer t;
    t.impl_ = std::make_unique<Impl>();
    t.impl_->config = std::move(config);
    t.impl_->runPath = std::move(runPath);
    t.impl_->tasks = true;
    t.impl_->task = network;
    return t;
}

Trainer Trainer::resume(const std::string& runPath, int network)
{
    RunFile file(runPath);
    const auto training = file.provenance().find("training");
    if (training != file.provenance().end() && training->second == "imported")
        throw ConfigError(runPath + " holds records imported from another program (orderlens import); OrderLens "
                                    "has no networks to continue that training with");
    if (network >= 0 && !file.madeOfParts())
        throw ConfigError(runPath + " was trained all in one process, not as tasks: resume it without --task");
    if (network >= file.shape().networks)
        throw ConfigError("--task " + std::to_string(network) + ": " + runPath + " has " +
                          std::to_string(file.shape().networks) + " networks, numbered from 0");
    ExperimentConfig config;
    try {
        config = ExperimentConfig::fromStoredJson(nlohmann::json::parse(file.configJson()));
    } catch (const nlohmann::json::exception& e) {
        throw InputError(runPath, std::string("the stored configuration is not valid JSON: ") + e.what());
    }
    Trainer t;
    t.impl_ = std::make_unique<Impl>();
    t.impl_->config = std::move(config);
    t.impl_->runPath = runPath;
    t.impl_->resuming = true;
    t.impl_->tasks = file.madeOfParts();
    t.impl_->task = network;
    return t;
}

Trainer::~Trainer() = default;
Trainer::Trainer(Trainer&&) noexcept = default;

const ExperimentConfig& Trainer::config() const { return impl_->config; }
const std::string& Trainer::runPath() const { return impl_->runPath; }
std::string Trainer::trainingPath() const { return impl_->trainingPath(); }

std::string Trainer::Impl::trainingPath() const { return tasks ? "tasks" : Trainer::trainingPath(config); }

std::string Trainer::trainingPath(const ExperimentConfig& config)
{
    if (config.fuseNetworks && config.networks > 1 && architectureInfo(config.architecture).fusable)
        return "fused";
    return config.parallelNetworks ? "side-by-side" : "sequential";
}

void Trainer::run(TrainingObserver* observer, const std::atomic<bool>* cancel)
{
    Impl& m = *impl_;
    m.observer = observer;
    m.cancel = cancel;
    // The claim on the run ends with this call, however it ends.
    struct ReleaseWriter {
        Impl& m;
        ~ReleaseWriter() { m.releaseWriters(); }
    } release{m};
    m.prepare();
    const int networks = m.config.networks, epochs = m.config.epochs;
    const std::vector<int> recorded = m.runFile->epochsDone();
    if (m.resuming)
        Checkpoint::removeUnfinished(m.runPath);
    // A network trains on while epochs are unrecorded, and, when the run keeps its trained
    // networks, while its checkpoint is behind complete records (a kill between the last
    // epoch's records and its checkpoint): the replayed epoch rewrites identical records.
    auto unfinished = [&](int n) {
        if (recorded[std::size_t(n)] < epochs)
            return true;
        if (!m.config.keepCheckpoints)
            return false;
        const std::optional<int> covered = Checkpoint::epochsCovered(m.runPath, n);
        return covered && *covered < epochs;
    };

    // Where each network resumes: its checkpoint (records are never behind it, see finishEpoch).
    auto restore = [&](NetworkState& net) {
        const std::optional<int> at = Checkpoint::load(m.runPath, net.index, *net.model, *net.optimizer, m.device);
        net.nextEpoch = at.value_or(0);
        const int done = recorded[std::size_t(net.index)];
        if (net.nextEpoch > done)
            throw InputError(Checkpoint::file(m.runPath, net.index),
                             "checkpoint is ahead of the run file's records (" + std::to_string(net.nextEpoch) + " vs " +
                                 std::to_string(done) + " epochs): the files do not belong together");
        if (done > 0 || net.nextEpoch > 0)
            m.message(networkText(net.index) + ": resuming at " + epochProgressText(net.nextEpoch, epochs));
    };

    if (m.resuming) {
        std::string done;
        for (int n = 0; n < networks; ++n)
            done += (n ? ", " : "") + std::to_string(recorded[std::size_t(n)]);
        m.message("Resuming " + m.runPath + ": epochs recorded per network: " + done + " of " + std::to_string(epochs));
    }
    // Progress counts the recorded epochs as done; restore() corrects it by the epochs a network
    // replays because its checkpoint is one behind its records.
    m.unitsTotal = 0;
    m.unitsAtStart = 0;
    for (int n = 0; n < networks; ++n) {
        if (!m.trains(n))
            continue;
        m.unitsTotal += std::int64_t(epochs) * m.batchesPerEpoch;
        m.unitsAtStart += std::int64_t(recorded[std::size_t(n)]) * m.batchesPerEpoch;
    }
    m.unitsDone = m.unitsAtStart;
    m.started = Clock::now();
    auto start = [&](int n) {
        NetworkState net = m.makeNetwork(n);
        if (m.resuming) {
            restore(net);
            const int replay = recorded[std::size_t(n)] - net.nextEpoch;
            m.unitsDone -= std::int64_t(replay) * m.batchesPerEpoch;
            m.unitsAtStart -= std::int64_t(replay) * m.batchesPerEpoch;
        }
        return net;
    };

    if (m.config.fuseNetworks && networks > 1 && !architectureInfo(m.config.architecture).fusable)
        m.message(m.config.architecture + " has no fused form: its networks train " +
                  (m.config.parallelNetworks ? "side by side" : "one after another"));
    if (m.trainingPath() == "fused") {
        m.message("The " + std::to_string(networks) + " networks train fused into one module");
        std::vector<NetworkState> nets;
        for (int n = 0; n < networks; ++n)
            if (unfinished(n))
                nets.push_back(start(n));
        m.trainFused(nets);
        m.finishRun();
        return;
    }
    // Tasks train their one network as sequential training trains it; resuming every unfinished
    // network of a run trained as tasks goes one network after another.
    if (!m.config.parallelNetworks || m.tasks) {
        for (int n = 0; n < networks; ++n) {
            if (!unfinished(n) || !m.trains(n))
                continue;
            NetworkState net = start(n);
            for (int e = net.nextEpoch; e < epochs; ++e) {
                EpochSummary summary;
                auto records = m.trainEpoch(net, e, summary);
                m.finishEpoch(net, e, records, summary);
            }
        }
        m.finishRun();
        return;
    }

    // Side by side: all networks in memory, each epoch of every network in its own thread, the
    // CPU threads shared out among them. Small networks gain most: their operations are too
    // small to split across cores, and whole networks run in parallel without synchronising.
    std::vector<NetworkState> nets;
    for (int n = 0; n < networks; ++n)
        if (unfinished(n))
            nets.push_back(start(n));
    // LibTorch gives every new thread the intra-op thread count set last; restore it after.
    const int threads = torch::get_num_threads();
    setLibraryThreads(std::max(1, threads / std::max(1, int(nets.size()))));
    struct RestoreThreads {
        int threads;
        ~RestoreThreads() { setLibraryThreads(threads); }
    } restoreThreads{threads};
    for (int e = 0; e < epochs; ++e) {
        const std::vector<NetworkState*> active = networksAt(nets, e);
        if (active.empty())
            continue;
        std::vector<std::map<RecordSet, SplitRecords>> records(active.size());
        std::vector<EpochSummary> summaries(active.size());
        std::vector<std::exception_ptr> errors(active.size());
        std::vector<std::thread> workers;
        for (std::size_t i = 0; i < active.size(); ++i) {
            workers.emplace_back([&, i] {
                try {
                    records[i] = m.trainEpoch(*active[i], e, summaries[i]);
                } catch (...) {
                    errors[i] = std::current_exception();
                }
            });
        }
        for (auto& w : workers)
            w.join();
        for (auto& err : errors)
            if (err)
                std::rethrow_exception(err);
        for (std::size_t i = 0; i < active.size(); ++i)
            m.finishEpoch(*active[i], e, records[i], summaries[i]);
    }
    m.finishRun();
}

bool Trainer::cudaAvailable() { return torch::cuda::is_available(); }

std::string Trainer::resolveDevice(const std::string& requested)
{
    if (requested == "cpu")
        return "cpu";
    if (requested == "cuda") {
        if (!cudaAvailable())
            throw ConfigError("--device cuda: no CUDA device is usable by this LibTorch build (use --device cpu or auto)");
        return "cuda";
    }
    if (requested == "auto")
        return cudaAvailable() ? "cuda" : "cpu";
    throw ConfigError("device '" + requested + "' is not one of: auto, cpu, cuda");
}

std::vector<std::string> Trainer::architectures()
{
    std::vector<std::string> out;
    for (const auto& a : architectureInfos())
        out.push_back(a.name);
    return out;
}

}  // namespace orderlens
