#pragma once

#include "dataset/DatasetReader.h"

namespace orderlens {

// ImageNet and other large image sets in the ImageFolder layout (docs/DEFINITIONS.md 7):
// DIR/train/<class>/<image> and DIR/val/<class>/<image> (or DIR/test/<class>/ when there is no
// val/), classes in sorted order of the train/ folders, files with torchvision's image
// extensions. Images are decoded once into the on-disk decoded-image cache (memory-mapped,
// reused by every later load) as RGB, resized so the shorter side is 256 (torchvision's
// Resize(256), docs/DEFINITIONS.md 8); the random (train) or centre (test) crop to the input size
// is the training pipeline's. Image statistics see the stored images; ?resize=none stores the
// originals instead. Keys: paths relative to DIR ("train/n01440764/n01440764_10026.JPEG").
// Options: resize=N|none (default 256), cache=on|off (default on).
class ImageNetReader : public DatasetReader {
public:
    std::string scheme() const override { return "imagenet"; }
    std::string title() const override { return "ImageNet (ILSVRC folders)"; }
    std::string description() const override
    {
        return "imagenet:DIR   DIR/train/<class>/* and DIR/val/<class>/* (or test/), decoded once into a "
               "disk cache; options ?resize=256|N|none&cache=on|off";
    }
    Dataset read(const std::string& location) const override;
    // Lists the files and decodes only the samples; the sizes are not read (the stored sizes
    // depend on every image, and reading a million headers is no preview).
    DatasetOutline outline(const std::string& location, std::size_t samples) const override;
};

// The shorter side ImageNet-style images are stored at unless ?resize= says otherwise
// (docs/DEFINITIONS.md 8: "resize shorter side to 256").
constexpr int kImageNetShorterSide = 256;

}  // namespace orderlens
