#include "AnalysisFixture.h"

#include "SyntheticRun.h"

#include <cmath>
#include <map>

namespace orderlens::test {

void writeAnalysisRun(const std::string& path)
{
    SyntheticRun spec;
    spec.train = 60;
    spec.test = 30;
    spec.classes = 4;
    spec.networks = 3;
    spec.epochs = 8;
    spec.configJson = R"({"architecture":"lenet5","dataset":"synthetic","epochs":8,"lr":0.1,"networks":3})";
    // Network n learns image i at epoch i % 10 (+1 for network 1 on odd images); 8 and 9 never.
    spec.correct = [](RecordSet, int n, int e, std::size_t i) {
        const int learned = int(i % 10) + (n == 1 && i % 2 ? 1 : 0);
        return learned < 8 && e >= learned;
    };
    spec.pTrue = [](RecordSet, int n, int e, std::size_t i) {
        return float(std::min(1.0, 0.1 + 0.1 * e + 0.01 * double(i % 10) + 0.02 * n));
    };
    spec.margin = [](RecordSet, int n, int e, std::size_t i) { return float(e) - float(i % 10) + 0.5f * float(n); };
    writeSyntheticRun(path, spec);

    RunFile run(path);
    const std::size_t images = run.manifest().keys.size();
    std::vector<double> entropy(images), rotation(images);
    std::map<Split, std::size_t> position;
    for (std::size_t m = 0; m < images; ++m) {
        const std::size_t i = position[run.manifest().splits[m]]++;
        entropy[m] = i % 7 == 3 ? std::nan("") : double(i % 10) + 0.1 * double(i % 3);
        rotation[m] = double(1 + i % 3);
    }
    run.writeMetrics({{"entropy", entropy}, {"rotation", rotation}});
}

}  // namespace orderlens::test
