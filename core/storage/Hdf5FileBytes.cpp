#include "storage/Hdf5FileBytes.h"

#include "storage/Hdf5.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace orderlens::hdf5 {

namespace {

constexpr std::size_t kMostHeaderChunks = 64;
// Datatype classes (the low 4 bits of a datatype message's first byte).
constexpr int kVariableLengthClass = 9;
// On disk a variable-length value is its length (4), heap collection address (8) and index (4).
constexpr std::uint64_t kVariableLengthBytes = 16;
constexpr std::uint64_t kMostDimensions = 32;  // H5S_MAX_RANK

}  // namespace

std::uint64_t little(const std::uint8_t* p, int bytes)
{
    std::uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

FileBytes::FileBytes(hid_t object, const std::string& path) : path_(path)
{
    Id file = check(H5Iget_file_id(object), H5Fclose, path, "cannot find the file of an object");
    Id access = check(H5Fget_access_plist(file), H5Pclose, path, "cannot read the file's access properties");
    Id creation = check(H5Fget_create_plist(file), H5Pclose, path, "cannot read the file's creation properties");
    std::size_t addressBytes = 0;
    std::size_t lengthBytes = 0;
    hsize_t userBlock = 0;
    check(H5Pget_sizes(creation, &addressBytes, &lengthBytes), path, "cannot read the file's address size");
    check(H5Pget_userblock(creation, &userBlock), path, "cannot read the file's user block size");
    // Layout-1 files have 8-byte addresses and lengths, counted from the file's first byte.
    if (addressBytes != 8 || lengthBytes != 8 || userBlock != 0)
        fail(path, "is not laid out as a layout-1 run file (address sizes or user block)");
    void* handle = nullptr;
    if (H5Pget_driver(access) != H5FD_SEC2 || H5Fget_vfd_handle(file, access, &handle) < 0 || !handle)
        fail(path, "cannot check its metadata: not opened as a plain file");
    fd_ = *static_cast<int*>(handle);
    measure();
}

FileBytes::FileBytes(const std::string& path) : path_(path), owned_(true)
{
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0)
        fail(path, std::string("cannot open the file: ") + std::strerror(errno));
    try {
        measure();
    } catch (...) {
        ::close(fd_);
        throw;
    }
}

FileBytes::~FileBytes()
{
    if (owned_)
        ::close(fd_);
}

void FileBytes::measure()
{
    struct stat st {};
    if (::fstat(fd_, &st) != 0)
        fail(path_, std::string("cannot read the file's size: ") + std::strerror(errno));
    size_ = std::uint64_t(st.st_size);
}

std::vector<std::uint8_t> FileBytes::read(std::uint64_t address, std::uint64_t n, const std::string& what) const
{
    if (n > kLargestBlock || !contains(address, n))
        fail(path_, what + " lies outside the file (damaged file)");
    std::vector<std::uint8_t> out(n);
    std::uint64_t done = 0;
    while (done < n) {
        const ssize_t got = ::pread(fd_, out.data() + done, n - done, off_t(address + done));
        if (got <= 0)
            fail(path_, "cannot read " + what + (got < 0 ? std::string(": ") + std::strerror(errno) : ""));
        done += std::uint64_t(got);
    }
    return out;
}

bool isVersion1Header(const FileBytes& file, std::uint64_t address)
{
    return file.read(address, 1, "an object header")[0] == 1;
}

// A version-1 header: version 1, a reserved byte, the message count (2), reference count (4),
// size of its first chunk (4), 4 bytes of padding; its chunks hold messages of a type (2), size
// (2), flags (1) and 3 reserved bytes, then their data. A continuation message holds the address
// and length (8 each) of the next chunk.
std::vector<HeaderMessage> headerMessages(const FileBytes& file, std::uint64_t address, const std::string& what)
{
    const std::string header = "the object header of " + what;
    const std::vector<std::uint8_t> prefix = file.read(address, 16, header);
    if (prefix[0] != 1)
        fail(file.path(), header + " is not a version-1 header (damaged file)");
    std::vector<std::pair<std::uint64_t, std::uint64_t>> chunks{{address + 16, little(&prefix[8], 4)}};
    std::vector<HeaderMessage> messages;
    for (std::size_t c = 0; c < chunks.size(); ++c) {
        if (c >= kMostHeaderChunks)
            fail(file.path(), header + " has too many continuation chunks (damaged file)");
        const auto [at, size] = chunks[c];
        if (size > kLargestBlock || !file.contains(at, size))
            fail(file.path(), header + " has a chunk of " + std::to_string(size) + " bytes at " + std::to_string(at) +
                                  ", outside the file of " + std::to_string(file.size()) + " bytes (damaged file)");
        const std::vector<std::uint8_t> bytes = file.read(at, size, header);
        std::uint64_t pos = 0;
        while (size - pos >= 8) {
            const std::uint64_t type = little(&bytes[pos], 2);
            const std::uint64_t length = little(&bytes[pos + 2], 2);
            if (length > size - pos - 8)
                fail(file.path(), header + " is damaged: a message overruns its chunk");
            const std::uint8_t* data = &bytes[pos + 8];
            if (type == kContinuationMessage) {
                if (length < 16)
                    fail(file.path(), header + " is damaged: a continuation message is too short");
                chunks.emplace_back(little(data, 8), little(data + 8, 8));
            }
            messages.push_back({type, std::vector<std::uint8_t>(data, data + length)});
            pos += 8 + length;
        }
    }
    return messages;
}

