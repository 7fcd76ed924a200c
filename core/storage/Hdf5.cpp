#include "storage/Hdf5.h"

#include "common/Errors.h"
#include "storage/Hdf5GlobalHeap.h"
#include "storage/Hdf5Metadata.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <unistd.h>

namespace orderlens::hdf5 {

namespace {

// Bounds that no run file reaches and that keep a damaged size field from asking for an
// absurd allocation before HDF5's own checks have a chance to fail.
constexpr hsize_t kMaxStringBytes = hsize_t(1) << 24;
constexpr hsize_t kMaxArrayBytes = hsize_t(1) << 36;

// Chunks of small arrays: at most this many elements.
constexpr hsize_t kArrayChunk = hsize_t(1) << 16;

Id fixedStringType(std::size_t size, const std::string& path)
{
    Id t = check(H5Tcopy(H5T_C_S1), H5Tclose, path, "cannot make a string type");
    check(H5Tset_size(t, std::max<std::size_t>(size, 1)), path, "cannot size a string type");
    check(H5Tset_strpad(t, H5T_STR_NULLPAD), path, "cannot set string padding");
    check(H5Tset_cset(t, H5T_CSET_UTF8), path, "cannot set string encoding");
    return t;
}

Id variableStringType(const std::string& path)
{
    Id t = check(H5Tcopy(H5T_C_S1), H5Tclose, path, "cannot make a string type");
    check(H5Tset_size(t, H5T_VARIABLE), path, "cannot size a string type");
    check(H5Tset_cset(t, H5T_CSET_UTF8), path, "cannot set string encoding");
    return t;
}

std::string trimmed(const char* p, std::size_t size)
{
    std::size_t n = 0;
    while (n < size && p[n] != '\0')
        ++n;
    return std::string(p, n);
}

// Layout-1 files hold variable-length strings. Their bytes live in HDF5's global heap, which
// has no checksum: the references and the heap are checked before HDF5 reads them
// (Hdf5GlobalHeap.h), the values for plausibility after reading.
std::vector<std::string> readVariableStrings(hid_t obj, bool attribute, hsize_t n, const std::string& name,
                                             const std::string& path)
{
    // HDF5 converts a string through a buffer of its length times the size of its base type,
    // which a damaged datatype can make absurd: a string's base type is one byte.
    Id fileType = check(attribute ? H5Aget_type(obj) : H5Dget_type(obj), H5Tclose, path,
                        "cannot read the type of '" + name + "'");
    Id base = check(H5Tget_super(fileType), H5Tclose, path, "cannot read the type of '" + name + "'");
    if (H5Tget_size(base) != 1)
        fail(path, "the strings of '" + name + "' have a damaged datatype (damaged file)");
    checkVariableStrings(obj, attribute, n, name, path);
    Id type = variableStringType(path);
    std::vector<char*> ptrs(n, nullptr);
    const herr_t st = attribute ? H5Aread(obj, type, ptrs.data())
                                : H5Dread(obj, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data());
    std::vector<std::string> out(n);
    for (hsize_t i = 0; i < n; ++i) {
        if (ptrs[i])
            out[i] = ptrs[i];
        H5free_memory(ptrs[i]);
    }
    check(st, path, "cannot read the strings of '" + name + "' (damaged file?)");
    return out;
}

}  // namespace

bool Id::close()
{
    if (id_ < 0 || !close_)
        return true;
    const herr_t st = close_(id_);
    id_ = H5I_INVALID_HID;
    return st >= 0;
}

void silence()
{
    static const bool done = [] {
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        return true;
    }();
    (void)done;
}

namespace {

// The operating system's error behind the HDF5 call that just failed, when its file driver
// recorded one ("... errno = 28, error message = 'No space left on device' ..."); 0 otherwise.
// It is what the user must fix: a full disk is no damaged file.
// HDF5 clears its error stack when an API call starts, so the stack belongs to the last call.
int systemErrorOfLastFailure()
{
    int code = 0;
    H5Ewalk2(
        H5E_DEFAULT, H5E_WALK_DOWNWARD,
        [](unsigned, const H5E_error2_t* entry, void* found) -> herr_t {
            const char* at = entry->desc ? std::strstr(entry->desc, "errno = ") : nullptr;
            if (at && *static_cast<int*>(found) == 0)
                *static_cast<int*>(found) = std::atoi(at + std::strlen("errno = "));
            return 0;
        },
        &code);
    return code;
}

}  // namespace

void fail(const std::string& path, const std::string& what)
{
    const int code = systemErrorOfLastFailure();
    H5Eclear2(H5E_DEFAULT);
    if (code != 0)
        throw InputError(path, what + ": " + std::strerror(code));
    throw InputError(path, what);
}

Id check(hid_t id, herr_t (*close)(hid_t), const std::string& path, const std::string& what)
{
    if (id < 0)
        fail(path, what);
    return Id(id, close);
}

void check(herr_t status, const std::string& path, const std::string& what)
{
    if (status < 0)
        fail(path, what);
}

bool exists(hid_t loc, const std::string& name) { return H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0; }

Id openGroup(hid_t loc, const std::string& name, const std::string& path)
{
    if (!exists(loc, name))
        fail(path, "missing group '" + name + "'");
    return check(H5Gopen2(loc, name.c_str(), H5P_DEFAULT), H5Gclose, path, "cannot open group '" + name + "' (damaged file?)");
}

Id openDataset(hid_t loc, const std::string& name, const std::string& path)
{
    if (!exists(loc, name))
        fail(path, "missing dataset '" + name + "'");
    return check(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), H5Dclose, path,
                 "cannot open dataset '" + name + "' (damaged file?)");
}

