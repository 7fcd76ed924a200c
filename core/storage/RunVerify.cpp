#include "storage/RunVerify.h"

#include "common/Numbering.h"
#include "storage/RunFile.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <tuple>

namespace orderlens {

namespace {

// Damage of one (record set, network) found at single epochs, reported as epoch ranges.
struct EpochDamage {
    std::map<std::tuple<std::string, int, std::string>, std::vector<int>> epochs;  // (set, network, problem)

    void add(const std::string& set, int network, int epoch, const std::string& problem)
    {
        epochs[{set, network, problem}].push_back(epoch);
    }
    void report(std::vector<std::string>& out) const
    {
        for (const auto& [key, list] : epochs) {
            const auto& [set, network, problem] = key;
            std::string ranges;
            for (std::size_t i = 0; i < list.size();) {
                std::size_t j = i;
                while (j + 1 < list.size() && list[j + 1] == list[j] + 1)
                    ++j;
                ranges += (ranges.empty() ? "" : ", ") + std::to_string(list[i]) +
                          (j > i ? "-" + std::to_string(list[j]) : "");
                i = j + 1;
            }
            out.push_back(networkIndexText(network) + ", epoch" + (list.size() > 1 ? "s " : " ") + ranges +
                          " (" + set + "): " + problem);
        }
    }
};

std::string problemOf(const std::exception& e, const std::string& path)
{
    std::string what = e.what();
    const std::string prefix = path + ": ";
    if (what.compare(0, prefix.size(), prefix) == 0)
        what.erase(0, prefix.size());
    return what;
}

void checkManifest(const RunFile& run, std::vector<std::string>& damage)
{
    const RunManifest& m = run.manifest();
    const int classes = run.shape().classes;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < m.keys.size(); ++i) {
        if (m.keys[i].empty() || !seen.insert(m.keys[i]).second) {
            damage.push_back("dataset/keys: image " + std::to_string(i) + " has an empty or repeated key '" + m.keys[i] + "'");
            break;
        }
    }
    if (!run.shape().multiLabel) {
        for (std::size_t i = 0; i < m.labels.size(); ++i) {
            if (m.labels[i] < 0 || m.labels[i] >= classes || m.trueLabels[i] < 0 || m.trueLabels[i] >= classes) {
                damage.push_back("dataset/label: image " + std::to_string(i) + " ('" + m.keys[i] + "') has label " +
                                 std::to_string(m.labels[i]) + " / true label " + std::to_string(m.trueLabels[i]) +
                                 ", outside 0.." + std::to_string(classes - 1));
                break;
            }
        }
    } else if (classes < 64) {
        for (std::size_t i = 0; i < m.labelBits.size(); ++i) {
            if (m.labelBits[i] >> classes) {
                damage.push_back("dataset/label_bits: image " + std::to_string(i) + " has bits beyond class " +
                                 std::to_string(classes - 1));
                break;
            }
        }
    }
    if (!nlohmann::json::accept(run.configJson()))
        damage.push_back("config: not valid JSON");
}

// The first image whose records contradict each other or the run's labels, or -1.
long long inconsistentImage(const RunFile& run, RecordSet set, const SplitRecords& r, std::string& why)
{
    const RunManifest& m = run.manifest();
    const std::vector<std::size_t> indices = m.splitIndices(recordSetSplit(set));
    const int classes = run.shape().classes;
    for (std::size_t i = 0; i < indices.size(); ++i) {
        const std::size_t at = indices[i];
        const float p = r.pTrue[i];
        if (!std::isnan(p) && (p < 0.0f || p > 1.0f)) {
            why = "p_true " + std::to_string(p) + " is not a probability";
            return static_cast<long long>(i);
        }
        if (run.shape().multiLabel) {
            if (bool(r.correct[i]) != (std::uint64_t(r.predicted[i]) == m.labelBits[at])) {
                why = "the correctness bit contradicts the predicted label bits";
                return static_cast<long long>(i);
            }
        } else {
            if (r.predicted[i] < 0 || r.predicted[i] >= classes) {
                why = "predicted class " + std::to_string(r.predicted[i]) + " is outside 0.." + std::to_string(classes - 1);
                return static_cast<long long>(i);
            }
            if (bool(r.correct[i]) != (r.predicted[i] == m.labels[at])) {
                why = "the correctness bit contradicts the predicted class and the label";
                return static_cast<long long>(i);
            }
        }
    }
    return -1;
}

}  // namespace

RunVerification verifyRun(const std::string& path)
{
    RunVerification v;
    v.path = path;
    std::optional<RunFile> opened;
    try {
        opened.emplace(path);
    } catch (const std::exception& e) {
        v.damage.push_back(problemOf(e, path));
        return v;
    }
    const RunFile& run = *opened;
    v.layoutVersion = run.layoutVersion();
    checkManifest(run, v.damage);

    EpochDamage epochs;
    const RunShape& shape = run.shape();
    for (int n = 0; n < shape.networks; ++n) {
        const int done = run.epochsDone()[std::size_t(n)];
        for (int e = 0; e < done; ++e) {
            for (RecordSet set : {RecordSet::Train, RecordSet::Test, RecordSet::TrainEval}) {
                if (!run.hasRecordSet(set))
                    continue;
                try {
                    const SplitRecords r = run.readRecords(set, n, e);
                    v.valuesChecked += r.correct.size() * 4 + r.prob.size();
                    std::string why;
                    const long long bad = inconsistentImage(run, set, r, why);
                    if (bad >= 0)
                        epochs.add(recordSetName(set), n, e, why + " (first at image " + std::to_string(bad) + ")");
                } catch (const std::exception& ex) {
                    epochs.add(recordSetName(set), n, e, problemOf(ex, path));
                }
            }
            try {
                const EpochSummary s = run.readSummary(n, e);
                if (!(s.seconds >= 0) || !(s.trainAccuracy >= 0 && s.trainAccuracy <= 1.0 + 1e-9))
                    epochs.add("summary", n, e, "implausible summary values");
            } catch (const std::exception& ex) {
                epochs.add("summary", n, e, problemOf(ex, path));
            }
            ++v.epochsChecked;
        }
    }
    epochs.report(v.damage);
    try {
        for (const std::string& name : run.metricNames())
            v.valuesChecked += run.readMetric(name).size();
    } catch (const std::exception& e) {
        v.damage.push_back("statistics: " + std::string(e.what()));
    }
    try {
        (void)run.writer();
    } catch (const std::exception& e) {
        v.damage.push_back("writer announcement: " + problemOf(e, path));
    }
    return v;
}

}  // namespace orderlens
