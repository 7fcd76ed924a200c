#pragma once

#include "dataset/DatasetReader.h"

namespace orderlens {

// Image folders (docs/DEFINITIONS.md 7): DIR/train/<class>/<image> and DIR/test/<class>/<image>,
// classes indexed in sorted name order, any format OpenCV reads. Keys are paths relative to
// DIR ("train/cat/0001.png"). Grey images stay 1-channel, everything else becomes RGB.
class FolderReader : public DatasetReader {
public:
    std::string scheme() const override { return "folder"; }
    std::string title() const override { return "Image folders (train/, test/)"; }
    std::string description() const override
    {
        return "folder:DIR   DIR/train/<class>/* and DIR/test/<class>/* (any image OpenCV reads)";
    }
    Dataset read(const std::string& location) const override;
    // Lists the files and reads each one's size from its header (PNG, JPEG, PGM/PPM; other
    // formats are decoded); decodes only the samples.
    DatasetOutline outline(const std::string& location, std::size_t samples) const override;
};

}  // namespace orderlens
