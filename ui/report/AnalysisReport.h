#pragma once

#include "figures/AnalysisFigures.h"

#include <QRectF>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <vector>

namespace orderlens::ui {

struct ReportOptions {
    std::vector<FigureFormat> formats = {FigureFormat::Png, FigureFormat::Svg, FigureFormat::Pdf};
    int dpi = kFigureDpi;
    FigureStyle style;
    bool figures = true;  // the figures (and report.pdf); without them, the tables only
    bool report = true;   // also write report.pdf
};

// What `orderlens analyze` and the GUI's Export > Analysis report both write: the CSV tables
// (writeAnalysisTables), every figure of the analysis in `dir` (each in every format) and,
// unless disabled, `dir`/report.pdf: a first page summarising the experiment (dataset, architecture, networks,
// epochs, hyper-parameters, final accuracies, final agreement, strongest correlations), then all
// figures with captions. Needs a QApplication (offscreen is fine) and draws every figure on the
// calling thread, which must be the GUI thread; report/ReportWriter.h writes the same files
// without keeping the GUI thread busy. Returns the files written.
QStringList writeAnalysisReport(const RunAnalysis& analysis, const QString& dir, const ReportOptions& options = {},
                                const std::function<void(const QString&, double)>& progress = {});

// One figure of the report, drawn (on the GUI thread: the figure builders fill a QCustomPlot)
// into a picture for its files, in the figure's style, and one for its place on a report page
// (no title line, the caption carries it; fewer scatter points). Both can then be written on
// any thread.
struct ReportFigure {
    QString stem, title, caption;
    FigurePicture file;
    FigurePicture page;
};
ReportFigure drawReportFigure(const FigureSpec& spec, const FigureStyle& style);
// Writes the figure's files in `dir` (any thread); returns their paths.
QStringList writeReportFigureFiles(const QString& dir, ReportFigure& figure, const ReportOptions& options);
// Writes `dir`/report.pdf from the figures' page pictures (any thread); returns its path. Throws
// InputError, or Cancelled once `cancel` is raised (no report.pdf is left then).
QString writeReportPdf(const QString& dir, const RunAnalysis& analysis, std::vector<ReportFigure>& figures,
                       const ReportOptions& options, const std::atomic<bool>* cancel = nullptr);

// The first page's content as HTML (exposed for the GUI's summary view and for tests).
QString reportSummaryHtml(const RunAnalysis& analysis);

}  // namespace orderlens::ui
