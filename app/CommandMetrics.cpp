#include "Command.h"

#include "common/Errors.h"
#include "dataset/DatasetReader.h"
#include "io/AtomicFile.h"
#include "io/CsvText.h"
#include "statistics/HumanUncertainty.h"
#include "statistics/LocalEntropy.h"
#include "statistics/MetricsCache.h"
#include "statistics/RunStatistics.h"
#include "statistics/ScoreCsv.h"
#include "statistics/StatisticsEngine.h"
#include "storage/RunFile.h"

#include <QStringList>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <fstream>
#include <map>
#include <optional>
#include <unordered_map>

namespace orderlens::cli {

namespace {

void declare(QCommandLineParser& p)
{
    QString kinds;
    for (const StatisticKind& k : statisticKinds())
        kinds += "\n  " + QString::fromStdString(k.name) + ": " + QString::fromStdString(k.description);
    p.addOption({"dataset", "Dataset spec (see `orderlens --help`); default fashion-mnist. With --run: where the run's "
                            "dataset lives now, if it moved (the run's images are still the ones it was trained on).",
                 "SPEC", "fashion-mnist"});
    p.addOption({"limit-train", "Keep a class-stratified subset of N training images (0 = all; not with --run, whose "
                                "images are its own).", "N", "0"});
    p.addOption({"limit-test", "Keep a class-stratified subset of M test images (0 = all; not with --run).", "M", "0"});
    p.addOption({"metrics", "Comma-separated statistics to compute, 'all' (default) or 'none':" + kinds, "LIST", "all"});
    p.addOption({"window", "Entropy window side in pixels (the study: 10).", "W", "10"});
    p.addOption({"sigma", "Segmentation smoothing sigma (the study: 0.5).", "S", "0.5"});
    p.addOption({"k", "Segmentation threshold constant k (the study: 500).", "K", "500"});
    p.addOption({"min-size", "Segmentation minimum component size (the study: 20).", "N", "20"});
    p.addOption({"seed", "Seed of the random statistics (crisp): each image's seed derives from it and the image's key "
                         "(default: the run's seed with --run, else 0).", "N"});
    p.addOption({"crisp-repeats", "Average N independently seeded crisp boundary maps per image (the study: 1).", "N", "1"});
    p.addOption({"edge-maps", "Write each image's crisp boundary map to DIR as CSV and PNG (named after the key, '/' -> '__').",
                 "DIR"});
    p.addOption({"import", "Import a CSV of (image key or file name, value) as column NAME; repeatable.", "NAME=FILE.csv"});
    p.addOption({"crisp-boundaries", "Import the crisp-boundaries CSV (columns Image, EdgeStrength) as column "
                                     "edge_strength_crisp.", "FILE.csv"});
    p.addOption({"cifar10h", "CIFAR-10H probabilities (.npy, 10000 x 10): column human_uncertainty for the test split "
                             "(not with --run: a run's file is the one its configuration names).",
                 "FILE.npy"});
    p.addOption({"output", "Write the CSV: key,split,label then one column per metric (with --run: one row per image "
                           "of the run, in the run's order).", "FILE.csv"});
    p.addOption({"run", "Compute the statistics of exactly this run's images (its dataset and limits, the human "
                        "uncertainty its configuration names) and store them in the run.", "FILE.h5"});
    p.addOption({"threads", "Worker threads (0 = every core).", "N", "0"});
    p.addOption({"cache-dir", "Per-dataset metrics cache folder (default: " +
                                  QString::fromStdString(MetricsCache::defaultDirectory()) + ").", "DIR"});
    p.addOption({"no-cache", "Neither read nor write the metrics cache."});
}

// Names that statistics had before, with what they are called now.
const std::map<std::string, std::string> kRenamedStatistics = {
    {"edges", "sobel"},  // the Sobel sum was called edge strength before the study's crisp one was built in
};

std::vector<std::string> statisticNames(const std::string& list, ProgressPrinter* printer = nullptr)
{
    std::vector<std::string> names;
    if (list == "none")
        return names;
    if (list == "all") {
        for (const StatisticKind& k : statisticKinds())
            names.push_back(k.name);
        return names;
    }
    for (const QString& part : QString::fromStdString(list).split(',', Qt::SkipEmptyParts)) {
        std::string name = part.trimmed().toStdString();
        if (auto renamed = kRenamedStatistics.find(name); renamed != kRenamedStatistics.end()) {
            if (printer)
                printer->line("note: '" + name + "' is now called '" + renamed->second +
                              "' (column sobel_edge_strength); the study's edge strength is 'crisp'");
            name = renamed->second;
        }
        if (std::find(names.begin(), names.end(), name) == names.end())
            names.push_back(name);
    }
    if (names.empty())
        throw ConfigError("--metrics: no statistic named (use 'all', 'none' or e.g. entropy,dct)");
    return names;
}

void addImported(MetricTable& table, const std::string& name, std::vector<double> values)
{
    if (table.has(name))
        throw ConfigError("two metrics would be called '" + name + "'; choose another NAME for --import");
    table.set(name, std::move(values));
}

// The class index; for multi-label images every class present, e.g. "3;14".
std::string labelText(const Dataset& ds, std::size_t i)
{
    if (!ds.multiLabel)
        return std::to_string(ds.label(i));
    std::string out;
    for (std::size_t c = 0; c < 64 && c < ds.classNames.size(); ++c)
        if (ds.labelBits(i) & (std::uint64_t(1) << c))
            out += (out.empty() ? "" : ";") + std::to_string(c);
    return out;
}

void writeCsv(const std::string& path, const Dataset& ds, const MetricTable& table)
{
    writeFileAtomically(path, [&](std::ostream& out) {
        std::string text = "key,split,label";
        for (const std::string& name : table.names())
            text += "," + csvQuote(name);
        text += '\n';
        for (std::size_t i = 0; i < ds.size(); ++i) {
            text += csvQuote(ds.key(i));
            text += ',';
            text += splitName(ds.split(i));
            text += ',';
            text += labelText(ds, i);
            for (const std::string& name : table.names()) {
                text += ',';
                text += metricText(table.column(name)[i]);
            }
            text += '\n';
        }
        out << text;
    });
}

void printSummary(const MetricTable& table)
{
    std::printf("\n%-22s %10s %9s %14s %14s %14s\n", "column", "values", "missing", "mean", "min", "max");
    for (const std::string& name : table.names()) {
        const std::vector<double>& c = table.column(name);
        double sum = 0, lo = INFINITY, hi = -INFINITY;
        std::size_t n = 0;
        for (double v : c)
            if (!std::isnan(v)) {
                sum += v;
                lo = std::min(lo, v);
                hi = std::max(hi, v);
                ++n;
            }
        if (n)
            std::printf("%-22s %10zu %9zu %14.6g %14.6g %14.6g\n", name.c_str(), n, c.size() - n, sum / double(n), lo, hi);
        else
            std::printf("%-22s %10zu %9zu %14s %14s %14s\n", name.c_str(), n, c.size(), "-", "-", "-");
    }
}

int run(const QCommandLineParser& p)
{
    const std::string output = stringOption(p, "output");
    const std::string runPath = stringOption(p, "run");
    if (output.empty() && runPath.empty())
        throw ConfigError("give --output FILE.csv, --run FILE.h5 or both");

    ProgressPrinter printer("metrics");
    StatisticsRequest request;
    request.statistics = statisticNames(stringOption(p, "metrics"), &printer);
    request.parameters.entropyWindow = int(intOption(p, "window", 1, kMaxEntropyWindow));
    request.parameters.segmentSigma = float(doubleOption(p, "sigma", 0, 100));
    request.parameters.segmentK = float(doubleOption(p, "k", 1e-6, 1e9));
    request.parameters.segmentMinSize = int(intOption(p, "min-size", 0, 1 << 30));
    request.parameters.crispRepeats = int(intOption(p, "crisp-repeats", 1, 1000));
    if (!runPath.empty())
        for (const char* option : {"limit-train", "limit-test", "cifar10h"})
            if (p.isSet(option))
                throw ConfigError(std::string("--") + option + " cannot be combined with --run: the run's images and " +
                                  "its CIFAR-10H file are the ones its configuration names");
    // The run's images, loaded once (exactly those it was trained on), or the dataset given.
    std::optional<RunStatistics> runStatistics;
    if (!runPath.empty())
        runStatistics.emplace(runPath, p.isSet("dataset") ? stringOption(p, "dataset") : std::string());
    if (runStatistics)
        request.parameters.crispSeed = runStatistics->source().seed;
    if (p.isSet("seed"))
        request.parameters.crispSeed = std::uint64_t(intOption(p, "seed", 0, std::numeric_limits<qint64>::max()));
    if (p.isSet("edge-maps")) {
        if (std::find(request.statistics.begin(), request.statistics.end(), "crisp") == request.statistics.end())
            throw ConfigError("--edge-maps needs the crisp statistic (--metrics crisp or all)");
        request.parameters.crispMapDirectory = stringOption(p, "edge-maps");
        std::error_code error;
        std::filesystem::create_directories(request.parameters.crispMapDirectory, error);
        if (error || !std::filesystem::is_directory(request.parameters.crispMapDirectory))
            throw InputError(request.parameters.crispMapDirectory, "cannot create the edge map folder");
    }
    if (!p.isSet("no-cache"))
        request.cacheDirectory = p.isSet("cache-dir") ? stringOption(p, "cache-dir") : MetricsCache::defaultDirectory();
    // Fail on a bad option before spending minutes on the dataset.
    createStatistics(request.statistics, request.parameters);
    std::vector<std::pair<std::string, std::string>> imports;
    for (const QString& spec : p.values("import")) {
        const int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.size() - 1)
            throw ConfigError("--import: '" + spec.toStdString() + "' is not NAME=FILE.csv");
        imports.emplace_back(spec.left(eq).toStdString(), spec.mid(eq + 1).toStdString());
    }

