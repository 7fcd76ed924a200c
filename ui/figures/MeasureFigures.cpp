// The figures of per-image measures: a statistic against a measure with its correlations, and the
// data map.

#include "figures/FigureFrame.h"
#include "figures/Figures.h"
#include "plot/Palette.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <set>
#include <vector>

namespace orderlens::ui {

using namespace figureframe;
using namespace okabeIto;

void plotMeasureScatter(QCustomPlot* plot, const std::vector<double>& measure, const std::string& measureName,
                        const std::vector<double>& metric, const std::string& metricName,
                        const std::array<Correlation, 3>& correlations, int neverAt, const QString& title,
                        const FigureStyle& style)
{
    prepare(plot, title, style);
    std::vector<std::size_t> valid;
    for (std::size_t i = 0; i < measure.size() && i < metric.size(); ++i)
        if (!std::isnan(measure[i]) && !std::isnan(metric[i]))
            valid.push_back(i);
    const std::vector<std::size_t> shown = sampleIndices(valid, style.maxScatterPoints);
    const bool discrete = isDiscrete(measure, 200);
    QVector<double> xs, ys;
    std::mt19937_64 jitter(1);
    std::uniform_real_distribution<double> offset(-0.28, 0.28);
    for (std::size_t i : shown) {
        xs << measure[i] + (discrete ? offset(jitter) : 0.0);
        ys << metric[i];
    }
    QCPGraph* points = plot->addGraph();
    points->setLineStyle(QCPGraph::lsNone);
    points->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, withAlpha(kBlue, 70), 4));
    points->setData(xs, ys);
    points->setName(shown.size() < valid.size()
                        ? QStringLiteral("Images (random %1 of %2)").arg(shown.size()).arg(valid.size())
                        : QStringLiteral("Images (%1)").arg(valid.size()));
    if (discrete) {
        // The mean metric per measure value summarises what the cloud of points hides.
        std::map<double, std::pair<double, double>> sums;
        for (std::size_t i : valid) {
            sums[measure[i]].first += metric[i];
            sums[measure[i]].second += 1;
        }
        QVector<double> mx, my;
        for (const auto& [x, s] : sums) {
            if (neverAt >= 0 && x == neverAt && !mx.isEmpty()) {
                // A gap before "never": it is not one epoch after the last.
                mx << x - 0.5;
                my << std::numeric_limits<double>::quiet_NaN();
            }
            mx << x;
            my << s.first / s.second;
        }
        QCPGraph* means = plot->addGraph();
        means->setData(mx, my, true);
        means->setPen(QPen(kVermillion, 2.5));
        means->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, kVermillion, 6));
        means->setName(QStringLiteral("Mean per value"));
    }
    const MetricLabel mLabel = metricLabel(metricName), xLabel = measureLabel(measureName);
    plot->xAxis->setLabel(xLabel.axis);
    plot->yAxis->setLabel(mLabel.axis);
    plot->rescaleAxes();
    if (neverAt >= 0) {
        double lo = 0;
        for (std::size_t i : valid)
            lo = std::min(lo, measure[i]);
        QSharedPointer<QCPAxisTickerText> ticks(new QCPAxisTickerText);
        const double span = std::max(1.0, neverAt - lo);
        const int step = std::max(1, int(std::ceil(span / 10.0)));
        for (int e = int(lo); e < neverAt; e += step)
            ticks->addTick(e, QString::number(e));
        ticks->addTick(neverAt, QStringLiteral("never"));
        plot->xAxis->setTicker(ticks);
        plot->xAxis->setRange(lo - 0.6, neverAt + 0.6);
    } else {
        const QCPRange r = plot->xAxis->range();
        plot->xAxis->setRange(r.lower - r.size() * 0.03, r.upper + r.size() * 0.03);
    }
    const QCPRange yr = plot->yAxis->range();
    // Headroom above the points for the statistics box.
    plot->yAxis->setRange(yr.lower - yr.size() * 0.03, yr.upper + yr.size() * 0.45 + 1e-12);

    auto* box = new QCPItemText(plot);
    box->position->setType(QCPItemPosition::ptAxisRectRatio);
    box->position->setCoords(0.015, 0.02);
    box->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    box->setTextAlignment(Qt::AlignLeft);
    box->setFont(font(style, -1));
    box->setPadding(QMargins(5, 3, 5, 3));
    box->setBrush(withAlpha(Qt::white, 230));
    box->setPen(QPen(QColor(160, 160, 160)));
    QStringList lines;
    const char* names[3] = {"Spearman \u03c1", "Kendall \u03c4-b", "Pearson r"};
    for (std::size_t m = 0; m < 3; ++m) {
        const Correlation& c = correlations[m];
        lines << QStringLiteral("%1 = %2  [%3, %4]  p %5")
                     .arg(QString::fromUtf8(names[m]), formatNumber(c.coefficient), formatNumber(c.ciLow),
                          formatNumber(c.ciHigh),
                          formatP(c.pValue).startsWith('<') ? formatP(c.pValue) : "= " + formatP(c.pValue));
    }
    lines << QStringLiteral("n = %1, bootstrap 95 % intervals").arg(correlations[0].n);
    box->setText(lines.join('\n'));
    legendBelow(plot, style, 2);
}

