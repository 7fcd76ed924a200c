#pragma once

#include "experiment/ExperimentConfig.h"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace orderlens {

// How a setting's value is typed, shown and checked.
enum class SettingKind {
    Count,   // a whole number in [min, max]
    Real,    // a real number in [min, max]
    Flag,    // on or off
    Choice,  // one of choices()
    Dataset, // a dataset spec, SCHEME or SCHEME:LOCATION
    File,    // the path of an existing file, or empty for none
};

struct SettingChoice {
    std::string value;  // as stored in the JSON
    std::string label;  // as the GUI lists it
};

// The ExperimentConfig member a setting reads and writes.
using SettingField = std::variant<std::string ExperimentConfig::*, std::uint64_t ExperimentConfig::*,
                                  int ExperimentConfig::*, double ExperimentConfig::*, bool ExperimentConfig::*>;

// One setting of an experiment, declared once: the JSON (configurations, run files), the
// `orderlens train` options, the GUI's setup form and validation are all generated from
// experimentSettings().
struct Setting {
    std::string key;                   // JSON key; the CLI option is key with '-' for '_'
    std::vector<std::string> aliases;  // older CLI option names, still accepted
    std::string label;                 // the GUI's label and the name messages use
    std::string group;                 // the GUI's group box
    SettingKind kind = SettingKind::Count;
    SettingField field;
    std::string help;       // for --help and the GUI's tooltip
    std::string valueName;  // the CLI's placeholder, e.g. "N"
    double min = 0, max = 0;
    std::string zeroMeans;  // Count: what 0 stands for ("all"), empty when 0 is an ordinary number
    std::string unit;       // shown after numbers, e.g. "px"
    bool logScale = false;  // Real: spans orders of magnitude (rates, decays, epsilons)
    std::function<std::vector<SettingChoice>()> choices;
    // The values the named presets give, as typed on the command line; a preset that is not
    // listed keeps the default.
    std::vector<std::pair<std::string, std::string>> presets;
    // A run file made before the setting existed lacks its key: the value that reproduces that
    // run (empty: the default).
    std::string absentFromOldRuns;
    // Whether the setting matters for this configuration (unset: always); the GUI hides the
    // row of one that does not.
    std::function<bool(const ExperimentConfig&)> appliesTo;

    std::string option() const;
    bool applies(const ExperimentConfig& c) const { return !appliesTo || appliesTo(c); }

    // The value as one types it ("0.05", "on", "lenet5"), and back. parse() takes choices
    // case-insensitively and ignoring '-' and '_' (LeNet5, WRN-28-10), makes files absolute,
    // and throws ConfigError naming the setting for text that is no value of its kind; ranges
    // are checked by findProblems, so that the GUI and the CLI say the same.
    std::string text(const ExperimentConfig& c) const;
    void parse(ExperimentConfig& c, const std::string& text) const;
    // `text` with the unit and what 0 stands for, for messages and the GUI: "32 px", "0 (all)".
    std::string describe(const ExperimentConfig& c) const;

    // The message for a value outside [min, max], e.g. "Networks must be from 1 to 100; it is 0."
    std::string outOfRange(const std::string& value) const;

    nlohmann::json json(const ExperimentConfig& c) const;
    // Throws ConfigError naming the key for a value of the wrong type.
    void setJson(ExperimentConfig& c, const nlohmann::json& value) const;

    double number(const ExperimentConfig& c) const;  // Count, Real
    void setNumber(ExperimentConfig& c, double value) const;
    bool flag(const ExperimentConfig& c) const;
    void setFlag(ExperimentConfig& c, bool value) const;

    bool sameValue(const ExperimentConfig& a, const ExperimentConfig& b) const { return text(a) == text(b); }
};

// 70000 -> "70,000": counts of images in messages.
std::string formatCount(std::uint64_t n);

// Every setting, in the order of the GUI form and --help.
const std::vector<Setting>& experimentSettings();
// Throws ConfigError for an unknown key.
const Setting& experimentSetting(const std::string& key);

// A named complete configuration: defaults plus the values the settings list for it.
struct ExperimentPresetInfo {
    std::string name;  // as in `orderlens train --preset NAME`
    std::string title;
};
// The demo first: the experiment a first-time user starts.
const std::vector<ExperimentPresetInfo>& experimentPresetInfos();

// What is known about the dataset before training: the GUI reads it for its preview, the
// trainer when it loads the images.
struct DatasetFacts {
    std::string name;  // as messages name it
    std::size_t trainImages = 0, testImages = 0;
    bool multiLabel = false;
    int height = 0, width = 0;  // 0 when the images differ in size
};

// One thing that keeps an experiment from starting, for the setting it is about.
struct SettingProblem {
    std::string key;
    std::string message;  // a sentence a user can act on, naming settings by their labels
};

// Every problem of `c`, at most one per setting, in the settings' order; with `dataset`, also
// the ones that need to know the images (more images asked for than there are, multi-label
// training on single-label data, an input too small for the architecture).
std::vector<SettingProblem> findProblems(const ExperimentConfig& c, const DatasetFacts* dataset = nullptr);

// Multi-label training follows the dataset: one whose images carry label sets (Pascal VOC)
// trains multi-label whether or not it was asked for.
void followDataset(ExperimentConfig& c, const DatasetFacts& dataset);

// A setting whose value in `given` differs from `stored` (for --resume).
struct SettingDifference {
    const Setting* setting;
    std::string stored, given;
};
std::vector<SettingDifference> differingSettings(const ExperimentConfig& stored, const ExperimentConfig& given,
                                                 const std::vector<std::string>& keys);

}  // namespace orderlens
