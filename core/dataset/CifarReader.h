#pragma once

#include "dataset/DatasetReader.h"

namespace orderlens {

// CIFAR-10 / CIFAR-100 binary versions (docs/DEFINITIONS.md 7). A record is the label byte(s) then
// 3072 bytes: 1024 red, 1024 green, 1024 blue, each 32 x 32 row-major.
// CIFAR-10: data_batch_1..5.bin (train), test_batch.bin (test), batches.meta.txt.
// CIFAR-100: train.bin, test.bin, two label bytes (coarse, fine; the fine label is used),
// fine_label_names.txt. Keys are "train/000123" and "test/000123" in file order.
class CifarReader : public DatasetReader {
public:
    explicit CifarReader(int classes) : classes_(classes) {}
    std::string scheme() const override { return classes_ == 10 ? "cifar10" : "cifar100"; }
    std::string title() const override
    {
        return classes_ == 10 ? "CIFAR-10 (binary version)" : "CIFAR-100 (binary version)";
    }
    std::string description() const override;
    Dataset read(const std::string& location) const override;

private:
    int classes_;
};

}  // namespace orderlens
