#include "statistics/NpyFile.h"

#include "common/Errors.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <regex>

namespace orderlens {

namespace {

// The value of 'name' in the header dictionary, e.g. "'<f8'" or "(10000, 10)".
std::string headerField(const std::string& header, const std::string& name, const std::string& path)
{
    const std::size_t at = header.find("'" + name + "'");
    if (at == std::string::npos)
        throw InputError(path, "NumPy header has no '" + name + "' entry");
    std::size_t colon = header.find(':', at);
    if (colon == std::string::npos)
        throw InputError(path, "NumPy header entry '" + name + "' has no value");
    std::size_t start = colon + 1;
    while (start < header.size() && header[start] == ' ')
        ++start;
    std::size_t end = start;
    if (start < header.size() && header[start] == '(')
        end = header.find(')', start) + 1;
    else
        end = header.find_first_of(",}", start);
    if (end == std::string::npos || end <= start)
        throw InputError(path, "NumPy header entry '" + name + "' is malformed");
    return header.substr(start, end - start);
}

}  // namespace

NpyMatrix readNpyMatrix(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(path, "cannot open the file");
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    static const char kMagic[] = "\x93NUMPY";
    if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 6) != 0)
        throw InputError(path, "not a NumPy .npy file (the \\x93NUMPY signature is missing)");
    const int major = static_cast<unsigned char>(bytes[6]);
    std::size_t headerLength = 0, headerStart = 0;
    if (major == 1) {
        headerLength = std::size_t(static_cast<unsigned char>(bytes[8])) |
                       std::size_t(static_cast<unsigned char>(bytes[9])) << 8;
        headerStart = 10;
    } else if (major == 2) {
        if (bytes.size() < 12)
            throw InputError(path, "truncated NumPy header");
        for (int i = 0; i < 4; ++i)
            headerLength |= std::size_t(static_cast<unsigned char>(bytes[std::size_t(8 + i)])) << (8 * i);
        headerStart = 12;
    } else {
        throw InputError(path, "NumPy format version " + std::to_string(major) + "." +
                                   std::to_string(static_cast<unsigned char>(bytes[7])) +
                                   " is not supported (expected 1.0 or 2.0)");
    }
    if (bytes.size() < headerStart + headerLength)
        throw InputError(path, "truncated NumPy header");
    const std::string header = bytes.substr(headerStart, headerLength);

    const std::string descr = headerField(header, "descr", path);
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
    const std::string order = headerField(header, "fortran_order", path);
    if (order != "False" && order != "True")
        throw InputError(path, "NumPy header has fortran_order " + order);
    const std::string shape = headerField(header, "shape", path);
    static const std::regex kShape(R"(\(\s*(\d+)\s*,\s*(\d+)\s*,?\s*\))");
    std::smatch match;
    if (!std::regex_match(shape, match, kShape))
        throw InputError(path, "array shape " + shape + " is not two-dimensional");
    m.rows = std::stoull(match[1].str());
    m.cols = std::stoull(match[2].str());

    const std::size_t dataStart = headerStart + headerLength;
    const std::size_t count = m.rows * m.cols;
    if (m.cols != 0 && count / m.cols != m.rows)
        throw InputError(path, "array shape " + shape + " is too large");
    if (bytes.size() - dataStart != count * item)
        throw InputError(path, "holds " + std::to_string(bytes.size() - dataStart) + " data bytes, but shape " + shape +
                                   " needs " + std::to_string(count * item) + " (truncated or damaged)");
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
        const std::size_t r = order == "True" ? i % m.rows : i / m.cols;
        const std::size_t c = order == "True" ? i / m.rows : i % m.cols;
        m.values[r * m.cols + c] = v;
    }
    return m;
}

}  // namespace orderlens
