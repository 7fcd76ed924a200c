#include "dataset/IdxReader.h"

#include "common/Errors.h"
#include "dataset/NumberedKeys.h"

#include <zlib.h>

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace orderlens {

namespace {

// Fashion-MNIST class names, in label order (Zalando's README).
const std::vector<std::string> kFashionMnistClasses = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

std::vector<std::uint8_t> readWholeFile(const std::string& path)
{
    // gzread reads gzip and, transparently, uncompressed files.
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f)
        throw InputError(path, "cannot open file");
    gzbuffer(f, 1 << 17);
    std::vector<std::uint8_t> out;
    std::vector<std::uint8_t> chunk(1 << 20);
    for (;;) {
        const int n = gzread(f, chunk.data(), unsigned(chunk.size()));
        if (n < 0) {
            int code = 0;
            const std::string msg = gzerror(f, &code);
            gzclose(f);
            throw InputError(path, "corrupt or truncated gzip data (" + msg + ")");
        }
        if (n == 0)
            break;
        out.insert(out.end(), chunk.begin(), chunk.begin() + n);
    }
    // gzread returns 0 at a premature end of a gzip stream; gzclose then reports Z_BUF_ERROR.
    const int rc = gzclose(f);
    if (rc == Z_BUF_ERROR)
        throw InputError(path, "truncated gzip file");
    if (rc != Z_OK)
        throw InputError(path, "cannot read gzip file");
    return out;
}

std::string findIdx(const std::string& dir, const std::string& stem)
{
    for (const std::string& name : {stem, stem + ".gz", stem + ".GZ"}) {
        const fs::path p = fs::path(dir) / name;
        if (fs::exists(p))
            return p.string();
    }
    // Some distributions spell the dot: train-images.idx3-ubyte.
    std::string dotted = stem;
    const auto dash = dotted.find("-idx");
    if (dash != std::string::npos) {
        dotted[dash] = '.';
        for (const std::string& name : {dotted, dotted + ".gz"}) {
            const fs::path p = fs::path(dir) / name;
            if (fs::exists(p))
                return p.string();
        }
    }
    throw InputError((fs::path(dir) / (stem + "[.gz]")).string(), "file not found");
}

Dataset readIdxDirectory(const std::string& dir, const std::string& name,
                         const std::vector<std::string>& classNames)
{
    if (!fs::is_directory(dir))
        throw InputError(dir, "not a folder");
    Dataset ds;
    ds.name = name;
    for (Split split : {Split::Train, Split::Test}) {
        const std::string prefix = split == Split::Train ? "train" : "t10k";
        const std::string imagesPath = findIdx(dir, prefix + "-images-idx3-ubyte");
        const std::string labelsPath = findIdx(dir, prefix + "-labels-idx1-ubyte");
        const auto images = IdxReader::readIdxFile(imagesPath, 3);
        const auto labels = IdxReader::readIdxFile(labelsPath, 1);
        if (images.dims[0] != labels.dims[0])
            throw InputError(labelsPath, std::to_string(labels.dims[0]) + " labels for " +
                                             std::to_string(images.dims[0]) + " images in " + imagesPath);
        const int h = int(images.dims[1]), w = int(images.dims[2]);
        const std::size_t n = images.dims[0], bytes = std::size_t(h) * w;
        ds.reserve(ds.size() + n, (ds.size() + n) * bytes);
        int maxLabel = 0;
        for (std::size_t i = 0; i < n; ++i)
            maxLabel = std::max<int>(maxLabel, labels.data[i]);
        if (!classNames.empty() && maxLabel >= int(classNames.size()))
            throw InputError(labelsPath, "label " + std::to_string(maxLabel) + " is out of range (" +
                                             std::to_string(classNames.size()) + " classes)");
        for (std::size_t i = 0; i < n; ++i)
            ds.add(numberedKey(split, i), split, labels.data[i], images.data.data() + i * bytes, h, w, 1);
        if (classNames.empty())
            for (int c = int(ds.classNames.size()); c <= maxLabel; ++c)
                ds.classNames.push_back(std::to_string(c));
    }
    if (!classNames.empty())
        ds.classNames = classNames;
    return ds;
}

}  // namespace

IdxReader::IdxArray IdxReader::readIdxFile(const std::string& path, int expectedDims)
{
    std::vector<std::uint8_t> bytes = readWholeFile(path);
    if (bytes.size() < 4)
        throw InputError(path, "too short for an IDX header (" + std::to_string(bytes.size()) + " bytes)");
    // Magic: two zero bytes, the element type (0x08 = unsigned byte), the number of dimensions.
    if (bytes[0] != 0 || bytes[1] != 0)
        throw InputError(path, "wrong magic number: not an IDX file");
    if (bytes[2] != 0x08)
        throw InputError(path, "unsupported IDX element type 0x" + std::to_string(bytes[2]) +
                                   " (only unsigned bytes, 0x08)");
    const int ndims = bytes[3];
    if (ndims != expectedDims)
        throw InputError(path, "expected " + std::to_string(expectedDims) + " dimensions, found " +
                                   std::to_string(ndims));
    const std::size_t header = 4 + 4 * std::size_t(ndims);
    if (bytes.size() < header)
        throw InputError(path, "truncated IDX header");
    IdxArray out;
    std::size_t total = 1;
    for (int d = 0; d < ndims; ++d) {
        const std::uint8_t* p = bytes.data() + 4 + 4 * d;
        const std::uint32_t size = (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) |
                                   (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
        if (size == 0 && d > 0)
            throw InputError(path, "dimension " + std::to_string(d) + " has size 0");
        out.dims.push_back(size);
        total *= size;
    }
    if (bytes.size() - header < total)
        throw InputError(path, "truncated: header announces " + std::to_string(total) + " bytes of data, file has " +
                                   std::to_string(bytes.size() - header));
    out.data.assign(bytes.begin() + std::ptrdiff_t(header), bytes.begin() + std::ptrdiff_t(header + total));
    return out;
}

Dataset IdxReader::read(const std::string& location) const
{
    return readIdxDirectory(location, "idx", {});
}

std::string FashionMnistReader::defaultDirectory()
{
    if (const char* env = std::getenv("ORDERLENS_FASHION_MNIST_DIR"); env && *env)
        return env;
    return "/usr/share/datasets/fashion-mnist";
}

Dataset FashionMnistReader::read(const std::string& location) const
{
    const std::string dir = location.empty() ? defaultDirectory() : location;
    if (!fs::is_directory(dir))
        throw InputError(dir, "Fashion-MNIST not found: install the Debian package dataset-fashion-mnist "
                              "(apt-get install dataset-fashion-mnist) or give idx:DIR");
    return readIdxDirectory(dir, "fashion-mnist", kFashionMnistClasses);
}

}  // namespace orderlens
