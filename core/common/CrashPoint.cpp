#include "common/CrashPoint.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace orderlens {

namespace {

struct Armed {
    std::string name;  // empty: no crash point is armed
    long pass = 0;
};

Armed parseEnvironment()
{
    Armed armed;
    const char* value = std::getenv("ORDERLENS_CRASH_POINT");
    if (!value)
        return armed;
    const char* colon = std::strrchr(value, ':');
    if (!colon || colon == value)
        return armed;
    char* end = nullptr;
    const long pass = std::strtol(colon + 1, &end, 10);
    if (*end != '\0' || pass < 1)
        return armed;
    armed.name.assign(value, colon);
    armed.pass = pass;
    return armed;
}

}  // namespace

void crashPoint(const char* name)
{
    static const Armed armed = parseEnvironment();
    if (armed.name.empty() || armed.name != name)
        return;
    static std::atomic<long> passes{0};
    if (++passes != armed.pass)
        return;
    std::fprintf(stderr, "orderlens: crash point %s %ld reached\n", name, armed.pass);
    std::fflush(stderr);
    std::raise(SIGSTOP);
}

}  // namespace orderlens
