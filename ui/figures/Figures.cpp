#include "figures/Figures.h"

#include "figures/FigureFrame.h"
#include "plot/Palette.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <vector>

namespace orderlens::ui {

using namespace figureframe;

namespace {

using namespace okabeIto;

// The agreement layer shared by the agreement and metric figures.
void drawAgreement(QCustomPlot* plot, const AgreementCurve& a)
{
    QVector<double> epochs, agreement, lower, mean, upper, below;
    for (const EpochAgreement& e : a.epochs) {
        epochs << e.epoch;
        agreement << e.agreement;
        lower << e.lowerBound;
        mean << e.meanAccuracy;
        upper << e.meanAccuracy + e.stdAccuracy;
        below << e.meanAccuracy - e.stdAccuracy;
    }
    QCPGraph* bandLow = plot->addGraph();
    bandLow->setData(epochs, below, true);
    bandLow->setPen(Qt::NoPen);
    bandLow->removeFromLegend();
    QCPGraph* bandHigh = plot->addGraph();
    bandHigh->setData(epochs, upper, true);
    bandHigh->setPen(Qt::NoPen);
    bandHigh->setBrush(withAlpha(kMeanAccuracyColour, 60));
    bandHigh->setChannelFillGraph(bandLow);
    bandHigh->setName(QStringLiteral("Mean accuracy \u00b1 1 std"));

    QCPGraph* lowerGraph = plot->addGraph();
    lowerGraph->setData(epochs, lower, true);
    lowerGraph->setPen(QPen(kLowerBoundColour, 2.5, Qt::DotLine));
    lowerGraph->setName(QStringLiteral("Lower bound"));

    QCPGraph* meanGraph = plot->addGraph();
    meanGraph->setData(epochs, mean, true);
    meanGraph->setPen(QPen(kMeanAccuracyColour, 2));
    meanGraph->setName(QStringLiteral("Mean accuracy"));

    QCPGraph* agreementGraph = plot->addGraph();
    agreementGraph->setData(epochs, agreement, true);
    agreementGraph->setPen(QPen(kAgreementColour, 3));
    agreementGraph->setBrush(QBrush(withAlpha(kAgreementColour, 110), Qt::BDiagPattern));
    agreementGraph->setChannelFillGraph(lowerGraph);
    agreementGraph->setName(QStringLiteral("Agreement (true positive)"));

    // Legend in reading order: the main curve first.
    plot->legend->clearItems();
    for (QCPGraph* g : {agreementGraph, meanGraph, bandHigh, lowerGraph})
        g->addToLegend();

    const double first = a.epochs.empty() ? 0 : a.epochs.front().epoch;
    const double last = a.epochs.empty() ? 0 : a.epochs.back().epoch;
    epochAxis(plot->xAxis, first, last);
    plot->yAxis->setLabel(QStringLiteral("Percent of images (%)"));
    plot->yAxis->setRange(0, 100);
}

// Beyond this many classes the heat map's class axis shows indices, not names.
constexpr int kMaxClassNames = 30;

}  // namespace

MetricLabel metricLabel(const std::string& column)
{
    static const std::map<std::string, MetricLabel> known = {
        {"entropy", {"Mean local entropy", "Entropy (bits)"}},
        {"dct_percent", {"DCT energy compaction", "Coefficients for 99.98 % of the norm (%)"}},
        {"dct_max", {"Largest DCT coefficient", "Largest |DCT coefficient|"}},
        {"segment_count", {"Segment count", "Segments (count)"}},
        {"crisp_edge_strength", {"Edge strength (crisp boundaries)", "Summed crisp boundary map"}},
        {"crisp_edge_mean", {"Mean crisp boundary strength", "Mean of the crisp boundary map"}},
        {"sobel_edge_strength", {"Sobel edge strength", "Summed Sobel gradient magnitude"}},
        {"edge_strength", {"Sobel edge strength", "Summed Sobel gradient magnitude"}},  // its name before
        {"rms_contrast", {"RMS contrast", "RMS contrast (std of Y/255)"}},
        {"mean_luminance", {"Mean luminance", "Mean luminance (Y/255)"}},
        {"colourfulness", {"Colourfulness", "Colourfulness (Hasler-S\u00fcsstrunk)"}},
        {"png_bits_per_pixel", {"PNG compressibility", "PNG size (bits per pixel)"}},
        {"distinct_luminance", {"Distinct luminance values", "Distinct luminance values (count)"}},
        {"human_uncertainty", {"Human uncertainty (CIFAR-10H)", "Predictive entropy (bits)"}},
        {"visual_search_difficulty", {"Visual search difficulty", "Human response time (s)"}},
        {"object_size", {"Object size", "Bounding-box area / image area"}},
        {"instances", {"Number of instances", "Objects (count)"}},
        {"rotation", {"Texture rotation", "Rotation (category)"}},
        {"illumination", {"Texture illumination", "Illumination (category)"}},
        {"scale", {"Texture scale", "Scale (KTH-TIPS2-b number)"}},
    };
    const auto it = known.find(column);
    if (it != known.end())
        return it->second;
    QString name = QString::fromStdString(column).replace('_', ' ');
    if (!name.isEmpty())
        name[0] = name[0].toUpper();
    return {name, name};
}

MetricLabel measureLabel(const std::string& measure)
{
    static const std::map<std::string, MetricLabel> known = {
        {"learned_epoch", {"Learned-by-all epoch", "Learned-by-all epoch"}},
        {"first_agreed_epoch", {"First-agreed epoch", "First-agreed epoch"}},
        {"forgetting_events", {"Forgetting events", "Forgetting events (count, all networks)"}},
        {"confidence", {"Confidence", "Confidence (mean p of the label)"}},
        {"variability", {"Variability", "Variability (std of p of the label)"}},
        {"correctness", {"Correctness", "Correctness (fraction of epochs)"}},
        {"aum", {"Area under the margin", "Area under the margin (logits)"}},
    };
    const auto it = known.find(measure);
    return it != known.end() ? it->second : metricLabel(measure);
}

void resetFigure(QCustomPlot* plot)
{
    plot->clearPlottables();
    plot->clearItems();
    QCPLayoutGrid* grid = plot->plotLayout();
    // The legend returns to its default home before the containers this file added go.
    if (plot->legend->layout() != plot->axisRect()->insetLayout()) {
        if (plot->legend->layout())
            plot->legend->layout()->take(plot->legend);
        plot->axisRect()->insetLayout()->addElement(plot->legend, Qt::AlignRight | Qt::AlignTop);
    }
    plot->legend->setVisible(false);
    for (int i = grid->elementCount() - 1; i >= 0; --i) {
        QCPLayoutElement* el = grid->elementAt(i);
        if (el && el->objectName() == kFigureElement)
            grid->removeAt(i);
    }
    grid->simplify();
    plot->axisRect()->setMarginGroup(QCP::msAll, nullptr);
    for (QCPAxis* a : {plot->xAxis, plot->yAxis, plot->xAxis2, plot->yAxis2}) {
        a->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        a->setLabel(QString());
        a->setScaleType(QCPAxis::stLinear);
        a->setRangeReversed(false);
        a->setNumberFormat(QStringLiteral("gb"));
        a->setNumberPrecision(6);
        a->setTickLabels(true);
    }
    plot->xAxis2->setVisible(false);
    plot->yAxis2->setVisible(false);
}

void plotAgreement(QCustomPlot* plot, const AgreementCurve& agreement, const QString& title, const FigureStyle& style)
{
    prepare(plot, title, style);
    drawAgreement(plot, agreement);
    legendBelow(plot, style, 2);
}

void plotMetricCurve(QCustomPlot* plot, const AgreementCurve& agreement, const std::string& metric,
                     const std::vector<double>& shown, const QString& title, const FigureStyle& style)
{
    prepare(plot, title, style);
    drawAgreement(plot, agreement);
    const MetricLabel label = metricLabel(metric);
    QCPGraph* g = plot->addGraph(plot->xAxis, plot->yAxis2);
    QVector<double> epochs;
    for (const EpochAgreement& e : agreement.epochs)
        epochs << e.epoch;
    g->setData(epochs, toQVector(shown), true);
    g->setPen(QPen(kOrange, 3.5));
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, kOrange, 5));
    g->setName(label.title + QStringLiteral(" of agreed images (right axis)"));
    plot->yAxis2->setVisible(true);
    plot->yAxis2->setLabel(label.axis);
    plot->yAxis2->setLabelColor(kOrange.darker(130));
    plot->yAxis2->setTickLabelColor(kOrange.darker(130));
    bool found = false;
    const QCPRange range = g->getValueRange(found);
    if (found) {
        const double pad = std::max(range.size() * 0.1, std::abs(range.center()) * 0.01 + 1e-9);
        plot->yAxis2->setRange(range.lower - pad, range.upper + pad);
    }
    legendBelow(plot, style, 2);
}

