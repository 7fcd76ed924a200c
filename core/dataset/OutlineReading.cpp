#include "dataset/OutlineReading.h"

#include <algorithm>

namespace orderlens {

void OutlineSizes::add(int height, int width, int channels)
{
    if (!any_) {
        any_ = true;
        height_ = height;
        width_ = width;
        channels_ = channels;
        smallestSide_ = std::min(height, width);
        return;
    }
    smallestSide_ = std::min({smallestSide_, height, width});
    if (uniform_ && (height != height_ || width != width_ || channels != channels_))
        uniform_ = false;
    channels_ = std::max(channels_, channels);
}

void OutlineSizes::writeTo(DatasetOutline& outline) const
{
    outline.height = uniform_ ? height_ : 0;
    outline.width = uniform_ ? width_ : 0;
    outline.channels = channels_;
    outline.smallestSide = smallestSide_;
}

bool OutlineSampleChoice::wants(Split split, int label)
{
    if (split != Split::Train || left_ == 0 || label < 0 || std::size_t(label) >= shown_.size() ||
        shown_[std::size_t(label)])
        return false;
    shown_[std::size_t(label)] = true;
    --left_;
    return true;
}

ListedOutline::ListedOutline(std::string name, std::vector<std::string> classNames, std::size_t samples)
    : choice_(classNames.size(), samples)
{
    outline_.name = std::move(name);
    outline_.classNames = std::move(classNames);
}

bool ListedOutline::add(Split split, int label)
{
    (split == Split::Train ? outline_.trainImages : outline_.testImages) += 1;
    return choice_.wants(split, label);
}

void ListedOutline::addSample(std::string key, std::string file, int label)
{
    chosen_.push_back({std::move(key), std::move(file), label});
}

void ListedOutline::addSize(const ImageGeometry& stored)
{
    sizes_.add(stored.height, stored.width, stored.channels);
    sized_ = true;
}

DatasetOutline ListedOutline::finish(const DecodePolicy& policy)
{
    if (sized_)
        sizes_.writeTo(outline_);
    std::vector<std::string> files;
    for (const SampleFile& c : chosen_)
        files.push_back(c.file);
    const DecodedImages decoded = decodeImages(files, policy, std::string());
    for (std::size_t i = 0; i < chosen_.size(); ++i) {
        const DecodedImage& d = decoded.images[i];
        const std::uint8_t* pixels = decoded.pixels->data() + d.offset;
        outline_.samples.push_back(
            {chosen_[i].key, chosen_[i].label, d.height, d.width, d.channels,
             std::vector<std::uint8_t>(pixels, pixels + std::size_t(d.height) * d.width * d.channels)});
    }
    return std::move(outline_);
}

}  // namespace orderlens
