#pragma once

// An HDF5 file's own bytes, read without HDF5, for checking metadata that has no checksum before
// HDF5 trusts it. Layout-1 run files (superblock 0, version-1 object headers) keep their object
// headers, group indexes and heaps without checksums, and HDF5 1.10 allocates, copies and frees
// according to the sizes and offsets it finds there. The byte layouts are those of the HDF5
// file format specification (version 2.0, which HDF5 1.10 writes for superblock-0 files), for
// files with 8-byte addresses and lengths and no user block, as layout-1 runs are. Internal to
// core/storage.

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace orderlens::hdf5 {

// Bounds that no layout-1 file reaches, so that a damaged size asks for no absurd read.
constexpr std::uint64_t kLargestBlock = std::uint64_t(1) << 30;

std::uint64_t little(const std::uint8_t* p, int bytes);
inline std::uint64_t padded8(std::uint64_t n) { return (n + 7) / 8 * 8; }

class FileBytes {
public:
    // The file of an open HDF5 object, through the descriptor of HDF5's own file driver.
    FileBytes(hid_t object, const std::string& path);
    // A file HDF5 has not opened yet.
    explicit FileBytes(const std::string& path);
    ~FileBytes();
    FileBytes(const FileBytes&) = delete;
    FileBytes& operator=(const FileBytes&) = delete;

    const std::string& path() const { return path_; }
    std::uint64_t size() const { return size_; }
    bool contains(std::uint64_t address, std::uint64_t n) const { return address <= size_ && n <= size_ - address; }
    // `n` bytes from `address`, which must all lie inside the file; `what` names them in errors.
    std::vector<std::uint8_t> read(std::uint64_t address, std::uint64_t n, const std::string& what) const;

private:
    void measure();

    std::string path_;
    int fd_ = -1;
    bool owned_ = false;
    std::uint64_t size_ = 0;
};

// One message of a version-1 object header: its type and its data.
struct HeaderMessage {
    std::uint64_t type = 0;
    std::vector<std::uint8_t> data;
};

constexpr std::uint64_t kContinuationMessage = 0x10;
constexpr std::uint64_t kAttributeMessage = 0x0C;
constexpr std::uint64_t kSymbolTableMessage = 0x11;

// Whether the object header at `address` is a version-1 header (no checksum); version-2 headers
// start with "OHDR" and carry a checksum that HDF5 verifies.
bool isVersion1Header(const FileBytes& file, std::uint64_t address);

// The messages of the version-1 object header at `address`, following its continuation chunks,
// each of which must lie inside the file: HDF5 allocates a chunk's stated length before reading
// it. `what` names the object in errors.
std::vector<HeaderMessage> headerMessages(const FileBytes& file, std::uint64_t address, const std::string& what);

// An attribute message as HDF5 1.10 decodes it: its name, the number of values (1 for a
// scalar), the size of one stored value and the stored values.
struct AttributeMessage {
    std::string name;
    bool variableString = false;
    std::uint64_t points = 0;
    std::uint64_t valueSize = 0;
    std::vector<std::uint8_t> value;
};

// Decodes an attribute message, failing with an error naming `what` unless HDF5 would decode it
// within its bytes: a NUL-terminated name of its stated length, datatype and dataspace inside
// the message, and all its values too (HDF5 1.10 copies name and values without bounds).
AttributeMessage decodeAttribute(const FileBytes& file, const HeaderMessage& message, const std::string& what);

}  // namespace orderlens::hdf5
