#include "report/AnalysisReport.h"

#include "analysis/AnalysisTables.h"
#include "common/Errors.h"
#include "io/AtomicFile.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QPainter>
#include <QPdfWriter>
#include <QTextDocument>
#include <qcustomplot.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <memory>

namespace orderlens::ui {

namespace {

// The report is laid out at 96 units per inch, the figures' logical resolution.
constexpr int kReportResolution = 96;
constexpr QSize kFigureSize = kFigureLogicalSize;
constexpr int kStrongestCorrelations = 8;
constexpr std::size_t kFiguresPerPage = 2;
constexpr int kReportScatterPoints = 2000;

QString esc(const QString& s) { return s.toHtmlEscaped(); }
QString esc(const std::string& s) { return QString::fromStdString(s).toHtmlEscaped(); }

QString num(double v, int digits = 2)
{
    return std::isnan(v) ? QStringLiteral("&ndash;") : QString::number(v, 'f', digits);
}

QString pValue(double p)
{
    if (std::isnan(p))
        return QStringLiteral("&ndash;");
    return p < 1e-4 ? QStringLiteral("&lt; 0.0001") : QString::number(p, 'g', 2);
}

QString jsonValue(const nlohmann::json& v)
{
    if (v.is_string())
        return QString::fromStdString(v.get<std::string>());
    return QString::fromStdString(v.dump());
}

}  // namespace

ReportFigure drawReportFigure(const FigureSpec& spec, const FigureStyle& style)
{
    ReportFigure figure;
    figure.stem = spec.stem;
    figure.title = spec.title;
    figure.caption = spec.caption;
    {
        QCustomPlot plot;
        plot.resize(kFigureSize);
        spec.build(&plot, spec.title, style);
        figure.file = FigurePicture::record(&plot, kFigureSize);
    }
    QCustomPlot plot;
    plot.resize(kFigureSize);
    FigureStyle onPage = style;
    onPage.title = false;  // the caption carries the title in the report
    // Fewer scatter points in the report keep it a reasonable size; the figure files keep more.
    onPage.maxScatterPoints = std::min(onPage.maxScatterPoints, kReportScatterPoints);
    spec.build(&plot, spec.title, onPage);
    figure.page = FigurePicture::record(&plot, kFigureSize);
    return figure;
}

QStringList writeReportFigureFiles(const QString& dir, ReportFigure& figure, const ReportOptions& options)
{
    const QString base = QDir(dir).filePath(figure.stem);
    figure.file.write(base, options.formats, options.dpi);
    QStringList written;
    for (FigureFormat f : options.formats)
        written << FigurePicture::fileFor(base, f);
    return written;
}

QString reportSummaryHtml(const RunAnalysis& a)
{
    const nlohmann::json config = nlohmann::json::parse(a.configJson, nullptr, false);
    const bool haveConfig = config.is_object();
    auto configText = [&](const char* key) {
        return haveConfig && config.contains(key) ? esc(jsonValue(config[key])) : QStringLiteral("&ndash;");
    };
    std::size_t train = 0, test = 0;
    for (const SplitAnalysis& s : a.splits) {
        if (s.selection.set == RecordSet::Train)
            train = s.measures.manifestIndices.size();
        if (s.selection.set == RecordSet::Test)
            test = s.measures.manifestIndices.size();
    }
    QString h = QStringLiteral("<style>h2 { font-size: 14pt; } h3 { font-size: 11pt; margin-top: 10px; }</style>");
    h += QStringLiteral("<h2>OrderLens report: %1, %2</h2>").arg(esc(a.datasetName), configText("architecture"));
    h += QStringLiteral("<p>Run file <tt>%1</tt>; report made %2 by OrderLens %3.</p>")
             .arg(esc(a.runPath), QDateTime::currentDateTime().toString(Qt::ISODate), QStringLiteral(ORDERLENS_VERSION));

    h += QStringLiteral("<h3>Experiment</h3><table cellspacing='0' cellpadding='2'>");
    auto row = [&](const QString& k, const QString& v) {
        h += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(k, v);
    };
    row(QStringLiteral("Dataset"), esc(a.datasetName) + QStringLiteral(" (") + esc(a.datasetSource) +
                                       QStringLiteral("), %1 classes%2").arg(a.classNames.size())
                                           .arg(a.shape.multiLabel ? QStringLiteral(", multi-label") : QString()));
    if (train || test)
        row(QStringLiteral("Images analysed"), QStringLiteral("%1 train, %2 test").arg(train).arg(test));
    row(QStringLiteral("Architecture"), configText("architecture"));
    // Networks as on screen, from 1, and the indices the CSV tables and --networks use.
    QStringList nets, indices;
    for (int n : a.networks) {
        nets << QString::number(n + 1);
        indices << QString::number(n);
    }
    row(QStringLiteral("Networks"), QStringLiteral("%1 of %2: %3 (indices %4)")
                                        .arg(a.networks.size())
                                        .arg(a.shape.networks)
                                        .arg(nets.join(", "), indices.join(", ")));
    row(QStringLiteral("Epochs analysed"), QStringLiteral("%1 to %2 (0-based) of %3")
                                               .arg(a.firstEpoch)
                                               .arg(a.endEpoch - 1)
                                               .arg(a.shape.epochs));
    if (!a.coverage.empty())
        row(QStringLiteral("Coverage"), esc(a.coverage));
    h += QStringLiteral("</table>");

    if (haveConfig) {
        h += QStringLiteral("<h3>Hyper-parameters</h3><p>");
        QStringList items;
        for (auto it = config.begin(); it != config.end(); ++it)
            items << QStringLiteral("<tt>%1</tt> = %2").arg(esc(it.key()), esc(jsonValue(it.value())));
        h += items.join(QStringLiteral("; ")) + QStringLiteral("</p>");
    }

    h += QStringLiteral("<h3>Final accuracies (epoch %1)</h3>").arg(a.endEpoch - 1);
    h += QStringLiteral("<table border='1' cellspacing='0' cellpadding='3'><tr><th>Network</th><th>Train accuracy "
                        "(%)</th><th>Test accuracy (%)</th><th>Train loss</th><th>Test loss</th></tr>");
    for (std::size_t k = 0; k < a.networks.size(); ++k) {
        if (a.history[k].empty())
            continue;
        const EpochSummary& s = a.history[k].back();
        h += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td><td>%5</td></tr>")
                 .arg(a.networks[k] + 1)
                 .arg(num(100 * s.trainAccuracy), num(100 * s.testAccuracy), num(s.trainLoss, 4), num(s.testLoss, 4));
    }
    h += QStringLiteral("</table>");

    h += QStringLiteral("<h3>Agreement at the last epoch</h3>");
    h += QStringLiteral("<table border='1' cellspacing='0' cellpadding='3'><tr><th>Split</th><th>Agreement (%)</th>"
                        "<th>Lower bound (%)</th><th>Mean accuracy &plusmn; std (%)</th><th>Agreed / union "
                        "images</th><th>Never learned</th></tr>");
    for (const SplitAnalysis& s : a.splits) {
        if (s.agreement.epochs.empty())
            continue;
        const EpochAgreement& e = s.agreement.epochs.back();
        const auto never = std::count(s.measures.epochs.learnedEpoch.begin(), s.measures.epochs.learnedEpoch.end(),
                                      kNeverLearned);
        h += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4 &plusmn; %5</td><td>%6 / %7</td><td>%8 of "
                            "%9</td></tr>")
                 .arg(QString::fromUtf8(recordSetName(s.selection.set)), num(e.agreement), num(e.lowerBound),
                      num(e.meanAccuracy), num(e.stdAccuracy))
                 .arg(e.agreed)
                 .arg(e.unionCount)
                 .arg(never)
                 .arg(e.images);
    }
    h += QStringLiteral("</table>");

