#include "training/Checkpoint.h"

#include "common/CrashPoint.h"
#include "common/Errors.h"
#include "io/AtomicFile.h"

#include <torch/torch.h>

#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;

namespace orderlens {

namespace {

// The layout of a checkpoint file. Files without the field are format 1; a newer one is refused
// with a message instead of being misread.
constexpr std::int64_t kCheckpointFormat = 1;

InputError damaged(const std::string& path, const c10::Error& e)
{
    return InputError(path, std::string("damaged checkpoint (delete it to restart this network): ") +
                                e.what_without_backtrace());
}

}  // namespace

std::string Checkpoint::directory(const std::string& runPath) { return runPath + ".ckpt"; }

std::string Checkpoint::file(const std::string& runPath, int network)
{
    return directory(runPath) + "/network-" + std::to_string(network) + ".pt";
}

void Checkpoint::save(const std::string& runPath, int network, int epochsDone, torch::nn::Module& model,
                      torch::optim::Optimizer& optimizer)
{
    std::error_code ec;
    fs::create_directories(directory(runPath), ec);
    if (ec)
        throw InputError(directory(runPath), "cannot create the checkpoint folder: " + ec.message());
    torch::serialize::OutputArchive archive, modelArchive, optimizerArchive;
    model.save(modelArchive);
    optimizer.save(optimizerArchive);
    archive.write("model", modelArchive);
    archive.write("optimizer", optimizerArchive);
    archive.write("epochs_done", torch::tensor(std::int64_t(epochsDone)));
    archive.write("format", torch::tensor(kCheckpointFormat));
    const std::string target = file(runPath, network);
    // Serialised in memory first: LibTorch's file writer cannot say why a write failed (a full
    // disk) and, after one failed, throws again from its destructor, which ends the process.
    std::ostringstream bytes;
    archive.save_to(bytes);
    const std::string serialised = bytes.str();
    // Whatever fails, the half-written file goes: the previous checkpoint stays as it was.
    writeFileAtomically(target, [&](std::ostream& out) {
        out.write(serialised.data(), std::streamsize(serialised.size()));
        out.flush();
        crashPoint("checkpoint-written");
    });
}

std::optional<int> Checkpoint::load(const std::string& runPath, int network, torch::nn::Module& model,
                                    torch::optim::Optimizer& optimizer, const c10::Device& device)
{
    const std::string path = file(runPath, network);
    if (!fs::exists(path))
        return std::nullopt;
    try {
        torch::serialize::InputArchive archive, modelArchive, optimizerArchive;
        archive.load_from(path, device);
        torch::Tensor format;
        if (archive.try_read("format", format) && format.item<std::int64_t>() > kCheckpointFormat)
            throw InputError(path, "checkpoint format " + std::to_string(format.item<std::int64_t>()) +
                                       " is newer than this OrderLens reads (" + std::to_string(kCheckpointFormat) +
                                       "): resume with a newer OrderLens");
        archive.read("model", modelArchive);
        archive.read("optimizer", optimizerArchive);
        model.load(modelArchive);
        optimizer.load(optimizerArchive);
        torch::Tensor epochs;
        archive.read("epochs_done", epochs);
        return int(epochs.item<std::int64_t>());
    } catch (const c10::Error& e) {
        throw damaged(path, e);
    }
}

std::optional<int> Checkpoint::epochsCovered(const std::string& runPath, int network)
{
    const std::string path = file(runPath, network);
    if (!fs::exists(path))
        return std::nullopt;
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(path, torch::kCPU);
        torch::Tensor epochs;
        archive.read("epochs_done", epochs);
        return int(epochs.item<std::int64_t>());
    } catch (const c10::Error& e) {
        throw damaged(path, e);
    }
}

void Checkpoint::removeUnfinished(const std::string& runPath)
{
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(directory(runPath), ec))
        if (entry.path().extension() == ".writing")
            fs::remove(entry.path(), ec);
}

void Checkpoint::remove(const std::string& runPath)
{
    std::error_code ec;
    fs::remove_all(directory(runPath), ec);
}

void Checkpoint::remove(const std::string& runPath, int network)
{
    std::error_code ec;
    fs::remove(file(runPath, network), ec);
    // The last task to finish leaves no empty folder (fails harmlessly while others remain).
    fs::remove(directory(runPath), ec);
}

}  // namespace orderlens
