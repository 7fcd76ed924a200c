#include "experiment/ExperimentConfig.h"

#include "common/Errors.h"
#include "experiment/ExperimentSettings.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace orderlens {

nlohmann::json ExperimentConfig::toJson() const
{
    nlohmann::json j = nlohmann::json::object();
    for (const auto& s : experimentSettings())
        j[s.key] = s.json(*this);
    return j;
}

ExperimentConfig ExperimentConfig::fromJson(const nlohmann::json& j)
{
    if (!j.is_object())
        throw ConfigError("experiment configuration must be a JSON object");
    for (auto it = j.begin(); it != j.end(); ++it)
        experimentSetting(it.key());  // names an unknown key
    ExperimentConfig c;
    for (const auto& s : experimentSettings()) {
        auto it = j.find(s.key);
        if (it != j.end())
            s.setJson(c, *it);
    }
    return c;
}

ExperimentConfig ExperimentConfig::fromStoredJson(const nlohmann::json& j)
{
    ExperimentConfig c = fromJson(j);
    for (const auto& s : experimentSettings())
        if (!s.absentFromOldRuns.empty() && !j.contains(s.key))
            s.parse(c, s.absentFromOldRuns);
    return c;
}

void ExperimentConfig::validate() const
{
    std::string message;
    for (const auto& p : findProblems(*this))
        message += (message.empty() ? "" : "\n") + p.message;
    if (!message.empty())
        throw ConfigError(message);
}

std::vector<std::string> ExperimentConfig::presetNames()
{
    std::vector<std::string> names;
    for (const auto& p : experimentPresetInfos())
        names.push_back(p.name);
    return names;
}

ExperimentConfig ExperimentConfig::preset(const std::string& name)
{
    const auto names = presetNames();
    if (std::find(names.begin(), names.end(), name) == names.end()) {
        std::string known;
        for (const auto& n : names)
            known += (known.empty() ? "" : ", ") + n;
        throw ConfigError("unknown preset '" + name + "' (known: " + known + ")");
    }
    ExperimentConfig c;
    for (const auto& s : experimentSettings())
        for (const auto& [preset, value] : s.presets)
            if (preset == name)
                s.parse(c, value);
    return c;
}

}  // namespace orderlens
