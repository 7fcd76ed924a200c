#include "figures/FigureFrame.h"

#include "plot/Palette.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <vector>

namespace orderlens::ui::figureframe {

using namespace okabeIto;

QFont font(const FigureStyle& s, int delta, bool bold)
{
    QFont f(s.fontFamily);
    f.setPointSize(s.fontPointSize + delta);
    f.setBold(bold);
    return f;
}

QColor withAlpha(QColor c, int alpha)
{
    c.setAlpha(alpha);
    return c;
}

QVector<double> toQVector(const std::vector<double>& v) { return QVector<double>(v.begin(), v.end()); }

void styleAxis(QCPAxis* axis, const FigureStyle& s)
{
    axis->setLabelFont(font(s, 1));
    axis->setTickLabelFont(font(s));
    axis->setBasePen(QPen(kBlack, 1));
    axis->setTickPen(QPen(kBlack, 1));
    axis->setSubTickPen(QPen(kBlack, 1));
    axis->setLabelColor(kBlack);
    axis->setTickLabelColor(kBlack);
    axis->grid()->setPen(QPen(QColor(220, 220, 220), 1, Qt::SolidLine));
    axis->grid()->setSubGridVisible(false);
}

void epochAxis(QCPAxis* axis, double first, double last)
{
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    const double span = std::max(1.0, last - first);
    double step = 1;
    for (double candidate : {1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 500.0, 1000.0})
        if (span / candidate <= 12) {
            step = candidate;
            break;
        }
    ticker->setTickStep(step);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    axis->setTicker(ticker);
    axis->setLabel(QStringLiteral("Epoch"));
    // A little room at both ends so end markers are not cut in half.
    const double pad = last > first ? 0.02 * (last - first) : 0.5;
    axis->setRange(first - pad, last + pad);
}

void addTitle(QCustomPlot* plot, const QString& title, const FigureStyle& s)
{
    if (!s.title || title.isEmpty())
        return;
    auto* text = new QCPTextElement(plot, title, font(s, 1, true));
    text->setObjectName(kFigureElement);
    plot->plotLayout()->insertRow(0);
    plot->plotLayout()->addElement(0, 0, text);
}

void legendBelow(QCustomPlot* plot, const FigureStyle& s, int columns)
{
    plot->legend->setVisible(true);
    plot->legend->setFont(font(s));
    plot->legend->setBorderPen(Qt::NoPen);
    plot->legend->setBrush(Qt::NoBrush);
    plot->legend->setWrap(columns);
    // Items were added before the wrap was set: rearrange them into the new grid.
    plot->legend->setFillOrder(QCPLegend::foColumnsFirst, true);
    plot->legend->setRowSpacing(0);
    plot->legend->setColumnSpacing(16);
    if (plot->legend->layout())
        plot->legend->layout()->take(plot->legend);
    auto* row = new QCPLayoutGrid;
    row->setObjectName(kFigureElement);
    row->setMargins(QMargins(0, 0, 0, 4));
    plot->plotLayout()->addElement(plot->plotLayout()->rowCount(), 0, row);
    row->addElement(0, 0, plot->legend);
    plot->plotLayout()->setRowStretchFactor(plot->plotLayout()->rowCount() - 1, 0.001);
}

void prepare(QCustomPlot* plot, const QString& title, const FigureStyle& s)
{
    resetFigure(plot);
    plot->setBackground(Qt::white);
    plot->setFont(font(s));
    for (QCPAxis* a : {plot->xAxis, plot->yAxis, plot->xAxis2, plot->yAxis2})
        styleAxis(a, s);
    addTitle(plot, title, s);
}

QString formatNumber(double v, int digits)
{
    if (std::isnan(v))
        return QStringLiteral("n/a");
    return QString::number(v, 'f', digits);
}

QString formatP(double p)
{
    if (std::isnan(p))
        return QStringLiteral("n/a");
    if (p < 1e-4)
        return QStringLiteral("< 0.0001");
    return QString::number(p, 'g', 2);
}

std::vector<std::size_t> sampleIndices(const std::vector<std::size_t>& candidates, int maxPoints)
{
    if (maxPoints <= 0 || candidates.size() <= std::size_t(maxPoints))
        return candidates;
    std::vector<std::size_t> shuffled = candidates;
    std::mt19937_64 rng(0);
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    shuffled.resize(std::size_t(maxPoints));
    std::sort(shuffled.begin(), shuffled.end());
    return shuffled;
}

bool isDiscrete(const std::vector<double>& values, std::size_t limit)
{
    std::set<double> seen;
    for (double v : values) {
        if (std::isnan(v))
            continue;
        if (v != std::floor(v))
            return false;
        seen.insert(v);
        if (seen.size() > limit)
            return false;
    }
    return true;
}

QCPColorGradient viridis()
{
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorStopAt(0.00, QColor(68, 1, 84));
    g.setColorStopAt(0.25, QColor(59, 82, 139));
    g.setColorStopAt(0.50, QColor(33, 145, 140));
    g.setColorStopAt(0.75, QColor(94, 201, 98));
    g.setColorStopAt(1.00, QColor(253, 231, 37));
    return g;
}

QString valueName(const std::string& metric, double value)
{
    static const std::map<std::string, std::vector<const char*>> names = {
        {"rotation", {"frontal", "rotated right", "rotated left"}},
        {"illumination", {"frontal", "from the top", "from the side", "ambient"}},
    };
    const auto it = names.find(metric);
    if (it != names.end() && value >= 0 && value == std::floor(value) && value < double(it->second.size()))
        return QString::fromUtf8(it->second[std::size_t(value)]);
    return QString::number(value);
}

}  // namespace orderlens::ui::figureframe
