#pragma once

// What every analysis figure shares (internal to ui/figures): fonts and axes in the figure's
// style, the integer epoch axis, the title line, the legend row below the axes, number formats,
// the point sample of large scatters and the heat maps' colour scale.

#include "figures/Figures.h"

#include <QColor>
#include <QFont>
#include <QString>
#include <QVector>

#include <cstddef>
#include <string>
#include <vector>

class QCPAxis;
class QCPColorGradient;

namespace orderlens::ui::figureframe {

// Layout elements a builder adds carry this name, so resetFigure removes exactly those.
inline const QString kFigureElement = QStringLiteral("orderlens-figure-element");

QFont font(const FigureStyle& s, int delta = 0, bool bold = false);
QColor withAlpha(QColor c, int alpha);
QVector<double> toQVector(const std::vector<double>& v);
void styleAxis(QCPAxis* axis, const FigureStyle& s);
// Integer epochs on the x axis: about ten ticks, never fractional.
void epochAxis(QCPAxis* axis, double first, double last);
void addTitle(QCustomPlot* plot, const QString& title, const FigureStyle& s);
// The legend goes in a row below the axes, so it never covers data.
void legendBelow(QCustomPlot* plot, const FigureStyle& s, int columns);
// resetFigure, then the style's background, fonts, axes and title.
void prepare(QCustomPlot* plot, const QString& title, const FigureStyle& s);
QString formatNumber(double v, int digits = 3);
QString formatP(double p);
// A fixed random sample of indices when there are more points than a vector figure should hold.
std::vector<std::size_t> sampleIndices(const std::vector<std::size_t>& candidates, int maxPoints);
bool isDiscrete(const std::vector<double>& values, std::size_t limit);
// Viridis (van der Walt & Smith): perceptually uniform and readable by colour-blind readers.
QCPColorGradient viridis();
// Names of the categories of the KTH-TIPS2-b metrics (docs/METRICS.md, "Datasets").
QString valueName(const std::string& metric, double value);

}  // namespace orderlens::ui::figureframe
