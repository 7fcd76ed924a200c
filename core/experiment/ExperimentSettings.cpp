#include "experiment/ExperimentSettings.h"

#include "common/Errors.h"
#include "common/NameMatching.h"
#include "dataset/DatasetReader.h"
#include "models/Architecture.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>

namespace orderlens {

namespace {

using C = ExperimentConfig;

// The study's training recipes (docs/DEFINITIONS.md) and the README's demo, by preset name.
constexpr const char* kCifar10 = "cifar10";
constexpr const char* kVoc = "voc";
constexpr const char* kKth = "kth";
constexpr const char* kRandomLabels = "cifar10-random-labels";
constexpr const char* kDemo = "demo";

// Generous bounds that still reject typing mistakes: a learning rate of 99 or a million
// networks is never meant.
constexpr double kMaxImages = 1e9;
constexpr double kMaxEpochs = 10000;
constexpr double kMaxBatch = 65536;

bool usesScheduler(const C& c, const char* name) { return c.scheduler == name; }

Setting declared(std::string key, std::vector<std::string> aliases, std::string label, std::string group,
                 SettingKind kind, SettingField field)
{
    Setting s;
    s.key = std::move(key);
    s.aliases = std::move(aliases);
    s.label = std::move(label);
    s.group = std::move(group);
    s.kind = kind;
    s.field = field;
    return s;
}

std::vector<Setting> declareSettings()
{
    std::vector<Setting> s;
    auto add = [&s](Setting setting) { s.push_back(std::move(setting)); };

    // Data
    {
        Setting d = declared("dataset", {}, "Dataset", "Data", SettingKind::Dataset, &C::dataset);
        d.help = "The dataset as SCHEME or SCHEME:LOCATION (orderlens --help lists the schemes).";
        d.valueName = "SPEC";
        d.presets = {{kCifar10, "cifar10"}, {kVoc, "voc"}, {kKth, "kth-tips2b"}, {kRandomLabels, "cifar10"},
                     {kDemo, "fashion-mnist"}};
        add(d);
    }
    {
        Setting d = declared("limit_train", {}, "Training images", "Data", SettingKind::Count, &C::limitTrain);
        d.help = "A class-stratified subset of this many training images.";
        d.valueName = "N";
        d.max = kMaxImages;
        d.zeroMeans = "all";
        d.presets = {{kDemo, "10000"}};
        add(d);
    }
    {
        Setting d = declared("limit_test", {}, "Test images", "Data", SettingKind::Count, &C::limitTest);
        d.help = "A class-stratified subset of this many test images.";
        d.valueName = "M";
        d.max = kMaxImages;
        d.zeroMeans = "all";
        d.presets = {{kDemo, "2000"}};
        add(d);
    }
    {
        Setting d = declared("input_size", {}, "Input size", "Data", SettingKind::Count, &C::inputSize);
        d.help = "Side of the square network input: images of one smaller size are zero-padded, larger ones "
                 "resized and cropped.";
        d.valueName = "PX";
        d.max = 4096;
        d.zeroMeans = "the images' own size";
        d.unit = "px";
        d.presets = {{kCifar10, "32"}, {kVoc, "224"}, {kKth, "190"}, {kRandomLabels, "32"}, {kDemo, "32"}};
        add(d);
    }
    {
        Setting d = declared("random_crop", {}, "Random crop", "Data", SettingKind::Flag, &C::randomCrop);
        d.help = "Augment: crop at a random position after zero padding (Crop padding).";
        add(d);
    }
    {
        Setting d = declared("crop_padding", {}, "Crop padding", "Data", SettingKind::Count, &C::cropPadding);
        d.help = "Zero padding on each side before a random crop.";
        d.valueName = "PX";
        d.max = 128;
        d.unit = "px";
        d.appliesTo = [](const C& c) { return c.randomCrop; };
        add(d);
    }
    {
        Setting d = declared("horizontal_flip", {}, "Horizontal flip", "Data", SettingKind::Flag, &C::horizontalFlip);
        d.help = "Augment: flip each training image left-right with probability 1/2.";
        add(d);
    }
    {
        Setting d = declared("corrupt_prob", {}, "Label corruption", "Data", SettingKind::Real, &C::corruptProb);
        d.help = "Probability that a training image's label is replaced by a uniformly drawn class, fixed for "
                 "the run; 1 gives random labels.";
        d.valueName = "P";
        d.max = 1;
        d.presets = {{kRandomLabels, "1"}};
        add(d);
    }
    {
        Setting d = declared("multilabel", {}, "Multi-label", "Data", SettingKind::Flag, &C::multiLabel);
        d.help = "Multi-label training (binary cross-entropy, exact-match correctness). It follows the dataset: a "
                 "dataset with label sets (Pascal VOC) always trains multi-label; asking for it on a single-label "
                 "dataset is an error.";
        d.presets = {{kVoc, "on"}};
        add(d);
    }
    {
        Setting d = declared("human_uncertainty", {"cifar10h"}, "Human uncertainty (CIFAR-10H)", "Data", SettingKind::File,
                  &C::humanUncertainty);
        d.help = "CIFAR-10H probabilities (.npy, 10000 x 10) whose entropy is stored with the run's image "
                 "statistics as human_uncertainty. CIFAR-10 only.";
        d.valueName = "FILE.npy";
        d.appliesTo = [](const C& c) { return c.dataset.substr(0, c.dataset.find(':')) == "cifar10"; };
        add(d);
    }

    // Networks
    {
        Setting d = declared("architecture", {}, "Architecture", "Networks", SettingKind::Choice, &C::architecture);
        d.help = "The network every run trains; names are case-insensitive and the study's spellings (LeNet5, "
                 "VGG16, ResNet18, ResNet50, WRN-28-10, DenseNet121) are accepted.";
        d.valueName = "NAME";
        d.choices = [] {
            std::vector<SettingChoice> out;
            for (const auto& a : architectureInfos())
                out.push_back({a.name, a.title});
            return out;
        };
        add(d);
    }
    {
        Setting d = declared("networks", {}, "Networks", "Networks", SettingKind::Count, &C::networks);
        d.help = "Independently initialised networks whose agreement is measured (the study trains five).";
        d.valueName = "N";
        d.min = 1;
        d.max = 100;
        d.presets = {{kCifar10, "5"}, {kVoc, "5"}, {kKth, "5"}, {kRandomLabels, "5"}, {kDemo, "5"}};
        add(d);
    }
    {
        Setting d = declared("init", {}, "Initialisation", "Networks", SettingKind::Choice, &C::init);
        d.help = "How the weights start (biases 0, batch-norm scale 1 and shift 0).";
        d.valueName = "NAME";
        d.choices = [] {
            return std::vector<SettingChoice>{{"kaiming-normal", "Kaiming normal"},
                                              {"kaiming-uniform", "Kaiming uniform"},
                                              {"xavier-normal", "Xavier normal"},
                                              {"xavier-uniform", "Xavier uniform"}};
        };
        add(d);
    }
    {
        Setting d = declared("batch_norm_eps", {"bn-eps"}, "Batch-norm epsilon", "Networks", SettingKind::Real, &C::batchNormEps);
        d.help = "The epsilon every batch-norm layer adds to the variance.";
        d.valueName = "EPS";
        d.min = 1e-12;
        d.max = 1;
        d.logScale = true;
        add(d);
    }

    // Optimisation
    {
        Setting d = declared("epochs", {}, "Epochs", "Optimisation", SettingKind::Count, &C::epochs);
        d.help = "Passes over the training images, per network.";
        d.valueName = "E";
        d.min = 1;
        d.max = kMaxEpochs;
        d.presets = {{kCifar10, "60"}, {kVoc, "150"}, {kKth, "60"}, {kRandomLabels, "90"}, {kDemo, "15"}};
        add(d);
    }
    {
        Setting d = declared("batch_size", {}, "Batch size", "Optimisation", SettingKind::Count, &C::batchSize);
        d.help = "Training images per optimisation step.";
        d.valueName = "B";
        d.min = 1;
        d.max = kMaxBatch;
        d.presets = {{kCifar10, "128"}, {kVoc, "128"}, {kKth, "64"}, {kRandomLabels, "128"}, {kDemo, "128"}};
        add(d);
    }
    {
        Setting d = declared("micro_batch", {}, "Micro-batch", "Optimisation", SettingKind::Count, &C::microBatch);
        d.help = "Split each batch into micro-batches of this size and accumulate their gradients, for batches "
                 "that do not fit in memory; the training is the same.";
        d.valueName = "M";
        d.max = kMaxBatch;
        d.zeroMeans = "whole batch";
        add(d);
    }
    {
        Setting d = declared("optimizer", {}, "Optimiser", "Optimisation", SettingKind::Choice, &C::optimizer);
        d.help = "The optimisation algorithm.";
        d.valueName = "NAME";
        d.choices = [] { return std::vector<SettingChoice>{{"sgd", "SGD"}, {"adam", "Adam"}}; };
        d.presets = {{kCifar10, "sgd"}, {kVoc, "sgd"}, {kKth, "adam"}, {kRandomLabels, "sgd"}, {kDemo, "sgd"}};
        add(d);
    }
    {
        Setting d = declared("lr", {}, "Learning rate", "Optimisation", SettingKind::Real, &C::lr);
        d.help = "The learning rate (the schedule's start).";
        d.valueName = "LR";
        d.min = 1e-8;
        d.max = 10;
        d.logScale = true;
        d.presets = {{kCifar10, "0.1"}, {kVoc, "0.1"}, {kKth, "1e-4"}, {kRandomLabels, "0.01"}, {kDemo, "0.05"}};
        add(d);
    }
    {
        Setting d = declared("momentum", {}, "Momentum", "Optimisation", SettingKind::Real, &C::momentum);
        d.help = "SGD's momentum (0 = plain SGD).";
        d.valueName = "M";
        d.max = 0.999;
        d.appliesTo = [](const C& c) { return c.optimizer == "sgd"; };
        d.presets = {{kCifar10, "0.9"}, {kVoc, "0.9"}, {kRandomLabels, "0"}, {kDemo, "0.9"}};
        add(d);
    }
    {
        Setting d = declared("weight_decay", {}, "Weight decay", "Optimisation", SettingKind::Real, &C::weightDecay);
        d.help = "L2 weight decay.";
        d.valueName = "WD";
        d.max = 1;
        d.logScale = true;
        d.presets = {{kCifar10, "5e-4"}, {kVoc, "5e-4"}, {kKth, "1e-5"}, {kRandomLabels, "5e-4"}, {kDemo, "5e-4"}};
        add(d);
    }
    {
        Setting d = declared("scheduler", {}, "Schedule", "Optimisation", SettingKind::Choice, &C::scheduler);
        d.help = "How the learning rate changes over the epochs.";
        d.valueName = "NAME";
        d.choices = [] {
            return std::vector<SettingChoice>{
                {"none", "Constant"}, {"cosine", "Cosine annealing"}, {"step", "Step"}, {"onecycle", "One-cycle"}};
        };
        d.presets = {{kCifar10, "cosine"}, {kVoc, "step"}, {kKth, "onecycle"}, {kRandomLabels, "step"},
                     {kDemo, "cosine"}};
        add(d);
    }
    {
        Setting d = declared("eta_min", {}, "Final learning rate", "Optimisation", SettingKind::Real, &C::etaMin);
        d.help = "Cosine annealing's learning rate at the last epoch (at most the learning rate).";
        d.valueName = "LR";
        d.max = 10;
        d.logScale = true;
        d.appliesTo = [](const C& c) { return usesScheduler(c, "cosine"); };
        d.presets = {{kCifar10, "5e-4"}, {kDemo, "5e-4"}};
        add(d);
    }
    {
        Setting d = declared("step_size", {}, "Step every", "Optimisation", SettingKind::Count, &C::stepSize);
        d.help = "Step schedule: epochs between two decays of the learning rate.";
        d.valueName = "E";
        d.min = 1;
        d.max = kMaxEpochs;
        d.unit = "epochs";
        d.appliesTo = [](const C& c) { return usesScheduler(c, "step"); };
        d.presets = {{kVoc, "50"}, {kRandomLabels, "30"}};
        add(d);
    }
    {
        Setting d = declared("step_gamma", {}, "Step factor", "Optimisation", SettingKind::Real, &C::stepGamma);
        d.help = "Step schedule: the factor the learning rate is multiplied by at each step.";
        d.valueName = "G";
        d.min = 1e-6;
        d.max = 1;
        d.appliesTo = [](const C& c) { return usesScheduler(c, "step"); };
        d.presets = {{kVoc, "0.2"}, {kRandomLabels, "0.3"}};
        add(d);
    }

    // Records
    {
        Setting d = declared("save_prob_vector", {}, "Save probability vectors", "Records", SettingKind::Flag,
                  &C::saveProbVector);
        d.help = "Also store every image's probability vector each epoch (images x classes floats per epoch).";
        add(d);
    }
    {
        Setting d = declared("eval_train", {}, "Eval-mode pass over the training images", "Records", SettingKind::Flag,
                  &C::evalTrain);
        d.help = "After each epoch, also record the training images in eval mode (besides the records of the "
                 "training pass); costs time.";
        add(d);
    }
    {
        Setting d = declared("keep_checkpoints", {}, "Keep the trained networks", "Records", SettingKind::Flag,
                  &C::keepCheckpoints);
        d.help = "Keep the checkpoints beside the run file (RUN.h5.ckpt/) after the run completes; otherwise they "
                 "are removed then.";
        add(d);
    }

    // Execution
    {
        Setting d = declared("device", {}, "Device", "Execution", SettingKind::Choice, &C::device);
        d.help = "Where the networks train; auto picks a CUDA GPU when there is one.";
        d.valueName = "DEV";
        d.choices = [] {
            return std::vector<SettingChoice>{{"auto", "Automatic"}, {"cpu", "CPU"}, {"cuda", "CUDA GPU"}};
        };
        add(d);
    }
    {
        Setting d = declared("threads", {}, "CPU threads", "Execution", SettingKind::Count, &C::threads);
        d.help = "CPU threads for training and data loading.";
        d.valueName = "N";
        d.max = 1024;
        d.zeroMeans = "all cores";
        add(d);
    }
    {
        Setting d = declared("parallel_networks", {}, "Train the networks side by side", "Execution", SettingKind::Flag,
                  &C::parallelNetworks);
        d.help = "Train the networks side by side instead of one after another (five small networks on a CPU "
                 "finish sooner so).";
        d.presets = {{kDemo, "on"}};
        add(d);
    }
    {
        Setting d = declared("fuse_networks", {}, "Train the networks fused into one module", "Execution", SettingKind::Flag,
                  &C::fuseNetworks);
        d.help = "All networks in one pass of grouped layers, each with its own weights and data: the same "
                 "training up to float rounding. Meant for a GPU; slower than side by side on a CPU. DenseNet-121 "
                 "and single networks always train unfused.";
        // Runs from before fused training trained unfused.
        d.absentFromOldRuns = "off";
        add(d);
    }
    {
        Setting d = declared("seed", {}, "Seed", "Execution", SettingKind::Count, &C::seed);
        d.help = "Every network's initialisation, batch order and augmentation derive from this seed.";
        d.valueName = "S";
        d.max = double(std::numeric_limits<std::int64_t>::max());
        add(d);
    }
    return s;
}

std::string shortest(double v)
{
    char buf[40];
    for (int precision = 6; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, v);
        if (std::strtod(buf, nullptr) == v)
            break;
    }
    return buf;
}

[[noreturn]] void notA(const Setting& s, const std::string& what, const std::string& text)
{
    throw ConfigError(s.label + ": '" + text + "' is not " + what);
}

}  // namespace

