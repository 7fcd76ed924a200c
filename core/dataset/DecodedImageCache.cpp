#include "dataset/DecodedImageCache.h"

#include "common/Errors.h"
#include "common/ThreadBudget.h"
#include "numeric/Hashing.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

namespace fs = std::filesystem;

namespace orderlens {

namespace {

// Bumped whenever the decoding or the file layout changes, so old caches are not reused.
constexpr char kCacheMagic[8] = {'O', 'L', 'D', 'E', 'C', '0', '0', '1'};
constexpr const char* kIndexFile = "index.bin";
constexpr const char* kPixelFile = "pixels.bin";
// Images decoded per worker between two sequential writes: keeps memory bounded.
constexpr std::size_t kImagesPerWorker = 32;

struct IndexEntry {
    std::uint64_t offset;
    std::uint32_t height, width, channels, originalHeight, originalWidth, reserved;
};

class MemoryPixels : public PixelStore {
public:
    std::vector<std::uint8_t> bytes;
    const std::uint8_t* data() const override { return bytes.data(); }
    std::size_t size() const override { return bytes.size(); }
};

class MappedPixels : public PixelStore {
public:
    explicit MappedPixels(const std::string& path)
    {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            throw InputError(path, std::string("cannot open the decoded-image cache: ") + std::strerror(errno));
        struct stat st {};
        if (::fstat(fd, &st) != 0 || st.st_size <= 0) {
            ::close(fd);
            throw InputError(path, "the decoded-image cache is empty or unreadable");
        }
        size_ = std::size_t(st.st_size);
        void* p = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd, 0);
        ::close(fd);  // the mapping keeps the file alive
        if (p == MAP_FAILED)
            throw InputError(path, std::string("cannot map the decoded-image cache: ") + std::strerror(errno));
        data_ = static_cast<const std::uint8_t*>(p);
    }
    ~MappedPixels() override { ::munmap(const_cast<std::uint8_t*>(data_), size_); }
    MappedPixels(const MappedPixels&) = delete;
    MappedPixels& operator=(const MappedPixels&) = delete;
    const std::uint8_t* data() const override { return data_; }
    std::size_t size() const override { return size_; }

private:
    const std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

// torchvision's Resize(int): the shorter side becomes `side`, the longer one
// int(side * long / short) (truncated), computed in double as Python does.
void resizedSize(int height, int width, int side, int& outHeight, int& outWidth)
{
    const int shorter = std::min(height, width), longer = std::max(height, width);
    const int newLonger = int(double(std::int64_t(side) * longer) / double(shorter));
    outHeight = height <= width ? side : newLonger;
    outWidth = height <= width ? newLonger : side;
}

cv::Mat decodeFile(const std::string& path, const DecodePolicy& policy, int& originalHeight, int& originalWidth)
{
    // IMREAD_COLOR turns grey, CMYK and alpha images into 3 channels like PIL's convert('RGB');
    // PIL does not apply EXIF orientation, so neither do we.
    cv::Mat img = cv::imread(path, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
    if (img.empty())
        throw InputError(path, "unreadable image (missing, truncated, or not a format OpenCV can decode)");
    originalHeight = img.rows;
    originalWidth = img.cols;
    if (policy.shorterSide > 0) {
        int h = 0, w = 0;
        resizedSize(img.rows, img.cols, policy.shorterSide, h, w);
        if (h != img.rows || w != img.cols) {
            const bool shrink = std::int64_t(h) * w < std::int64_t(img.rows) * img.cols;
            cv::Mat resized;
            cv::resize(img, resized, cv::Size(w, h), 0, 0, shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
            img = resized;
        }
    }
    if (img.rows > 65535 || img.cols > 65535)
        throw InputError(path, "image larger than 65535 pixels on a side");
    cv::Mat rgb;
    cv::cvtColor(img, rgb, cv::COLOR_BGR2RGB);
    return rgb.isContinuous() ? rgb : rgb.clone();
}

std::string fingerprint(const std::vector<std::string>& files, const DecodePolicy& policy)
{
    Fnv1a64 h;
    auto mix = [&h](const void* p, std::size_t n) { h.add(p, n); };
    mix(kCacheMagic, sizeof kCacheMagic);
    const std::int64_t side = policy.shorterSide;
    mix(&side, sizeof side);
    for (const auto& file : files) {
        std::error_code ec;
        const std::uint64_t size = fs::file_size(file, ec);
        if (ec)
            throw InputError(file, "missing or unreadable image: " + ec.message());
        const auto modified = fs::last_write_time(file, ec).time_since_epoch().count();
        const std::string absolute = fs::absolute(file).lexically_normal().string();
        mix(absolute.data(), absolute.size() + 1);
        mix(&size, sizeof size);
        mix(&modified, sizeof modified);
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h.value()));
    return buf;
}

// Reads a complete cache folder; false when it is missing, partial or from another version.
bool readCache(const fs::path& folder, std::size_t count, DecodedImages& out)
{
    std::ifstream in(folder / kIndexFile, std::ios::binary);
    if (!in)
        return false;
    char magic[sizeof kCacheMagic];
    std::uint64_t n = 0, bytes = 0;
    in.read(magic, sizeof magic);
    in.read(reinterpret_cast<char*>(&n), sizeof n);
    in.read(reinterpret_cast<char*>(&bytes), sizeof bytes);
    if (!in || std::memcmp(magic, kCacheMagic, sizeof magic) != 0 || n != count)
        return false;
    std::vector<IndexEntry> entries(count);
    in.read(reinterpret_cast<char*>(entries.data()), std::streamsize(count * sizeof(IndexEntry)));
    if (!in)
        return false;
    std::error_code ec;
    if (fs::file_size(folder / kPixelFile, ec) != bytes || ec)
        return false;
    out.images.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
        const IndexEntry& e = entries[i];
        if (e.offset + std::uint64_t(e.height) * e.width * e.channels > bytes)
            return false;
        out.images[i] = {std::size_t(e.offset), int(e.height), int(e.width), int(e.channels), int(e.originalHeight),
                         int(e.originalWidth)};
    }
    out.pixels = std::make_shared<MappedPixels>((folder / kPixelFile).string());
    out.reused = true;
    out.cacheFolder = folder.string();
    return true;
}

std::string gigabytes(double bytes)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f GB", bytes / 1e9);
    return buf;
}

// Decodes every file in parallel, chunk by chunk, handing each chunk's images in order to
// `write` (which appends them to the store and returns their offset).
template <typename Write, typename AfterChunk>
void decodeAll(const std::vector<std::string>& files, const DecodePolicy& policy, std::vector<DecodedImage>& images,
               Write&& write, AfterChunk&& afterChunk)
{
    const unsigned workers = threadBudget();
    const std::size_t chunk = kImagesPerWorker * workers;
    images.resize(files.size());
    std::vector<cv::Mat> decoded;
    for (std::size_t start = 0; start < files.size(); start += chunk) {
        const std::size_t end = std::min(files.size(), start + chunk);
        decoded.assign(end - start, cv::Mat());
        std::atomic<std::size_t> next{start};
        std::exception_ptr failure;
        std::mutex failureLock;
        auto work = [&] {
            for (std::size_t i; (i = next.fetch_add(1)) < end;) {
                try {
                    decoded[i - start] = decodeFile(files[i], policy, images[i].originalHeight, images[i].originalWidth);
                } catch (...) {
                    const std::lock_guard<std::mutex> lock(failureLock);
                    if (!failure)
                        failure = std::current_exception();
                    next = end;
                }
            }
        };
        std::vector<std::thread> pool;
        for (unsigned t = 1; t < std::min<std::size_t>(workers, end - start); ++t)
            pool.emplace_back(work);
        work();
        for (auto& t : pool)
            t.join();
        if (failure)
            std::rethrow_exception(failure);
        for (std::size_t i = start; i < end; ++i) {
            const cv::Mat& m = decoded[i - start];
            DecodedImage& d = images[i];
            d.height = m.rows;
            d.width = m.cols;
            d.channels = m.channels();
            d.offset = write(m.data, m.total() * m.elemSize());
        }
        afterChunk(end);
    }
}

}  // namespace

