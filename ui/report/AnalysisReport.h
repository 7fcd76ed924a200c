#pragma once

#include "figures/AnalysisFigures.h"

#include <QRectF>
#include <QString>
#include <QStringList>

#include <functional>

class QCPPainter;

namespace orderlens::ui {

struct ReportOptions {
    std::vector<FigureFormat> formats = {FigureFormat::Png, FigureFormat::Svg, FigureFormat::Pdf};
    int dpi = 300;
    FigureStyle style;
    bool figures = true;  // the figures (and report.pdf); without them, the tables only
    bool report = true;   // also write report.pdf
};

// What `orderlens analyze` and the GUI's Export > Analysis report both write: the CSV tables
// (writeAnalysisTables), every figure of the analysis in `dir` (each in every format) and,
// unless disabled, `dir`/report.pdf: a first page summarising the experiment (dataset, architecture, networks,
// epochs, hyper-parameters, final accuracies, final agreement, strongest correlations), then all
// figures with captions. Needs a QApplication (offscreen is fine). Returns the files written.
QStringList writeAnalysisReport(const RunAnalysis& analysis, const QString& dir, const ReportOptions& options = {},
                                const std::function<void(const QString&, double)>& progress = {});

// Paints the figures specs[first], specs[first + 1] (two per page) with their titles and captions
// into `page` (units of 1/96 inch), as report.pdf lays them out; the GUI can preview pages with it.
void paintFigurePage(QCPPainter& painter, const QRectF& page, const std::vector<FigureSpec>& specs, std::size_t first,
                     const FigureStyle& style = {});

// The first page's content as HTML (exposed for the GUI's summary view and for tests).
QString reportSummaryHtml(const RunAnalysis& analysis);

}  // namespace orderlens::ui
