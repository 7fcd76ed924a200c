#pragma once

#include "dataset/Dataset.h"
#include "dataset/ImageHeader.h"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace orderlens {

// How a reader wants its compressed images (JPEG, PNG, ...) stored once decoded. Images always
// become 8-bit RGB, as the study's loaders (PIL's convert('RGB')) made them, and the EXIF
// orientation is ignored as PIL does.
struct DecodePolicy {
    // 0 keeps the original size. Otherwise every image is resized so that its shorter side is
    // this long and the longer side keeps the aspect ratio, rounded down: torchvision's
    // Resize(int), which the study applies before cropping (docs/DEFINITIONS.md 8). Shrinking uses
    // pixel-area averaging (closest to PIL's antialiased resize), enlarging bilinear.
    int shorterSide = 0;
};

// The size decodeImages stores an image file at under `policy`, without decoding it where it can:
// the original size from the file's header (readImageHeader), else `original` when that holds a
// size (e.g. an annotation's), else from decoding the file. Channels are 3, as decodeImages stores
// every image: for outlines.
ImageGeometry storedGeometry(const std::string& file, const DecodePolicy& policy,
                             const ImageGeometry& original = {});

// Where one decoded image lies in the pixel store.
struct DecodedImage {
    std::size_t offset = 0;
    int height = 0, width = 0, channels = 0;  // as stored
    int originalHeight = 0, originalWidth = 0;
};

struct DecodedImages {
    std::shared_ptr<const PixelStore> pixels;  // memory-mapped cache file, or RAM without a cache
    std::vector<DecodedImage> images;          // one per input file, same order
    bool reused = false;                       // true when the cache already held every image
    std::size_t decoded = 0;                   // images decoded by this call (0 when reused)
    std::string cacheFolder;                   // empty without a cache
    std::string note() const;                  // one line for Dataset::notes
};

// The folder that holds decoded-image caches: $ORDERLENS_CACHE_DIR, else
// $XDG_CACHE_HOME/orderlens/decoded, else ~/.cache/orderlens/decoded.
std::string decodedCacheRoot();

// Decodes `files` (with `policy`) into one contiguous 8-bit store. With a cache root, the store
// is a file under <root>/<fingerprint>/ that is memory-mapped, so later loads (and later epochs
// of the same run, which only read it) do not decode again and need not hold it in RAM; the
// fingerprint covers the policy and every file's path, size and modification time, so edited
// datasets are decoded afresh. With an empty root everything is decoded into RAM.
// Throws InputError naming an unreadable image, or a cache folder that cannot be written.
DecodedImages decodeImages(const std::vector<std::string>& files, const DecodePolicy& policy,
                           const std::string& cacheRoot);

}  // namespace orderlens
