#include "statistics/StatisticsEngine.h"

#include "common/Errors.h"
#include "common/ThreadBudget.h"
#include "statistics/MetricsCache.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace orderlens {

namespace {

// Images per claim: small enough to balance 2 cores on 1000 images, large enough that the
// shared counter is not contended for 28 x 28 images that take microseconds each.
constexpr std::size_t kImagesPerClaim = 64;

struct MissingNote {
    std::size_t count = 0;
    std::size_t firstImage = std::numeric_limits<std::size_t>::max();
    std::string reason;
};

}  // namespace

MetricTable computeStatistics(const Dataset& dataset, const std::vector<const ImageStatistic*>& statistics,
                              const EngineOptions& options, std::vector<std::string>* warnings)
{
    MetricTable table(dataset.size());
    std::vector<std::vector<std::vector<double>*>> outputs(statistics.size());
    for (const ImageStatistic* statistic : statistics)
        for (const std::string& name : statistic->columns()) {
            if (table.has(name))
                throw ConfigError("two statistics write the column '" + name + "'");
            table.add(name);
        }
    // Pointers only once every column exists: adding a column may move the others.
    for (std::size_t s = 0; s < statistics.size(); ++s)
        for (const std::string& name : statistics[s]->columns())
            outputs[s].push_back(&table.add(name));  // exists: returns it
    const std::size_t total = dataset.size();
    if (statistics.empty())
        return table;
    unsigned threads = workerThreads(int(options.threads));
    threads = unsigned(std::min<std::size_t>(threads, std::max<std::size_t>(1, total / kImagesPerClaim + 1)));

    std::atomic<std::size_t> next{0}, done{0};
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::condition_variable finished;
    unsigned running = threads;
    std::exception_ptr failure;
    std::vector<std::vector<MissingNote>> notes(threads, std::vector<MissingNote>(statistics.size()));

    auto work = [&](unsigned worker) {
        try {
            std::vector<double> values;
            std::string warning;
            while (!stop.load(std::memory_order_relaxed)) {
                if (options.cancel && options.cancel->load(std::memory_order_relaxed))
                    break;
                const std::size_t begin = next.fetch_add(kImagesPerClaim);
                if (begin >= total)
                    break;
                const std::size_t end = std::min(total, begin + kImagesPerClaim);
                for (std::size_t i = begin; i < end; ++i) {
                    const ImageView image = dataset.image(i);
                    for (std::size_t s = 0; s < statistics.size(); ++s) {
                        values.assign(outputs[s].size(), std::numeric_limits<double>::quiet_NaN());
                        warning.clear();
                        statistics[s]->computeForKey(image, dataset.key(i), values.data(), warning);
                        for (std::size_t c = 0; c < values.size(); ++c)
                            (*outputs[s][c])[i] = values[c];
                        if (!warning.empty()) {
                            MissingNote& note = notes[worker][s];
                            if (note.count++ == 0 || i < note.firstImage) {
                                note.firstImage = i;
                                note.reason = warning;
                            }
                        }
                    }
                }
                done.fetch_add(end - begin, std::memory_order_relaxed);
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex);
            if (!failure)
                failure = std::current_exception();
            stop = true;
        }
        std::lock_guard<std::mutex> lock(mutex);
        if (--running == 0)
            finished.notify_all();
    };

    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back(work, t);
    {
        std::unique_lock<std::mutex> lock(mutex);
        while (!finished.wait_for(lock, std::chrono::milliseconds(100), [&] { return running == 0; })) {
            if (options.progress) {
                lock.unlock();
                options.progress(done.load(), total);
                lock.lock();
            }
        }
    }
    for (std::thread& t : pool)
        t.join();
    if (failure)
        std::rethrow_exception(failure);
    if (options.cancel && options.cancel->load())
        throw Cancelled();
    if (options.progress)
        options.progress(total, total);

    if (warnings) {
        for (std::size_t s = 0; s < statistics.size(); ++s) {
            MissingNote merged;
            for (const auto& perWorker : notes) {
                const MissingNote& n = perWorker[s];
                if (n.count && n.firstImage < merged.firstImage) {
                    merged.firstImage = n.firstImage;
                    merged.reason = n.reason;
                }
                merged.count += n.count;
            }
            if (merged.count)
                warnings->push_back(statistics[s]->columns().front() + ": no value for " + std::to_string(merged.count) +
                                    " of " + std::to_string(total) + " images (e.g. " +
                                    dataset.key(merged.firstImage) + ": " + merged.reason + ")");
        }
    }
    return table;
}

StatisticsOutcome datasetStatistics(const Dataset& dataset, const StatisticsRequest& request,
                                    const EngineOptions& options)
{
    StatisticsOutcome out;
    out.table = MetricTable(dataset.size());
    const auto statistics = createStatistics(request.statistics, request.parameters);

    std::map<std::string, std::vector<double>> cached;
    std::unique_ptr<MetricsCache> cache;
    if (!request.cacheDirectory.empty()) {
        cache = std::make_unique<MetricsCache>(request.cacheDirectory, dataset);
        std::vector<std::string> ids;
        for (const auto& s : statistics)
            for (const std::string& c : s->columns())
                ids.push_back(MetricsCache::columnId(c, s->parameterTag()));
        cached = cache->load(ids);
    }
    std::vector<const ImageStatistic*> toCompute;
    for (const auto& s : statistics) {
        bool complete = !s->writesFiles();
        for (const std::string& c : s->columns())
            complete = complete && cached.count(MetricsCache::columnId(c, s->parameterTag()));
        if (!complete)
            toCompute.push_back(s.get());
    }
    MetricTable computed = computeStatistics(dataset, toCompute, options, &out.warnings);
    std::map<std::string, std::vector<double>> fresh;
    for (const auto& s : statistics) {
        const bool isNew = std::find(toCompute.begin(), toCompute.end(), s.get()) != toCompute.end();
        for (const std::string& c : s->columns()) {
            const std::string id = MetricsCache::columnId(c, s->parameterTag());
            if (isNew) {
                out.table.set(c, computed.column(c));
                fresh[id] = computed.column(c);
                out.computed.push_back(c);
            } else {
                out.table.set(c, cached[id]);
                out.fromCache.push_back(c);
            }
        }
    }
    if (cache && !fresh.empty()) {
        // A cache that cannot be written costs time next run, not this run's results.
        try {
            cache->store(fresh);
        } catch (const InputError& e) {
            out.warnings.push_back(std::string("metrics cache not updated: ") + e.what());
        }
    }
    return out;
}

}  // namespace orderlens
