#pragma once

namespace orderlens {

// One budget of CPU threads for the whole process: data loading (decoding), image statistics,
// the analysis's correlation workers and LibTorch's (and OpenBLAS's) kernels all size their
// pools from it when they are not given a count of their own, so `--threads N` or the GUI's
// threads setting bounds them all instead of each defaulting to every core.

// The budget: what was set, else every core (at least 1).
unsigned threadBudget();
// 0 = every core. Also sets LibTorch's intra-op threads and OpenBLAS's pool.
void setThreadBudget(unsigned threads);
// `requested` when positive, else the budget.
unsigned workerThreads(int requested);
// LibTorch's intra-op thread count now (what the budget set it to).
int libraryThreads();
// Sets LibTorch's intra-op threads and OpenBLAS's pool alone, leaving the budget as it is: for
// a part of the work that shares the budget out (networks trained side by side).
void setLibraryThreads(int threads);

}  // namespace orderlens