    h += QStringLiteral("<h3>Strongest correlations (Spearman, by |&rho;|)</h3>");
    bool anyMetric = false;
    for (const SplitAnalysis& s : a.splits) {
        std::vector<const CorrelationRow*> rows;
        for (const CorrelationRow& r : s.correlations)
            if (r.method == CorrelationMethod::Spearman && !std::isnan(r.result.coefficient))
                rows.push_back(&r);
        if (rows.empty())
            continue;
        anyMetric = true;
        std::sort(rows.begin(), rows.end(), [](const CorrelationRow* x, const CorrelationRow* y) {
            return std::abs(x->result.coefficient) > std::abs(y->result.coefficient);
        });
        rows.resize(std::min<std::size_t>(rows.size(), kStrongestCorrelations));
        h += QStringLiteral("<p><b>%1 split</b></p><table border='1' cellspacing='0' cellpadding='3'><tr><th>Metric</th>"
                            "<th>Measure</th><th>&rho; [95 % CI]</th><th>Kendall &tau;-b</th><th>Pearson r</th>"
                            "<th>p (&rho;)</th><th>n</th></tr>")
                 .arg(QString::fromUtf8(recordSetName(s.selection.set)));
        for (const CorrelationRow* r : rows) {
            double tau = NAN, pearson = NAN;
            for (const CorrelationRow& o : s.correlations)
                if (o.metric == r->metric && o.measure == r->measure) {
                    if (o.method == CorrelationMethod::Kendall)
                        tau = o.result.coefficient;
                    if (o.method == CorrelationMethod::Pearson)
                        pearson = o.result.coefficient;
                }
            h += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3 [%4, %5]</td><td>%6</td><td>%7</td><td>%8</td>"
                                "<td>%9</td></tr>")
                     .arg(esc(r->metric), esc(r->measure), num(r->result.coefficient, 3), num(r->result.ciLow, 3),
                          num(r->result.ciHigh, 3), num(tau, 3), num(pearson, 3), pValue(r->result.pValue))
                     .arg(r->result.n);
        }
        h += QStringLiteral("</table>");
    }
    if (!anyMetric)
        h += QStringLiteral("<p>The run has no image metrics yet (add them with <tt>orderlens metrics --run "
                            "FILE</tt>).</p>");
    h += QStringLiteral("<p><small>Never-learned images: %1. Bootstrap: %2 resamples, seed %3, percentile "
                        "intervals. p-values: Student's t for &rho; and r, exact or tie-corrected normal for "
                        "&tau;-b.</small></p>")
             .arg(a.options.never == NeverLearnedPolicy::AfterLastEpoch
                      ? QStringLiteral("counted as learned at the end of the epoch range")
                      : QStringLiteral("excluded from the correlations"))
             .arg(a.options.correlation.bootstrapResamples)
             .arg(a.options.correlation.seed);
    return h;
}

