#include "plot/InteractivePlot.h"

#include "export/FigureExport.h"

#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <limits>

namespace orderlens::ui {

namespace {
// How close (in pixels) the cursor must be to a data point for the hover tooltip.
constexpr double kHoverRadius = 12.0;
// Legend entries per row below the plot.
constexpr int kLegendColumns = 3;
}  // namespace

InteractivePlot::InteractivePlot(QWidget* parent) : QCustomPlot(parent)
{
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setMouseTracking(true);
    setMinimumSize(280, 200);
    setAntialiasedElements(QCP::aeAll);
    setNoAntialiasingOnDrag(true);

    QFont tick = font();
    tick.setPointSizeF(std::max(8.0, tick.pointSizeF() - 1));
    const QPen axisPen(QColor(90, 90, 90));
    const QPen gridPen(QColor(225, 225, 225), 0, Qt::SolidLine);
    for (QCPAxis* axis : {xAxis, yAxis}) {
        axis->setTickLabelFont(tick);
        axis->setLabelFont(font());
        axis->setBasePen(axisPen);
        axis->setTickPen(axisPen);
        axis->setSubTickPen(axisPen);
        axis->setTickLabelColor(QColor(60, 60, 60));
        axis->setLabelColor(QColor(40, 40, 40));
        axis->grid()->setPen(gridPen);
        axis->grid()->setZeroLinePen(gridPen);
    }
    // Top and right axes only frame the data, as matplotlib's default spines do.
    for (QCPAxis* axis : {xAxis2, yAxis2}) {
        axis->setVisible(true);
        axis->setTicks(false);
        axis->setTickLabels(false);
        axis->setBasePen(QPen(QColor(190, 190, 190)));
    }
    connect(xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), xAxis2, qOverload<const QCPRange&>(&QCPAxis::setRange));
    connect(yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), yAxis2, qOverload<const QCPRange&>(&QCPAxis::setRange));

    QFont titleFont = font();
    titleFont.setBold(true);
    plotLayout()->insertRow(0);
    title_ = new QCPTextElement(this, QString(), titleFont);
    title_->setTextColor(QColor(30, 30, 30));
    plotLayout()->addElement(0, 0, title_);

    // Epochs are whole numbers: ticks at 1, 2, 5, 10, ... never at 2.5.
    QSharedPointer<QCPAxisTickerFixed> epochTicker(new QCPAxisTickerFixed);
    epochTicker->setTickStep(1.0);
    epochTicker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    xAxis->setTicker(epochTicker);

    // The legend sits below the axes, in columns: it never covers a curve, however the data
    // grows.
    legend->setVisible(true);
    legend->setFont(tick);
    legend->setBrush(Qt::NoBrush);
    legend->setBorderPen(Qt::NoPen);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    legend->setWrap(kLegendColumns);
    legend->setColumnSpacing(14);
    legend->setRowSpacing(0);
    axisRect()->insetLayout()->take(legend);
    plotLayout()->addElement(2, 0, legend);
    plotLayout()->setRowStretchFactor(2, 0.001);
    plotLayout()->setRowSpacing(2);
}

void InteractivePlot::setLabels(const QString& title, const QString& xLabel, const QString& yLabel,
                                const QString& yUnit)
{
    title_->setText(title);
    xAxis->setLabel(xLabel);
    yAxis->setLabel(yLabel);
    xLabel_ = xLabel;
    yUnit_ = yUnit;
}

void InteractivePlot::setTitle(const QString& title) { title_->setText(title); }

QCPGraph* InteractivePlot::addLine(const QString& name, const QColor& colour, Qt::PenStyle style, double width)
{
    QCPGraph* g = addGraph();
    g->setName(name);
    QPen pen(colour, width, style);
    pen.setCapStyle(Qt::RoundCap);
    pen.setJoinStyle(Qt::RoundJoin);
    g->setPen(pen);
    return g;
}

void InteractivePlot::fitLegend()
{
    if (!legend)
        return;  // a figure builder replaced the layout
    int widest = 1;
    for (int k = 0; k < legend->itemCount(); ++k)
        if (const QCPAbstractLegendItem* item = legend->item(k))  // a wrapped grid has empty cells
            widest = std::max(widest, item->minimumOuterSizeHint().width());
    const int room = width() - legend->margins().left() - legend->margins().right();
    const int columns = std::clamp((room + legend->columnSpacing()) / (widest + legend->columnSpacing()), 1, kLegendColumns);
    if (columns != legend->wrap()) {
        legend->setWrap(columns);
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);
    }
}

