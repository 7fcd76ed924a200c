#pragma once

#include "dataset/DatasetReader.h"

namespace orderlens {

// MNIST-layout IDX files (docs/DEFINITIONS.md 7), gzip-compressed or raw:
// DIR/{train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
// t10k-labels-idx1-ubyte}[.gz]. Keys are "train/000123" and "test/000123".
class IdxReader : public DatasetReader {
public:
    std::string scheme() const override { return "idx"; }
    std::string title() const override { return "IDX files (MNIST layout)"; }
    std::string description() const override
    {
        return "idx:DIR      MNIST-layout IDX files (train-/t10k- images and labels, .gz or raw)";
    }
    Dataset read(const std::string& location) const override;

    // Reads one IDX file fully (decompressing gzip), checks magic and size, returns the
    // dimension sizes and the payload.
    struct IdxArray {
        std::vector<std::uint32_t> dims;
        std::vector<std::uint8_t> data;
    };
    static IdxArray readIdxFile(const std::string& path, int expectedDims);
};

// Fashion-MNIST from Debian's dataset-fashion-mnist package (/usr/share/datasets/fashion-mnist),
// or from $ORDERLENS_FASHION_MNIST_DIR when set.
class FashionMnistReader : public DatasetReader {
public:
    std::string scheme() const override { return "fashion-mnist"; }
    std::string title() const override { return "Fashion-MNIST (installed)"; }
    std::string description() const override
    {
        return "fashion-mnist  Fashion-MNIST from the Debian package dataset-fashion-mnist (default)";
    }
    bool needsLocation() const override { return false; }
    Dataset read(const std::string& location) const override;
    static std::string defaultDirectory();
};

}  // namespace orderlens
