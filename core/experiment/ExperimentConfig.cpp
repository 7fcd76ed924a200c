#include "experiment/ExperimentConfig.h"

#include "common/Errors.h"

#include <cstdint>
#include <filesystem>
#include <limits>
#include <set>
#include <type_traits>

namespace orderlens {

namespace {

// Whether a JSON number is a whole number that type T holds.
template <typename T>
bool fitsInteger(const nlohmann::json& number)
{
    if (number.is_number_unsigned())
        return number.get<std::uint64_t>() <= std::uint64_t(std::numeric_limits<T>::max());
    if (number.is_number_integer()) {
        const std::int64_t v = number.get<std::int64_t>();
        return v >= std::int64_t(std::numeric_limits<T>::min()) &&
               (v < 0 || std::uint64_t(v) <= std::uint64_t(std::numeric_limits<T>::max()));
    }
    return false;
}

// One table drives both directions so that a field cannot be saved and forgotten on load.
template <typename Visitor>
void visitFields(Visitor&& v, ExperimentConfig& c)
{
    v("dataset", c.dataset);
    v("limit_train", c.limitTrain);
    v("limit_test", c.limitTest);
    v("input_size", c.inputSize);
    v("random_crop", c.randomCrop);
    v("crop_padding", c.cropPadding);
    v("horizontal_flip", c.horizontalFlip);
    v("corrupt_prob", c.corruptProb);
    v("multilabel", c.multiLabel);
    v("human_uncertainty", c.humanUncertainty);
    v("architecture", c.architecture);
    v("networks", c.networks);
    v("init", c.init);
    v("batch_norm_eps", c.batchNormEps);
    v("epochs", c.epochs);
    v("batch_size", c.batchSize);
    v("micro_batch", c.microBatch);
    v("optimizer", c.optimizer);
    v("lr", c.lr);
    v("momentum", c.momentum);
    v("weight_decay", c.weightDecay);
    v("scheduler", c.scheduler);
    v("eta_min", c.etaMin);
    v("step_size", c.stepSize);
    v("step_gamma", c.stepGamma);
    v("save_prob_vector", c.saveProbVector);
    v("eval_train", c.evalTrain);
    v("keep_checkpoints", c.keepCheckpoints);
    v("device", c.device);
    v("threads", c.threads);
    v("parallel_networks", c.parallelNetworks);
    v("fuse_networks", c.fuseNetworks);
    v("seed", c.seed);
}

}  // namespace

nlohmann::json ExperimentConfig::toJson() const
{
    nlohmann::json j = nlohmann::json::object();
    ExperimentConfig copy = *this;
    visitFields([&j](const char* key, const auto& value) { j[key] = value; }, copy);
    return j;
}

ExperimentConfig ExperimentConfig::fromJson(const nlohmann::json& j)
{
    if (!j.is_object())
        throw ConfigError("experiment configuration must be a JSON object");
    ExperimentConfig c;
    std::set<std::string> known;
    visitFields(
        [&](const char* key, auto& value) {
            known.insert(key);
            auto it = j.find(key);
            if (it == j.end())
                return;
            using Value = std::decay_t<decltype(value)>;
            // nlohmann converts any number to an integer with a plain cast: 2.7 would become 2
            // and 1e90 undefined behaviour (found by fuzz_configjson, docs/RELIABILITY.md).
            if constexpr (std::is_integral_v<Value> && !std::is_same_v<Value, bool>) {
                if (it->is_number() && !fitsInteger<Value>(*it))
                    throw ConfigError(std::string("configuration key '") + key + "' must be a whole number from " +
                                      std::to_string(std::numeric_limits<Value>::min()) + " to " +
                                      std::to_string(std::numeric_limits<Value>::max()) + ", not " + it->dump());
            }
            try {
                value = it->template get<Value>();
            } catch (const nlohmann::json::exception&) {
                throw ConfigError(std::string("configuration key '") + key + "' has the wrong type (" +
                                  it->type_name() + ")");
            }
        },
        c);
    for (auto it = j.begin(); it != j.end(); ++it)
        if (!known.count(it.key()))
            throw ConfigError("unknown configuration key '" + it.key() + "'");
    return c;
}

ExperimentConfig ExperimentConfig::fromStoredJson(const nlohmann::json& j)
{
    ExperimentConfig c = fromJson(j);
    if (!j.contains("fuse_networks"))
        c.fuseNetworks = false;
    return c;
}

void ExperimentConfig::validate() const
{
    auto oneOf = [](const std::string& what, const std::string& value, std::initializer_list<const char*> allowed) {
        std::string list;
        for (const char* a : allowed) {
            if (value == a)
                return;
            list += (list.empty() ? "" : ", ") + std::string(a);
        }
        throw ConfigError(what + " '" + value + "' is not one of: " + list);
    };
    oneOf("optimizer", optimizer, {"sgd", "adam"});
    oneOf("scheduler", scheduler, {"none", "cosine", "step", "onecycle"});
    oneOf("init", init, {"kaiming-normal", "kaiming-uniform", "xavier-normal", "xavier-uniform"});
    oneOf("device", device, {"auto", "cpu", "cuda"});
    if (networks < 1)
        throw ConfigError("networks must be at least 1 (got " + std::to_string(networks) + ")");
    if (epochs < 1)
        throw ConfigError("epochs must be at least 1 (got " + std::to_string(epochs) + ")");
    if (batchSize < 1)
        throw ConfigError("batch size must be at least 1 (got " + std::to_string(batchSize) + ")");
    if (microBatch < 0 || microBatch > batchSize)
        throw ConfigError("micro-batch must be between 0 and the batch size " + std::to_string(batchSize));
    if (!(lr > 0))
        throw ConfigError("learning rate must be positive");
    if (momentum < 0 || momentum >= 1)
        throw ConfigError("momentum must be in [0, 1)");
    if (weightDecay < 0)
        throw ConfigError("weight decay must not be negative");
    if (corruptProb < 0 || corruptProb > 1)
        throw ConfigError("label corruption probability must be in [0, 1]");
    if (multiLabel && corruptProb > 0)
        throw ConfigError("label corruption is defined for single-label datasets only");
    if (inputSize < 0)
        throw ConfigError("input size must not be negative");
    if (scheduler == "step" && (stepSize < 1 || !(stepGamma > 0)))
        throw ConfigError("step scheduler needs a step size >= 1 and a positive gamma");
    if (scheduler == "cosine" && (etaMin < 0 || etaMin > lr))
        throw ConfigError("cosine eta_min must be in [0, lr]");
    if (threads < 0)
        throw ConfigError("threads must not be negative");
    if (batchNormEps <= 0)
        throw ConfigError("batch-norm epsilon must be positive");
    if (cropPadding < 0)
        throw ConfigError("crop padding must not be negative");
    if (!humanUncertainty.empty()) {
        // CIFAR-10H rows are the CIFAR-10 test images (Peterson et al., ICCV 2019).
        if (dataset.substr(0, dataset.find(':')) != "cifar10")
            throw ConfigError("human uncertainty (CIFAR-10H) needs a cifar10 dataset, not '" + dataset + "'");
        std::error_code ec;
        if (!std::filesystem::is_regular_file(humanUncertainty, ec))
            throw ConfigError("human uncertainty file " + humanUncertainty + " does not exist");
    }
}

std::vector<std::string> ExperimentConfig::presetNames()
{
    return {"cifar10", "voc", "kth", "cifar10-random-labels", "demo"};
}

ExperimentConfig ExperimentConfig::preset(const std::string& name)
{
    ExperimentConfig c;
    c.networks = 5;  // docs/DEFINITIONS.md 8: five networks per experiment
    if (name == "cifar10") {
        c.inputSize = 32;
        c.batchSize = 128;
        c.optimizer = "sgd";
        c.momentum = 0.9;
        c.lr = 0.1;
        c.epochs = 60;
        c.scheduler = "cosine";
        c.etaMin = 5e-4;
        c.weightDecay = 5e-4;
    } else if (name == "voc") {
        c.inputSize = 224;
        c.batchSize = 128;
        c.optimizer = "sgd";
        c.momentum = 0.9;
        c.lr = 0.1;
        c.epochs = 150;
        c.scheduler = "step";
        c.stepSize = 50;
        c.stepGamma = 0.2;
        c.weightDecay = 5e-4;
        c.multiLabel = true;
    } else if (name == "kth") {
        c.inputSize = 190;
        c.batchSize = 64;
        c.optimizer = "adam";
        c.lr = 1e-4;
        c.epochs = 60;
        c.scheduler = "onecycle";
        c.weightDecay = 1e-5;
    } else if (name == "cifar10-random-labels") {
        c.inputSize = 32;
        c.batchSize = 128;
        c.optimizer = "sgd";
        c.momentum = 0.0;  // the study lists plain SGD for this recipe
        c.lr = 1e-2;
        c.epochs = 90;
        c.scheduler = "step";
        c.stepSize = 30;
        c.stepGamma = 0.3;
        c.weightDecay = 5e-4;
        c.corruptProb = 1.0;
    } else if (name == "demo") {
        // Sized to finish in a few minutes on two CPU cores (docs/PERFORMANCE.md, Training).
        c.dataset = "fashion-mnist";
        c.limitTrain = 10000;
        c.limitTest = 2000;
        c.inputSize = 32;
        c.architecture = "lenet5";
        c.batchSize = 128;
        c.optimizer = "sgd";
        c.momentum = 0.9;
        c.lr = 0.05;
        c.epochs = 15;
        c.scheduler = "cosine";
        c.etaMin = 5e-4;
        c.weightDecay = 5e-4;
        // Five LeNets side by side, one core each, beat one after another on a CPU.
        c.parallelNetworks = true;
    } else {
        std::string known;
        for (const auto& n : presetNames())
            known += (known.empty() ? "" : ", ") + n;
        throw ConfigError("unknown preset '" + name + "' (known: " + known + ")");
    }
    return c;
}

}  // namespace orderlens
