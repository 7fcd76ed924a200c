#include "common/LibraryVersions.h"

#include <hdf5.h>
#include <opencv2/core/utility.hpp>
#include <torch/version.h>

namespace orderlens {

LibraryVersions libraryVersions()
{
    LibraryVersions v;
    v.libtorch = TORCH_VERSION;
    v.opencv = cv::getVersionString();
    unsigned major = 0, minor = 0, release = 0;
    if (H5get_libversion(&major, &minor, &release) >= 0)
        v.hdf5 = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
    else
        v.hdf5 = "unknown (H5get_libversion failed)";
    return v;
}

}  // namespace orderlens
