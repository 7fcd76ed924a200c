#pragma once

// The metadata of files whose superblock predates checksums (superblock 0 or 1: layout-1 run
// files), checked from the file's own bytes before HDF5 reads it. HDF5 1.10 trusts that
// metadata: a continuation chunk's or a local heap's length is allocated as found (a damaged one
// asks malloc for terabytes), an attribute message's name and values are copied without bounds,
// a failing attribute message while HDF5 lists an object's attributes makes it close entries it
// never filled (a crash), a symbol table node holding more entries than its size overruns the
// array HDF5 made for it, a cycle in a local heap's free list never ends. Files with newer
// superblocks (layout 2) keep all metadata under checksums that HDF5 verifies. Internal to
// core/storage.

#include <hdf5.h>

#include <optional>
#include <string>
#include <vector>

namespace orderlens::hdf5 {

// Walks every group, object header, local heap, group index node and attribute message reachable
// from the root of the file at `path`, before HDF5 opens it, when its superblock has no checksum,
// and fails with an InputError naming the file and the damaged part otherwise. Does nothing for
// files with checksummed metadata.
void checkUnchecksummedMetadata(const std::string& path);

// The names of the attributes of `object`, whose object header is at `address`, read from the
// header's attribute messages when it is a version-1 header (no checksum); nothing for a
// checksummed header. HDF5's own listing decodes the messages into a table that it frees wrongly
// when one of them is damaged.
std::optional<std::vector<std::string>> version1AttributeNames(hid_t object, haddr_t address,
                                                               const std::string& path);

}  // namespace orderlens::hdf5
