#include "storage/RunDataset.h"

#include "dataset/DatasetReader.h"

#include <nlohmann/json.hpp>

#include <unordered_map>

namespace orderlens {

RunDataset RunDataset::of(const RunFile& run)
{
    RunDataset d;
    d.spec = run.manifest().source;
    const nlohmann::json config = nlohmann::json::parse(run.configJson(), nullptr, false);
    if (!config.is_object())
        return d;
    auto text = [&](const char* key, std::string& out) {
        const auto it = config.find(key);
        if (it != config.end() && it->is_string() && !it->get<std::string>().empty())
            out = it->get<std::string>();
    };
    auto count = [&](const char* key, auto& out) {
        const auto it = config.find(key);
        if (it != config.end() && it->is_number_unsigned())
            out = it->get<std::remove_reference_t<decltype(out)>>();
    };
    text("dataset", d.spec);
    text("human_uncertainty", d.humanUncertainty);
    count("limit_train", d.limitTrain);
    count("limit_test", d.limitTest);
    count("seed", d.seed);
    return d;
}

Dataset RunDataset::load(const RunFile& run) const
{
    Dataset dataset = loadDataset(spec, limitTrain, limitTest);
    if (dataset.matchFingerprint(run.manifest().fingerprint) == Dataset::FingerprintMatch::Same)
        return dataset;
    if (limitTrain || limitTest)
        dataset = loadDataset(spec);
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < dataset.size(); ++i)
        index.emplace(dataset.key(i), i);
    std::vector<std::size_t> chosen;
    std::size_t missing = 0;
    for (const std::string& key : run.manifest().keys) {
        const auto it = index.find(key);
        if (it == index.end())
            ++missing;
        else
            chosen.push_back(it->second);
    }
    if (missing)
        throw InputError(run.path(), std::to_string(missing) + " of the run's " +
                                         std::to_string(run.manifest().keys.size()) + " images are not in " + spec);
    Dataset picked = dataset.select(chosen);
    run.checkDataset(picked);
    return picked;
}

}  // namespace orderlens
