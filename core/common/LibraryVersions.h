#pragma once

#include <string>

namespace orderlens {

// The versions of the libraries core runs with, for `orderlens --version` and About. OpenCV
// and HDF5 are asked at run time; LibTorch has no run-time query, so its version is the one of
// the headers it was built against (Debian installs them with the library, version for version).
struct LibraryVersions {
    std::string libtorch;
    std::string opencv;
    std::string hdf5;
};

LibraryVersions libraryVersions();

}  // namespace orderlens
