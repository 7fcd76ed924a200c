#pragma once

#include "dataset/Dataset.h"

#include <cstddef>
#include <string>
#include <vector>

namespace orderlens {

// Per-image records produced by another program (a lab's own PyTorch loop, say), turned into a
// run (docs/IMPORT.md). The records are the long table that `orderlens export` writes, one row per
// (network, epoch, split, image): network, epoch, split (train, test or train_eval), key,
// correct, predicted, and optionally p_true and margin; as CSV, as a .npz of one array per
// column or as a structured .npy.
struct RecordImport {
    std::string recordsPath;
    std::string runPath;
    // What trained the networks, for the run's configuration (e.g. "resnet18").
    std::string architecture = "unknown";
    // Epochs the training was planned for; 0 = as many as the records hold. More than the records
    // hold makes a run that is still being trained (or was stopped early).
    int plannedEpochs = 0;
    bool overwrite = false;
};

struct RecordImportResult {
    std::size_t rows = 0;
    int networks = 0;
    int epochs = 0;  // most epochs of one network
    std::size_t trainImages = 0, testImages = 0;
    std::vector<std::string> ignoredColumns;  // columns of the file that are not record columns
};

// Reads and checks every record against `dataset` (loaded from `datasetSpec`, which the run names),
// then writes the run: its images are the dataset's images that have records, in dataset order,
// with the dataset's labels. Every problem is an InputError naming the records file and the line
// (CSV) or row (NumPy): an unknown key, a key in the other split, a duplicate row, a network or
// an epoch with no records while later ones have some, an image missing from one epoch, a
// predicted class out of range, a correctness that contradicts the label. Nothing is written
// unless every record is good; the run file appears complete or not at all.
RecordImportResult importRecords(const RecordImport& import, const Dataset& dataset, const std::string& datasetSpec);

}  // namespace orderlens