void plotDistinctMetric(QCustomPlot* plot, const AgreementCurve& agreement, const std::string& metric,
                        const DistinctMetricCurves& curves, double agreementThreshold, const QString& title,
                        const FigureStyle& style)
{
    prepare(plot, title, style);
    drawAgreement(plot, agreement);
    const MetricLabel label = metricLabel(metric);
    static const QColor colours[] = {kBlack, kOrange, kReddishPurple, kSkyBlue, kYellow.darker(120)};
    static const QCPScatterStyle::ScatterShape shapes[] = {QCPScatterStyle::ssCircle, QCPScatterStyle::ssSquare,
                                                           QCPScatterStyle::ssTriangle, QCPScatterStyle::ssDiamond,
                                                           QCPScatterStyle::ssCross};
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t v = 0; v < curves.values.size(); ++v) {
        QVector<double> epochs, values;
        for (std::size_t k = 0; k < agreement.epochs.size(); ++k) {
            epochs << agreement.epochs[k].epoch;
            values << (agreement.epochs[k].agreement < agreementThreshold ? nan : curves.percent[v][k]);
        }
        QCPGraph* g = plot->addGraph(plot->xAxis, plot->yAxis2);
        g->setData(epochs, values, true);
        const QColor c = colours[v % 5];
        g->setPen(QPen(c, 2.5));
        g->setScatterStyle(QCPScatterStyle(shapes[v % 5], c, 7));
        g->setName(label.title + QStringLiteral(": ") + valueName(metric, curves.values[v]) +
                   QStringLiteral(" (n = %1, right axis)").arg(curves.counts[v]));
    }
    plot->yAxis2->setVisible(true);
    plot->yAxis2->setLabel(QStringLiteral("Agreed images with this value (%)"));
    plot->yAxis2->setRange(0, 100);
    legendBelow(plot, style, 2);
}

