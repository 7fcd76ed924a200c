// The runs table (File > Open folder) over a lab's folder of runs: the first look at every run,
// a refresh when nothing changed, a refresh after one run grew by an epoch, and filling and
// sorting the table widget. The runs are copies of one synthetic run of the demo's shape
// (10000 train + 2000 test images, 5 networks) spread over sub-folders; each copy is its own
// file, so the first look reads every manifest from the page cache, not one file again.
//
//   QT_QPA_PLATFORM=offscreen bench_runs_table [runs=500] [epochs=3] [folder=/tmp]
//   (docs/PERFORMANCE.md, "Runs table")

#include "SyntheticRun.h"
#include "analysis/RunOverview.h"
#include "runs/RunsTable.h"
#include "storage/RunFile.h"

#include <QApplication>
#include <QHeaderView>
#include <QTableView>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

using namespace orderlens;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

}  // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    const int runs = argc > 1 ? std::atoi(argv[1]) : 500;
    const int epochs = argc > 2 ? std::atoi(argv[2]) : 3;
    const fs::path folder = fs::path(argc > 3 ? argv[3] : "/tmp") / ("bench_runs_table_" + std::to_string(::getpid()));
    fs::create_directories(folder);

    test::SyntheticRun spec;
    spec.train = 10000;
    spec.test = 2000;
    spec.classes = 10;
    spec.networks = 5;
    spec.epochs = epochs;
    spec.correct = [](RecordSet, int n, int e, std::size_t i) { return (i * 7 + std::size_t(n)) % 10 < std::size_t(e + 3); };
    const std::string templ = (folder / "template.h5").string();
    auto t0 = Clock::now();
    for (int r = 0; r < 2; ++r) {
        spec.configJson = R"({"dataset":"synthetic","architecture":"lenet5","lr":)" + std::to_string(0.1 / (r + 1)) + "}";
        test::writeSyntheticRun(r ? templ + "2" : templ, spec);
    }
    for (int r = 0; r < runs; ++r) {
        const fs::path sub = folder / "lab" / ("group-" + std::to_string(r / 50));
        fs::create_directories(sub);
        fs::copy_file(r % 2 ? templ + "2" : templ, sub / ("run-" + std::to_string(r) + ".h5"));
    }
    const std::uintmax_t bytes = fs::file_size(templ);
    std::printf("%d runs of %zu images, 5 networks, %d epochs (%.1f MB each), written in %.1f s\n", runs,
                spec.train + spec.test, epochs, double(bytes) / 1e6, seconds(t0, Clock::now()));

    const std::string lab = (folder / "lab").string();
    std::vector<RunOverview> overviews;
    t0 = Clock::now();
    refreshRunOverviews(lab, overviews);
    const double first = seconds(t0, Clock::now());
    t0 = Clock::now();
    const bool changed = refreshRunOverviews(lab, overviews);
    const double unchanged = seconds(t0, Clock::now());
    {
        // One run grows by an epoch (a resumed network replays its last one): only it is read again.
        const std::string grown = lab + "/group-0/run-0.h5";
        const RunFile source(templ);
        RunWriter writer(grown);
        std::map<RecordSet, SplitRecords> records;
        for (RecordSet set : {RecordSet::Train, RecordSet::Test})
            records[set] = source.readRecords(set, 0, epochs - 1);
        writer.appendEpoch(0, epochs - 1, records, source.readSummary(0, epochs - 1));
    }
    t0 = Clock::now();
    refreshRunOverviews(lab, overviews);
    const double oneGrew = seconds(t0, Clock::now());
    std::printf("first look at %zu runs: %.2f s (%.1f ms per run)\n", overviews.size(), first,
                1000 * first / double(overviews.size()));
    std::printf("refresh, nothing changed: %.3f s (changed: %s)\n", unchanged, changed ? "yes" : "no");
    std::printf("refresh, one run grew: %.3f s\n", oneGrew);

    ui::RunsTable table;
    table.resize(1600, 900);
    table.show();
    t0 = Clock::now();
    table.model()->setRuns(QString::fromStdString(lab), overviews);
    QApplication::processEvents();
    const double fill = seconds(t0, Clock::now());
    t0 = Clock::now();
    table.view()->sortByColumn(ui::RunsTableModel::AgreementColumn, Qt::DescendingOrder);
    QApplication::processEvents();
    const double sort = seconds(t0, Clock::now());
    std::printf("table filled with %d rows: %.3f s; sorted by test agreement: %.3f s\n", table.model()->rowCount(), fill,
                sort);

    fs::remove_all(folder);
    return 0;
}
