#include "storage/Hdf5Metadata.h"

#include "storage/Hdf5.h"
#include "storage/Hdf5FileBytes.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <set>

// The byte layouts are those of the HDF5 file format specification (version 2.0), for superblock
// versions 0 and 1 with 8-byte addresses and lengths, version-1 B-trees of groups, symbol table
// nodes and local heaps, as HDF5 1.10 writes them and layout-1 run files hold them.

namespace orderlens::hdf5 {

namespace {

constexpr std::uint64_t kUndefined = ~std::uint64_t(0);
// A local heap: "HEAP", version 0, 3 reserved bytes, its data segment's size (8), the offset of
// its first free block (8, or 1 for none) and the data segment's address (8). A free block
// starts with the offset of the next one (8) and its own size (8).
constexpr std::uint64_t kLocalHeapPrefix = 32;
constexpr std::uint64_t kNoFreeBlock = 1;
constexpr std::uint64_t kFreeBlockHeader = 16;
// A version-1 B-tree node: "TREE", its type (0 for a group's), level (1), entries used (2), left
// and right siblings (8 each); then keys (8: the offset of a name in the group's local heap) and
// children (8: addresses) alternating, one key more than children.
constexpr std::uint64_t kTreeNodeHeader = 24;
constexpr int kMostTreeLevels = 64;
// A symbol table node: "SNOD", version 1, a reserved byte, the number of entries (2), then
// entries of 40 bytes: the name's offset in the local heap (8), the object header's address (8),
// the cache type (4), 4 reserved bytes and a scratch pad (16).
constexpr std::uint64_t kSymbolNodeHeader = 8;
constexpr std::uint64_t kSymbolEntry = 40;
// More metadata blocks than any run file has: a damaged file is not walked forever.
constexpr std::size_t kMostBlocks = std::size_t(1) << 20;

class MetadataWalk {
public:
    MetadataWalk(const FileBytes& file, std::uint64_t leafK, std::uint64_t internalK)
        : file_(file), leafK_(leafK), internalK_(internalK)
    {
    }

    // The object header at `address` of the object called `name` ("/a/b"), and the group it is,
    // if it is one.
    void object(std::uint64_t address, const std::string& name)
    {
        if (!visit(address) || !isVersion1Header(file_, address))
            return;  // seen, or a version-2 header under a checksum that HDF5 verifies
        const std::string what = name == "/" ? "the root group" : "'" + name + "'";
        for (const HeaderMessage& message : headerMessages(file_, address, what)) {
            if (message.type == kAttributeMessage)
                decodeAttribute(file_, message, what);
            else if (message.type == kSymbolTableMessage) {
                if (message.data.size() < 16)
                    damaged(what, "its symbol table message is too short");
                const std::vector<std::uint8_t> names = localHeap(little(message.data.data() + 8, 8), what);
                node(little(message.data.data(), 8), names, -1, name);
            }
        }
    }

private:
    [[noreturn]] void damaged(const std::string& what, const std::string& why) const
    {
        fail(file_.path(), what + " is damaged: " + why);
    }

    bool visit(std::uint64_t address)
    {
        if (!seen_.insert(address).second)
            return false;
        if (seen_.size() > kMostBlocks)
            fail(file_.path(), "has more metadata than any run file (damaged file?)");
        return true;
    }

    // The data segment of the local heap at `address`, after checking its free list as HDF5
    // walks it (which reads each free block's header and never stops on a cycle).
    std::vector<std::uint8_t> localHeap(std::uint64_t address, const std::string& what)
    {
        const std::string heap = "the local heap of " + what;
        const std::vector<std::uint8_t> prefix = file_.read(address, kLocalHeapPrefix, heap);
        if (std::memcmp(prefix.data(), "HEAP", 4) != 0 || prefix[4] != 0)
            damaged(heap, "no local heap there");
        const std::uint64_t size = little(&prefix[8], 8);
        const std::uint64_t dataAt = little(&prefix[24], 8);
        if (size > kLargestBlock || !file_.contains(dataAt, size))
            damaged(heap, "its data segment of " + std::to_string(size) + " bytes lies outside the file");
        std::vector<std::uint8_t> data = file_.read(dataAt, size, heap);
        std::uint64_t free = little(&prefix[16], 8);
        for (std::uint64_t steps = 0; free != kNoFreeBlock; ++steps) {
            if (steps > size / kFreeBlockHeader || free > size || size - free < kFreeBlockHeader)
                damaged(heap, "its free list runs outside it or in a circle");
            const std::uint64_t next = little(&data[free], 8);
            if (little(&data[free + 8], 8) > size - free)
                damaged(heap, "a free block runs past its end");
            free = next;
        }
        return data;
    }

    // A name in a group's local heap: HDF5 reads it up to its NUL.
    std::string name(const std::vector<std::uint8_t>& names, std::uint64_t offset, const std::string& what) const
    {
        if (offset >= names.size() || std::find(names.begin() + std::ptrdiff_t(offset), names.end(), 0) == names.end())
            damaged(what, "a name lies outside its local heap");
        return reinterpret_cast<const char*>(&names[offset]);
    }