std::string Setting::option() const
{
    std::string o = key;
    for (char& ch : o)
        if (ch == '_')
            ch = '-';
    return o;
}

std::string Setting::text(const ExperimentConfig& c) const
{
    return std::visit(
        [&](auto member) -> std::string {
            const auto& v = c.*member;
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>)
                return v;
            else if constexpr (std::is_same_v<T, bool>)
                return v ? "on" : "off";
            else if constexpr (std::is_same_v<T, double>)
                return shortest(v);
            else
                return std::to_string(v);
        },
        field);
}

void Setting::parse(ExperimentConfig& c, const std::string& text) const
{
    std::visit(
        [&](auto member) {
            auto& v = c.*member;
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>) {
                if (kind == SettingKind::Choice) {
                    v = text;
                    for (const auto& choice : choices())
                        if (sameName(choice.value, text) || sameName(choice.label, text))
                            v = choice.value;
                } else if (kind == SettingKind::File && !text.empty()) {
                    // Absolute, because the run is read later from wherever its reader stands.
                    v = std::filesystem::absolute(text).string();
                } else {
                    v = text;
                }
            } else if constexpr (std::is_same_v<T, bool>) {
                const std::string t = nameMatchKey(text);
                if (t == "on" || t == "true" || t == "yes" || t == "1")
                    v = true;
                else if (t == "off" || t == "false" || t == "no" || t == "0")
                    v = false;
                else
                    notA(*this, "on or off", text);
            } else if constexpr (std::is_same_v<T, double>) {
                char* end = nullptr;
                errno = 0;
                const double d = std::strtod(text.c_str(), &end);
                if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(d))
                    notA(*this, "a number", text);
                v = d;
            } else {
                // Whole numbers; out-of-range ones the field cannot hold are reported as
                // findProblems would report them.
                char* end = nullptr;
                errno = 0;
                const long long n = std::strtoll(text.c_str(), &end, 10);
                if (text.empty() || *end != '\0')
                    notA(*this, "a whole number", text);
                const bool fits = errno != ERANGE && (n < 0 ? !std::is_unsigned_v<T> && n >= (long long)std::numeric_limits<T>::min()
                                                            : double(n) <= double(std::numeric_limits<T>::max()));
                if (!fits)
                    throw ConfigError(outOfRange(text));
                v = T(n);
            }
        },
        field);
}