    std::optional<Dataset> given;
    if (!runStatistics)
        given = loadDataset(stringOption(p, "dataset"), std::size_t(intOption(p, "limit-train", 0, 1LL << 40)),
                            std::size_t(intOption(p, "limit-test", 0, 1LL << 40)));
    const Dataset& ds = runStatistics ? runStatistics->dataset() : *given;
    printer.line("Dataset " + ds.source + ": " + std::to_string(ds.size()) + " images" +
                 (runStatistics ? " (the run's)" : ""));

    EngineOptions options;
    options.threads = unsigned(intOption(p, "threads", 0, 4096));
    const auto start = std::chrono::steady_clock::now();
    options.progress = [&printer, start](std::size_t done, std::size_t total) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double fraction = total ? double(done) / double(total) : 1.0;
        const double eta = done ? elapsed * double(total - done) / double(done) : NAN;
        printer.update(fraction, std::to_string(done) + "/" + std::to_string(total) + " images", eta);
    };
    StatisticsOutcome outcome =
        runStatistics ? runStatistics->compute(request, options) : datasetStatistics(ds, request, options);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!outcome.computed.empty()) {
        char rate[64];
        std::snprintf(rate, sizeof rate, "%.1f s (%.0f images/s)", seconds, double(ds.size()) / std::max(seconds, 1e-9));
        printer.line("computed " + std::to_string(outcome.computed.size()) + " columns in " + rate);
    }
    if (!outcome.fromCache.empty())
        printer.line("read " + std::to_string(outcome.fromCache.size()) + " columns from the metrics cache");
    for (const std::string& w : outcome.warnings)
        printer.line("warning: " + w);

    MetricTable& table = outcome.table;
    // Values the dataset brings itself (e.g. Pascal VOC object size, KTH-TIPS2-b rotation); a
    // run's come with its statistics.
    if (!runStatistics)
        for (const auto& [name, values] : ds.metrics)
            addImported(table, name, values);
    for (const auto& [name, file] : imports) {
        ScoreImport imported = importScoreCsv(file, ds);
        for (const std::string& w : imported.warnings)
            printer.line("warning: " + w);
        addImported(table, name, std::move(imported.values));
    }
    if (p.isSet("crisp-boundaries")) {
        ScoreImport imported = importScoreCsv(stringOption(p, "crisp-boundaries"), ds, kCrispImageColumn, kCrispValueColumn);
        for (const std::string& w : imported.warnings)
            printer.line("warning: " + w);
        addImported(table, "edge_strength_crisp", std::move(imported.values));
    }
    if (p.isSet("cifar10h"))
        addImported(table, "human_uncertainty", importCifar10h(stringOption(p, "cifar10h"), ds));

    if (!output.empty()) {
        writeCsv(output, ds, table);
        printer.line("wrote " + output);
    }
    if (runStatistics) {
        runStatistics->store(table);
        printer.line("stored " + std::to_string(table.names().size()) + " columns in " + runPath);
    }
    printSummary(table);
    return 0;
}

const CommandRegistration reg({"metrics", "Compute and import per-image statistics (entropy, DCT, segments, ...).",
                               declare, run});

}  // namespace

}  // namespace orderlens::cli
