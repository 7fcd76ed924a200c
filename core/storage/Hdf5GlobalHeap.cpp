#include "storage/Hdf5GlobalHeap.h"

#include "storage/Hdf5.h"
#include "storage/Hdf5FileBytes.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <utility>
#include <vector>

// The byte layouts below are those of the HDF5 file format specification (version 2.0, which
// HDF5 1.10 writes for superblock-0 files such as layout-1 runs).

namespace orderlens::hdf5 {

namespace {

// A variable-length string as an attribute or dataset stores it: its length (4 bytes), the
// address of its global heap collection (8) and its object's index there (4).
constexpr std::uint64_t kReferenceBytes = 16;
// A global heap collection: "GCOL", version 1, 3 reserved bytes, the collection's size (8). An
// object: its index (2), reference count (2), 4 reserved bytes, its size (8), then its bytes
// padded to a multiple of 8. Index 0 is the free space, whose size counts its own header.
constexpr std::uint64_t kCollectionHeader = 16;
constexpr std::uint64_t kObjectHeader = 16;
constexpr std::uint64_t kSmallestCollection = 4096;  // HDF5 makes no smaller collection

// Global heap collections, decoded the way HDF5 1.10 decodes them, refusing what HDF5 would
// then copy out of bounds: an object running past its collection, an index used twice.
class GlobalHeap {
public:
    explicit GlobalHeap(const FileBytes& file) : file_(file) {}

    // The size of object `index` of the collection at `address`.
    std::uint64_t objectSize(std::uint64_t address, std::uint64_t index, const std::string& name)
    {
        auto collection = collections_.find(address);
        if (collection == collections_.end())
            collection = collections_.emplace(address, decode(address, name)).first;
        const auto object = collection->second.find(index);
        if (object == collection->second.end())
            fail(file_.path(), "a string of '" + name + "' refers to no object of its global heap (damaged file)");
        return object->second;
    }

private:
    std::map<std::uint64_t, std::uint64_t> decode(std::uint64_t address, const std::string& name) const
    {
        const std::string what = "the global heap collection of '" + name + "'";
        const std::vector<std::uint8_t> head = file_.read(address, kCollectionHeader, what);
        if (std::memcmp(head.data(), "GCOL", 4) != 0 || head[4] != 1)
            fail(file_.path(), what + " is not a heap collection (damaged file)");
        const std::uint64_t size = little(head.data() + 8, 8);
        if (size < kSmallestCollection)
            fail(file_.path(), what + " has an impossible size (damaged file)");
        const std::vector<std::uint8_t> bytes = file_.read(address, size, what);
        std::map<std::uint64_t, std::uint64_t> objects;
        std::uint64_t at = kCollectionHeader;
        // Like HDF5, a tail too short for an object header is free space.
        while (size - at >= kObjectHeader) {
            const std::uint64_t left = size - at;
            const std::uint64_t index = little(&bytes[at], 2);
            const std::uint64_t objectSize = little(&bytes[at + 8], 8);
            const bool fits = index == 0 ? objectSize >= kObjectHeader && objectSize <= left
                                         : objectSize <= left - kObjectHeader &&
                                               kObjectHeader + padded8(objectSize) <= left;
            if (!fits || (index != 0 && !objects.emplace(index, objectSize).second))
                fail(file_.path(), what + " is damaged: an object overruns it or appears twice");
            at += index == 0 ? objectSize : kObjectHeader + padded8(objectSize);
        }
        return objects;
    }

