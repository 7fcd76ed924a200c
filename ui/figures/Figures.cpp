#include "figures/Figures.h"

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

namespace {

// Layout elements a builder adds carry this name, so resetFigure removes exactly those.
const QString kFigureElement = QStringLiteral("orderlens-figure-element");

using namespace okabeIto;

QFont font(const FigureStyle& s, int delta = 0, bool bold = false)
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

// Integer epochs on the x axis: about ten ticks, never fractional.
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

// The legend goes in a row below the axes, so it never covers data.
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
    bandHigh->setBrush(withAlpha(kVermillion, 60));
    bandHigh->setChannelFillGraph(bandLow);
    bandHigh->setName(QStringLiteral("Mean accuracy \u00b1 1 std"));

    QCPGraph* lowerGraph = plot->addGraph();
    lowerGraph->setData(epochs, lower, true);
    lowerGraph->setPen(QPen(kBluishGreen, 2.5, Qt::DotLine));
    lowerGraph->setName(QStringLiteral("Lower bound"));

    QCPGraph* meanGraph = plot->addGraph();
    meanGraph->setData(epochs, mean, true);
    meanGraph->setPen(QPen(kVermillion, 2));
    meanGraph->setName(QStringLiteral("Mean accuracy"));

    QCPGraph* agreementGraph = plot->addGraph();
    agreementGraph->setData(epochs, agreement, true);
    agreementGraph->setPen(QPen(kBlue, 3));
    agreementGraph->setBrush(QBrush(withAlpha(kBlue, 110), Qt::BDiagPattern));
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

QString formatNumber(double v, int digits = 3)
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

// A fixed random sample of indices when there are more points than a vector figure should hold.
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

// Viridis (van der Walt & Smith): perceptually uniform and readable by colour-blind readers.
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

// Names of the categories of the KTH-TIPS2-b metrics (docs/METRICS.md, "Datasets").
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
        tr->setName(QStringLiteral("Network %1").arg(analysis.networks[k]));
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
