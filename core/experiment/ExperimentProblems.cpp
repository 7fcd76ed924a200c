// findProblems: the one validation of an experiment, for the GUI form (inline, per row) and the
// CLI (its error). Messages name settings by their labels, as the form shows them.

#include "experiment/ExperimentSettings.h"

#include "common/Errors.h"
#include "dataset/DatasetReader.h"
#include "models/Architecture.h"

#include <algorithm>
#include <filesystem>
#include <map>

namespace orderlens {

namespace {

std::string rangeProblem(const Setting& s, const ExperimentConfig& c)
{
    const double v = s.number(c);
    return v >= s.min && v <= s.max ? std::string() : s.outOfRange(s.text(c));
}

std::string choiceProblem(const Setting& s, const ExperimentConfig& c)
{
    const std::string value = s.text(c);
    std::string known;
    for (const auto& choice : s.choices()) {
        if (choice.value == value)
            return {};
        known += (known.empty() ? "" : ", ") + choice.value;
    }
    return s.label + " '" + value + "' is unknown; choose one of " + known + ".";
}

std::string datasetProblem(const std::string& spec)
{
    const DatasetReader* reader = findDatasetReader(spec);
    if (!reader) {
        std::string known;
        for (const auto& r : datasetReaders())
            known += (known.empty() ? "" : ", ") + r->scheme();
        return "Dataset '" + spec.substr(0, spec.find(':')) + "' is unknown; choose one of " + known + ".";
    }
    const std::size_t colon = spec.find(':');
    const bool hasLocation = colon != std::string::npos && colon + 1 < spec.size();
    if (reader->needsLocation() && !hasLocation)
        return reader->title() + " needs the folder that holds its files (" + reader->scheme() + ":FOLDER).";
    try {
        DatasetSpec::parse(spec);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return {};
}

std::string datasetName(const ExperimentConfig& c, const DatasetFacts* dataset)
{
    if (dataset && !dataset->name.empty())
        return dataset->name;
    const DatasetReader* reader = findDatasetReader(c.dataset);
    return reader ? reader->title() : c.dataset;
}

}  // namespace

void followDataset(ExperimentConfig& c, const DatasetFacts& dataset)
{
    if (dataset.multiLabel)
        c.multiLabel = true;
}

std::vector<SettingProblem> findProblems(const ExperimentConfig& given, const DatasetFacts* dataset)
{
    ExperimentConfig c = given;
    if (dataset)
        followDataset(c, *dataset);
    std::map<std::string, std::string> problems;
    // The first problem found for a setting is the one it shows.
    auto report = [&](const std::string& key, const std::string& message) {
        if (!message.empty())
            problems.emplace(key, message);
    };

    for (const auto& s : experimentSettings()) {
        if (s.kind == SettingKind::Count || s.kind == SettingKind::Real)
            report(s.key, rangeProblem(s, c));
        else if (s.kind == SettingKind::Choice)
            report(s.key, choiceProblem(s, c));
    }
    report("dataset", datasetProblem(c.dataset));

    if (c.microBatch > c.batchSize)
        report("micro_batch", "Micro-batch (" + std::to_string(c.microBatch) + ") must not exceed the batch size (" +
                                  std::to_string(c.batchSize) + ").");
    if (c.scheduler == "cosine" && c.etaMin > c.lr)
        report("eta_min", "The final learning rate (" + experimentSetting("eta_min").text(c) +
                              ") must not exceed the learning rate (" + experimentSetting("lr").text(c) + ").");
    if (c.multiLabel && c.corruptProb > 0)
        report("corrupt_prob", "Label corruption is defined for single-label training only; set it to 0 for " +
                                   std::string(dataset && dataset->multiLabel ? datasetName(c, dataset)
                                                                              : "multi-label training") +
                                   ".");
    if (!c.humanUncertainty.empty()) {
        std::error_code ec;
        // CIFAR-10H rows are the CIFAR-10 test images (Peterson et al., ICCV 2019).
        if (c.dataset.substr(0, c.dataset.find(':')) != "cifar10")
            report("human_uncertainty", "Human uncertainty (CIFAR-10H) covers the CIFAR-10 test images only; the "
                                        "dataset is " + datasetName(c, dataset) + ".");
        else if (!std::filesystem::is_regular_file(c.humanUncertainty, ec))
            report("human_uncertainty", "The human uncertainty file " + c.humanUncertainty + " does not exist.");
    }

    const ArchitectureInfo* arch = nullptr;
    for (const auto& a : architectureInfos())
        if (a.name == c.architecture)
            arch = &a;
    if (arch && c.inputSize > 0 && c.inputSize < arch->minimumInput)
        report("input_size", arch->title + " needs inputs of at least " + std::to_string(arch->minimumInput) +
                                 " px: set the input size to " + std::to_string(arch->minimumInput) + " or more.");

    if (dataset) {
        const std::string name = datasetName(c, dataset);
        if (c.limitTrain > dataset->trainImages)
            report("limit_train", "Training images: " + formatCount(c.limitTrain) + " asked for, but " + name + " has " +
                                      formatCount(dataset->trainImages) + ".");
        if (c.limitTest > dataset->testImages)
            report("limit_test", "Test images: " + formatCount(c.limitTest) + " asked for, but " + name + " has " +
                                     formatCount(dataset->testImages) + ".");
        if (given.multiLabel && !dataset->multiLabel)
            report("multilabel", "Multi-label training needs images with label sets (such as Pascal VOC); " + name +
                                     " has one label per image.");
        if (c.inputSize == 0 && dataset->height == 0)
            report("input_size", "The images of " + name + " differ in size: choose an input size so that they can "
                                 "be batched.");
        // At input size 0 the trainer takes the images' longer side.
        const int side = std::max(dataset->height, dataset->width);
        if (arch && c.inputSize == 0 && dataset->height > 0 && side < arch->minimumInput)
            report("input_size", arch->title + " needs inputs of at least " + std::to_string(arch->minimumInput) +
                                     " px but the images are " + std::to_string(side) + " px: set the input size to " +
                                     std::to_string(arch->minimumInput) + " or more.");
    }

    std::vector<SettingProblem> out;
    for (const auto& s : experimentSettings()) {
        auto it = problems.find(s.key);
        if (it != problems.end())
            out.push_back({s.key, it->second});
    }
    return out;
}

}  // namespace orderlens
