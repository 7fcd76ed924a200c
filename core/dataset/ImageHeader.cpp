#include "dataset/ImageHeader.h"

#include "common/Errors.h"

#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>

namespace orderlens {

namespace {

std::uint32_t bigEndian32(const unsigned char* p)
{
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

std::uint16_t bigEndian16(const unsigned char* p) { return std::uint16_t(p[0] << 8 | p[1]); }

// PNG: the signature, then the IHDR chunk: width, height, bit depth, colour type.
std::optional<ImageGeometry> pngHeader(std::istream& in)
{
    std::array<unsigned char, 26> h{};
    if (!in.read(reinterpret_cast<char*>(h.data()), h.size()))
        return std::nullopt;
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (std::memcmp(h.data(), signature, 8) != 0 || std::memcmp(h.data() + 12, "IHDR", 4) != 0)
        return std::nullopt;
    ImageGeometry g;
    g.width = int(bigEndian32(h.data() + 16));
    g.height = int(bigEndian32(h.data() + 20));
    const int colourType = h[25];
    // 0 grey, 4 grey + alpha (decoded as colour with alpha), 2 RGB, 3 palette, 6 RGBA.
    if (colourType == 0)
        g.channels = 1;
    else if (colourType == 2 || colourType == 3 || colourType == 4 || colourType == 6)
        g.channels = 3;
    else
        return std::nullopt;
    return g;
}

// JPEG: markers up to the first start-of-frame, which holds height, width and components.
std::optional<ImageGeometry> jpegHeader(std::istream& in)
{
    unsigned char soi[2];
    if (!in.read(reinterpret_cast<char*>(soi), 2) || soi[0] != 0xff || soi[1] != 0xd8)
        return std::nullopt;
    for (;;) {
        int c = in.get();
        while (c == 0xff)
            c = in.get();  // fill bytes
        if (c == EOF)
            return std::nullopt;
        const int marker = c;
        if (marker == 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker == 0x01)
            continue;  // markers without a length
        unsigned char len[2];
        if (!in.read(reinterpret_cast<char*>(len), 2))
            return std::nullopt;
        const int length = bigEndian16(len);
        if (length < 2)
            return std::nullopt;
        const bool startOfFrame = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
        if (startOfFrame) {
            unsigned char f[6];
            if (length < 8 || !in.read(reinterpret_cast<char*>(f), 6))
                return std::nullopt;
            ImageGeometry g;
            g.height = bigEndian16(f + 1);
            g.width = bigEndian16(f + 3);
            g.channels = f[5] == 1 ? 1 : 3;
            if (g.height == 0)
                return std::nullopt;  // height given later in a DNL marker: rare, decode instead
            return g;
        }
        if (marker == 0xda || marker == 0xd9)
            return std::nullopt;  // scan data or end before any frame header
        in.seekg(length - 2, std::ios::cur);
    }
}

// Binary PGM (P5) and PPM (P6): magic, width, height, maximum value, with comments between.
std::optional<ImageGeometry> pnmHeader(std::istream& in)
{
    char magic[2];
    if (!in.read(magic, 2) || magic[0] != 'P' || (magic[1] != '5' && magic[1] != '6'))
        return std::nullopt;
    int values[3] = {0, 0, 0};
    for (int& v : values) {
        int c = in.get();
        while (c != EOF && (std::isspace(c) || c == '#')) {
            if (c == '#')
                while (c != EOF && c != '\n')
                    c = in.get();
            c = in.get();
        }
        if (c == EOF || !std::isdigit(c))
            return std::nullopt;
        std::string digits;
        while (c != EOF && std::isdigit(c) && digits.size() < 9) {
            digits += char(c);
            c = in.get();
        }
        v = std::stoi(digits);
    }
    ImageGeometry g;
    g.width = values[0];
    g.height = values[1];
    g.channels = magic[1] == '5' ? 1 : 3;
    return g;
}

}  // namespace

std::optional<ImageGeometry> readImageHeader(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw InputError(file.string(), "cannot open the image");
    std::optional<ImageGeometry> g;
    for (auto* parse : {&pngHeader, &jpegHeader, &pnmHeader}) {
        in.clear();
        in.seekg(0);
        g = parse(in);
        if (g)
            break;
    }
    if (g && (g->height <= 0 || g->width <= 0 || g->height > 65535 || g->width > 65535))
        return std::nullopt;
    return g;
}

}  // namespace orderlens
