#include "analysis/RunOverview.h"

#include "analysis/Agreement.h"
#include "common/Errors.h"
#include "storage/RunFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <set>

namespace fs = std::filesystem;

namespace orderlens {

namespace {

constexpr const char* kRunExtension = ".h5";
constexpr const char* kStatisticsSuffix = ".stats.h5";
// Keys an overview has columns of its own for.
const std::set<std::string> kShownSettings = {"dataset", "architecture", "networks", "epochs"};

bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void stampFile(RunOverview& o)
{
    std::error_code ec;
    const auto time = fs::last_write_time(o.path, ec);
    o.modifiedNs = ec ? 0 : std::int64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count());
    o.bytes = fs::file_size(o.path, ec);
    if (ec)
        o.bytes = 0;
}

// Equal as a table shows them (the file stamp aside).
bool sameOverview(const RunOverview& a, const RunOverview& b)
{
    auto same = [](double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); };
    return a.state == b.state && a.error == b.error && a.epochsDone == b.epochsDone && a.epochs == b.epochs &&
           same(a.finalTestAgreement, b.finalTestAgreement) && same(a.meanTestAccuracy, b.meanTestAccuracy) &&
           a.settings == b.settings && a.dataset == b.dataset;
}

}  // namespace

const char* runStateName(RunOverview::State state)
{
    switch (state) {
    case RunOverview::State::Running: return "running";
    case RunOverview::State::Interrupted: return "interrupted";
    case RunOverview::State::Complete: return "complete";
    case RunOverview::State::Unreadable: return "unreadable";
    }
    return "";
}

RunOverview readRunOverview(const std::string& path)
{
    RunOverview o;
    o.path = path;
    // Stamped before reading: a change while the run is read makes the next refresh read it again.
    stampFile(o);
    try {
        const RunFile run(path);
        o.dataset = run.manifest().source.empty() ? run.manifest().name : run.manifest().source;
        o.networks = run.shape().networks;
        o.epochs = run.shape().epochs;
        o.epochsDone = run.epochsDone();
        o.completeEpochs = run.completeEpochs();
        try {
            const nlohmann::json config = nlohmann::json::parse(run.configJson());
            for (auto it = config.begin(); config.is_object() && it != config.end(); ++it)
                o.settings[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
        } catch (const nlohmann::json::exception&) {
            // An unparsable configuration leaves the settings empty; the records still count.
        }
        const auto architecture = o.settings.find("architecture");
        o.architecture = architecture == o.settings.end() ? std::string() : architecture->second;
        if (o.completeEpochs > 0) {
            RecordSelection last;
            last.set = RecordSet::Test;
            last.firstEpoch = o.completeEpochs - 1;
            last.endEpoch = o.completeEpochs;
            const AgreementCurve curve = computeAgreement(run, last);
            o.finalTestAgreement = curve.epochs.front().agreement;
            o.meanTestAccuracy = curve.epochs.front().meanAccuracy;
        }
        const bool complete = std::all_of(o.epochsDone.begin(), o.epochsDone.end(), [&](int d) { return d >= o.epochs; });
        o.state = run.writer().live() ? RunOverview::State::Running
                  : complete          ? RunOverview::State::Complete
                                      : RunOverview::State::Interrupted;
    } catch (const std::exception& e) {
        o.state = RunOverview::State::Unreadable;
        o.error = e.what();
    }
    return o;
}

std::vector<std::string> findRunFiles(const std::string& folder)
{
    std::vector<std::string> files;
    std::error_code ec;
    fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec);
    if (ec)
        throw InputError(folder, "cannot list the folder: " + ec.message());
    for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
        if (ec)
            break;
        const std::string name = it->path().filename().string();
        if (it->is_directory(ec) && endsWith(name, ".ckpt")) {
            it.disable_recursion_pending();
            continue;
        }
        // A run trained as tasks is its run file; its parts are read through it.
        if (it->is_regular_file(ec) && endsWith(name, kRunExtension) && !endsWith(name, kStatisticsSuffix) &&
            !RunFile::isPartPath(name))
            files.push_back(it->path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<std::string> differingSettings(const std::vector<RunOverview>& runs)
{
    std::set<std::string> keys;
    for (const RunOverview& r : runs)
        if (r.state != RunOverview::State::Unreadable)
            for (const auto& [key, value] : r.settings)
                keys.insert(key);
    std::vector<std::string> differing;
    for (const std::string& key : keys) {
        if (kShownSettings.count(key))
            continue;
        std::set<std::string> values;
        for (const RunOverview& r : runs) {
            if (r.state == RunOverview::State::Unreadable)
                continue;
            const auto it = r.settings.find(key);
            values.insert(it == r.settings.end() ? std::string("\x01missing") : it->second);
        }
        if (values.size() > 1)
            differing.push_back(key);
    }
    return differing;
}

bool refreshRunOverviews(const std::string& folder, std::vector<RunOverview>& runs)
{
    const std::vector<std::string> files = findRunFiles(folder);
    std::map<std::string, RunOverview*> known;
    for (RunOverview& r : runs)
        known[r.path] = &r;
    std::vector<RunOverview> next;
    next.reserve(files.size());
    bool changed = files.size() != runs.size();
    for (const std::string& file : files) {
        const auto it = known.find(file);
        if (it != known.end()) {
            RunOverview stamp;
            stamp.path = file;
            stampFile(stamp);
            // A running run is read again even when unchanged: its writer may have died.
            if (stamp.modifiedNs == it->second->modifiedNs && stamp.bytes == it->second->bytes &&
                it->second->state != RunOverview::State::Running) {
                next.push_back(std::move(*it->second));
                continue;
            }
        }
        RunOverview read = readRunOverview(file);
        changed = changed || it == known.end() || sameOverview(read, *it->second) == false;
        next.push_back(std::move(read));
    }
    runs = std::move(next);
    return changed;
}

}  // namespace orderlens