std::string Setting::outOfRange(const std::string& value) const
{
    auto bound = [this](double v) {
        if (kind == SettingKind::Count)
            return formatCount(std::uint64_t(v));
        ExperimentConfig c;
        setNumber(c, v);
        return text(c);
    };
    std::string range = "from " + bound(min) + " to " + bound(max);
    if (!unit.empty())
        range += " " + unit;
    if (!zeroMeans.empty())
        range += " (0: " + zeroMeans + ")";
    return label + " must be " + range + "; it is " + value + ".";
}

std::string formatCount(std::uint64_t n)
{
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return out;
}

std::string Setting::describe(const ExperimentConfig& c) const
{
    std::string t = text(c);
    if (kind == SettingKind::Count && !zeroMeans.empty() && number(c) == 0)
        return "0 (" + zeroMeans + ")";
    if (kind == SettingKind::File && t.empty())
        return "none";
    if (!unit.empty())
        t += " " + unit;
    return t;
}

nlohmann::json Setting::json(const ExperimentConfig& c) const
{
    return std::visit([&](auto member) { return nlohmann::json(c.*member); }, field);
}

void Setting::setJson(ExperimentConfig& c, const nlohmann::json& value) const
{
    std::visit(
        [&](auto member) {
            auto& v = c.*member;
            using T = std::decay_t<decltype(v)>;
            bool ok = false;
            if constexpr (std::is_same_v<T, std::string>)
                ok = value.is_string();
            else if constexpr (std::is_same_v<T, bool>)
                ok = value.is_boolean();
            else if constexpr (std::is_same_v<T, double>)
                ok = value.is_number();
            else if constexpr (std::is_unsigned_v<T>)
                ok = value.is_number_unsigned();
            else
                ok = value.is_number_integer() && value.get<long long>() >= std::numeric_limits<T>::min() &&
                     value.get<long long>() <= std::numeric_limits<T>::max();
            if (!ok)
                throw ConfigError("configuration key '" + key + "' has the wrong type (" + value.type_name() + ")");
            if constexpr (std::is_same_v<T, std::string>) {
                // Choices go through parse() so that "LeNet5" in a file is lenet5.
                parse(c, value.get<std::string>());
                if (kind == SettingKind::File)
                    v = value.get<std::string>();  // stored as written
            } else {
                v = value.get<T>();
            }
        },
        field);
}