namespace {

// Figures two per page, each with its title and caption below it (page units of 1/96 inch).
void paintFigurePage(QPainter& painter, const QRectF& page, std::vector<ReportFigure>& figures, std::size_t first,
                     const FigureStyle& style)
{
    QFont captionFont(style.fontFamily);
    captionFont.setPointSizeF(8.5);
    QFont titleFont = captionFont;
    titleFont.setBold(true);
    const double slot = page.height() / kFiguresPerPage;
    for (std::size_t i = first; i < figures.size() && i < first + kFiguresPerPage; ++i) {
        const double top = page.top() + double(i - first) * slot;
        const double figureHeight = std::min(slot - 90, page.width() * kFigureSize.height() / kFigureSize.width());
        figures[i].page.paint(painter, QRectF(page.left(), top, page.width(), figureHeight));
        painter.setPen(Qt::black);
        painter.setFont(titleFont);
        const QRectF titleRect(page.left(), top + figureHeight + 4, page.width(), 16);
        painter.drawText(titleRect, Qt::AlignLeft | Qt::TextSingleLine,
                         QStringLiteral("Figure %1. %2.").arg(i + 1).arg(figures[i].title));
        painter.setFont(captionFont);
        painter.drawText(QRectF(page.left(), titleRect.bottom() + 2, page.width(), slot - figureHeight - 26),
                         Qt::AlignLeft | Qt::TextWordWrap,
                         figures[i].caption + QStringLiteral(" (File: %1.*)").arg(figures[i].stem));
    }
}

}  // namespace

