#include "storage/RunProgress.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace orderlens {

namespace {

double nowSeconds()
{
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string localTime(double unixSeconds)
{
    if (unixSeconds <= 0)
        return "-";
    const std::time_t t = std::time_t(unixSeconds);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

std::string duration(double seconds)
{
    const long long s = std::llround(seconds);
    char buf[48];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%lld h %02lld min", s / 3600, (s % 3600) / 60);
    else if (s >= 60)
        std::snprintf(buf, sizeof buf, "%lld min %02lld s", s / 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%lld s", s);
    return buf;
}

// One network trained as a task: running (where), complete, interrupted or not started.
std::string taskState(const RunProgress& p, const NetworkProgress& np)
{
    if (np.epochsDone >= p.epochs)
        return "complete";
    if (np.writerLive)
        return "running on " + np.writer.describe() + " (heartbeat " +
               duration(std::max(0.0, nowSeconds() - np.writer.heartbeat)) + " ago)";
    if (np.writer.started > 0 || np.epochsDone > 0)
        return "interrupted";
    return "not started";
}

std::string tasksState(const RunProgress& p)
{
    int running = 0, complete = 0, interrupted = 0, waiting = 0;
    std::string resume;
    for (std::size_t n = 0; n < p.networks.size(); ++n) {
        const std::string state = taskState(p, p.networks[n]);
        if (state == "complete")
            ++complete;
        else if (state == "interrupted") {
            ++interrupted;
            resume += "  orderlens train --run " + p.path + " --task " + std::to_string(n) + " --resume\n";
        } else if (state == "not started")
            ++waiting;
        else
            ++running;
    }
    std::string out = "State: trained as tasks, one per network: " + std::to_string(running) + " running, " +
                      std::to_string(complete) + " complete, " + std::to_string(interrupted) + " interrupted, " +
                      std::to_string(waiting) + " not started\n";
    if (!resume.empty())
        out += "Resume the interrupted ones (or resubmit them to the cluster) with:\n" + resume;
    return out;
}

}  // namespace

bool RunProgress::complete() const
{
    return std::all_of(networks.begin(), networks.end(), [&](const NetworkProgress& n) { return n.epochsDone >= epochs; });
}

double RunProgress::lastEpochAt() const
{
    double t = 0;
    for (const NetworkProgress& n : networks)
        t = std::max(t, n.lastFinishedAt);
    return t;
}

RunProgress readRunProgress(const RunFile& run)
{
    RunProgress p;
    p.path = run.path();
    p.epochs = run.shape().epochs;
    p.writer = run.writer();
    p.writerLive = p.writer.live();
    p.tasks = run.madeOfParts();
    try {
        const nlohmann::json config = nlohmann::json::parse(run.configJson());
        p.sideBySide = config.value("parallel_networks", false) || config.value("fuse_networks", false);
    } catch (const nlohmann::json::exception&) {
        p.sideBySide = false;
    }
    std::size_t images = run.manifest().keys.size();
    if (run.hasRecordSet(RecordSet::TrainEval))
        images += run.manifest().splitIndices(Split::Train).size();
    double meanOfAll = 0;
    int measured = 0;
    for (int n = 0; n < run.shape().networks; ++n) {
        NetworkProgress np;
        np.epochsDone = run.epochsDone()[std::size_t(n)];
        if (p.tasks) {
            np.writer = run.partWriter(n);
            np.writerLive = np.writer.live();
        }
        double total = 0;
        for (int e = 0; e < np.epochsDone; ++e) {
            const EpochSummary s = run.readSummary(n, e);
            total += s.seconds;
            if (e + 1 == np.epochsDone) {
                np.lastFinishedAt = s.finishedAt;
                np.imagesPerSecond = s.seconds > 0 ? double(images) / s.seconds : 0;
            }
        }
        if (np.epochsDone > 0 && total > 0) {
            np.secondsPerEpoch = total / np.epochsDone;
            meanOfAll += np.secondsPerEpoch;
            ++measured;
        }
        p.networks.push_back(np);
    }
    if (measured > 0 && !p.complete()) {
        meanOfAll /= measured;
        double sum = 0, longest = 0;
        for (const NetworkProgress& np : p.networks) {
            // Tasks that nobody runs now add nothing until they are (re)submitted.
            if (p.tasks && !np.writerLive)
                continue;
            const double perEpoch = np.secondsPerEpoch > 0 ? np.secondsPerEpoch : meanOfAll;
            const double left = double(p.epochs - np.epochsDone) * perEpoch;
            sum += left;
            longest = std::max(longest, left);
        }
        p.etaSeconds = p.sideBySide || p.tasks ? longest : sum;
    } else if (p.complete()) {
        p.etaSeconds = 0;
    }
    return p;
}

std::string describeRunProgress(const RunProgress& p)
{
    int done = 0;
    for (const NetworkProgress& n : p.networks)
        done += n.epochsDone;
    // The path may be of any length: composed, not formatted into a buffer that would cut it.
    std::string out = p.path + ": " + std::to_string(p.networks.size()) + " networks x " + std::to_string(p.epochs) +
                      " epochs, " + std::to_string(done) + " of " +
                      std::to_string(p.networks.size() * std::size_t(p.epochs)) + " epochs recorded\n";
    if (p.complete())
        out += "State: complete\n";
    else if (p.tasks)
        out += tasksState(p);
    else if (p.writerLive)
        out += "State: being trained by " + p.writer.describe() + " since " + localTime(p.writer.started) +
               " (last heartbeat " + duration(std::max(0.0, nowSeconds() - p.writer.heartbeat)) + " ago)\n";
    else
        out += "State: interrupted, no process is training it (resume with: orderlens train --run " + p.path +
               " --resume)\n";
    // Networks counted from 1, as everywhere people read them; a task is addressed by its index.
    out += std::string("network  epochs      last epoch finished    s/epoch   images/s") +
           (p.tasks ? "  task (--task index): state" : "") + "\n";
    for (std::size_t n = 0; n < p.networks.size(); ++n) {
        const NetworkProgress& np = p.networks[n];
        char line[256];  // numbers and a date only
        std::snprintf(line, sizeof line, "%-8zu %4d/%-6d %-22s %8.1f %10.0f", n + 1, np.epochsDone, p.epochs,
                      localTime(np.lastFinishedAt).c_str(), np.secondsPerEpoch, np.imagesPerSecond);
        out += line;
        if (p.tasks)
            out += "  " + std::to_string(n) + ": " + taskState(p, np);
        out += "\n";
    }
    if (!p.complete()) {
        if (p.writerLive && p.etaSeconds >= 0)
            out += "ETA: " + duration(p.etaSeconds) + " (around " + localTime(nowSeconds() + p.etaSeconds) + ", " +
                   (p.tasks        ? "the running tasks side by side"
                    : p.sideBySide ? "networks side by side"
                                   : "networks one after another") +
                   ")\n";
        else if (p.writerLive)
            out += "ETA: after the first epoch\n";
    }
    return out;
}

}  // namespace orderlens
