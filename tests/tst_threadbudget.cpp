// One thread budget for the process: what is set is what every pool that is not given a count
// of its own gets, LibTorch's kernels included; 0 gives back every core.

#include "common/ThreadBudget.h"

#include <QtTest>

#include <thread>

using namespace orderlens;

class TestThreadBudget : public QObject {
    Q_OBJECT

private slots:
    void budgetIsSharedWithLibTorch()
    {
        setThreadBudget(3);
        QCOMPARE(threadBudget(), 3u);
        QCOMPARE(workerThreads(0), 3u);
        QCOMPARE(workerThreads(5), 5u);  // an explicit count wins
        QCOMPARE(libraryThreads(), 3);
        setThreadBudget(1);
        QCOMPARE(libraryThreads(), 1);
        setThreadBudget(0);
        const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
        QCOMPARE(threadBudget(), cores);
        QCOMPARE(libraryThreads(), int(cores));
    }
};

QTEST_GUILESS_MAIN(TestThreadBudget)
#include "tst_threadbudget.moc"
