#pragma once

// Thin, checked access to the HDF5 C API for the run file and its statistics file. Every call
// that can fail is checked and turned into an InputError naming the file and what failed, so
// a damaged file never reaches the caller as a crash or a silent default. Internal to
// core/storage: nothing outside it includes <hdf5.h>.

#include <hdf5.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace orderlens::hdf5 {

// Owns one HDF5 identifier and closes it with the right function.
class Id {
public:
    Id() = default;
    Id(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
    Id(const Id&) = delete;
    Id& operator=(const Id&) = delete;
    Id(Id&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = H5I_INVALID_HID; }
    Id& operator=(Id&& o) noexcept
    {
        std::swap(id_, o.id_);
        std::swap(close_, o.close_);
        return *this;
    }
    ~Id()
    {
        if (id_ >= 0 && close_)
            close_(id_);
    }
    operator hid_t() const { return id_; }
    bool valid() const { return id_ >= 0; }
    // Closes now and reports whether closing succeeded (a file's close flushes it).
    bool close();

private:
    hid_t id_ = H5I_INVALID_HID;
    herr_t (*close_)(hid_t) = nullptr;
};

// HDF5 prints an error stack to stderr by default; we turn failures into exceptions instead.
void silence();

[[noreturn]] void fail(const std::string& path, const std::string& what);
Id check(hid_t id, herr_t (*close)(hid_t), const std::string& path, const std::string& what);
void check(herr_t status, const std::string& path, const std::string& what);

bool exists(hid_t loc, const std::string& name);
Id openGroup(hid_t loc, const std::string& name, const std::string& path);
Id openDataset(hid_t loc, const std::string& name, const std::string& path);
Id createGroup(hid_t loc, const std::string& name, const std::string& path);

// Attributes. Strings are written fixed-length (no global heap); both kinds are read.
void writeStringAttr(hid_t obj, const std::string& name, const std::string& value, const std::string& path);
void writeIntAttr(hid_t obj, const std::string& name, long long value, const std::string& path);
std::string readStringAttr(hid_t obj, const std::string& name, const std::string& path);
long long readIntAttr(hid_t obj, const std::string& name, const std::string& path);
std::vector<std::string> attributeNames(hid_t obj, const std::string& path);
std::vector<std::string> linkNames(hid_t group, const std::string& path);

// Closes a dataset that was just written, checked: closing writes the chunks HDF5 still caches,
// so a full disk shows here rather than in H5Dwrite (and an unchecked close loses the data
// while the file's index points at it).
void closeWritten(Id& dataset, const std::string& name, const std::string& path);

// Dimensions of a dataset, checked against an expected rank.
std::vector<hsize_t> dimensions(hid_t dataset, int rank, const std::string& name, const std::string& path);

// A small array written once: chunked, shuffled, deflated and Fletcher-32 checksummed.
void writeArray(hid_t loc, const std::string& name, hid_t fileType, hid_t memType, const void* data, hsize_t n,
                const std::string& path);
template <typename T>
void writeArray(hid_t loc, const std::string& name, hid_t fileType, hid_t memType, const std::vector<T>& values,
                const std::string& path)
{
    writeArray(loc, name, fileType, memType, values.data(), hsize_t(values.size()), path);
}
// Reads a whole 1-D array; `expected` (when >= 0) is the length it must have.
void readArray(hid_t loc, const std::string& name, hid_t memType, std::size_t elementSize, std::vector<char>& out,
               long long expected, const std::string& path);
template <typename T>
std::vector<T> readArray(hid_t loc, const std::string& name, hid_t memType, const std::string& path,
                         long long expected = -1)
{
    std::vector<char> raw;
    readArray(loc, name, memType, sizeof(T), raw, expected, path);
    std::vector<T> out(raw.size() / sizeof(T));
    if (!out.empty())
        std::memcpy(out.data(), raw.data(), raw.size());
    return out;
}

// String arrays: written as fixed-length, NUL-padded strings; layout-1 variable-length strings
// are still read.
void writeStrings(hid_t loc, const std::string& name, const std::vector<std::string>& values,
                  const std::string& path);
std::vector<std::string> readStrings(hid_t loc, const std::string& name, const std::string& path,
                                     long long expected = -1);
// A scalar string dataset (the configuration JSON), fixed-length when written.
void writeScalarString(hid_t loc, const std::string& name, const std::string& value, const std::string& path);
std::string readScalarString(hid_t loc, const std::string& name, const std::string& path);

// Flushes everything HDF5 holds for the file and asks the kernel to put it on disk.
void syncToDisk(hid_t file, const std::string& path);

}  // namespace orderlens::hdf5
