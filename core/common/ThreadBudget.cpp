#include "common/ThreadBudget.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <dlfcn.h>

namespace orderlens {

namespace {
std::atomic<unsigned> budget{0};  // 0 = not set: every core
}  // namespace

unsigned threadBudget()
{
    const unsigned set = budget.load();
    return set ? set : std::max(1u, std::thread::hardware_concurrency());
}

void setThreadBudget(unsigned threads)
{
    budget = threads;
    setLibraryThreads(int(threadBudget()));
}

void setLibraryThreads(int threads)
{
    at::set_num_threads(threads);
    // OpenBLAS keeps a pool of its own (as many threads as cores unless told), which LibTorch
    // does not resize; threads fighting for busy cores make small networks several times slower.
    using SetThreads = void (*)(int);
    if (auto set = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
        set(threads);
}

unsigned workerThreads(int requested) { return requested > 0 ? unsigned(requested) : threadBudget(); }

int libraryThreads() { return at::get_num_threads(); }

}  // namespace orderlens
