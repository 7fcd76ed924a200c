#include "statistics/MetricsCache.h"

#include "common/Errors.h"
#include "io/AtomicFile.h"
#include "io/CsvText.h"
#include "statistics/MetricTable.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace orderlens {

namespace {

}  // namespace

MetricsCache::MetricsCache(std::string directory, const Dataset& dataset)
    : directory_(std::move(directory)), dataset_(dataset)
{
    const std::string fingerprint = contentFingerprint(dataset);
    header_ = "# orderlens metrics cache " + std::to_string(kLayoutVersion) + " " + fingerprint + " " +
              std::to_string(dataset.size());
    std::string name = dataset.name.empty() ? "dataset" : dataset.name;
    for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_')
            c = '_';
    path_ = (fs::path(directory_) / (name + "-" + fingerprint + ".csv")).string();
}

std::string MetricsCache::defaultDirectory()
{
    if (const char* dir = std::getenv("ORDERLENS_METRICS_CACHE"); dir && *dir)
        return dir;
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        return (fs::path(xdg) / "orderlens" / "metrics").string();
    if (const char* home = std::getenv("HOME"); home && *home)
        return (fs::path(home) / ".cache" / "orderlens" / "metrics").string();
    return (fs::temp_directory_path() / "orderlens-metrics").string();
}

std::string MetricsCache::contentFingerprint(const Dataset& dataset) { return dataset.fingerprint(); }

std::map<std::string, std::vector<double>> MetricsCache::readAll() const
{
    const Dataset& dataset = dataset_;
    std::map<std::string, std::vector<double>> out;
    std::ifstream in(path_);
    if (!in)
        return out;
    std::string line;
    if (!std::getline(in, line) || line != header_)
        return out;
    if (!std::getline(in, line))
        return out;
    std::vector<std::string> names, fields;
    if (!splitCsvLine(line, names) || names.empty() || names[0] != "key")
        return out;
    std::vector<std::vector<double>> columns(names.size() - 1, std::vector<double>(dataset.size()));
    for (std::size_t i = 0; i < dataset.size(); ++i) {
        if (!std::getline(in, line))
            return {};
        // Any mismatch means someone else's or a damaged file: recompute rather than trust it.
        if (!splitCsvLine(line, fields) || fields.size() != names.size() || fields[0] != dataset.key(i))
            return {};
        for (std::size_t c = 1; c < fields.size(); ++c)
            if (!parseMetricText(fields[c], columns[c - 1][i]))
                return {};
    }
    for (std::size_t c = 1; c < names.size(); ++c)
        out[names[c]] = std::move(columns[c - 1]);
    return out;
}

std::map<std::string, std::vector<double>> MetricsCache::load(const std::vector<std::string>& ids) const
{
    std::map<std::string, std::vector<double>> all = readAll(), out;
    for (const std::string& id : ids) {
        auto it = all.find(id);
        if (it != all.end())
            out[id] = std::move(it->second);
    }
    return out;
}

void MetricsCache::store(const std::map<std::string, std::vector<double>>& columns) const
{
    const Dataset& dataset = dataset_;
    std::map<std::string, std::vector<double>> all = readAll();
    for (const auto& [id, values] : columns) {
        if (values.size() != dataset.size())
            throw Error("MetricsCache::store: column '" + id + "' has " + std::to_string(values.size()) +
                        " values for " + std::to_string(dataset.size()) + " images");
        if (id.find(',') != std::string::npos || id.find('\n') != std::string::npos)
            throw Error("MetricsCache::store: column id '" + id + "' contains a comma or a line break");
        all[id] = values;
    }
    std::error_code ec;
    fs::create_directories(directory_, ec);
    if (ec)
        throw InputError(directory_, "cannot create the metrics cache folder: " + ec.message());
    // Per process, so two runs filling the same cache never write into one file.
    writeFileAtomically(
        path_,
        [&](std::ostream& out) {
            std::string text = header_ + "\nkey";
            for (const auto& [id, values] : all)
                text += "," + id;
            text += "\n";
            for (std::size_t i = 0; i < dataset.size(); ++i) {
                text += csvQuote(dataset.key(i));
                for (const auto& [id, values] : all) {
                    text += ',';
                    text += metricText(values[i]);
                }
                text += '\n';
            }
            out << text;
        },
        ".writing." + std::to_string(::getpid()));
}

}  // namespace orderlens
