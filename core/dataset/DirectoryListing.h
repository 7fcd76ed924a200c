#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace orderlens {

// The visible sub-folders (directories = true) or files of `dir`, sorted by name: the order
// folder-based datasets index classes and images in. Names starting with '.' are skipped.
std::vector<std::filesystem::path> sortedEntries(const std::filesystem::path& dir, bool directories);

// The file's extension in lower case, with its dot (".jpg").
std::string lowerExtension(const std::filesystem::path& file);

}  // namespace orderlens