    // A node of the B-tree of the group called `group`, whose level must be `level` (-1: the root).
    void node(std::uint64_t address, const std::vector<std::uint8_t>& names, int level, const std::string& group)
    {
        const std::string tree = "the group index of '" + group + "'";
        if (!visit(address))
            damaged(tree, "a node appears twice");
        const std::vector<std::uint8_t> head = file_.read(address, kTreeNodeHeader, tree);
        const int nodeLevel = head[5];
        const std::uint64_t entries = little(&head[6], 2);
        if (std::memcmp(head.data(), "TREE", 4) != 0 || head[4] != 0 || nodeLevel >= kMostTreeLevels ||
            (level >= 0 && nodeLevel != level - 1) || entries > 2 * internalK_)
            damaged(tree, "no node of its kind, level and size there");
        // HDF5 reads the whole node, whose size the superblock's K fixes.
        if (!file_.contains(address, kTreeNodeHeader + (4 * internalK_ + 1) * 8))
            damaged(tree, "a node runs past the end of the file");
        const std::vector<std::uint8_t> body = file_.read(address + kTreeNodeHeader, (2 * entries + 1) * 8, tree);
        for (std::uint64_t i = 0; i <= entries; ++i)
            name(names, little(&body[16 * i], 8), tree);
        for (std::uint64_t i = 0; i < entries; ++i) {
            const std::uint64_t child = little(&body[16 * i + 8], 8);
            if (nodeLevel == 0)
                symbols(child, names, group);
            else
                node(child, names, nodeLevel, group);
        }
    }

    // A symbol table node of the group called `group`, and the objects it names. (HDF5 reads the
    // copies of a group's index addresses that an entry may hold only when writing.)
    void symbols(std::uint64_t address, const std::vector<std::uint8_t>& names, const std::string& group)
    {
        const std::string node = "a symbol table node of '" + group + "'";
        if (!visit(address))
            damaged(node, "it appears twice");
        const std::vector<std::uint8_t> head = file_.read(address, kSymbolNodeHeader, node);
        const std::uint64_t count = little(&head[6], 2);
        if (std::memcmp(head.data(), "SNOD", 4) != 0 || head[4] != 1 || count > 2 * leafK_)
            damaged(node, "no symbol table node there, or more entries than it holds");
        if (!file_.contains(address, kSymbolNodeHeader + 2 * leafK_ * kSymbolEntry))
            damaged(node, "it runs past the end of the file");
        const std::vector<std::uint8_t> entries = file_.read(address + kSymbolNodeHeader, count * kSymbolEntry, node);
        for (std::uint64_t i = 0; i < count; ++i) {
            const std::uint8_t* entry = &entries[i * kSymbolEntry];
            object(little(entry + 8, 8), (group == "/" ? "/" : group + "/") + name(names, little(entry, 8), node));
        }
    }

    const FileBytes& file_;
    std::uint64_t leafK_;
    std::uint64_t internalK_;
    std::set<std::uint64_t> seen_;
};

}  // namespace

void checkUnchecksummedMetadata(const std::string& path)
{
    const FileBytes file(path);
    // Superblock 0 and 1: the signature (8), versions of the superblock, free space, root entry
    // and shared headers, the sizes of addresses and lengths (1 byte each), a reserved byte, the
    // group leaf and internal node K (2 each), flags (4), in version 1 the chunk index K (2) and 2
    // reserved bytes; then the base, free-space, end-of-file and driver addresses (8 each) and
    // the root group's symbol table entry (40, laid out as a symbol table node's).
    const std::vector<std::uint8_t> head = file.read(0, 9, "the superblock");
    const int version = head[8];
    if (version >= 2)
        return;  // checksummed superblock and metadata
    const std::uint64_t rootAt = version == 1 ? 60 : 56;
    const std::vector<std::uint8_t> sb = file.read(0, rootAt + kSymbolEntry, "the superblock");
    const std::uint64_t leafK = little(&sb[16], 2);
    const std::uint64_t internalK = little(&sb[18], 2);
    const std::uint64_t base = little(&sb[rootAt - 32], 8);
    if (sb[13] != 8 || sb[14] != 8 || base != 0 || leafK == 0 || internalK == 0)
        fail(path, "the superblock is damaged or not laid out as a layout-1 run file's");
    MetadataWalk walk(file, leafK, internalK);
    walk.object(little(&sb[rootAt + 8], 8), "/");
}

std::optional<std::vector<std::string>> version1AttributeNames(hid_t object, haddr_t address,
                                                               const std::string& path)
{
    Id file = check(H5Iget_file_id(object), H5Fclose, path, "cannot find the file of an object");
    H5F_info2_t info;
    check(H5Fget_info2(file, &info), path, "cannot read the file's superblock version");
    if (info.super.version >= 2)
        return std::nullopt;  // checksummed metadata
    const FileBytes bytes(object, path);
    if (!isVersion1Header(bytes, address))
        return std::nullopt;
    std::vector<std::string> names;
    for (const HeaderMessage& message : headerMessages(bytes, address, "an object"))
        if (message.type == kAttributeMessage)
            names.push_back(decodeAttribute(bytes, message, "an object").name);
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace orderlens::hdf5
