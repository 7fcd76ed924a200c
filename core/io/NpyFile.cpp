#include "io/NpyFile.h"

#include "common/Errors.h"
#include "io/NumpyColumns.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>

namespace orderlens {

NpyMatrix readNpyMatrix(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(path, "cannot open the file");
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const NpyHeader header = readNpyHeader(bytes, path);
    const std::string& descr = header.descr;
    NpyMatrix m;
    std::size_t item = 0;
    if (descr == "'<f8'") {
        item = 8;
    } else if (descr == "'<f4'") {
        item = 4;
        m.singlePrecision = true;
    } else {
        throw InputError(path, "array type " + descr + " is not supported (expected little-endian float32 '<f4' "
                               "or float64 '<f8')");
    }
    const std::string& shape = header.shapeText;
    if (header.shape.size() != 2)
        throw InputError(path, "array shape " + shape + " is not two-dimensional");
    m.rows = header.shape[0];
    m.cols = header.shape[1];

    const std::size_t dataStart = header.dataStart;
    const std::size_t count = m.rows * m.cols;
    if (m.cols != 0 && count / m.cols != m.rows)
        throw InputError(path, "array shape " + shape + " is too large");
    // Divided rather than multiplied: count * item may overflow.
    const std::size_t dataBytes = bytes.size() - dataStart;
    if (dataBytes % item != 0 || dataBytes / item != count)
        throw InputError(path, "holds " + std::to_string(dataBytes) + " data bytes, but shape " + shape + " needs " +
                                   std::to_string(count) + " values of " + std::to_string(item) +
                                   " bytes (truncated or damaged)");
    m.values.resize(count);
    const char* data = bytes.data() + dataStart;
    for (std::size_t i = 0; i < count; ++i) {
        // .npy data are little-endian here (checked above), as is every platform we build on.
        double v;
        if (item == 8) {
            std::memcpy(&v, data + i * 8, 8);
        } else {
            float f;
            std::memcpy(&f, data + i * 4, 4);
            v = double(f);
        }
        const std::size_t r = header.fortranOrder ? i % m.rows : i / m.cols;
        const std::size_t c = header.fortranOrder ? i / m.rows : i % m.cols;
        m.values[r * m.cols + c] = v;
    }
    return m;
}

}  // namespace orderlens
