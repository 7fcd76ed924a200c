#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace orderlens {

// The header of a NumPy .npy image (format 1.0 or 2.0): its type description as written
// (e.g. "'<f8'" or a structured "[('key', '<U12'), ...]"), its shape and where its data start.
struct NpyHeader {
    std::string descr;
    std::vector<std::size_t> shape;
    std::string shapeText;  // as written, for messages
    bool fortranOrder = false;
    std::size_t dataStart = 0;
};
// Throws InputError naming `where` when the bytes are not a .npy image or its header is damaged.
NpyHeader readNpyHeader(const std::string& bytes, const std::string& where);

// One named column of values from NumPy files: a one-dimensional array of a .npz archive
// (named after its member, without ".npy") or one field of a structured .npy array (what
// `np.save(path, dataframe.to_records(index=False))` writes). Numbers may be booleans, signed or
// unsigned integers of any width, or float32/float64; text may be fixed-width unicode ('<U')
// or bytes ('S'). Pickled object arrays are refused (NumPy writes Python strings that way
// unless told dtype=str).
class NumpyColumn {
public:
    const std::string& name() const { return name_; }
    std::size_t size() const { return length_; }
    bool isText() const { return kind_ == 'U' || kind_ == 'S'; }
    bool isInteger() const { return kind_ == 'i' || kind_ == 'u' || kind_ == 'b'; }
    bool isFloat() const { return kind_ == 'f'; }
    // The NumPy type as written in the file, e.g. "<i8", for messages.
    const std::string& type() const { return type_; }

    // Row i as a number (integers convert exactly up to 2^53) or as text (UTF-8, trailing NULs
    // dropped). The caller checks isText() / isInteger() / isFloat() first.
    double number(std::size_t i) const;
    std::int64_t integer(std::size_t i) const;
    std::string text(std::size_t i) const;

private:
    friend std::vector<NumpyColumn> readNumpyColumns(const std::string& path);
    friend struct NumpyParser;
    std::string name_, type_;
    char kind_ = 0;               // 'b' bool, 'i', 'u', 'f', 'U', 'S'
    std::size_t itemBytes_ = 0;   // bytes of one value
    std::size_t length_ = 0;
    std::size_t offset_ = 0;      // of the column's first value in bytes_
    std::size_t stride_ = 0;      // bytes from one row to the next
    std::shared_ptr<const std::string> bytes_;  // the array's data, shared by a structure's fields
};

// Every column of a .npz archive (stored or deflated members, as np.savez and
// np.savez_compressed write them) or of a structured .npy file. Arrays must be one-dimensional
// and little-endian; a .npz's arrays may differ in length (the caller checks). Anything else is
// an InputError naming the file, the member and the problem.
std::vector<NumpyColumn> readNumpyColumns(const std::string& path);

}  // namespace orderlens
