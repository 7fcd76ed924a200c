#include "Command.h"

#include "dataset/DatasetReader.h"

#include <cstdio>
#include <map>

namespace orderlens::cli {

namespace {

void declare(QCommandLineParser& p)
{
    p.addOption({"dataset", "Dataset spec (see `orderlens --help`); default fashion-mnist.", "SPEC", "fashion-mnist"});
    p.addOption({"limit-train", "Keep a class-stratified subset of N training images (0 = all).", "N", "0"});
    p.addOption({"limit-test", "Keep a class-stratified subset of M test images (0 = all).", "M", "0"});
}

int run(const QCommandLineParser& p)
{
    const Dataset ds = loadDataset(stringOption(p, "dataset"), std::size_t(intOption(p, "limit-train", 0, 1LL << 40)),
                                   std::size_t(intOption(p, "limit-test", 0, 1LL << 40)));
    std::printf("Dataset %s (%s)\n", ds.name.c_str(), ds.source.c_str());
    for (const auto& note : ds.notes)
        std::printf("Note: %s\n", note.c_str());
    if (ds.height() > 0)
        std::printf("Images: %d x %d x %d (height x width x channels)\n", ds.height(), ds.width(), ds.channels());
    else
        std::printf("Images: sizes vary, up to %d channels\n", ds.channels());
    std::printf("Classes: %zu%s\n", ds.classNames.size(), ds.multiLabel ? " (multi-label)" : "");
    std::printf("Splits: %zu train, %zu test, %zu in all\n", ds.count(Split::Train), ds.count(Split::Test), ds.size());
    for (const auto& [metric, values] : ds.metrics)
        std::printf("Dataset metric: %s%s\n", metric.c_str(), ds.distinctValued.count(metric) ? " (distinct-valued)" : "");
    std::printf("\n%-4s %-24s %10s %10s\n", "#", "class", "train", "test");
    std::map<int, std::size_t> train, test;
    for (std::size_t i = 0; i < ds.size(); ++i) {
        if (ds.multiLabel) {
            for (std::size_t c = 0; c < ds.classNames.size(); ++c)
                if (ds.labelBits(i) & (std::uint64_t(1) << c))
                    ++(ds.split(i) == Split::Train ? train : test)[int(c)];
        } else {
            ++(ds.split(i) == Split::Train ? train : test)[ds.label(i)];
        }
    }
    for (std::size_t c = 0; c < ds.classNames.size(); ++c)
        std::printf("%-4zu %-24s %10zu %10zu\n", c, ds.classNames[c].c_str(), train[int(c)], test[int(c)]);
    return 0;
}

const CommandRegistration reg({"info", "Print a dataset's splits, classes and image size.", declare, run});

}  // namespace

}  // namespace orderlens::cli