Id createGroup(hid_t loc, const std::string& name, const std::string& path)
{
    return check(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose, path,
                 "cannot create group '" + name + "'");
}

void writeStringAttr(hid_t obj, const std::string& name, const std::string& value, const std::string& path)
{
    Id type = fixedStringType(value.size(), path);
    Id space = check(H5Screate(H5S_SCALAR), H5Sclose, path, "cannot make a dataspace");
    if (H5Aexists(obj, name.c_str()) > 0)
        check(H5Adelete(obj, name.c_str()), path, "cannot replace attribute '" + name + "'");
    Id attr = check(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, path,
                    "cannot create attribute '" + name + "'");
    std::string padded = value;
    padded.resize(std::max<std::size_t>(value.size(), 1), '\0');
    check(H5Awrite(attr, type, padded.data()), path, "cannot write attribute '" + name + "'");
}

void writeIntAttr(hid_t obj, const std::string& name, long long value, const std::string& path)
{
    Id space = check(H5Screate(H5S_SCALAR), H5Sclose, path, "cannot make a dataspace");
    if (H5Aexists(obj, name.c_str()) > 0)
        check(H5Adelete(obj, name.c_str()), path, "cannot replace attribute '" + name + "'");
    Id attr = check(H5Acreate2(obj, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, path,
                    "cannot create attribute '" + name + "'");
    check(H5Awrite(attr, H5T_NATIVE_LLONG, &value), path, "cannot write attribute '" + name + "'");
}

std::string readStringAttr(hid_t obj, const std::string& name, const std::string& path)
{
    if (H5Aexists(obj, name.c_str()) <= 0)
        fail(path, "missing attribute '" + name + "'");
    Id attr = check(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose, path, "cannot open attribute '" + name + "'");
    Id fileType = check(H5Aget_type(attr), H5Tclose, path, "cannot read the type of attribute '" + name + "'");
    Id space = check(H5Aget_space(attr), H5Sclose, path, "cannot read the shape of attribute '" + name + "'");
    if (H5Tget_class(fileType) != H5T_STRING || H5Sget_simple_extent_npoints(space) != 1)
        fail(path, "attribute '" + name + "' is not a string");
    if (H5Tis_variable_str(fileType) > 0)
        return readVariableStrings(attr, true, 1, name, path)[0];
    const std::size_t size = H5Tget_size(fileType);
    if (size == 0 || size > kMaxStringBytes)
        fail(path, "attribute '" + name + "' has an impossible size (damaged file?)");
    Id memType = fixedStringType(size, path);
    std::string out(size, '\0');
    check(H5Aread(attr, memType, out.data()), path, "cannot read attribute '" + name + "'");
    return trimmed(out.data(), size);
}

long long readIntAttr(hid_t obj, const std::string& name, const std::string& path)
{
    if (H5Aexists(obj, name.c_str()) <= 0)
        fail(path, "missing attribute '" + name + "'");
    Id attr = check(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose, path, "cannot open attribute '" + name + "'");
    Id fileType = check(H5Aget_type(attr), H5Tclose, path, "cannot read the type of attribute '" + name + "'");
    Id space = check(H5Aget_space(attr), H5Sclose, path, "cannot read the shape of attribute '" + name + "'");
    if (H5Tget_class(fileType) != H5T_INTEGER || H5Sget_simple_extent_npoints(space) != 1)
        fail(path, "attribute '" + name + "' is not an integer");
    long long v = 0;
    check(H5Aread(attr, H5T_NATIVE_LLONG, &v), path, "cannot read attribute '" + name + "'");
    return v;
}

namespace {

// Names by index (attributes or links): first the length, then the name, both checked.
template <typename NameByIndex>
std::vector<std::string> namesByIndex(hsize_t count, NameByIndex nameAt, const std::string& what,
                                      const std::string& path)
{
    std::vector<std::string> names;
    for (hsize_t i = 0; i < count; ++i) {
        const ssize_t size = nameAt(i, nullptr, 0);
        if (size < 0 || hsize_t(size) > kMaxStringBytes)
            fail(path, "cannot read " + what + " (damaged file?)");
        std::string name(std::size_t(size) + 1, '\0');
        if (nameAt(i, name.data(), name.size()) < 0)
            fail(path, "cannot read " + what + " (damaged file?)");
        name.resize(std::size_t(size));
        names.push_back(name);
    }
    return names;
}

}  // namespace

std::vector<std::string> attributeNames(hid_t obj, const std::string& path)
{
    H5O_info_t info;
    check(H5Oget_info(obj, &info), path, "cannot list attributes (damaged file?)");
    if (std::optional<std::vector<std::string>> names = version1AttributeNames(obj, info.addr, path))
        return *names;
    return namesByIndex(
        info.num_attrs,
        [obj](hsize_t i, char* out, std::size_t size) {
            return H5Aget_name_by_idx(obj, ".", H5_INDEX_NAME, H5_ITER_INC, i, out, size, H5P_DEFAULT);
        },
        "an attribute name", path);
}

std::vector<std::string> linkNames(hid_t group, const std::string& path)
{
    H5G_info_t info;
    check(H5Gget_info(group, &info), path, "cannot list a group (damaged file?)");
    return namesByIndex(
        info.nlinks,
        [group](hsize_t i, char* out, std::size_t size) {
            return H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, out, size, H5P_DEFAULT);
        },
        "a link name", path);
}