double Setting::number(const ExperimentConfig& c) const
{
    return std::visit(
        [&](auto member) -> double {
            using T = std::decay_t<decltype(c.*member)>;
            if constexpr (std::is_same_v<T, std::string>)
                return 0;
            else
                return double(c.*member);
        },
        field);
}

void Setting::setNumber(ExperimentConfig& c, double value) const
{
    std::visit(
        [&](auto member) {
            using T = std::decay_t<decltype(c.*member)>;
            if constexpr (std::is_same_v<T, double>)
                c.*member = value;
            else if constexpr (!std::is_same_v<T, std::string>)
                c.*member = T(std::llround(value));
        },
        field);
}

bool Setting::flag(const ExperimentConfig& c) const { return number(c) != 0; }
void Setting::setFlag(ExperimentConfig& c, bool value) const { setNumber(c, value ? 1 : 0); }

const std::vector<Setting>& experimentSettings()
{
    static const std::vector<Setting> all = declareSettings();
    return all;
}

const Setting& experimentSetting(const std::string& key)
{
    for (const auto& s : experimentSettings())
        if (s.key == key)
            return s;
    throw ConfigError("unknown configuration key '" + key + "'");
}

const std::vector<ExperimentPresetInfo>& experimentPresetInfos()
{
    static const std::vector<ExperimentPresetInfo> all = {
        {kDemo, "Fashion-MNIST demo (fast)"},
        {kCifar10, "CIFAR-10 recipe (study)"},
        {kRandomLabels, "CIFAR-10 random labels (study)"},
        {kVoc, "Pascal VOC recipe (study)"},
        {kKth, "KTH-TIPS2-b recipe (study)"},
    };
    return all;
}

std::vector<SettingDifference> differingSettings(const ExperimentConfig& stored, const ExperimentConfig& given,
                                                 const std::vector<std::string>& keys)
{
    std::vector<SettingDifference> out;
    for (const auto& s : experimentSettings()) {
        if (std::find(keys.begin(), keys.end(), s.key) == keys.end() || s.sameValue(stored, given))
            continue;
        out.push_back({&s, s.describe(stored), s.describe(given)});
    }
    return out;
}

}  // namespace orderlens
