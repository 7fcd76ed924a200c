#pragma once

// Shared by the libFuzzer targets (docs/RELIABILITY.md): the readers under test take files, so
// each input is written to a file in a folder of this process's own, and the errors a reader
// is allowed to throw for bad input (orderlens::Error: a typed error naming the file) are
// caught. Anything else escaping -- another exception, a crash, a sanitizer report -- is a
// finding.

#include "common/Errors.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace orderlens::fuzz {

// A folder of this process, created on first use and removed when the process exits
// normally (libFuzzer runs a target's inputs in one process and exits at -max_total_time;
// parallel jobs get one folder each; after a finding the folder stays with the evidence).
inline const std::string& scratchFolder()
{
    static const std::string folder = [] {
        std::string pattern = "/tmp/orderlens-fuzz-XXXXXX";
        if (!::mkdtemp(pattern.data()))
            std::abort();
        return pattern;
    }();
    static const bool removedAtExit = [] {
        return std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(folder, ec);
        }) == 0;
    }();
    (void)removedAtExit;
    return folder;
}

// Writes the input to scratchFolder()/name and returns that path.
inline std::string inputFile(const std::string& name, const std::uint8_t* data, std::size_t size)
{
    const std::string path = scratchFolder() + "/" + name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
    if (!out)
        std::abort();
    return path;
}

}  // namespace orderlens::fuzz