std::vector<hsize_t> dimensions(hid_t dataset, int rank, const std::string& name, const std::string& path)
{
    Id space = check(H5Dget_space(dataset), H5Sclose, path, "cannot read the shape of '" + name + "'");
    const int r = H5Sget_simple_extent_ndims(space);
    if (r != rank)
        fail(path, "dataset '" + name + "' has " + std::to_string(r) + " dimensions, expected " + std::to_string(rank));
    std::vector<hsize_t> dims(std::size_t(rank), 0);
    if (rank > 0 && H5Sget_simple_extent_dims(space, dims.data(), nullptr) < 0)
        fail(path, "cannot read the shape of '" + name + "'");
    return dims;
}

void writeArray(hid_t loc, const std::string& name, hid_t fileType, hid_t memType, const void* data, hsize_t n,
                const std::string& path)
{
    Id space = check(H5Screate_simple(1, &n, nullptr), H5Sclose, path, "cannot make a dataspace");
    Id dcpl = check(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, path, "cannot make a property list");
    check(H5Pset_obj_track_times(dcpl, false), path, "cannot set dataset properties");
    if (n > 0) {
        const hsize_t chunk = std::min(n, kArrayChunk);
        check(H5Pset_chunk(dcpl, 1, &chunk), path, "cannot set chunking");
        check(H5Pset_shuffle(dcpl), path, "cannot set the shuffle filter");
        check(H5Pset_deflate(dcpl, 4), path, "cannot set compression");
        check(H5Pset_fletcher32(dcpl), path, "cannot set the checksum filter");
    }
    if (exists(loc, name))
        check(H5Ldelete(loc, name.c_str(), H5P_DEFAULT), path, "cannot replace dataset '" + name + "'");
    Id ds = check(H5Dcreate2(loc, name.c_str(), fileType, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), H5Dclose, path,
                  "cannot create dataset '" + name + "'");
    if (n > 0)
        check(H5Dwrite(ds, memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), path, "cannot write dataset '" + name + "'");
    closeWritten(ds, name, path);
}

void closeWritten(Id& dataset, const std::string& name, const std::string& path)
{
    if (!dataset.close())
        fail(path, "cannot write dataset '" + name + "'");
}

