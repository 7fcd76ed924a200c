#pragma once

#include "experiment/ExperimentConfig.h"

#include <QString>

#include <vector>

namespace orderlens::ui {

// A named starting point for the setup form, backed by core's ExperimentConfig::preset (the
// study's recipes of docs/DEFINITIONS.md 8 and the README's demo), so the GUI, the CLI's --preset
// and the demo command all train the same thing.
struct ExperimentPreset {
    std::string coreName;  // as in `orderlens train --preset NAME`
    QString title;
    // A recipe changes what the study's table fixes (input, batch, optimiser, schedule, weight
    // decay, epochs, networks, label setting) and keeps the user's dataset, architecture and
    // execution settings; the demo replaces everything.
    bool replacesAll = false;

    void apply(ExperimentConfig& config) const;
    // One line listing the values the preset sets.
    QString description() const;
};

const std::vector<ExperimentPreset>& experimentPresets();

// The demo the welcome page and `orderlens --demo` start (core's "demo" preset).
ExperimentConfig demoExperiment();

}  // namespace orderlens::ui
