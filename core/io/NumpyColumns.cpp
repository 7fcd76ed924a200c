#include "io/NumpyColumns.h"

#include "common/Errors.h"

#include <zip.h>

#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>
#include <regex>

namespace orderlens {

namespace {

constexpr char kNpyMagic[] = "\x93NUMPY";

struct FieldType {
    std::string name, type;
    char kind = 0;
    std::size_t bytes = 0;
};

// The Python literal that follows 'key': in a .npy header: a quoted string, a [...] list or a
// (...) tuple, as written.
std::string headerValue(const std::string& header, const std::string& key, const std::string& where)
{
    const std::size_t at = header.find("'" + key + "'");
    if (at == std::string::npos)
        throw InputError(where, "NumPy header has no '" + key + "' entry");
    std::size_t i = header.find(':', at);
    if (i == std::string::npos)
        throw InputError(where, "NumPy header entry '" + key + "' has no value");
    ++i;
    while (i < header.size() && header[i] == ' ')
        ++i;
    if (i >= header.size())
        throw InputError(where, "NumPy header entry '" + key + "' has no value");
    const char open = header[i];
    if (open == '\'') {
        const std::size_t close = header.find('\'', i + 1);
        if (close == std::string::npos)
            throw InputError(where, "NumPy header entry '" + key + "' is not closed");
        return header.substr(i, close + 1 - i);
    }
    if (open == '[' || open == '(') {
        int depth = 0;
        for (std::size_t j = i; j < header.size(); ++j) {
            if (header[j] == '[' || header[j] == '(')
                ++depth;
            else if ((header[j] == ']' || header[j] == ')') && --depth == 0)
                return header.substr(i, j + 1 - i);
        }
        throw InputError(where, "NumPy header entry '" + key + "' is not closed");
    }
    const std::size_t end = header.find_first_of(",}", i);
    return header.substr(i, end == std::string::npos ? std::string::npos : end - i);
}

// A NumPy type string such as "<i8", "|b1", "<U12" or "|S5".
FieldType parseType(const std::string& name, const std::string& type, const std::string& where)
{
    static const std::regex kType(R"(([<>|=])([biufUSO])(\d*))");
    std::smatch m;
    if (!std::regex_match(type, m, kType))
        throw InputError(where, "'" + name + "' has NumPy type '" + type +
                                    "', which is not read (expected integers, booleans, float32/float64 or "
                                    "fixed-width strings)");
    FieldType f;
    f.name = name;
    f.type = type;
    f.kind = m[2].str()[0];
    if (f.kind == 'O')
        throw InputError(where, "'" + name + "' is an array of Python objects (pickled), which is not read; save "
                                    "text columns as fixed-width strings, e.g. np.array(keys, dtype=str)");
    if (m[3].str().empty())
        throw InputError(where, "'" + name + "' has NumPy type '" + type + "', which is not read");
    const std::size_t count = std::stoul(m[3].str());
    f.bytes = f.kind == 'U' ? 4 * count : count;
    const bool sizeOk = f.kind == 'b'   ? count == 1
                        : f.kind == 'f' ? count == 4 || count == 8
                        : (f.kind == 'i' || f.kind == 'u') ? count == 1 || count == 2 || count == 4 || count == 8
                                                           : count > 0;
    if (!sizeOk)
        throw InputError(where, "'" + name + "' has NumPy type '" + type + "', which is not read");
    if (m[1].str() == ">" && f.kind != 'S' && f.bytes > 1)
        throw InputError(where, "'" + name + "' is big-endian ('" + type +
                                    "'); save it little-endian (astype('<...')) to import it");
    return f;
}

// The fields of a structured type: [('network', '<i8'), ('key', '<U12'), ...].
std::vector<FieldType> parseFields(const std::string& descr, const std::string& member, const std::string& where)
{
    if (descr.size() >= 2 && descr.front() == '\'') {
        FieldType plain = parseType(member, descr.substr(1, descr.size() - 2), where);
        plain.name.clear();  // named by the member, see NumpyParser
        return {plain};
    }
    static const std::regex kField(R"(\(\s*'([^']*)'\s*,\s*'([^']*)'\s*(,[^)]*)?\))");
    std::vector<FieldType> fields;
    for (auto it = std::sregex_iterator(descr.begin(), descr.end(), kField); it != std::sregex_iterator(); ++it) {
        if ((*it)[3].matched)
            throw InputError(where, "field '" + (*it)[1].str() + "' holds sub-arrays; only one value per row is read");
        fields.push_back(parseType((*it)[1].str(), (*it)[2].str(), where));
    }
    if (fields.empty())
        throw InputError(where, "NumPy type " + descr + " is not read");
    return fields;
}

}  // namespace

NpyHeader readNpyHeader(const std::string& bytes, const std::string& where)
{
    if (bytes.size() < 10 || std::memcmp(bytes.data(), kNpyMagic, 6) != 0)
        throw InputError(where, "not a NumPy .npy file (the \\x93NUMPY signature is missing)");
    const int major = static_cast<unsigned char>(bytes[6]);
    std::size_t headerLength = 0, headerStart = 0;
    if (major == 1) {
        headerLength = std::size_t(static_cast<unsigned char>(bytes[8])) |
                       std::size_t(static_cast<unsigned char>(bytes[9])) << 8;
        headerStart = 10;
    } else if (major == 2) {
        if (bytes.size() < 12)
            throw InputError(where, "truncated NumPy header");
        for (int i = 0; i < 4; ++i)
            headerLength |= std::size_t(static_cast<unsigned char>(bytes[std::size_t(8 + i)])) << (8 * i);
        headerStart = 12;
    } else {
        throw InputError(where, "NumPy format version " + std::to_string(major) + "." +
                                    std::to_string(static_cast<unsigned char>(bytes[7])) +
                                    " is not supported (expected 1.0 or 2.0)");
    }
    if (bytes.size() < headerStart + headerLength)
        throw InputError(where, "truncated NumPy header");
    const std::string text = bytes.substr(headerStart, headerLength);
    NpyHeader h;
    h.descr = headerValue(text, "descr", where);
    const std::string order = headerValue(text, "fortran_order", where);
    if (order != "False" && order != "True")
        throw InputError(where, "NumPy header has fortran_order " + order);
    h.fortranOrder = order == "True";
    h.shapeText = headerValue(text, "shape", where);
    static const std::regex kShape(R"(\(\s*(\d+\s*(,\s*\d+\s*)*,?)?\s*\))");
    if (!std::regex_match(h.shapeText, kShape))
        throw InputError(where, "NumPy header has shape " + h.shapeText);
    static const std::regex kDimension(R"(\d+)");
    for (auto it = std::sregex_iterator(h.shapeText.begin(), h.shapeText.end(), kDimension); it != std::sregex_iterator();
         ++it) {
        std::size_t dimension = 0;
        const std::string digits = it->str();
        if (std::from_chars(digits.data(), digits.data() + digits.size(), dimension).ec != std::errc())
            throw InputError(where, "NumPy header has shape " + h.shapeText + ", too large a dimension");
        h.shape.push_back(dimension);
    }
    h.dataStart = headerStart + headerLength;
    return h;
}

// Builds columns from one .npy image (file or archive member).
struct NumpyParser {
    static std::vector<NumpyColumn> parse(std::string bytes, const std::string& member, const std::string& where)
    {
        const NpyHeader header = readNpyHeader(bytes, where);
        const std::vector<FieldType> fields = parseFields(header.descr, member, where);
        if (header.shape.size() != 1)
            throw InputError(where, "array shape " + header.shapeText + " is not one-dimensional (one value per record)");
        const std::size_t length = header.shape.front();
        const std::string& shape = header.shapeText;
        const std::size_t dataStart = header.dataStart;
        std::size_t rowBytes = 0;
        for (const FieldType& f : fields)
            rowBytes += f.bytes;
        if (length != 0 && (length * rowBytes) / length != rowBytes)
            throw InputError(where, "array shape " + shape + " is too large");
        if (bytes.size() - dataStart != length * rowBytes)
            throw InputError(where, "holds " + std::to_string(bytes.size() - dataStart) + " data bytes, but shape " +
                                        shape + " needs " + std::to_string(length * rowBytes) +
                                        " (truncated or damaged)");
        auto shared = std::make_shared<const std::string>(std::move(bytes));
        std::vector<NumpyColumn> columns;
        std::size_t offset = dataStart;
        for (const FieldType& f : fields) {
            NumpyColumn c;
            c.name_ = f.name.empty() ? member : f.name;
            c.type_ = f.type;
            c.kind_ = f.kind;
            c.itemBytes_ = f.bytes;
            c.length_ = length;
            c.offset_ = offset;
            c.stride_ = rowBytes;
            c.bytes_ = shared;
            columns.push_back(std::move(c));
            offset += f.bytes;
        }
        return columns;
    }
};

double NumpyColumn::number(std::size_t i) const
{
    if (kind_ == 'f') {
        const char* p = bytes_->data() + offset_ + i * stride_;
        if (itemBytes_ == 4) {
            float f;
            std::memcpy(&f, p, 4);
            return double(f);
        }
        double d;
        std::memcpy(&d, p, 8);
        return d;
    }
    return double(integer(i));
}

std::int64_t NumpyColumn::integer(std::size_t i) const
{
    const char* p = bytes_->data() + offset_ + i * stride_;
    // Values are little-endian (checked on reading), as is every platform OrderLens builds on.
    if (kind_ == 'u' || kind_ == 'b') {
        std::uint64_t v = 0;
        std::memcpy(&v, p, itemBytes_);
        return std::int64_t(v);
    }
    if (kind_ == 'i') {
        std::uint64_t v = 0;
        std::memcpy(&v, p, itemBytes_);
        const unsigned shift = unsigned(64 - 8 * itemBytes_);
        return std::int64_t(v << shift) >> shift;  // sign-extends narrower integers
    }
    return std::int64_t(number(i));
}

std::string NumpyColumn::text(std::size_t i) const
{
    const char* p = bytes_->data() + offset_ + i * stride_;
    std::string out;
    if (kind_ == 'S') {
        std::size_t n = itemBytes_;
        while (n > 0 && p[n - 1] == '\0')
            --n;
        return std::string(p, n);
    }
    for (std::size_t k = 0; k < itemBytes_ / 4; ++k) {
        std::uint32_t c;
        std::memcpy(&c, p + 4 * k, 4);
        if (c == 0)
            break;
        if (c < 0x80) {
            out += char(c);
        } else if (c < 0x800) {
            out += char(0xC0 | (c >> 6));
            out += char(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out += char(0xE0 | (c >> 12));
            out += char(0x80 | ((c >> 6) & 0x3F));
            out += char(0x80 | (c & 0x3F));
        } else {
            out += char(0xF0 | (c >> 18));
            out += char(0x80 | ((c >> 12) & 0x3F));
            out += char(0x80 | ((c >> 6) & 0x3F));
            out += char(0x80 | (c & 0x3F));
        }
    }
    return out;
}

namespace {

std::vector<NumpyColumn> readArchive(const std::string& path)
{
    int error = 0;
    zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY, &error);
    if (!archive) {
        zip_error_t e;
        zip_error_init_with_code(&e, error);
        const std::string why = zip_error_strerror(&e);
        zip_error_fini(&e);
        throw InputError(path, "cannot read it as a .npz (zip) archive: " + why);
    }
    struct Closer {
        zip_t* z;
        ~Closer() { zip_discard(z); }
    } closer{archive};
    std::vector<NumpyColumn> columns;
    const zip_int64_t entries = zip_get_num_entries(archive, 0);
    for (zip_int64_t e = 0; e < entries; ++e) {
        zip_stat_t st;
        if (zip_stat_index(archive, zip_uint64_t(e), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
            !(st.valid & ZIP_STAT_NAME))
            throw InputError(path, "member " + std::to_string(e) + " of the archive cannot be read");
        std::string member = st.name;
        const std::string where = path + " (" + member + ")";
        if (member.size() < 4 || member.compare(member.size() - 4, 4, ".npy") != 0)
            throw InputError(where, "a .npz archive holds only .npy arrays");
        member.resize(member.size() - 4);
        zip_file_t* file = zip_fopen_index(archive, zip_uint64_t(e), 0);
        if (!file)
            throw InputError(where, std::string("cannot open the member: ") + zip_strerror(archive));
        std::string bytes(st.size, '\0');
        const zip_int64_t got = zip_fread(file, bytes.data(), st.size);
        const bool closed = zip_fclose(file) == 0;
        if (got < 0 || zip_uint64_t(got) != st.size || !closed)
            throw InputError(where, "the member is truncated or damaged (its checksum or size does not match)");
        for (NumpyColumn& c : NumpyParser::parse(std::move(bytes), member, where))
            columns.push_back(std::move(c));
    }
    return columns;
}

}  // namespace

std::vector<NumpyColumn> readNumpyColumns(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(path, "cannot open the file");
    char head[6] = {};
    in.read(head, 6);
    if (in.gcount() == 6 && std::memcmp(head, kNpyMagic, 6) == 0) {
        in.seekg(0);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::vector<NumpyColumn> columns = NumpyParser::parse(std::move(bytes), "", path);
        if (columns.size() == 1 && columns.front().name().empty())
            throw InputError(path, "holds a plain array; a .npy of records must be a structured array with named "
                                   "fields (np.save(path, dataframe.to_records(index=False))), or use a .npz");
        return columns;
    }
    in.close();
    return readArchive(path);
}

}  // namespace orderlens