void plotMetricHistogram(QCustomPlot* plot, const std::vector<double>& values, const std::string& metric, int bins,
                         const QString& title, const FigureStyle& style)
{
    prepare(plot, title, style);
    std::vector<double> v;
    for (double x : values)
        if (!std::isnan(x))
            v.push_back(x);
    auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
    bars->setPen(QPen(kBlue.darker(130), 0.8));
    bars->setBrush(withAlpha(kBlue, 200));
    bars->setName(QString::fromStdString(metric));
    double maxCount = 1;
    if (!v.empty()) {
        const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
        QVector<double> keys, counts;
        if (isDiscrete(v, std::size_t(std::max(bins, 1)))) {
            std::map<double, double> c;
            for (double x : v)
                c[x] += 1;
            for (const auto& [k, n] : c) {
                keys << k;
                counts << n;
            }
            bars->setWidth(0.8);
            plot->xAxis->setRange(*lo - 1, *hi + 1);
        } else {
            const int n = std::max(bins, 1);
            const double width = *hi > *lo ? (*hi - *lo) / n : 1.0;
            std::vector<double> c(std::size_t(n), 0.0);
            for (double x : v)
                c[std::size_t(std::min(n - 1, int((x - *lo) / width)))] += 1;
            for (int b = 0; b < n; ++b) {
                keys << *lo + (b + 0.5) * width;
                counts << c[std::size_t(b)];
            }
            bars->setWidth(width);
            plot->xAxis->setRange(*lo - width, *hi + width);
        }
        bars->setData(keys, counts, true);
        maxCount = *std::max_element(counts.begin(), counts.end());
    }
    plot->xAxis->setLabel(metricLabel(metric).axis);
    plot->yAxis->setLabel(QStringLiteral("Images (count)"));
    plot->yAxis->setRange(0, maxCount * 1.15);  // room above the bars for the count note
    auto* note = new QCPItemText(plot);
    note->position->setType(QCPItemPosition::ptAxisRectRatio);
    note->position->setCoords(0.98, 0.03);
    note->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
    note->setFont(font(style, -1));
    note->setText(QStringLiteral("n = %1 images").arg(v.size()));
}

