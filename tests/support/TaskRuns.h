#pragma once

// Runs trained one network per process (`orderlens train --task`, `orderlens slurm`) and the
// all-in-one runs they must equal.

#include "storage/RunFile.h"

#include <QString>
#include <QStringList>

#include <string>

namespace orderlens::test {

// `train` options of a small Fashion-MNIST experiment: 600 + 200 images, `networks` x the
// tutorial's small CNN, 2 epochs, one CPU thread (so that records are bit-for-bit repeatable).
QStringList smallFashionTraining(int networks = 3);

// Runs the orderlens program with `args` to its end (at most `timeoutMs`) and returns its exit
// code (-1 when it did not finish); its output, stdout and stderr together, goes to `output`.
int runOrderlens(const QStringList& args, QString* output = nullptr, int timeoutMs = 300000);

// Trains smallFashionTraining() in one process into `run`: what runs trained as tasks must
// equal. Returns the program's output when it failed, else nothing.
QString trainAllInOne(const QString& run);

// The first difference between network `network` of two runs (every record set and completed
// epoch, bit for bit, and the summaries but their timings), or empty when they are identical.
std::string recordDifference(const RunFile& expected, const RunFile& actual, int network);
// The same over every network of the runs.
std::string recordDifference(const RunFile& expected, const RunFile& actual);

}  // namespace orderlens::test
