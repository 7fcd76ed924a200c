#include "io/AtomicFile.h"

#include "common/Errors.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace orderlens {

void syncFile(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        const std::string reason = std::strerror(errno);
        if (fd >= 0)
            ::close(fd);
        throw InputError(path, "cannot flush the file to disk: " + reason);
    }
    ::close(fd);
}

void syncFolderOf(const std::string& path)
{
    const fs::path folder = fs::absolute(path).parent_path();
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

void replaceFile(const std::string& target, const std::function<void(const std::string&)>& produce,
                 const std::string& temporarySuffix)
{
    const std::string tmp = target + temporarySuffix;
    std::error_code ec;
    try {
        produce(tmp);
        syncFile(tmp);
        fs::rename(tmp, target, ec);
        if (ec)
            throw InputError(target, "cannot move the finished file into place: " + ec.message());
    } catch (...) {
        fs::remove(tmp, ec);
        throw;
    }
    syncFolderOf(target);
}

bool createFileExclusively(const std::string& target, const std::function<void(const std::string&)>& produce,
                           const std::string& temporarySuffix)
{
    const std::string tmp = target + temporarySuffix;
    std::error_code ec;
    int linked = -1, reason = 0;
    try {
        produce(tmp);
        syncFile(tmp);
        // link() fails when the name exists, also on network file systems, where an exclusive
        // open() or a rename would not be atomic.
        linked = ::link(tmp.c_str(), target.c_str());
        reason = errno;
    } catch (...) {
        fs::remove(tmp, ec);
        throw;
    }
    fs::remove(tmp, ec);
    if (linked != 0 && reason == EEXIST)
        return false;
    if (linked != 0)
        throw InputError(target, std::string("cannot move the finished file into place: ") + std::strerror(reason));
    syncFolderOf(target);
    return true;
}

void writeFileAtomically(const std::string& target, const std::function<void(std::ostream&)>& write,
                         const std::string& temporarySuffix)
{
    replaceFile(
        target,
        [&](const std::string& tmp) {
            std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
            if (!out)
                throw InputError(target, std::string("cannot create the file: ") + std::strerror(errno));
            errno = 0;
            write(out);
            out.close();
            if (!out) {
                const int reason = errno;
                throw InputError(target, "cannot write the file: " +
                                             std::string(reason ? std::strerror(reason) : "write failed (disk full?)"));
            }
        },
        temporarySuffix);
}

}  // namespace orderlens