void plotDataMap(QCustomPlot* plot, const TrainingDynamics& dynamics, const std::vector<double>& correctness,
                 const QString& title, const FigureStyle& style)
{
    prepare(plot, title, style);
    std::vector<std::size_t> valid;
    for (std::size_t i = 0; i < dynamics.confidence.size(); ++i)
        if (!std::isnan(dynamics.confidence[i]) && !std::isnan(dynamics.variability[i]) && !std::isnan(correctness[i]))
            valid.push_back(i);
    const std::vector<std::size_t> shown = sampleIndices(valid, style.maxScatterPoints);
    // Five correctness bands, dark (never correct) to light (always correct), as in the data maps
    // of Swayamdipta et al.
    static const QColor bands[] = {QColor(68, 1, 84), QColor(59, 82, 139), QColor(33, 145, 140), QColor(94, 201, 98),
                                   QColor(220, 200, 30)};
    static const char* names[] = {"[0, 0.2)", "[0.2, 0.4)", "[0.4, 0.6)", "[0.6, 0.8)", "[0.8, 1]"};
    static const QCPScatterStyle::ScatterShape shapes[] = {QCPScatterStyle::ssDisc, QCPScatterStyle::ssSquare,
                                                           QCPScatterStyle::ssTriangle, QCPScatterStyle::ssDiamond,
                                                           QCPScatterStyle::ssDisc};
    QVector<double> xs[5], ys[5];
    for (std::size_t i : shown) {
        const int band = std::min(4, int(correctness[i] * 5));
        xs[band] << dynamics.variability[i];
        ys[band] << dynamics.confidence[i];
    }
    // The common, always-correct band first, so the rarer hard images are drawn on top of it.
    for (int b = 4; b >= 0; --b) {
        QCPGraph* g = plot->addGraph();
        g->setLineStyle(QCPGraph::lsNone);
        g->setScatterStyle(QCPScatterStyle(shapes[b], withAlpha(bands[b], 150), 5));
        g->setData(xs[b], ys[b]);
        g->setName(QStringLiteral("Correctness ") + QString::fromUtf8(names[b]) +
                   QStringLiteral(": %1 images").arg(xs[b].size()));
    }
    plot->xAxis->setLabel(QStringLiteral("Variability (std of p of the label over epochs)"));
    plot->yAxis->setLabel(QStringLiteral("Confidence (mean p of the label)"));
    plot->yAxis->setRange(-0.02, 1.02);
    double maxVar = 0.05;
    for (std::size_t i : valid)
        maxVar = std::max(maxVar, dynamics.variability[i]);
    plot->xAxis->setRange(-0.005, maxVar * 1.05);
    if (shown.size() < valid.size()) {
        auto* note = new QCPItemText(plot);
        note->position->setType(QCPItemPosition::ptAxisRectRatio);
        note->position->setCoords(0.98, 0.98);
        note->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
        note->setFont(font(style, -1));
        note->setText(QStringLiteral("random %1 of %2 images shown").arg(shown.size()).arg(valid.size()));
    }
    legendBelow(plot, style, 2);
}

}  // namespace orderlens::ui
