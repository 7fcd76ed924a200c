#include "Command.h"

#include "analysis/AnalysisPlan.h"
#include "analysis/AnalysisTables.h"
#include "common/Errors.h"
#include "report/AnalysisReport.h"

#include <QDir>
#include <QElapsedTimer>

#include <cstdio>
#include <set>

namespace orderlens::cli {

namespace {

std::vector<RecordSet> parseSplits(const std::string& text)
{
    if (text == "both")
        return {RecordSet::Train, RecordSet::Test};
    if (text == "train")
        return {RecordSet::Train};
    if (text == "test")
        return {RecordSet::Test};
    if (text == "train_eval")
        return {RecordSet::TrainEval};
    throw ConfigError("--split: '" + text + "' is not one of train, test, both, train_eval");
}

std::vector<int> parseNetworks(const QString& text)
{
    std::vector<int> out;
    for (const QString& part : text.split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const int n = part.trimmed().toInt(&ok);
        if (!ok || n < 0)
            throw ConfigError("--networks: '" + part.toStdString() + "' is not a network index (0 for network 1, 1, ...)");
        out.push_back(n);
    }
    if (out.empty())
        throw ConfigError("--networks: give network indices separated by commas, e.g. 0,2,3");
    return out;
}

// A:B is a Python slice of 0-based epochs (B excluded); either side may be left out.
std::pair<int, int> parseEpochs(const QString& text)
{
    const QStringList parts = text.split(':');
    auto number = [&](const QString& s, int fallback) {
        if (s.trimmed().isEmpty())
            return fallback;
        bool ok = false;
        const int v = s.trimmed().toInt(&ok);
        if (!ok || v < 0)
            throw ConfigError("--epochs: '" + text.toStdString() + "' is not A:B with 0-based epochs A <= B");
        return v;
    };
    if (parts.size() == 1) {
        const int e = number(parts[0], -1);
        if (e < 0)
            throw ConfigError("--epochs: empty");
        return {e, e + 1};
    }
    if (parts.size() != 2)
        throw ConfigError("--epochs: '" + text.toStdString() + "' is not A:B");
    return {number(parts[0], 0), number(parts[1], -1)};
}

std::vector<std::string> parseStatistics(const QString& text)
{
    std::vector<std::string> out;
    for (const QString& part : text.split(',', Qt::SkipEmptyParts))
        out.push_back(part.trimmed().toStdString());
    if (out.empty())
        throw ConfigError("--statistics: give statistic names separated by commas, e.g. entropy,dct_percent");
    return out;
}

std::vector<ui::FigureFormat> parseFormats(const QString& text)
{
    std::vector<ui::FigureFormat> out;
    for (const QString& f : text.split(',', Qt::SkipEmptyParts)) {
        const QString t = f.trimmed().toLower();
        if (t == "png")
            out.push_back(ui::FigureFormat::Png);
        else if (t == "svg")
            out.push_back(ui::FigureFormat::Svg);
        else if (t == "pdf")
            out.push_back(ui::FigureFormat::Pdf);
        else
            throw ConfigError("--formats: '" + t.toStdString() + "' is not one of png, svg, pdf");
    }
    return out;
}

void declare(QCommandLineParser& p)
{
    const AnalysisOptions d = AnalysisPlan("").options();
    p.addOption({"run", "The run file to analyse (HDF5). Required.", "FILE.h5"});
    p.addOption({"output", "Folder for the CSV tables, figures and report.pdf (created). Required.", "DIR"});
    p.addOption({"split", "train, test, both or train_eval (default both).", "SPLIT", "both"});
    p.addOption({"networks", "Networks to analyse by their index from 0 (network 1 is 0), e.g. 0,2,3 (default: all).", "LIST"});
    p.addOption({"epochs", "Epoch range A:B, 0-based, B excluded like a Python slice (default: every epoch all "
                           "selected networks completed).", "A:B"});
    p.addOption({"statistics", "Image statistics of the run to analyse, e.g. entropy,dct_percent (default: every "
                               "statistic the run has).", "LIST"});
    p.addOption({"never", "Never-learned images in correlations: 'end' (learned at the end of the epoch range, "
                          "default) or 'exclude'.", "POLICY", "end"});
    p.addOption({"bootstrap", "Bootstrap resamples for the 95 % intervals (0 = none; default " +
                                  QString::number(d.correlation.bootstrapResamples) + ").", "N",
                 QString::number(d.correlation.bootstrapResamples)});
    p.addOption({"confidence", "Confidence level of the bootstrap intervals (default " +
                                   QString::number(d.correlation.confidenceLevel) + ").", "LEVEL",
                 QString::number(d.correlation.confidenceLevel)});
    p.addOption({"seed", "Seed of the bootstrap (default " + QString::number(d.correlation.seed) + ").", "S",
                 QString::number(d.correlation.seed)});
    p.addOption({"agreement-threshold", "Hide metric curves where agreement is below this percentage (study: " +
                                            QString::number(d.agreementThreshold) + ").",
                 "PERCENT", QString::number(d.agreementThreshold)});
    p.addOption({"epoch-threshold", "Hide metric curves for epochs before this one (study: " +
                                        QString::number(d.epochThreshold) + ").", "E",
                 QString::number(d.epochThreshold)});
    p.addOption({"formats", "Figure formats, comma-separated (default png,svg,pdf).", "LIST", "png,svg,pdf"});
    p.addOption({"dpi", "Resolution of PNG figures (default 300).", "DPI", "300"});
    p.addOption({"no-figures", "Write the CSV tables only."});
    p.addOption({"threads", "Threads for the correlations (default: all cores).", "N", "0"});
}

int run(const QCommandLineParser& p)
{
    if (!p.isSet("run"))
        throw ConfigError("--run FILE.h5 is required (the run file to analyse)");
    if (!p.isSet("output"))
        throw ConfigError("--output DIR is required (where the tables, figures and report go)");
    AnalysisPlan plan(stringOption(p, "run"));
    plan.setSplits(parseSplits(stringOption(p, "split")));
    if (p.isSet("networks"))
        plan.setNetworks(parseNetworks(p.value("networks")));
    if (p.isSet("epochs")) {
        const auto [first, end] = parseEpochs(p.value("epochs"));
        plan.setEpochs(first, end);
    }
    if (p.isSet("statistics"))
        plan.setStatistics(parseStatistics(p.value("statistics")));
    plan.setNeverLearned(parseNeverLearnedPolicy(stringOption(p, "never")));
    plan.setBootstrap(int(intOption(p, "bootstrap", 0, 1000000)), doubleOption(p, "confidence", 0.5, 0.9999),
                      std::uint64_t(intOption(p, "seed", 0, (1LL << 62))));
    plan.setDisplayThresholds(doubleOption(p, "agreement-threshold", 0, 100),
                              int(intOption(p, "epoch-threshold", 0, 1000000)));
    plan.setThreads(int(intOption(p, "threads", 0, 1024)));
    ui::ReportOptions report;
    report.formats = parseFormats(p.value("formats"));
    report.dpi = int(intOption(p, "dpi", 50, 1200));

    const QString dir = p.value("output");
    if (!QDir().mkpath(dir))
        throw InputError(dir.toStdString(), "cannot create the output folder");
    QElapsedTimer timer;
    timer.start();
    ProgressPrinter progress("analyse");
    const RunAnalysis a = plan.analyse([&](const std::string& what, double f) {
        progress.update(f, what, -1);
    });
    progress.finish(std::to_string(a.networks.size()) + " networks, epochs " + std::to_string(a.firstEpoch) + " to " +
                    std::to_string(a.endEpoch - 1));
    if (!a.coverage.empty())
        std::printf("%s\n", a.coverage.c_str());
    const QDir out(dir);
    for (const SplitAnalysis& s : a.splits) {
        if (s.agreement.epochs.empty())
            continue;
        const EpochAgreement& e = s.agreement.epochs.back();
        std::printf("%-10s epoch %d: agreement %.2f %% (lower bound %.2f %%), mean accuracy %.2f +/- %.2f %%, "
                    "%zu of %zu images agreed\n",
                    recordSetName(s.selection.set), e.epoch, e.agreement, e.lowerBound, e.meanAccuracy, e.stdAccuracy,
                    e.agreed, e.images);
    }
    report.figures = !p.isSet("no-figures");
    ProgressPrinter figureProgress("figures");
    const QStringList files = ui::writeAnalysisReport(a, dir, report, [&](const QString& what, double f) {
        figureProgress.update(f, what.toStdString(), -1);
    });
    figureProgress.finish(std::to_string(files.size()) + " files");
    if (report.figures)
        std::printf("Report: %s\n", QDir::cleanPath(out.filePath("report.pdf")).toUtf8().constData());
    std::printf("Wrote %d files to %s in %.1f s (tables: agreement.csv, images.csv, metric_curves.csv, "
                "correlations.csv, label_agreement.csv; settings: analysis.json)\n",
                int(files.size()), QDir::cleanPath(dir).toUtf8().constData(), double(timer.elapsed()) / 1000.0);
    return 0;
}

const CommandRegistration reg({"analyze",
                               "Agreement, learning epochs, correlations with image metrics, figures and a PDF report "
                               "for a run.",
                               declare, run, true});

}  // namespace

}  // namespace orderlens::cli
