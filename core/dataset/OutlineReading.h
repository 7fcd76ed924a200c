#pragma once

#include "dataset/DatasetReader.h"
#include "dataset/DecodedImageCache.h"

#include <cstddef>
#include <string>
#include <vector>

namespace orderlens {

// The parts a reader builds its outline from when it lists its images and reads their headers
// instead of decoding them (DatasetReader::outline of image folders, Pascal VOC, KTH-TIPS2-b,
// ImageNet).

// Gathers the stored size of every image, one at a time, into an outline's height, width,
// channels and smallestSide, with Dataset's rules (a size shared by all images or 0, the most
// channels any image has).
class OutlineSizes {
public:
    void add(int height, int width, int channels);
    void writeTo(DatasetOutline& outline) const;

private:
    bool any_ = false, uniform_ = true;
    int height_ = 0, width_ = 0, channels_ = 0, smallestSide_ = 0;
};

// Picks an outline's samples while a reader walks its images in dataset order: the first
// training image of each class (a multi-label image's lowest class), at most `samples` of them.
class OutlineSampleChoice {
public:
    OutlineSampleChoice(std::size_t classes, std::size_t samples) : shown_(classes, false), left_(samples) {}
    // True (and remembered) for an image to show.
    bool wants(Split split, int label);

private:
    std::vector<bool> shown_;
    std::size_t left_;
};

// Builds the outline of a reader that walks its listed images in dataset order: counts per split,
// the stored sizes where the reader reads them from headers, and the samples (OutlineSampleChoice),
// decoded at the end as the dataset would store them.
class ListedOutline {
public:
    ListedOutline(std::string name, std::vector<std::string> classNames, std::size_t samples);
    // Counts one image; true when it is to be shown: then give its key and file to addSample().
    bool add(Split split, int label);
    void addSample(std::string key, std::string file, int label);
    void addSize(const ImageGeometry& stored);
    // The outline with the samples decoded by `policy` in memory (the cache is for whole sets),
    // and the sizes when any were added. Throws as decodeImages does.
    DatasetOutline finish(const DecodePolicy& policy);

private:
    struct SampleFile {
        std::string key, file;
        int label = 0;
    };
    DatasetOutline outline_;
    OutlineSampleChoice choice_;
    OutlineSizes sizes_;
    bool sized_ = false;
    std::vector<SampleFile> chosen_;
};

}  // namespace orderlens
