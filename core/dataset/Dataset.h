#pragma once

#include "dataset/Split.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace orderlens {

// A borrowed view of one 8-bit image, row-major, channels interleaved (RGB order).
struct ImageView {
    const std::uint8_t* data = nullptr;
    int height = 0;
    int width = 0;
    int channels = 0;  // 1 (grey) or 3 (RGB)
    std::size_t bytes() const { return std::size_t(height) * width * channels; }
};

// Read-only pixel bytes that live outside the dataset, e.g. a memory-mapped decoded-image cache
// (so that ImageNet-sized sets need not fit in RAM). A dataset and its subsets share one store.
class PixelStore {
public:
    virtual ~PixelStore() = default;
    virtual const std::uint8_t* data() const = 0;
    virtual std::size_t size() const = 0;
};

// All images of a dataset, decoded once into one contiguous 8-bit buffer, with their keys,
// splits and labels (docs/DEFINITIONS.md 1). Readers fill it; everything else only reads it.
class Dataset {
public:
    std::string name;                     // e.g. "fashion-mnist"
    std::string source;                   // the spec it was loaded from
    std::vector<std::string> classNames;  // label index -> name
    bool multiLabel = false;
    // Per-image values that come with the dataset itself (e.g. Pascal VOC object size,
    // KTH-TIPS2-b rotation), one per image in dataset order, NaN = missing.
    std::map<std::string, std::vector<double>> metrics;
    // Metrics whose values are categories, analysed per value (docs/DEFINITIONS.md 4).
    std::set<std::string> distinctValued;
    // What the reader found or decided that the user should know (e.g. which Pascal VOC years
    // make up the train split, whether a decoded-image cache was reused), one line each.
    std::vector<std::string> notes;

    std::size_t size() const { return keys_.size(); }
    std::size_t count(Split split) const;
    std::vector<std::size_t> indices(Split split) const;  // images of a split, in dataset order

    const std::string& key(std::size_t i) const { return keys_[i]; }
    Split split(std::size_t i) const { return splits_[i]; }
    // Single-label: the class index. Multi-label: the lowest set class (for display/grouping).
    int label(std::size_t i) const { return labels_[i]; }
    // Multi-label: bit c set when class c is present (at most 64 classes).
    std::uint64_t labelBits(std::size_t i) const { return labelBits_.empty() ? 0 : labelBits_[i]; }
    ImageView image(std::size_t i) const;

    // Fixed image geometry when all images share it, else 0.
    int height() const { return height_; }
    int width() const { return width_; }
    int channels() const { return channels_; }

    // Building (used by readers).
    void reserve(std::size_t images, std::size_t pixelBytes);
    void add(std::string key, Split split, int label, const std::uint8_t* pixels, int height,
             int width, int channels);
    void addMultiLabel(std::string key, Split split, std::uint64_t labelBits,
                       const std::uint8_t* pixels, int height, int width, int channels);
    std::uint8_t* appendPixels(std::size_t bytes);  // for readers that decode in place
    // Images kept in an external store: set it before adding any image, then add each image by
    // its byte offset in the store (instead of add / addMultiLabel / appendPixels).
    void setPixelStore(std::shared_ptr<const PixelStore> store);
    void addStored(std::string key, Split split, int label, std::size_t offset, int height, int width,
                   int channels);
    void addMultiLabelStored(std::string key, Split split, std::uint64_t labelBits, std::size_t offset,
                             int height, int width, int channels);
    // Whether the pixels live in an external (typically memory-mapped) store rather than in RAM.
    bool pixelsExternal() const { return store_ != nullptr; }

    // A class-stratified, reproducible subset: per split at most `limitTrain` / `limitTest`
    // images (0 = no limit), the same classes in the same proportions, same seed -> same subset.
    Dataset subset(std::size_t limitTrain, std::size_t limitTest, std::uint64_t seed = 0) const;
    // The images with the given indices, in that order.
    Dataset select(const std::vector<std::size_t>& indices) const;

    // A stable fingerprint that matches run files to datasets: "K-P", K over keys, splits and
    // labels, P over every image's pixels (hashed once, as the image is added), so a run is
    // refused against renamed, relabelled or changed images alike.
    std::string fingerprint() const;
    // K alone: the fingerprint of runs made before it covered the pixels.
    std::string legacyFingerprint() const;
    enum class FingerprintMatch { Same, PixelsDiffer, Different };
    // Compares with a stored fingerprint of either form (a legacy one can only check K).
    FingerprintMatch matchFingerprint(const std::string& stored) const;

    // Throws InputError (naming `source`) when a label is out of range or a split is empty.
    void validate() const;

private:
    // `knownHash`: the image's pixel hash when already computed (a subset copies it).
    void addEntry(std::string key, Split split, int label, std::uint64_t bits, const std::uint8_t* pixels,
                  int height, int width, int channels, const std::uint64_t* knownHash = nullptr);
    void record(std::string key, Split split, int label, std::uint64_t bits, std::size_t offset, int height,
                int width, int channels, const std::uint64_t* knownHash = nullptr);

    std::vector<std::string> keys_;
    std::vector<Split> splits_;
    std::vector<int> labels_;
    std::vector<std::uint64_t> labelBits_;
    std::vector<std::uint8_t> pixels_;
    std::shared_ptr<const PixelStore> store_;  // when set, offsets_ index into it instead of pixels_
    std::vector<std::size_t> offsets_;
    std::vector<std::uint16_t> heights_, widths_;
    std::vector<std::uint8_t> channelCounts_;
    std::vector<std::uint64_t> pixelHashes_;  // per image, see fingerprint()
    int height_ = 0, width_ = 0, channels_ = 0;
    bool uniform_ = true;
};

}  // namespace orderlens
