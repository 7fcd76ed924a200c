// Experiment configurations (--config FILE.json, and a run file's stored configuration):
// JSON syntax as nlohmann parses it, then every key, type and range as OrderLens checks them.
#include "FuzzInput.h"
#include "experiment/ExperimentConfig.h"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(data, data + size);
    } catch (const nlohmann::json::exception&) {
        return 0;  // not JSON: the callers turn this into an InputError
    }
    for (const bool stored : {false, true}) {
        try {
            orderlens::ExperimentConfig c =
                stored ? orderlens::ExperimentConfig::fromStoredJson(json) : orderlens::ExperimentConfig::fromJson(json);
            c.validate();
            orderlens::ExperimentConfig::fromJson(c.toJson());
        } catch (const orderlens::Error&) {
        } catch (const nlohmann::json::exception&) {
            // A value of the wrong JSON type: the callers turn this into an InputError.
        }
    }
    return 0;
}
