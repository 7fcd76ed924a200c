#pragma once

// Small, quick trainings for the tests of the trainer, its checkpoints and the GUI.

#include "experiment/ExperimentConfig.h"

#include <QTemporaryDir>

#include <string>

namespace orderlens::test {

// A 16 x 16 IDX fixture (96 train + 32 test images, four classes) in `dir`, written once, and
// a quick configuration for it: 2 x LeNet-5, 2 epochs of batch 16 (six steps per epoch), SGD at
// 0.05, one CPU thread (small networks gain nothing from more on a busy machine).
ExperimentConfig quickFixtureConfig(const QTemporaryDir& dir);

// Trains `config` into a new run file; with `epochs` > 0 it is cancelled as soon as that many
// network-epochs are recorded (an interrupted run), otherwise it runs to the end.
void trainRun(const ExperimentConfig& config, const std::string& run, int epochs = 0);

}  // namespace orderlens::test
