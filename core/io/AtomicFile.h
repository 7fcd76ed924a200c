#pragma once

#include <functional>
#include <iosfwd>
#include <string>

namespace orderlens {

// Every file OrderLens writes for others to read (run files, statistics, tables, checkpoints,
// caches, edge maps) appears complete or not at all: it is produced under a temporary name
// beside the target, made durable, and renamed over the target. A reader sees the old file or
// the new one; a crash, a full disk or an exception leaves the old file and no temporary one.

// Produces `target` through `produce(temporaryPath)` (which creates and fills that path, e.g.
// an HDF5 file or a LibTorch archive). `temporarySuffix` names the temporary file
// (target + suffix); it must be unique among concurrent writers of the same target.
void replaceFile(const std::string& target, const std::function<void(const std::string&)>& produce,
                 const std::string& temporarySuffix = ".writing");

// The same, but only where `target` does not exist: of several processes (on any hosts sharing
// the folder) creating it at once, exactly one succeeds; the others get false and leave the
// existing file as it is. `temporarySuffix` must differ between them.
bool createFileExclusively(const std::string& target, const std::function<void(const std::string&)>& produce,
                           const std::string& temporarySuffix);

// The same for a file written as a byte stream.
void writeFileAtomically(const std::string& target, const std::function<void(std::ostream&)>& write,
                         const std::string& temporarySuffix = ".writing");

// fsync of one file's bytes; throws InputError naming the file and the system's reason.
void syncFile(const std::string& path);

// fsync of a folder, so that a rename inside it survives a power cut. Best effort: some
// filesystems refuse to open folders for it, which loses nothing that a reader could see.
void syncFolderOf(const std::string& path);

}  // namespace orderlens
