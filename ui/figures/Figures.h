#pragma once

#include "analysis/RunAnalysis.h"
#include "figures/FigurePicture.h"

#include <QSize>
#include <QString>

#include <array>
#include <string>
#include <vector>

class QCustomPlot;

namespace orderlens::ui {

// How a figure looks. The defaults make a full-width paper figure: 640 x 440 logical pixels
// (6.7 x 4.6 in at 96 dpi), 10 pt text, lines 2-3 px, the Okabe-Ito palette.
struct FigureStyle {
    QString fontFamily = QStringLiteral("DejaVu Sans");
    int fontPointSize = 10;
    bool title = true;         // a title line above the axes (off inside the GUI's own frames)
    int maxScatterPoints = 5000;  // scatter figures draw a fixed random sample beyond this
};

// Display name and axis label (with unit) of a metric column, e.g. "entropy" -> "Mean local
// entropy", "Entropy (bits)". Unknown columns get their name with spaces.
struct MetricLabel {
    QString title;
    QString axis;
};
MetricLabel metricLabel(const std::string& column);
// The same for the per-image measures of measureColumns().
MetricLabel measureLabel(const std::string& measure);

// Every builder FILLS the given plot: it first removes what an earlier builder added (graphs,
// items, its own legend row, colour scale and title), so the GUI can reuse one QCustomPlot for
// different figures; layout elements it did not add are left alone.
void resetFigure(QCustomPlot* plot);

// The study's agreement figure: true-positive agreement, mean accuracy with a +/- 1 std band,
// the lower bound, and the hatched area between agreement and lower bound.
void plotAgreement(QCustomPlot* plot, const AgreementCurve& agreement, const QString& title = {},
                   const FigureStyle& style = {});
// The agreement figure with a metric curve on a second axis (`shown` has NaN where the display
// thresholds hide it).
void plotMetricCurve(QCustomPlot* plot, const AgreementCurve& agreement, const std::string& metric,
                     const std::vector<double>& shown, const QString& title = {}, const FigureStyle& style = {});
// The agreement figure with one curve per distinct metric value (percent of the images with that
// value that are agreed), hidden where agreement is below `agreementThreshold`.
void plotDistinctMetric(QCustomPlot* plot, const AgreementCurve& agreement, const std::string& metric,
                        const DistinctMetricCurves& curves, double agreementThreshold, const QString& title = {},
                        const FigureStyle& style = {});
// Histogram of a metric over a split (NaN left out); at most `bins` bins, one per value when the
// metric has few integer values.
void plotMetricHistogram(QCustomPlot* plot, const std::vector<double>& values, const std::string& metric,
                         int bins = 50, const QString& title = {}, const FigureStyle& style = {});
// Label agreement distribution as a class x epoch heat map.
void plotLabelAgreement(QCustomPlot* plot, const LabelAgreement& labels, const std::vector<std::string>& classNames,
                        const QString& title = {}, const FigureStyle& style = {});
// A metric against a per-image measure, with the three coefficients, their 95 % intervals and
// p-values written on the figure. For epoch measures `neverAt` is where "never" sits on the
// x axis (-1: not an epoch measure); points get a small deterministic jitter on discrete x.
void plotMeasureScatter(QCustomPlot* plot, const std::vector<double>& measure, const std::string& measureName,
                        const std::vector<double>& metric, const std::string& metricName,
                        const std::array<Correlation, 3>& correlations, int neverAt, const QString& title = {},
                        const FigureStyle& style = {});
// Data map: confidence against variability, coloured by correctness.
void plotDataMap(QCustomPlot* plot, const TrainingDynamics& dynamics, const std::vector<double>& correctness,
                 const QString& title = {}, const FigureStyle& style = {});
// Per-network training curves: train (solid) and test (dashed) accuracy, or loss.
void plotTrainingCurves(QCustomPlot* plot, const RunAnalysis& analysis, bool loss, const QString& title = {},
                        const FigureStyle& style = {});

}  // namespace orderlens::ui
