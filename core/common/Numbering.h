#pragma once

// How networks and epochs are numbered in everything people read: the window, the log, the
// CLI's progress lines and error messages (docs/GUI.md, "Numbering and colours").
// - An epoch is named by the run's epoch number, counted from 0 as in the run file, its CSV
//   tables and a PyTorch loop `for epoch in range(epochs)`; epoch e is the state after e + 1
//   epochs of training. A count of epochs stays a count: "epoch 2 (3 of 6)".
// - A network is counted from 1 ("network 1"). Files, and the CLI options that address them
//   (--task, --networks), keep the index from 0; a message about such an index names both.

#include <string>

namespace orderlens {

// "epoch 2 (3 of 6)": the epoch's number and how far along the run's epochs it is.
inline std::string epochProgressText(int epoch, int epochs)
{
    return "epoch " + std::to_string(epoch) + " (" + std::to_string(epoch + 1) + " of " + std::to_string(epochs) + ")";
}

// "network 1" for the network at index 0.
inline std::string networkText(int index) { return "network " + std::to_string(index + 1); }

// "network 1 (index 0)": for messages about an index that a file or an option holds.
inline std::string networkIndexText(int index)
{
    return networkText(index) + " (index " + std::to_string(index) + ")";
}

}  // namespace orderlens