    const FileBytes& file_;
    std::map<std::uint64_t, std::map<std::uint64_t, std::uint64_t>> collections_;
};

// Every reference must point at an object of exactly the string's length: HDF5 allocates the
// length the reference gives and copies the object's size into it.
void checkReferences(GlobalHeap& heap, const std::uint8_t* references, std::uint64_t bytes, hsize_t count,
                     const std::string& name, const std::string& path)
{
    if (bytes / kReferenceBytes < count)
        fail(path, "the strings of '" + name + "' are shorter than their shape (damaged file)");
    for (hsize_t i = 0; i < count; ++i) {
        const std::uint8_t* reference = references + i * kReferenceBytes;
        const std::uint64_t length = little(reference, 4);
        const std::uint64_t address = little(reference + 4, 8);
        const std::uint64_t index = little(reference + 12, 4);
        if (address == 0)
            continue;  // a null string: HDF5 reads nothing from the heap
        if (heap.objectSize(address, index, name) != length)
            fail(path, "a string of '" + name + "' does not match its global heap object (damaged file)");
    }
}

// The stored values of the attributes called `name` in the version-1 object header at `address`.
std::vector<std::vector<std::uint8_t>> attributeValues(const FileBytes& file, std::uint64_t address,
                                                       const std::string& name)
{
    std::vector<std::vector<std::uint8_t>> values;
    for (const HeaderMessage& message : headerMessages(file, address, "attribute '" + name + "'"))
        if (message.type == kAttributeMessage) {
            AttributeMessage attribute = decodeAttribute(file, message, "attribute '" + name + "'");
            if (attribute.name == name)
                values.push_back(std::move(attribute.value));
        }
    return values;
}

// A chunk's bytes with its filters undone (the last one applied first), as HDF5 would before
// converting its strings: only the filters layout 1 used.
std::vector<std::uint8_t> unfiltered(std::vector<std::uint8_t> bytes, hid_t creation, unsigned skipped,
                                     std::uint64_t expected, const std::string& what, const std::string& path)
{
    const int filters = H5Pget_nfilters(creation);
    if (filters < 0 || filters > 32)
        fail(path, "cannot read the filters of " + what);
    for (int i = filters - 1; i >= 0; --i) {
        if (skipped & (1u << unsigned(i)))
            continue;
        unsigned flags = 0;
        std::size_t values = 0;
        unsigned config = 0;
        const H5Z_filter_t filter = H5Pget_filter2(creation, unsigned(i), &flags, &values, nullptr, 0, nullptr, &config);
        if (filter == H5Z_FILTER_FLETCHER32) {
            if (bytes.size() < 4)
                fail(path, what + " is too short for its checksum (damaged file)");
            bytes.resize(bytes.size() - 4);
        } else if (filter == H5Z_FILTER_DEFLATE) {
            // Deflate expands its input at most about 1032 times: a chunk that cannot reach its
            // size is refused before its buffer is made.
            if (expected > 1032 * std::uint64_t(bytes.size()) + 1024)
                fail(path, what + " does not inflate to its size (damaged file)");
            std::vector<std::uint8_t> out(expected);
            uLongf outSize = uLongf(expected);
            if (::uncompress(out.data(), &outSize, bytes.data(), uLong(bytes.size())) != Z_OK || outSize != expected)
                fail(path, what + " does not inflate to its size (damaged file)");
            bytes = std::move(out);
        } else if (filter == H5Z_FILTER_SHUFFLE) {
            // Byte k of every element was stored together: element e's byte k is at k * n + e.
            const std::uint64_t n = bytes.size() / kReferenceBytes;
            std::vector<std::uint8_t> out(bytes);
            for (std::uint64_t e = 0; e < n; ++e)
                for (std::uint64_t k = 0; k < kReferenceBytes; ++k)
                    out[e * kReferenceBytes + k] = bytes[k * n + e];
            bytes = std::move(out);
        } else {
            fail(path, what + " uses a filter that layout-1 run files do not use");
        }
    }
    if (bytes.size() != expected)
        fail(path, what + " does not have its size (damaged file)");
    return bytes;
}

// Checks the references of a dataset's `count` strings, in its contiguous storage or its chunks
// of one dimension (what layout 1 wrote); unwritten storage holds null strings.
void checkDataset(const FileBytes& file, GlobalHeap& heap, hid_t dataset, hsize_t count, const std::string& name,
                  const std::string& path)
{
    const std::string what = "the strings of '" + name + "'";
    Id creation = check(H5Dget_create_plist(dataset), H5Pclose, path, "cannot read the storage of '" + name + "'");
    const H5D_layout_t layout = H5Pget_layout(creation);
    if (layout == H5D_CONTIGUOUS) {
        const haddr_t address = H5Dget_offset(dataset);
        if (address != HADDR_UNDEF) {
            const std::vector<std::uint8_t> references = file.read(address, count * kReferenceBytes, what);
            checkReferences(heap, references.data(), references.size(), count, name, path);
        }
        return;
    }
    hsize_t chunk = 0;
    if (layout != H5D_CHUNKED || H5Pget_chunk(creation, 1, &chunk) != 1 || chunk == 0 ||
        chunk > kLargestBlock / kReferenceBytes)
        fail(path, what + " are not stored as layout-1 run files store them");
    Id space = check(H5Dget_space(dataset), H5Sclose, path, "cannot read the shape of '" + name + "'");
    hsize_t chunks = 0;
    check(H5Dget_num_chunks(dataset, space, &chunks), path, "cannot list the chunks of '" + name + "'");
    for (hsize_t i = 0; i < chunks; ++i) {
        hsize_t offset[H5S_MAX_RANK] = {};
        unsigned skipped = 0;
        haddr_t address = HADDR_UNDEF;
        hsize_t stored = 0;
        check(H5Dget_chunk_info(dataset, space, i, offset, &skipped, &address, &stored), path,
              "cannot locate a chunk of '" + name + "'");
        if (offset[0] >= count || offset[0] % chunk != 0)
            fail(path, "a chunk of '" + name + "' lies outside it (damaged file)");
        const std::vector<std::uint8_t> references =
            unfiltered(file.read(address, stored, what), creation, skipped, chunk * kReferenceBytes, what, path);
        checkReferences(heap, references.data(), references.size(), std::min<hsize_t>(chunk, count - offset[0]),
                        name, path);
    }
}

}  // namespace

void checkVariableStrings(hid_t object, bool attribute, hsize_t count, const std::string& name,
                          const std::string& path)
{
    if (count == 0)
        return;
    if (count > kLargestBlock / kReferenceBytes)
        fail(path, "'" + name + "' holds an impossible number of strings (damaged file?)");
    const FileBytes file(object, path);
    GlobalHeap heap(file);
    if (!attribute) {
        checkDataset(file, heap, object, count, name, path);
        return;
    }
    // An attribute's header is its object's: HDF5 resolves an attribute to the object it is on.
    H5O_info_t info;
    check(H5Oget_info2(object, &info, H5O_INFO_BASIC), path, "cannot locate attribute '" + name + "'");
    const std::vector<std::vector<std::uint8_t>> values = attributeValues(file, info.addr, name);
    if (values.empty())
        fail(path, "cannot find attribute '" + name + "' in its object header (damaged file?)");
    for (const std::vector<std::uint8_t>& value : values)
        checkReferences(heap, value.data(), value.size(), count, name, path);
}

}  // namespace orderlens::hdf5
