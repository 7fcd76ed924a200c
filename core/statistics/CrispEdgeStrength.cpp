#include "statistics/CrispEdgeStrength.h"

#include "common/Errors.h"
#include "io/AtomicFile.h"
#include "statistics/CrispBoundaries.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>

namespace orderlens {

namespace {

// Written under a temporary name and moved into place, so that no half-written file is left.
void writeMap(const std::string& stem, const crisp::BoundaryMap& map)
{
    writeFileAtomically(stem + ".csv", [&](std::ostream& out) {
        std::string text;
        char number[32];
        for (int r = 0; r < map.height; ++r) {
            for (int c = 0; c < map.width; ++c) {
                std::snprintf(number, sizeof number, "%.9g", map.values[std::size_t(r) * map.width + c]);
                text += (c ? "," : "");
                text += number;
            }
            text += '\n';
        }
        out << text;
    });

    std::vector<std::uint8_t> pixels = crisp::previewPixels(map);
    const cv::Mat grey(map.height, map.width, CV_8U, pixels.data());
    const std::string png = stem + ".png";
    std::vector<std::uint8_t> bytes;
    if (!cv::imencode(".png", grey, bytes))
        throw InputError(png, "cannot encode the edge map preview");
    writeFileAtomically(png, [&](std::ostream& out) {
        out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    });
}

}  // namespace

std::string crispMapFileStem(const std::string& key)
{
    std::string out;
    for (char c : key) {
        if (c == '/' || c == '\\')
            out += "__";
        else
            out += c;
    }
    return out;
}

CrispEdgeStrength::CrispEdgeStrength(std::uint64_t seed, int repeats, std::string mapDirectory) :
    seed_(seed), repeats_(repeats), mapDirectory_(std::move(mapDirectory))
{
    if (repeats_ < 1)
        throw ConfigError("crisp boundaries: the number of repeats must be at least 1");
}

std::string CrispEdgeStrength::parameterTag() const
{
    return "preset=speedy;pmi=exact;seed=" + std::to_string(seed_) + ";repeats=" + std::to_string(repeats_) +
           ";version=1";
}

void CrispEdgeStrength::compute(const ImageView& image, double* values, std::string& warning) const
{
    computeForKey(image, std::string(), values, warning);
}

void CrispEdgeStrength::computeForKey(const ImageView& image, const std::string& key, double* values,
                                      std::string& warning) const
{
    const crisp::BoundaryMap map = crisp::boundaries(image, crisp::imageSeed(seed_, key), repeats_);
    if (map.values.empty()) {
        values[0] = values[1] = std::numeric_limits<double>::quiet_NaN();
        warning = std::to_string(image.height) + " x " + std::to_string(image.width) +
                  " is too small for crisp boundaries (the half-resolution map decimated twice by 2 must keep two "
                  "pixels: floor(ceil(H / 2) / 4) floor(ceil(W / 2) / 4) >= 2, e.g. 8 x 16)";
        return;
    }
    double sum = 0;
    for (double v : map.values)
        sum += v;
    values[0] = sum;
    values[1] = sum / double(map.values.size());
    if (!mapDirectory_.empty())
        writeMap(mapDirectory_ + "/" + crispMapFileStem(key), map);
}

}  // namespace orderlens
