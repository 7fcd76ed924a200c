#pragma once

// Run files with hand-made records, for analysis tests that must not train anything.

#include "dataset/Dataset.h"
#include "storage/RunFile.h"

#include <cstddef>
#include <functional>
#include <string>

namespace orderlens::test {

struct SyntheticRun {
    std::size_t train = 8;
    std::size_t test = 4;
    int classes = 3;
    int networks = 2;
    int epochs = 3;
    bool multiLabel = false;
    std::string configJson = "{}";
    // correct(set, network, epoch, image of the split); required.
    std::function<bool(RecordSet, int, int, std::size_t)> correct;
    // Optional; default 0.9 when correct, 0.1 otherwise (p_true) and +1 / -1 (margin).
    std::function<float(RecordSet, int, int, std::size_t)> pTrue;
    std::function<float(RecordSet, int, int, std::size_t)> margin;
    // Optional prediction (class, or label bits for multi-label); default: the label when
    // correct, else the next class (multi-label: the label bits when correct, else none).
    std::function<std::int64_t(RecordSet, int, int, std::size_t)> predicted;
    // Epochs written per network (default: all); lets tests model a run still training.
    std::function<int(int)> epochsWritten;
};

// A dataset of train + test 2x2 grey images, keys train/000000..., labels i % classes
// (multi-label: bits of (i % 7) + 1 over at most 3 classes).
Dataset syntheticDataset(std::size_t train, std::size_t test, int classes, bool multiLabel = false);

// Creates the run file at `path` and writes every epoch of every network.
void writeSyntheticRun(const std::string& path, const SyntheticRun& spec);

}  // namespace orderlens::test
