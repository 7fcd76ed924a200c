#include "training/LabelCorruption.h"

#include "training/Seeds.h"

#include <random>

namespace orderlens {

std::vector<std::int32_t> corruptLabels(const Dataset& dataset, double probability, std::uint64_t experimentSeed)
{
    std::vector<std::int32_t> labels(dataset.size());
    for (std::size_t i = 0; i < dataset.size(); ++i)
        labels[i] = dataset.label(i);
    if (dataset.multiLabel || dataset.classNames.empty())
        return labels;
    // mt19937_64 and explicit arithmetic (not std::uniform_*_distribution, whose algorithms
    // differ between standard libraries) keep the draw identical on every platform.
    std::mt19937_64 engine(corruptionSeed(experimentSeed));
    const std::uint64_t classes = dataset.classNames.size();
    for (std::size_t i = 0; i < dataset.size(); ++i) {
        if (dataset.split(i) != Split::Train)
            continue;
        const double u = double(engine() >> 11) * 0x1.0p-53;
        const std::uint64_t replacement = engine() % classes;
        if (u < probability)
            labels[i] = std::int32_t(replacement);
    }
    return labels;
}

}  // namespace orderlens
