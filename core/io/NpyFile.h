#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace orderlens {

// A 2-D floating-point array from a NumPy .npy file (format versions 1.0 and 2.0), as the
// CIFAR-10H probabilities ship. Only little-endian float32 ('<f4') and float64 ('<f8') are
// accepted; anything else (other dtypes, big-endian, more or fewer than two dimensions,
// truncated data) is an InputError naming the file and the problem.
struct NpyMatrix {
    std::size_t rows = 0, cols = 0;
    bool singlePrecision = false;  // stored as float32; values are then exact floats
    std::vector<double> values;    // row-major (a Fortran-ordered file is transposed on reading)
};

NpyMatrix readNpyMatrix(const std::string& path);

}  // namespace orderlens