void InteractivePlot::resizeEvent(QResizeEvent* event)
{
    fitLegend();
    QCustomPlot::resizeEvent(event);
}

void InteractivePlot::refresh()
{
    fitLegend();
    if (!userMovedView_)
        resetView();
    replot(QCustomPlot::rpQueuedReplot);
}

void InteractivePlot::resetView()
{
    bool haveKeys = false, haveValues = false;
    QCPRange keys, values;
    for (int i = 0; i < graphCount(); ++i) {
        QCPGraph* g = graph(i);
        if (!g->visible() || g->data()->isEmpty())
            continue;
        bool found = false;
        const QCPRange k = g->getKeyRange(found);
        if (found) {
            keys = haveKeys ? QCPRange(std::min(keys.lower, k.lower), std::max(keys.upper, k.upper)) : k;
            haveKeys = true;
        }
        const QCPRange v = g->getValueRange(found);
        if (found) {
            values = haveValues ? QCPRange(std::min(values.lower, v.lower), std::max(values.upper, v.upper)) : v;
            haveValues = true;
        }
    }
    if (homeKeyRange_) {
        keys = haveKeys ? QCPRange(std::min(keys.lower, homeKeyRange_->lower), std::max(keys.upper, homeKeyRange_->upper))
                        : *homeKeyRange_;
        haveKeys = true;
    }
    if (homeValueRange_) {
        values = haveValues ? QCPRange(std::min(values.lower, homeValueRange_->lower),
                                       std::max(values.upper, homeValueRange_->upper))
                            : *homeValueRange_;
        haveValues = true;
    }
    if (haveKeys) {
        if (keys.size() <= 0)
            keys = QCPRange(keys.lower - 0.5, keys.upper + 0.5);
        xAxis->setRange(keys.lower, keys.upper);
    }
    if (haveValues) {
        // A little headroom so curves do not run along the frame.
        const double pad = values.size() > 0 ? 0.04 * values.size() : std::max(1e-3, std::abs(values.lower) * 0.1);
        yAxis->setRange(values.lower - pad, values.upper + pad);
    }
    userMovedView_ = false;
}

QString InteractivePlot::valueTextAt(const QPointF& pos) const
{
    double best = kHoverRadius;
    QString text;
    for (int i = 0; i < graphCount(); ++i) {
        QCPGraph* g = graph(i);
        if (!g->visible() || g->data()->isEmpty() || g->name().isEmpty() || !g->pen().color().alpha())
            continue;
        const double key = xAxis->pixelToCoord(pos.x());
        auto it = g->data()->findBegin(key);
        // Compare the point at or before the cursor with its successor.
        for (int step = 0; step < 2 && it != g->data()->constEnd(); ++step, ++it) {
            const QPointF p(xAxis->coordToPixel(it->key), yAxis->coordToPixel(it->value));
            const double d = std::hypot(p.x() - pos.x(), p.y() - pos.y());
            if (d < best && std::isfinite(it->value)) {
                best = d;
                const QString where = keyText_ ? keyText_(it->key)
                                               : QStringLiteral("%1 %2")
                                                     .arg(xLabel_.isEmpty() ? QStringLiteral("x") : xLabel_)
                                                     .arg(it->key, 0, 'g', 4);
                text = QStringLiteral("%1\n%2: %3%4")
                           .arg(g->name(), where)
                           .arg(it->value, 0, 'g', 4)
                           .arg(yUnit_.isEmpty() ? QString() : " " + yUnit_);
            }
        }
    }
    return text;
}

bool InteractivePlot::exportTo(const QString& path)
{
    // The one figure exporter, at the size every figure file has (the report's).
    try {
        exportFigureFile(this, path);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

void InteractivePlot::mouseDoubleClickEvent(QMouseEvent* event)
{
    QCustomPlot::mouseDoubleClickEvent(event);
    resetView();
    replot();
}

void InteractivePlot::mouseMoveEvent(QMouseEvent* event)
{
    QCustomPlot::mouseMoveEvent(event);
    if (event->buttons() & Qt::LeftButton) {
        userMovedView_ = true;  // a drag pans the view
        return;
    }
    const QString text = valueTextAt(event->position());
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, this);
}

void InteractivePlot::wheelEvent(QWheelEvent* event)
{
    userMovedView_ = true;
    QCustomPlot::wheelEvent(event);
}

void InteractivePlot::leaveEvent(QEvent* event)
{
    QToolTip::hideText();
    QCustomPlot::leaveEvent(event);
}

}  // namespace orderlens::ui
