#pragma once

#include "experiment/ExperimentConfig.h"

#include <QString>

#include <vector>

namespace orderlens::ui {

// A preset as the setup form lists it: core's complete configuration (experimentPresetInfos(),
// the same that `orderlens train --preset NAME` and the demo command train) with a title and a
// one-line description.
struct ExperimentPreset {
    std::string coreName;  // as in `orderlens train --preset NAME`
    QString title;

    // One line listing what the preset trains.
    QString description() const;
};

const std::vector<ExperimentPreset>& experimentPresets();

// The demo the welcome page and `orderlens --demo` start (core's "demo" preset).
ExperimentConfig demoExperiment();

}  // namespace orderlens::ui
