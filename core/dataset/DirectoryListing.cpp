#include "dataset/DirectoryListing.h"

#include <algorithm>
#include <cctype>

namespace fs = std::filesystem;

namespace orderlens {

std::vector<fs::path> sortedEntries(const fs::path& dir, bool directories)
{
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if (!name.empty() && name[0] != '.' && (directories ? e.is_directory() : e.is_regular_file()))
            out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string lowerExtension(const fs::path& file)
{
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return ext;
}

}  // namespace orderlens