// Versions 1 to 3 of the attribute message: the version, a flags or reserved byte, the sizes of
// the name (with its NUL), datatype and dataspace (2 bytes each), version 3 an encoding byte;
// then those three fields (each padded to 8 bytes in version 1) and the values. A datatype
// message starts with its class and version (1), class bits (3) and the size of a value (4); a
// variable-length one then holds its base type. A dataspace message: version 1 has its version,
// rank, flags, 5 reserved bytes, then the dimensions (8 bytes each); version 2 its version, rank,
// flags and kind (scalar 0, simple 1, null 2), then the dimensions.
AttributeMessage decodeAttribute(const FileBytes& file, const HeaderMessage& message, const std::string& what)
{
    const std::vector<std::uint8_t>& m = message.data;
    const auto damaged = [&](const std::string& why) {
        fail(file.path(), "an attribute message of " + what + " is damaged: " + why);
    };
    if (m.size() < 9 || m[0] < 1 || m[0] > 3)
        damaged("unknown version or too short");
    const int version = m[0];
    if (version >= 2 && m[1] != 0)
        damaged("it refers to shared parts, which run files never use");
    const auto field = [version](std::uint64_t n) { return version == 1 ? padded8(n) : n; };
    const std::uint64_t nameSize = little(&m[2], 2);
    const std::uint64_t typeSize = little(&m[4], 2);
    const std::uint64_t spaceSize = little(&m[6], 2);
    const std::uint64_t nameAt = version == 3 ? 9 : 8;
    const std::uint64_t typeAt = nameAt + field(nameSize);
    const std::uint64_t spaceAt = typeAt + field(typeSize);
    const std::uint64_t valueAt = spaceAt + field(spaceSize);
    if (valueAt > m.size())
        damaged("its parts overrun it");
    AttributeMessage a;
    const char* name = reinterpret_cast<const char*>(&m[nameAt]);
    if (nameSize == 0 || ::strnlen(name, nameSize) != nameSize - 1)
        damaged("its name is not as long as stated");
    a.name.assign(name, nameSize - 1);

    if (typeSize < 8)
        damaged("its datatype is too short");
    a.variableString = (m[typeAt] & 0x0f) == kVariableLengthClass && (m[typeAt + 1] & 0x0f) == 1;
    a.valueSize = little(&m[typeAt + 4], 4);
    if (a.valueSize == 0 || ((m[typeAt] & 0x0f) == kVariableLengthClass && a.valueSize != kVariableLengthBytes))
        damaged("its datatype has an impossible size");

    if (spaceSize < 8 || m[spaceAt] < 1 || m[spaceAt] > 2)
        damaged("its dataspace has an unknown version");
    const std::uint64_t rank = m[spaceAt + 1];
    const bool maxima = m[spaceAt + 2] & 1;
    const std::uint64_t dimsAt = m[spaceAt] == 1 ? 8 : 4;
    if (rank > kMostDimensions || dimsAt + rank * 8 * (maxima ? 2 : 1) > spaceSize)
        damaged("its dataspace overruns it");
    const int kind = m[spaceAt] == 1 ? (rank > 0 ? 1 : 0) : m[spaceAt + 3];
    if (kind > 2 || (kind == 1) != (rank > 0))
        damaged("its dataspace is of an unknown kind");
    a.points = kind == 2 ? 0 : 1;
    for (std::uint64_t d = 0; d < rank; ++d) {
        const std::uint64_t extent = little(&m[spaceAt + dimsAt + 8 * d], 8);
        if (extent != 0 && a.points > kLargestBlock / extent)
            damaged("it holds an impossible number of values");
        a.points *= extent;
    }
    if (a.points > (m.size() - valueAt) / a.valueSize)
        damaged("its values overrun it");
    a.value.assign(m.begin() + std::ptrdiff_t(valueAt), m.begin() + std::ptrdiff_t(valueAt + a.points * a.valueSize));
    return a;
}

}  // namespace orderlens::hdf5
