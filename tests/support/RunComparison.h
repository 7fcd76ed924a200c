#pragma once

// Record-for-record comparison of two runs trained with the same configuration and seed (an
// interrupted and resumed run against an uninterrupted one).

#include <string>

namespace orderlens::test {

// Empty when both runs have the same epochs recorded, manifest labels, and bit-identical
// records (correct, predicted, p_true, margin, probability vectors) and summaries (losses,
// accuracies, learning rate) for every network, epoch and record set; otherwise the first
// difference, named ("records differ: network 1 epoch 2 set test").
std::string firstRecordDifference(const std::string& a, const std::string& b);

}  // namespace orderlens::test