QString writeReportPdf(const QString& dir, const RunAnalysis& analysis, std::vector<ReportFigure>& figures,
                       const ReportOptions& options, const std::atomic<bool>* cancel)
{
    const QString path = QDir(dir).filePath(QStringLiteral("report.pdf"));
    replaceFile(path.toStdString(), [&](const std::string& temporary) {
        const QString file = QString::fromStdString(temporary);
        QPdfWriter writer(file);
        writer.setPageSize(QPageSize(QPageSize::A4));
        writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
        writer.setResolution(kReportResolution);
        writer.setTitle(QStringLiteral("OrderLens report: ") + QString::fromStdString(analysis.datasetName));
        writer.setCreator(QStringLiteral("OrderLens " ORDERLENS_VERSION));
        QPainter painter;
        if (!painter.begin(&writer))
            throw InputError(path.toStdString(), "cannot write the report (permissions? disk full?)");
        const QRectF page(QPointF(0, 0), writer.pageLayout().paintRectPixels(kReportResolution).size());

        QTextDocument summary;
        QFont base(options.style.fontFamily);
        base.setPointSizeF(8.5);
        summary.setDefaultFont(base);
        summary.setDocumentMargin(0);
        summary.setPageSize(page.size());
        summary.setHtml(reportSummaryHtml(analysis));
        const int summaryPages = std::max(1, summary.pageCount());
        for (int p = 0; p < summaryPages; ++p) {
            if (p > 0)
                writer.newPage();
            painter.save();
            painter.translate(0, -p * page.height());
            summary.drawContents(&painter, QRectF(0, p * page.height(), page.width(), page.height()));
            painter.restore();
        }

        for (std::size_t i = 0; i < figures.size(); i += kFiguresPerPage) {
            if (cancel && cancel->load())
                throw Cancelled();
            writer.newPage();
            paintFigurePage(painter, page, figures, i, options.style);
        }
        painter.end();
        if (QFileInfo(file).size() <= 0)
            throw InputError(path.toStdString(), "the report came out empty");
    });
    return path;
}

QStringList writeAnalysisReport(const RunAnalysis& analysis, const QString& dir, const ReportOptions& options,
                                const std::function<void(const QString&, double)>& progress)
{
    if (!QDir().mkpath(dir))
        throw InputError(dir.toStdString(), "cannot create the output folder");
    QStringList written;
    for (const std::string& table : writeAnalysisTables(dir.toStdString(), analysis))
        written << QString::fromStdString(table);
    if (!options.figures)
        return written;
    const std::vector<FigureSpec> specs = analysisFigures(analysis);
    std::vector<ReportFigure> figures;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        if (progress)
            progress(specs[i].stem, double(i) / double(specs.size() + 1));
        figures.push_back(drawReportFigure(specs[i], options.style));
        written << writeReportFigureFiles(dir, figures.back(), options);
    }
    if (!options.report)
        return written;
    if (progress)
        progress(QStringLiteral("report.pdf"), double(specs.size()) / double(specs.size() + 1));
    written << writeReportPdf(dir, analysis, figures, options);
    if (progress)
        progress(QStringLiteral("done"), 1.0);
    return written;
}

}  // namespace orderlens::ui