std::string DecodedImages::note() const
{
    if (cacheFolder.empty())
        return "decoded " + std::to_string(decoded) + " images into memory (no decoded-image cache)";
    if (reused)
        return "reused the decoded-image cache " + cacheFolder + " (" + std::to_string(images.size()) + " images)";
    return "decoded " + std::to_string(decoded) + " images into the cache " + cacheFolder +
           " (later loads reuse it)";
}

ImageGeometry storedGeometry(const std::string& file, const DecodePolicy& policy, const ImageGeometry& original)
{
    ImageGeometry g = original;
    if (const auto header = readImageHeader(file)) {
        g = *header;
    } else if (g.height <= 0 || g.width <= 0) {
        int height = 0, width = 0;
        decodeFile(file, DecodePolicy{}, height, width);
        g.height = height;
        g.width = width;
    }
    g.channels = 3;
    if (policy.shorterSide > 0)
        resizedSize(g.height, g.width, policy.shorterSide, g.height, g.width);
    return g;
}

std::string decodedCacheRoot()
{
    if (const char* dir = std::getenv("ORDERLENS_CACHE_DIR"); dir && *dir)
        return dir;
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        return (fs::path(xdg) / "orderlens" / "decoded").string();
    if (const char* home = std::getenv("HOME"); home && *home)
        return (fs::path(home) / ".cache" / "orderlens" / "decoded").string();
    return (fs::temp_directory_path() / "orderlens-decoded").string();
}

