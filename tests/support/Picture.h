#pragma once

#include "dataset/Dataset.h"

#include <cstdint>
#include <vector>

namespace orderlens::test {

// An image owned by a test, painted pixel by pixel.
struct Picture {
    int height, width, channels;
    std::vector<std::uint8_t> pixels;
    ImageView view() const { return {pixels.data(), height, width, channels}; }
};

// value(y, x, c) gives each byte.
template <typename F>
Picture paint(int height, int width, int channels, F value)
{
    Picture p{height, width, channels, std::vector<std::uint8_t>(std::size_t(height) * width * channels)};
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < channels; ++c)
                p.pixels[(std::size_t(y) * width + x) * channels + c] = std::uint8_t(value(y, x, c));
    return p;
}

}  // namespace orderlens::test
