#include "SyntheticRun.h"

#include <algorithm>
#include <cstdio>

namespace orderlens::test {

Dataset syntheticDataset(std::size_t train, std::size_t test, int classes, bool multiLabel)
{
    Dataset ds;
    ds.name = "synthetic";
    ds.source = "synthetic:" + std::to_string(train) + "+" + std::to_string(test);
    ds.multiLabel = multiLabel;
    for (int c = 0; c < classes; ++c)
        ds.classNames.push_back("class" + std::to_string(c));
    const std::uint8_t px[4] = {1, 2, 3, 4};
    for (std::size_t i = 0; i < train + test; ++i) {
        const bool isTest = i >= train;
        char key[32];
        std::snprintf(key, sizeof key, "%s/%06zu", isTest ? "test" : "train", isTest ? i - train : i);
        const Split split = isTest ? Split::Test : Split::Train;
        if (multiLabel) {
            const std::uint64_t mask = (std::uint64_t(1) << std::min(classes, 3)) - 1;
            std::uint64_t bits = (std::uint64_t(i % 7) + 1) & mask;
            if (!bits)
                bits = 1;
            ds.addMultiLabel(key, split, bits, px, 2, 2, 1);
        } else {
            ds.add(key, split, int(i % std::size_t(classes)), px, 2, 2, 1);
        }
    }
    return ds;
}

void writeSyntheticRun(const std::string& path, const SyntheticRun& spec)
{
    const Dataset ds = syntheticDataset(spec.train, spec.test, spec.classes, spec.multiLabel);
    std::vector<std::int32_t> labels(ds.size());
    for (std::size_t i = 0; i < ds.size(); ++i)
        labels[i] = ds.label(i);
    RunShape shape;
    shape.networks = spec.networks;
    shape.epochs = spec.epochs;
    shape.classes = spec.classes;
    shape.multiLabel = spec.multiLabel;
    RunFile::create(path, spec.configJson, ds, labels, shape, {{"test", "synthetic"}});
    RunFile run(path);
    for (int n = 0; n < spec.networks; ++n) {
        const int epochs = spec.epochsWritten ? spec.epochsWritten(n) : spec.epochs;
        for (int e = 0; e < epochs; ++e) {
            std::map<RecordSet, SplitRecords> records;
            EpochSummary summary;
            for (RecordSet set : {RecordSet::Train, RecordSet::Test}) {
                const auto indices = ds.indices(recordSetSplit(set));
                SplitRecords r;
                std::size_t right = 0;
                for (std::size_t i = 0; i < indices.size(); ++i) {
                    const bool ok = spec.correct(set, n, e, i);
                    right += ok;
                    r.correct.push_back(ok ? 1 : 0);
                    if (spec.predicted)
                        r.predicted.push_back(spec.predicted(set, n, e, i));
                    else if (spec.multiLabel)
                        r.predicted.push_back(std::int64_t(ok ? ds.labelBits(indices[i]) : 0));
                    else
                        r.predicted.push_back(ok ? ds.label(indices[i]) : (ds.label(indices[i]) + 1) % spec.classes);
                    r.pTrue.push_back(spec.pTrue ? spec.pTrue(set, n, e, i) : (ok ? 0.9f : 0.1f));
                    r.margin.push_back(spec.margin ? spec.margin(set, n, e, i) : (ok ? 1.0f : -1.0f));
                }
                const double acc = indices.empty() ? 0.0 : double(right) / double(indices.size());
                if (set == RecordSet::Train) {
                    summary.trainAccuracy = acc;
                    summary.trainLoss = 1.0 - acc + 0.1;
                } else {
                    summary.testAccuracy = acc;
                    summary.testLoss = 1.0 - acc + 0.2;
                }
                records[set] = std::move(r);
            }
            summary.learningRate = 0.1;
            summary.seconds = 1.0;
            run.appendEpoch(n, e, records, summary);
        }
    }
}

}  // namespace orderlens::test
