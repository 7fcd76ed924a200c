// Adding statistics to a large run: layout 2 writes the statistics file beside the run and never
// touches the records; layout 1 copied the whole run file, changed the copy and renamed it over
// the original. Measures, in one process on the same disk: the run's size, the time to add a
// set of statistics columns, the bytes written, whether the run's inode changed, and the time a
// plain copy of the run takes (the floor of what layout 1 paid). Also the cost of appending an
// epoch and of one reader's refresh + newest-epoch read while the run grows.
//
//   bench_runfile [images=500000] [networks=5] [epochs=10] [columns=10] [folder=/tmp]
//   (docs/PERFORMANCE.md, "Run file")

#include "storage/RunFile.h"
#include "storage/RunFollower.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace orderlens;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

ino_t inodeOf(const std::string& path)
{
    struct stat st = {};
    ::stat(path.c_str(), &st);
    return st.st_ino;
}

}  // namespace

int main(int argc, char** argv)
{
    const std::size_t images = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 500000;
    const int networks = argc > 2 ? std::atoi(argv[2]) : 5;
    const int epochs = argc > 3 ? std::atoi(argv[3]) : 10;
    const int columns = argc > 4 ? std::atoi(argv[4]) : 10;
    const fs::path folder = fs::path(argc > 5 ? argv[5] : "/tmp") / ("bench_runfile_" + std::to_string(::getpid()));
    fs::create_directories(folder);
    const std::string path = (folder / "run.h5").string();

    Dataset ds;
    ds.name = "synthetic";
    ds.source = "synthetic:" + std::to_string(images);
    for (int c = 0; c < 10; ++c)
        ds.classNames.push_back("c" + std::to_string(c));
    const std::uint8_t px[1] = {0};
    const std::size_t test = images / 6;
    for (std::size_t i = 0; i < images; ++i) {
        char key[32];
        std::snprintf(key, sizeof key, "%s/%07zu", i < images - test ? "train" : "test", i);
        ds.add(key, i < images - test ? Split::Train : Split::Test, int(i % 10), px, 1, 1, 1);
    }
    RunShape shape;
    shape.networks = networks;
    shape.epochs = epochs;
    shape.classes = 10;
    RunFile::create(path, "{}", ds, std::vector<std::int32_t>(ds.size(), 0), shape, {});

    std::mt19937 rng(1);
    auto recordsOf = [&](std::size_t n) {
        SplitRecords r;
        r.correct.resize(n);
        r.predicted.resize(n);
        r.pTrue.resize(n);
        r.margin.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            r.predicted[i] = std::int64_t(rng() % 10);
            r.correct[i] = r.predicted[i] == 0;
            r.pTrue[i] = float(rng() % 1000) / 1000.0f;
            r.margin[i] = float(int(rng() % 200) - 100) / 10.0f;
        }
        return r;
    };
    std::map<RecordSet, SplitRecords> records = {{RecordSet::Train, recordsOf(images - test)},
                                                 {RecordSet::Test, recordsOf(test)}};
    RunFollower follower(path);
    double appendSeconds = 0, pollSeconds = 0;
    {
        RunWriter writer(path);
        for (int e = 0; e < epochs; ++e)
            for (int n = 0; n < networks; ++n) {
                auto t0 = Clock::now();
                writer.appendEpoch(n, e, records, EpochSummary{});
                auto t1 = Clock::now();
                follower.poll();
                auto t2 = Clock::now();
                appendSeconds += seconds(t0, t1);
                pollSeconds += seconds(t1, t2);
            }
    }
    const double runBytes = double(fs::file_size(path));

    std::map<std::string, std::vector<double>> table;
    std::uniform_real_distribution<double> value(0.0, 8.0);  // entropy-like values: they do not compress away
    for (int c = 0; c < columns; ++c) {
        std::vector<double> column(images);
        for (double& v : column)
            v = value(rng);
        table["statistic_" + std::to_string(c)] = std::move(column);
    }
    RunFile run(path);
    const ino_t before = inodeOf(path);
    auto t0 = Clock::now();
    run.writeMetrics(table);
    auto t1 = Clock::now();
    const ino_t after = inodeOf(path);
    const double statsBytes = double(fs::file_size(run.statisticsPath()));

    // What layout 1 did at the least: one full copy of the run file (then the HDF5 edits and a rename).
    const std::string copy = path + ".copy";
    auto t2 = Clock::now();
    fs::copy_file(path, copy);
    {
        const int fd = ::open(copy.c_str(), O_RDONLY);
        ::fsync(fd);
        ::close(fd);
    }
    auto t3 = Clock::now();

    std::printf("run: %zu images x %d networks x %d epochs = %.1f MB\n", images, networks, epochs, runBytes / 1e6);
    std::printf("append one epoch (all record sets, fsync x2): %.1f ms on average\n",
                1000 * appendSeconds / (networks * epochs));
    std::printf("reader refresh + read of the new epoch (RunFollower::poll): %.1f ms on average\n",
                1000 * pollSeconds / (networks * epochs));
    std::printf("add %d statistics columns (layout 2): %.2f s, %.1f MB written to %s, run inode %s\n", columns,
                seconds(t0, t1), statsBytes / 1e6, fs::path(run.statisticsPath()).filename().c_str(),
                before == after ? "unchanged" : "CHANGED");
    std::printf("copying the run file alone (layout 1's floor): %.2f s, %.1f MB written\n", seconds(t2, t3),
                runBytes / 1e6);
    std::printf("ratio copy / layout-2 statistics write: %.1fx time, %.1fx bytes\n",
                seconds(t2, t3) / seconds(t0, t1), runBytes / statsBytes);
    fs::remove_all(folder);
    return before == after ? 0 : 1;
}
