#include "dataset/Dataset.h"

#include "common/Errors.h"
#include "numeric/Hashing.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>

namespace orderlens {

namespace {

// Multi-label images show and group under their lowest class (-1 when they have none).
int lowestLabel(std::uint64_t bits)
{
    for (int c = 0; c < 64; ++c)
        if (bits & (std::uint64_t(1) << c))
            return c;
    return -1;
}

// 64-bit multiply-xorshift over the bytes, eight at a time (FNV-1a byte by byte would take a
// noticeable share of loading a CIFAR-sized dataset), seeded with the geometry.
std::uint64_t hashPixels(const ImageView& v)
{
    std::uint64_t h = 0x6f72646572656e73ULL;  // "orderens"
    auto mix = [&h](std::uint64_t word) {
        h ^= word + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
    };
    mix((std::uint64_t(v.height) << 32) | (std::uint64_t(v.width) << 8) | std::uint64_t(v.channels));
    const std::size_t bytes = v.bytes();
    std::size_t at = 0;
    for (; at + 8 <= bytes; at += 8) {
        std::uint64_t word;
        std::memcpy(&word, v.data + at, 8);
        mix(word);
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, v.data + at, bytes - at);
    mix(tail);
    return h;
}

std::string hex(std::uint64_t h)
{
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

}  // namespace

Split parseSplit(const std::string& name)
{
    if (name == "train")
        return Split::Train;
    if (name == "test")
        return Split::Test;
    throw ConfigError("unknown split '" + name + "' (expected train or test)");
}

std::size_t Dataset::count(Split split) const
{
    return std::size_t(std::count(splits_.begin(), splits_.end(), split));
}

std::vector<std::size_t> Dataset::indices(Split split) const
{
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < splits_.size(); ++i)
        if (splits_[i] == split)
            out.push_back(i);
    return out;
}

ImageView Dataset::image(std::size_t i) const
{
    const std::uint8_t* base = store_ ? store_->data() : pixels_.data();
    return {base + offsets_[i], heights_[i], widths_[i], channelCounts_[i]};
}

void Dataset::reserve(std::size_t images, std::size_t pixelBytes)
{
    keys_.reserve(images);
    splits_.reserve(images);
    labels_.reserve(images);
    offsets_.reserve(images);
    heights_.reserve(images);
    widths_.reserve(images);
    channelCounts_.reserve(images);
    pixelHashes_.reserve(images);
    pixels_.reserve(pixelBytes);
}

std::uint8_t* Dataset::appendPixels(std::size_t bytes)
{
    if (store_)
        throw Error("Dataset::appendPixels: this dataset keeps its pixels in an external store");
    const std::size_t at = pixels_.size();
    pixels_.resize(at + bytes);
    return pixels_.data() + at;
}

void Dataset::addEntry(std::string key, Split split, int label, std::uint64_t bits,
                       const std::uint8_t* pixels, int height, int width, int channels, const std::uint64_t* knownHash)
{
    if (store_)
        throw Error("Dataset::add: this dataset keeps its pixels in an external store (use addStored)");
    if (height <= 0 || width <= 0 || height > 65535 || width > 65535 || (channels != 1 && channels != 3))
        throw InputError(key, "unsupported image geometry " + std::to_string(height) + " x " +
                                  std::to_string(width) + " x " + std::to_string(channels));
    const std::size_t bytes = std::size_t(height) * width * channels;
    std::size_t offset;
    // A reader may have decoded straight into the buffer with appendPixels().
    const std::size_t expectedEnd = offsets_.empty() ? 0 : offsets_.back() + image(offsets_.size() - 1).bytes();
    if (pixels == nullptr) {
        offset = expectedEnd;
        if (pixels_.size() < offset + bytes)
            throw Error("Dataset::add: pixels were not appended for " + key);
    } else {
        offset = pixels_.size();
        std::uint8_t* dst = appendPixels(bytes);
        std::memcpy(dst, pixels, bytes);
    }
    record(std::move(key), split, label, bits, offset, height, width, channels, knownHash);
}

void Dataset::record(std::string key, Split split, int label, std::uint64_t bits, std::size_t offset, int height,
                     int width, int channels, const std::uint64_t* knownHash)
{
    if (height <= 0 || width <= 0 || height > 65535 || width > 65535 || (channels != 1 && channels != 3))
        throw InputError(key, "unsupported image geometry " + std::to_string(height) + " x " +
                                  std::to_string(width) + " x " + std::to_string(channels));
    if (keys_.empty()) {
        height_ = height;
        width_ = width;
        channels_ = channels;
    } else if (uniform_ && (height != height_ || width != width_ || channels != channels_)) {
        uniform_ = false;
        height_ = width_ = 0;
        channels_ = std::max(channels_, channels);
    } else if (!uniform_) {
        channels_ = std::max(channels_, channels);
    }
    keys_.push_back(std::move(key));
    splits_.push_back(split);
    labels_.push_back(label);
    if (multiLabel)
        labelBits_.push_back(bits);
    offsets_.push_back(offset);
    heights_.push_back(std::uint16_t(height));
    widths_.push_back(std::uint16_t(width));
    channelCounts_.push_back(std::uint8_t(channels));
    pixelHashes_.push_back(knownHash ? *knownHash : hashPixels(image(keys_.size() - 1)));
}

void Dataset::setPixelStore(std::shared_ptr<const PixelStore> store)
{
    if (!keys_.empty())
        throw Error("Dataset::setPixelStore: images were already added");
    store_ = std::move(store);
}

void Dataset::addStored(std::string key, Split split, int label, std::size_t offset, int height, int width,
                        int channels)
{
    if (!store_)
        throw Error("Dataset::addStored: no pixel store was set");
    if (offset + std::size_t(height) * std::size_t(width) * std::size_t(channels) > store_->size())
        throw InputError(key, "image lies beyond the end of the pixel store");
    record(std::move(key), split, label, 0, offset, height, width, channels);
}

void Dataset::addMultiLabelStored(std::string key, Split split, std::uint64_t labelBits, std::size_t offset,
                                  int height, int width, int channels)
{
    if (!store_)
        throw Error("Dataset::addMultiLabelStored: no pixel store was set");
    if (offset + std::size_t(height) * std::size_t(width) * std::size_t(channels) > store_->size())
        throw InputError(key, "image lies beyond the end of the pixel store");
    multiLabel = true;
    record(std::move(key), split, lowestLabel(labelBits), labelBits, offset, height, width, channels);
}

void Dataset::add(std::string key, Split split, int label, const std::uint8_t* pixels, int height,
                  int width, int channels)
{
    addEntry(std::move(key), split, label, 0, pixels, height, width, channels);
}

void Dataset::addMultiLabel(std::string key, Split split, std::uint64_t labelBits,
                            const std::uint8_t* pixels, int height, int width, int channels)
{
    multiLabel = true;
    addEntry(std::move(key), split, lowestLabel(labelBits), labelBits, pixels, height, width, channels);
}

Dataset Dataset::select(const std::vector<std::size_t>& indices) const
{
    Dataset out;
    out.name = name;
    out.source = source;
    out.classNames = classNames;
    out.multiLabel = multiLabel;
    out.distinctValued = distinctValued;
    out.notes = notes;
    for (const auto& [metric, values] : metrics) {
        std::vector<double>& column = out.metrics[metric];
        column.reserve(indices.size());
        for (std::size_t i : indices)
            column.push_back(values[i]);
    }
    if (store_) {
        // Subsets share the external store: nothing is copied.
        out.setPixelStore(store_);
        out.reserve(indices.size(), 0);
        for (std::size_t i : indices)
            out.record(keys_[i], splits_[i], labels_[i], multiLabel ? labelBits_[i] : 0, offsets_[i], heights_[i],
                       widths_[i], channelCounts_[i], &pixelHashes_[i]);
        return out;
    }
    std::size_t bytes = 0;
    for (std::size_t i : indices)
        bytes += image(i).bytes();
    out.reserve(indices.size(), bytes);
    for (std::size_t i : indices) {
        const ImageView v = image(i);
        out.addEntry(keys_[i], splits_[i], labels_[i], multiLabel ? labelBits_[i] : 0, v.data, v.height,
                     v.width, v.channels, &pixelHashes_[i]);
    }
    return out;
}

Dataset Dataset::subset(std::size_t limitTrain, std::size_t limitTest, std::uint64_t seed) const
{
    std::vector<std::size_t> keep;
    for (Split split : {Split::Train, Split::Test}) {
        const std::size_t limit = split == Split::Train ? limitTrain : limitTest;
        std::vector<std::size_t> all = indices(split);
        if (limit == 0 || limit >= all.size()) {
            keep.insert(keep.end(), all.begin(), all.end());
            continue;
        }
        // Group by class, shuffle each group with a seeded generator, then take from each class
        // its share (largest remainders get the spare images) so proportions are kept.
        std::map<int, std::vector<std::size_t>> byClass;
        for (std::size_t i : all)
            byClass[labels_[i]].push_back(i);
        std::mt19937_64 rng(seed ^ (split == Split::Train ? 0x7261696eULL : 0x74657374ULL));
        std::vector<std::pair<double, int>> remainders;
        std::map<int, std::size_t> quota;
        std::size_t given = 0;
        for (auto& [label, members] : byClass) {
            std::shuffle(members.begin(), members.end(), rng);
            const double exact = double(limit) * double(members.size()) / double(all.size());
            quota[label] = std::size_t(exact);
            given += quota[label];
            remainders.push_back({exact - double(quota[label]), label});
        }
        std::stable_sort(remainders.begin(), remainders.end(),
                         [](const auto& a, const auto& b) { return a.first > b.first; });
        for (std::size_t r = 0; given < limit && r < remainders.size(); ++r, ++given)
            ++quota[remainders[r].second];
        std::vector<std::size_t> chosen;
        for (auto& [label, members] : byClass)
            chosen.insert(chosen.end(), members.begin(), members.begin() + std::ptrdiff_t(quota[label]));
        std::sort(chosen.begin(), chosen.end());  // keep dataset order
        keep.insert(keep.end(), chosen.begin(), chosen.end());
    }
    std::sort(keep.begin(), keep.end());
    return select(keep);
}

std::string Dataset::fingerprint() const
{
    // The per-image hashes in dataset order, folded with FNV-1a's step on each 64-bit word.
    std::uint64_t h = 1469598103934665603ULL;
    for (std::uint64_t p : pixelHashes_) {
        h ^= p;
        h *= 1099511628211ULL;
        h ^= h >> 29;
    }
    return legacyFingerprint() + "-" + hex(h);
}

Dataset::FingerprintMatch Dataset::matchFingerprint(const std::string& stored) const
{
    const std::string names = legacyFingerprint();
    const std::size_t dash = stored.find('-');
    if (stored.substr(0, dash) != names)
        return FingerprintMatch::Different;
    if (dash == std::string::npos || stored == fingerprint())
        return FingerprintMatch::Same;
    return FingerprintMatch::PixelsDiffer;
}

std::string Dataset::legacyFingerprint() const
{
    // FNV-1a 64 over keys, splits and labels: cheap, stable across platforms.
    Fnv1a64 h;
    for (std::size_t i = 0; i < keys_.size(); ++i) {
        h.add(keys_[i]);
        const std::uint8_t s = std::uint8_t(splits_[i]);
        h.add(&s, 1);
        const std::int32_t l = labels_[i];
        h.add(&l, sizeof l);
        if (multiLabel)
            h.add(&labelBits_[i], sizeof(std::uint64_t));
    }
    return hex(h.value());
}

void Dataset::validate() const
{
    const int classes = int(classNames.size());
    for (std::size_t i = 0; i < keys_.size(); ++i) {
        if (!multiLabel && (labels_[i] < 0 || labels_[i] >= classes))
            throw InputError(source, "label " + std::to_string(labels_[i]) + " of image " + keys_[i] +
                                         " is out of range (" + std::to_string(classes) + " classes)");
        if (multiLabel && classes < 64 && (labelBits_[i] >> classes) != 0)
            throw InputError(source, "image " + keys_[i] + " has a label beyond the " +
                                         std::to_string(classes) + " classes");
    }
    for (const auto& [metric, values] : metrics)
        if (values.size() != keys_.size())
            throw InputError(source, "dataset metric '" + metric + "' has " + std::to_string(values.size()) +
                                         " values for " + std::to_string(keys_.size()) + " images");
    for (Split s : {Split::Train, Split::Test})
        if (count(s) == 0)
            throw InputError(source, std::string("the ") + splitName(s) + " split has no images");
}

}  // namespace orderlens
