#pragma once

#include <filesystem>
#include <optional>

namespace orderlens {

// An image file's size and the channels OrderLens stores it with (1 grey, 3 colour: alpha is
// dropped, palettes become RGB), read from the first bytes of the file without decoding it.
struct ImageGeometry {
    int height = 0, width = 0, channels = 0;
};

// Knows PNG, JPEG (baseline and progressive) and binary PGM / PPM, the formats image datasets
// come in; nothing (not an error) for other formats and for a header it cannot make sense of:
// the caller then decodes the image. Throws InputError only when the file cannot be opened.
std::optional<ImageGeometry> readImageHeader(const std::filesystem::path& file);

}  // namespace orderlens