void readArray(hid_t loc, const std::string& name, hid_t memType, std::size_t elementSize, std::vector<char>& out,
               long long expected, const std::string& path)
{
    Id ds = openDataset(loc, name, path);
    const hsize_t n = dimensions(ds, 1, name, path)[0];
    if (expected >= 0 && n != hsize_t(expected))
        fail(path, "dataset '" + name + "' has " + std::to_string(n) + " values, expected " + std::to_string(expected));
    if (n * elementSize > kMaxArrayBytes)
        fail(path, "dataset '" + name + "' has an impossible size (damaged file?)");
    out.assign(std::size_t(n) * elementSize, '\0');
    if (n > 0)
        check(H5Dread(ds, memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), path,
              "cannot read dataset '" + name + "' (damaged or truncated file: checksum or read error)");
}

void writeStrings(hid_t loc, const std::string& name, const std::vector<std::string>& values, const std::string& path)
{
    std::size_t width = 1;
    for (const std::string& v : values)
        width = std::max(width, v.size());
    std::vector<char> packed(values.size() * width, '\0');
    for (std::size_t i = 0; i < values.size(); ++i)
        std::memcpy(packed.data() + i * width, values[i].data(), values[i].size());
    Id type = fixedStringType(width, path);
    writeArray(loc, name, type, type, packed.data(), hsize_t(values.size()), path);
}

std::vector<std::string> readStrings(hid_t loc, const std::string& name, const std::string& path, long long expected)
{
    Id ds = openDataset(loc, name, path);
    const hsize_t n = dimensions(ds, 1, name, path)[0];
    if (expected >= 0 && n != hsize_t(expected))
        fail(path, "dataset '" + name + "' has " + std::to_string(n) + " values, expected " + std::to_string(expected));
    Id fileType = check(H5Dget_type(ds), H5Tclose, path, "cannot read the type of '" + name + "'");
    if (H5Tget_class(fileType) != H5T_STRING)
        fail(path, "dataset '" + name + "' does not hold strings");
    if (H5Tis_variable_str(fileType) > 0) {
        if (n > kMaxArrayBytes / 64)
            fail(path, "dataset '" + name + "' has an impossible size (damaged file?)");
        return n ? readVariableStrings(ds, false, n, name, path) : std::vector<std::string>{};
    }
    const std::size_t width = H5Tget_size(fileType);
    if (width == 0 || width > kMaxStringBytes || n * width > kMaxArrayBytes)
        fail(path, "dataset '" + name + "' has an impossible size (damaged file?)");
    Id memType = fixedStringType(width, path);
    std::vector<char> packed(std::size_t(n) * width, '\0');
    if (n > 0)
        check(H5Dread(ds, memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, packed.data()), path,
              "cannot read dataset '" + name + "' (damaged or truncated file: checksum or read error)");
    std::vector<std::string> out(n);
    for (hsize_t i = 0; i < n; ++i)
        out[i] = trimmed(packed.data() + i * width, width);
    return out;
}

void writeScalarString(hid_t loc, const std::string& name, const std::string& value, const std::string& path)
{
    // Stored as a one-element array so that it gets the checksum filter like every array.
    writeStrings(loc, name, {value}, path);
}

std::string readScalarString(hid_t loc, const std::string& name, const std::string& path)
{
    Id ds = openDataset(loc, name, path);
    Id space = check(H5Dget_space(ds), H5Sclose, path, "cannot read the shape of '" + name + "'");
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank == 0) {  // layout 1: a scalar variable-length string
        Id fileType = check(H5Dget_type(ds), H5Tclose, path, "cannot read the type of '" + name + "'");
        if (H5Tget_class(fileType) != H5T_STRING || H5Tis_variable_str(fileType) <= 0)
            fail(path, "dataset '" + name + "' is not a string");
        return readVariableStrings(ds, false, 1, name, path)[0];
    }
    const std::vector<std::string> values = readStrings(loc, name, path, 1);
    return values[0];
}

void syncToDisk(hid_t file, const std::string& path)
{
    check(H5Fflush(file, H5F_SCOPE_GLOBAL), path, "cannot flush the file to disk (disk full?)");
    void* handle = nullptr;
    if (H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) >= 0 && handle && ::fsync(*static_cast<int*>(handle)) != 0)
        fail(path, "cannot sync the file to disk (disk full or I/O error)");
}

}  // namespace orderlens::hdf5
