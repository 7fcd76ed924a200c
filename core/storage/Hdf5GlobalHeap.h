#pragma once

// Layout-1 run files keep their strings as HDF5 variable-length strings, whose bytes live in the
// file's global heap. Neither the references nor the heap carry a checksum, and HDF5 1.10 copies
// a heap object trusting both: a reference to an empty slot, or one whose length is shorter than
// the object, or an object running past its collection, makes HDF5 read or write out of bounds
// (a crash, not an error). Before HDF5 reads such strings, this checks from the file's own bytes
// that every reference points at a whole object of exactly its length in a well-formed heap
// collection, and fails with an InputError naming the file otherwise. Internal to core/storage.

#include <hdf5.h>

#include <string>

namespace orderlens::hdf5 {

// `object` is the open attribute (`attribute` true) or dataset holding `count` variable-length
// strings; `name` is how errors call it.
void checkVariableStrings(hid_t object, bool attribute, hsize_t count, const std::string& name,
                          const std::string& path);

}  // namespace orderlens::hdf5