void plotLabelAgreement(QCustomPlot* plot, const LabelAgreement& labels, const std::vector<std::string>& classNames,
                        const QString& title, const FigureStyle& style)
{
    prepare(plot, title, style);
    const int epochs = int(labels.epochs.size());
    const int classes = epochs > 0 ? int(labels.fraction[0].size()) : int(classNames.size());
    auto* map = new QCPColorMap(plot->xAxis, plot->yAxis);
    map->setInterpolate(false);
    map->setTightBoundary(false);
    // A single epoch is drawn as a one-column strip of width 1.
    const int columns = std::max(epochs, 1) == 1 ? 2 : epochs;
    const double first = epochs ? labels.epochs.front() : 0, last = epochs ? labels.epochs.back() : 0;
    map->data()->setSize(columns, std::max(classes, 1));
    map->data()->setRange(epochs > 1 ? QCPRange(first, last) : QCPRange(first - 0.25, first + 0.25),
                          QCPRange(0, std::max(classes - 1, 0)));
    double maxValue = 0;
    for (int k = 0; k < columns; ++k)
        for (int c = 0; c < classes; ++c) {
            const double v = epochs ? labels.fraction[std::size_t(std::min(k, epochs - 1))][std::size_t(c)] : 0.0;
            map->data()->setCell(k, c, v);
            maxValue = std::max(maxValue, v);
        }

    auto* scale = new QCPColorScale(plot);
    scale->setObjectName(kFigureElement);
    scale->setType(QCPAxis::atRight);
    scale->setBarWidth(12);
    styleAxis(scale->axis(), style);
    scale->axis()->setLabel(QStringLiteral("Share of the agreed images (fraction)"));
    // The scale owns gradient and range once attached, so they are set on it afterwards.
    map->setColorScale(scale);
    scale->setGradient(viridis());
    scale->setDataRange(QCPRange(0, maxValue > 0 ? maxValue : 1));
    int axisRow = 0;
    for (int r = 0; r < plot->plotLayout()->rowCount(); ++r)
        if (plot->plotLayout()->element(r, 0) == plot->axisRect())
            axisRow = r;
    plot->plotLayout()->addElement(axisRow, 1, scale);
    auto* group = new QCPMarginGroup(plot);
    plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    scale->setMarginGroup(QCP::msBottom | QCP::msTop, group);

    if (classes <= kMaxClassNames) {
        QSharedPointer<QCPAxisTickerText> classTicks(new QCPAxisTickerText);
        for (int c = 0; c < classes; ++c)
            classTicks->addTick(c, c < int(classNames.size()) ? QString::fromStdString(classNames[std::size_t(c)])
                                                              : QString::number(c));
        plot->yAxis->setTicker(classTicks);
        plot->yAxis->setLabel(QStringLiteral("Class"));
    } else {
        plot->yAxis->setLabel(QStringLiteral("Class index"));
    }
    plot->yAxis->setRange(-0.5, classes - 0.5);
    plot->yAxis->setRangeReversed(true);  // class 0 on top, read like a table
    plot->yAxis->grid()->setVisible(false);
    plot->xAxis->grid()->setVisible(false);
    epochAxis(plot->xAxis, first, last);
    const double half = epochs > 1 ? 0.5 * (last - first) / (epochs - 1) : 0.5;
    plot->xAxis->setRange(first - half, last + half);
}

void plotTrainingCurves(QCustomPlot* plot, const RunAnalysis& analysis, bool loss, const QString& title,
                        const FigureStyle& style)
{
    prepare(plot, title, style);
    double lo = loss ? 1e300 : 0, hi = loss ? 0 : 100;
    for (std::size_t k = 0; k < analysis.networks.size(); ++k) {
        QVector<double> epochs, train, test;
        for (std::size_t e = 0; e < analysis.history[k].size(); ++e) {
            const EpochSummary& s = analysis.history[k][e];
            epochs << analysis.firstEpoch + int(e);
            train << (loss ? s.trainLoss : 100 * s.trainAccuracy);
            test << (loss ? s.testLoss : 100 * s.testAccuracy);
        }
        const QColor c = networkColour(analysis.networks[k]);
        QCPGraph* tr = plot->addGraph();
        tr->setData(epochs, train, true);
        tr->setPen(QPen(c, 2));
        tr->setName(QStringLiteral("Network %1").arg(analysis.networks[k] + 1));
        QCPGraph* te = plot->addGraph();
        te->setData(epochs, test, true);
        te->setPen(QPen(c, 2, Qt::DashLine));
        te->removeFromLegend();
        if (loss)
            for (const QVector<double>* v : {&train, &test})
                for (double x : *v)
                    if (std::isfinite(x)) {
                        lo = std::min(lo, x);
                        hi = std::max(hi, x);
                    }
    }
    // Two grey entries explain the line styles once instead of doubling every network's entry.
    for (bool dashed : {false, true}) {
        QCPGraph* key = plot->addGraph();
        key->setPen(QPen(QColor(90, 90, 90), 2, dashed ? Qt::DashLine : Qt::SolidLine));
        key->setName(dashed ? QStringLiteral("Test split") : QStringLiteral("Train split"));
    }
    epochAxis(plot->xAxis, analysis.firstEpoch, analysis.endEpoch - 1);
    if (loss) {
        plot->yAxis->setLabel(analysis.shape.multiLabel ? QStringLiteral("Loss (binary cross-entropy, mean per image)")
                                                         : QStringLiteral("Loss (cross-entropy, mean per image)"));
        if (hi < lo) {
            lo = 0;
            hi = 1;
        }
        plot->yAxis->setRange(std::max(0.0, lo - 0.05 * (hi - lo)), hi + 0.05 * (hi - lo) + 1e-9);
    } else {
        plot->yAxis->setLabel(QStringLiteral("Accuracy (%)"));
        plot->yAxis->setRange(0, 100);
    }
    legendBelow(plot, style, 4);
}

}  // namespace orderlens::ui
