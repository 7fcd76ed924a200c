#include "FashionRun.h"

#include "dataset/DatasetReader.h"
#include "storage/RunFile.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace orderlens::test {

int fashionLearnedEpoch(const FashionRun& spec, const std::vector<double>& intensity, std::size_t i, int network)
{
    // Brighter images are "learned" later; per network a small offset; a few images never.
    const int base = int(intensity[i] * 12.0) + int(i % 3) + spec.shift;
    return base + ((i + std::size_t(network)) % 4 == 0 ? 1 : 0);
}

int fashionLearnedByAll(const FashionRun& spec, const std::vector<double>& intensity, std::size_t i)
{
    int last = 0;
    for (int n = 0; n < spec.networks; ++n)
        last = std::max(last, fashionLearnedEpoch(spec, intensity, i, n));
    if (last >= spec.epochs || i % 13 == 0)
        return -1;
    return last;
}

std::vector<double> writeFashionRun(const std::string& path, const FashionRun& spec)
{
    const Dataset ds = loadDataset("fashion-mnist", spec.train, spec.test);
    std::vector<std::int32_t> labels(ds.size());
    std::vector<double> intensity(ds.size()), bright(ds.size());
    for (std::size_t i = 0; i < ds.size(); ++i) {
        labels[i] = ds.label(i);
        const ImageView v = ds.image(i);
        double sum = 0;
        int count = 0;
        for (std::size_t p = 0; p < v.bytes(); ++p) {
            sum += v.data[p];
            count += v.data[p] > 128;
        }
        intensity[i] = sum / double(v.bytes()) / 255.0;
        bright[i] = count;
    }
    RunShape shape;
    shape.networks = spec.networks;
    shape.epochs = spec.epochs;
    shape.classes = int(ds.classNames.size());
    const std::string config = "{\"dataset\": \"fashion-mnist\", \"limit_train\": " + std::to_string(spec.train) +
                               ", \"limit_test\": " + std::to_string(spec.test) + "}";
    RunFile::create(path, config, ds, labels, shape, {{"test", "fashion-run"}});
    RunFile run(path);
    for (int n = 0; n < spec.networks; ++n)
        for (int e = 0; e < spec.epochs; ++e) {
            std::map<RecordSet, SplitRecords> records;
            for (RecordSet set : {RecordSet::Train, RecordSet::Test}) {
                SplitRecords r;
                for (std::size_t i : ds.indices(recordSetSplit(set))) {
                    bool ok = e >= fashionLearnedEpoch(spec, intensity, i, n);
                    if (i % 13 == 0 && n == 0 && e == spec.epochs - 1)
                        ok = false;
                    r.correct.push_back(ok ? 1 : 0);
                    r.predicted.push_back(ok ? labels[i] : (labels[i] + 1) % shape.classes);
                    r.pTrue.push_back(ok ? 0.6f + 0.4f * float(e) / float(spec.epochs) : 0.15f);
                    r.margin.push_back(ok ? 1.0f + float(e) : -1.0f);
                }
                records[set] = std::move(r);
            }
            EpochSummary summary;
            summary.seconds = 1;
            run.appendEpoch(n, e, records, summary);
        }
    run.writeMetrics({{"mean_intensity", intensity}, {"bright_pixels", bright}});
    return intensity;
}

}  // namespace orderlens::test
