// Compiled into every test executable (not into the support library, whose unused objects the
// linker would drop): before main() runs, HOME and the XDG folders point into a fresh temporary
// folder, removed at exit. Caches (decoded images, image statistics), settings, recent runs and
// the GUI's default run folder of one test can then never reach the user's real home, another
// test, or a later run of the same test; child processes (`orderlens ...`) inherit it.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace {

class TemporaryHome {
public:
    TemporaryHome()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "orderlens-test-home-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) {
            std::perror("cannot create a temporary HOME for the test");
            std::exit(1);
        }
        root_ = pattern;
        setFolder("HOME", "home");
        setFolder("XDG_CACHE_HOME", "home/.cache");
        setFolder("XDG_CONFIG_HOME", "home/.config");
        setFolder("XDG_DATA_HOME", "home/.local/share");
        // Explicit cache locations would bypass the temporary home.
        ::unsetenv("ORDERLENS_CACHE_DIR");
        ::unsetenv("ORDERLENS_METRICS_CACHE");
    }
    ~TemporaryHome()
    {
        std::error_code ec;
        std::filesystem::remove_all(root_, ec);
    }
    TemporaryHome(const TemporaryHome&) = delete;
    TemporaryHome& operator=(const TemporaryHome&) = delete;

private:
    void setFolder(const char* variable, const char* relative)
    {
        const std::filesystem::path dir = root_ / relative;
        std::filesystem::create_directories(dir);
        ::setenv(variable, dir.c_str(), 1);
    }
    std::filesystem::path root_;
};

const TemporaryHome temporaryHome;

}  // namespace