DecodedImages decodeImages(const std::vector<std::string>& files, const DecodePolicy& policy,
                           const std::string& cacheRoot)
{
    DecodedImages out;
    if (cacheRoot.empty() || files.empty()) {
        auto memory = std::make_shared<MemoryPixels>();
        decodeAll(
            files, policy, out.images,
            [&](const std::uint8_t* p, std::size_t n) {
                const std::size_t at = memory->bytes.size();
                memory->bytes.insert(memory->bytes.end(), p, p + n);
                return at;
            },
            [](std::size_t) {});
        out.pixels = memory;
        out.decoded = files.size();
        return out;
    }

    const fs::path folder = fs::path(cacheRoot) / fingerprint(files, policy);
    if (readCache(folder, files.size(), out))
        return out;

    std::error_code ec;
    fs::remove_all(folder, ec);  // a partial or outdated cache
    const fs::path tmp = fs::path(cacheRoot) / (folder.filename().string() + ".partial-" + std::to_string(::getpid()));
    fs::create_directories(tmp, ec);
    if (ec)
        throw InputError(cacheRoot, "cannot create the decoded-image cache folder (" + ec.message() +
                                        "): set ORDERLENS_CACHE_DIR to a writable folder, or add ?cache=off to the "
                                        "dataset spec");
    std::FILE* pixels = std::fopen((tmp / kPixelFile).c_str(), "wb");
    if (!pixels)
        throw InputError((tmp / kPixelFile).string(), std::string("cannot write the decoded-image cache: ") +
                                                          std::strerror(errno));
    std::uint64_t written = 0;
    try {
        decodeAll(
            files, policy, out.images,
            [&](const std::uint8_t* p, std::size_t n) {
                if (std::fwrite(p, 1, n, pixels) != n)
                    throw InputError((tmp / kPixelFile).string(),
                                     std::string("cannot write the decoded-image cache: ") + std::strerror(errno));
                const std::uint64_t at = written;
                written += n;
                return std::size_t(at);
            },
            [&, checked = false](std::size_t done) mutable {
                // After the first chunk, refuse early when the disk cannot hold the whole cache.
                if (checked || done == files.size())
                    return;
                checked = true;
                const double expected = double(written) / double(done) * double(files.size());
                std::error_code spaceError;
                const auto space = fs::space(tmp, spaceError);
                if (!spaceError && double(space.available) < (expected - double(written)) * 1.05)
                    throw InputError(cacheRoot, "the decoded-image cache needs about " + gigabytes(expected) +
                                                    " but only " + gigabytes(double(space.available) + written) +
                                                    " are free: set ORDERLENS_CACHE_DIR to a larger disk, or add "
                                                    "?resize=256 (smaller images) or ?cache=off to the dataset spec");
            });
        if (std::fclose(pixels) != 0) {
            pixels = nullptr;
            throw InputError((tmp / kPixelFile).string(), "cannot finish writing the decoded-image cache");
        }
        pixels = nullptr;
        std::ofstream index(tmp / kIndexFile, std::ios::binary);
        const std::uint64_t n = files.size();
        index.write(kCacheMagic, sizeof kCacheMagic);
        index.write(reinterpret_cast<const char*>(&n), sizeof n);
        index.write(reinterpret_cast<const char*>(&written), sizeof written);
        for (const DecodedImage& d : out.images) {
            const IndexEntry e{d.offset,
                               std::uint32_t(d.height),
                               std::uint32_t(d.width),
                               std::uint32_t(d.channels),
                               std::uint32_t(d.originalHeight),
                               std::uint32_t(d.originalWidth),
                               0};
            index.write(reinterpret_cast<const char*>(&e), sizeof e);
        }
        index.close();
        if (!index)
            throw InputError((tmp / kIndexFile).string(), "cannot write the decoded-image cache index");
    } catch (...) {
        if (pixels)
            std::fclose(pixels);
        fs::remove_all(tmp, ec);
        throw;
    }
    // The folder appears complete or not at all; a concurrent loader that finished first wins.
    fs::rename(tmp, folder, ec);
    if (ec)
        fs::remove_all(tmp, ec);
    const std::size_t decoded = files.size();
    DecodedImages loaded;
    if (!readCache(folder, files.size(), loaded))
        throw InputError(folder.string(), "the decoded-image cache could not be read back after writing it");
    loaded.reused = false;
    loaded.decoded = decoded;
    return loaded;
}

}  // namespace orderlens
