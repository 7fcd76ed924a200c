#include "explorer/ScatterPlot.h"

#include "plot/Palette.h"

#include <QApplication>
#include <QLabel>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace orderlens::ui {

namespace {
// How close (in pixels) the cursor must be to a point for the hover preview.
constexpr double kHoverRadius = 10.0;
// Side of the hover thumbnail.
constexpr int kHoverSide = 96;

// A reproducible jitter in [-1, 1] per id (splitmix64), so points do not move on replots.
double jitterOf(std::uint32_t id, std::uint64_t axis)
{
    std::uint64_t z = (std::uint64_t(id) + axis * 0x632be59bd9b4e019ull) * 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return double(z >> 11) / double(1ull << 53) * 2.0 - 1.0;
}
// One dot, drawn once: blitting a small pixmap per point is several times faster than
// QCustomPlot antialiasing an ellipse per point.
QPixmap dotPixmap(const QColor& colour, int alpha, int diameter)
{
    QPixmap pixmap(diameter, diameter);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    QColor fill = colour;
    fill.setAlpha(alpha);
    p.setPen(alpha == 255 ? QPen(Qt::white, 1) : Qt::NoPen);
    p.setBrush(fill);
    p.drawEllipse(QRectF(0.5, 0.5, diameter - 1, diameter - 1));
    return pixmap;
}
// Whole-number ticks (epochs, counts), and "never" at the value that stands for it.
class IntegerTicker : public QCPAxisTicker {
public:
    explicit IntegerTicker(double never) : never_(never) {}

protected:
    double getTickStep(const QCPRange& range) override { return std::max(1.0, std::floor(QCPAxisTicker::getTickStep(range))); }
    int getSubTickCount(double) override { return 0; }
    QVector<double> createTickVector(double step, const QCPRange& range) override
    {
        QVector<double> ticks = QCPAxisTicker::createTickVector(step, range);
        if (std::isnan(never_))
            return ticks;
        // Ticks crowding the "never" label give way to it.
        ticks.erase(std::remove_if(ticks.begin(), ticks.end(), [&](double t) { return t > never_ - 0.75 * step; }),
                    ticks.end());
        if (range.contains(never_))
            ticks.push_back(never_);
        return ticks;
    }
    QString getTickLabel(double tick, const QLocale& locale, QChar format, int precision) override
    {
        if (!std::isnan(never_) && std::abs(tick - never_) < 1e-9)
            return QObject::tr("never");
        return QCPAxisTicker::getTickLabel(tick, locale, format, precision);
    }

private:
    double never_;
};

}  // namespace

void ScatterPlot::setIntegerAxes(bool x, bool y, double xNever, double yNever)
{
    integerX_ = x;
    integerY_ = y;
    xNever_ = xNever;
    yNever_ = yNever;
    xAxis->setTicker(x ? QSharedPointer<QCPAxisTicker>(new IntegerTicker(xNever)) : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    yAxis->setTicker(y ? QSharedPointer<QCPAxisTicker>(new IntegerTicker(yNever)) : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
}

ScatterPlot::ScatterPlot(QWidget* parent) : InteractivePlot(parent)
{
    setMinimumSize(320, 240);
    // Dots are pixmaps; antialiasing thousands of them only costs time while dragging.
    setAntialiasedElements(QCP::aeNone);
    setIntegerAxes(false, false, std::nan(""), std::nan(""));
    // Points have no legend entry: the axes name them.
    legend->setVisible(false);

    density_ = new QCPColorMap(xAxis, yAxis);
    density_->setInterpolate(false);
    density_->setTightBoundary(true);
    QCPColorGradient gradient;
    gradient.setColorStopAt(0.0, QColor(222, 235, 247));
    gradient.setColorStopAt(0.5, QColor(66, 146, 198));
    gradient.setColorStopAt(1.0, QColor(8, 48, 107));
    gradient.setNanHandling(QCPColorGradient::nhTransparent);
    density_->setGradient(gradient);
    density_->setDataScaleType(QCPAxis::stLogarithmic);
    density_->setVisible(false);
    scale_ = new QCPColorScale(this);
    scale_->setType(QCPAxis::atRight);
    scale_->setDataScaleType(QCPAxis::stLogarithmic);
    scale_->setLabel(tr("images per cell"));
    scale_->setBarWidth(10);
    density_->setColorScale(scale_);
    scale_->setVisible(false);

    points_ = addGraph();
    points_->setLineStyle(QCPGraph::lsNone);
    points_->setScatterStyle(QCPScatterStyle(dotPixmap(okabeIto::kBlue, 110, 5)));
    // Every point drawn: thinning would distort the density the translucency conveys.
    points_->setAdaptiveSampling(false);
    selected_ = addGraph();
    selected_->setLineStyle(QCPGraph::lsNone);
    selected_->setScatterStyle(QCPScatterStyle(dotPixmap(okabeIto::kVermillion, 255, 7)));
    selected_->setAdaptiveSampling(false);

    note_ = new QCPItemText(this);
    note_->setClipToAxisRect(true);
    note_->position->setType(QCPItemPosition::ptAxisRectRatio);
    note_->position->setCoords(0.01, 0.015);
    note_->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    note_->setTextAlignment(Qt::AlignLeft);
    note_->setBrush(QBrush(QColor(255, 255, 255, 225)));
    note_->setPen(QPen(QColor(205, 205, 205)));
    note_->setPadding(QMargins(6, 4, 6, 4));
    note_->setColor(QColor(30, 30, 30));

    connect(xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this] { rebin(); });
    connect(yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this] { rebin(); });
    connect(selectionRect(), &QCPSelectionRect::accepted, this, [this](const QRect& r, QMouseEvent*) {
        selectInRect(QCPRange(xAxis->pixelToCoord(r.left()), xAxis->pixelToCoord(r.right())),
                     QCPRange(yAxis->pixelToCoord(r.bottom()), yAxis->pixelToCoord(r.top())));
    });

    hover_ = new QLabel(this, Qt::ToolTip);
    hover_->setStyleSheet("QLabel { background: white; border: 1px solid #999; padding: 4px; }");
    hover_->hide();
}

void ScatterPlot::setAxisLabels(const QString& x, const QString& y)
{
    xAxis->setLabel(x);
    yAxis->setLabel(y);
}

void ScatterPlot::setDensityThreshold(std::size_t points) { densityThreshold_ = points; }

void ScatterPlot::setPoints(std::vector<double> x, std::vector<double> y, std::vector<std::uint32_t> ids, bool jitterX,
                            bool jitterY)
{
    x_ = std::move(x);
    y_ = std::move(y);
    ids_ = std::move(ids);
    shownX_ = x_;
    shownY_ = y_;
    for (std::size_t k = 0; k < ids_.size(); ++k) {
        if (jitterX)
            shownX_[k] += kJitter * jitterOf(ids_[k], 1);
        if (jitterY)
            shownY_[k] += kJitter * jitterOf(ids_[k], 2);
    }
    const bool dense = ids_.size() > densityThreshold_;
    density_->setVisible(dense);
    scale_->setVisible(dense);
    // The colour scale sits right of the axes (InteractivePlot's layout: title, axes, legend).
    const int axesRow = 1;
    const bool scaleShown = plotLayout()->columnCount() > 1 && plotLayout()->hasElement(axesRow, 1);
    if (dense && !scaleShown)
        plotLayout()->addElement(axesRow, 1, scale_);
    else if (!dense && scaleShown)
        plotLayout()->take(scale_);
    plotLayout()->simplify();
    if (dense) {
        points_->data()->clear();
    } else {
        QVector<QCPGraphData> data(int(ids_.size()));
        for (std::size_t k = 0; k < ids_.size(); ++k)
            data[int(k)] = QCPGraphData(shownX_[k], shownY_[k]);
        // QCustomPlot sorts by key: it finds the visible points by binary search.
        points_->data()->set(data);
    }
    selection_.clear();
    updateSelectionGraph();
    resetView();
}

void ScatterPlot::resetView()
{
    if (shownX_.empty()) {
        rescaleAxes();
        replot();
        return;
    }
    auto range = [](const std::vector<double>& v) {
        const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
        double a = *lo, b = *hi;
        const double pad = b > a ? 0.04 * (b - a) : 0.5;
        return QCPRange(a - pad, b + pad);
    };
    xAxis->setRange(range(shownX_));
    yAxis->setRange(range(shownY_));
    rebin();
    replot();
}

void ScatterPlot::rebin()
{
    if (!density_->visible())
        return;
    const QRect area = axisRect()->rect();
    const int nx = std::max(8, area.width() / kDensityCell);
    const int ny = std::max(8, area.height() / kDensityCell);
    const QCPRange xr = xAxis->range(), yr = yAxis->range();
    std::vector<double> counts(std::size_t(nx) * std::size_t(ny), 0.0);
    const double sx = nx / xr.size(), sy = ny / yr.size();
    for (std::size_t k = 0; k < shownX_.size(); ++k) {
        const double fx = (shownX_[k] - xr.lower) * sx, fy = (shownY_[k] - yr.lower) * sy;
        if (fx < 0 || fy < 0 || fx >= nx || fy >= ny)
            continue;
        counts[std::size_t(fy) * std::size_t(nx) + std::size_t(fx)] += 1;
    }
    QCPColorMapData* data = density_->data();
    data->setSize(nx, ny);
    // Cell centres, so the map covers exactly the visible range.
    data->setRange(QCPRange(xr.lower + 0.5 / sx, xr.upper - 0.5 / sx), QCPRange(yr.lower + 0.5 / sy, yr.upper - 0.5 / sy));
    double most = 1;
    for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i) {
            const double c = counts[std::size_t(j) * std::size_t(nx) + std::size_t(i)];
            data->setCell(i, j, c > 0 ? c : std::nan(""));
            most = std::max(most, c);
        }
    density_->setDataRange(QCPRange(1, std::max(2.0, most)));
}

void ScatterPlot::updateSelectionGraph()
{
    QVector<QCPGraphData> data;
    if (!selection_.empty()) {
        std::vector<std::uint32_t> sorted = selection_;
        std::sort(sorted.begin(), sorted.end());
        for (std::size_t k = 0; k < ids_.size(); ++k)
            if (std::binary_search(sorted.begin(), sorted.end(), ids_[k]))
                data.push_back(QCPGraphData(shownX_[k], shownY_[k]));
    }
    selected_->data()->set(data);
}

void ScatterPlot::selectInRect(const QCPRange& x, const QCPRange& y)
{
    selection_.clear();
    for (std::size_t k = 0; k < ids_.size(); ++k)
        if (x.contains(shownX_[k]) && y.contains(shownY_[k]))
            selection_.push_back(ids_[k]);
    updateSelectionGraph();
    replot();
    emit selectionChanged(selection_, describeRange(xAxis, x) + tr(", ") + describeRange(yAxis, y));
}

QString ScatterPlot::describeRange(const QCPAxis* axis, const QCPRange& range) const
{
    const bool integer = axis == xAxis ? integerX_ : integerY_;
    const double never = axis == xAxis ? xNever_ : yNever_;
    if (!integer)
        return tr("%1 %2 to %3").arg(axis->label()).arg(range.lower, 0, 'g', 4).arg(range.upper, 0, 'g', 4);
    // The whole numbers whose jittered points the range can hold.
    const double lo = std::ceil(range.lower - kJitter), hi = std::floor(range.upper + kJitter);
    const bool withNever = !std::isnan(never) && lo <= never && never <= hi;
    const double last = withNever ? std::min(hi, never - 1) : hi;
    QString values;
    if (last < lo)
        return withNever ? tr("%1: never").arg(axis->label()) : tr("%1: none").arg(axis->label());
    values = last > lo ? tr("%1 to %2").arg(lo).arg(last) : QString::number(lo);
    return withNever ? tr("%1 %2 or never").arg(axis->label(), values) : tr("%1 %2").arg(axis->label(), values);
}

void ScatterPlot::selectInPolygon(const QPolygonF& pixels)
{
    selection_.clear();
    const QRectF bounds = pixels.boundingRect();
    for (std::size_t k = 0; k < ids_.size(); ++k) {
        const QPointF p(xAxis->coordToPixel(shownX_[k]), yAxis->coordToPixel(shownY_[k]));
        if (bounds.contains(p) && pixels.containsPoint(p, Qt::OddEvenFill))
            selection_.push_back(ids_[k]);
    }
    updateSelectionGraph();
    replot();
    emit selectionChanged(selection_, tr("lasso on %1 vs %2").arg(xAxis->label(), yAxis->label()));
}

void ScatterPlot::setSelection(const std::vector<std::uint32_t>& ids)
{
    selection_ = ids;
    updateSelectionGraph();
    replot();
}

void ScatterPlot::clearSelection()
{
    selection_.clear();
    updateSelectionGraph();
    replot();
    emit selectionChanged(selection_, QString());
}

void ScatterPlot::setDragMode(DragMode mode)
{
    dragMode_ = mode;
    setSelectionRectMode(mode == DragMode::Rectangle ? QCP::srmCustom : QCP::srmNone);
    setInteraction(QCP::iRangeDrag, mode == DragMode::Pan);
    setCursor(mode == DragMode::Pan ? Qt::OpenHandCursor : Qt::CrossCursor);
}

std::int64_t ScatterPlot::pointAt(const QPointF& pos) const
{
    double best = kHoverRadius * kHoverRadius;
    std::int64_t found = -1;
    const double x0 = xAxis->pixelToCoord(pos.x() - kHoverRadius), x1 = xAxis->pixelToCoord(pos.x() + kHoverRadius);
    const QCPRange xr(std::min(x0, x1), std::max(x0, x1));
    for (std::size_t k = 0; k < ids_.size(); ++k) {
        if (!xr.contains(shownX_[k]))
            continue;
        const double dx = xAxis->coordToPixel(shownX_[k]) - pos.x();
        const double dy = yAxis->coordToPixel(shownY_[k]) - pos.y();
        const double d = dx * dx + dy * dy;
        if (d < best) {
            best = d;
            found = std::int64_t(k);
        }
    }
    return found < 0 ? -1 : std::int64_t(ids_[std::size_t(found)]);
}

void ScatterPlot::setNote(const QString& text)
{
    note_->setText(text);
    note_->setVisible(!text.isEmpty());
    replot(rpQueuedReplot);
}

QString ScatterPlot::note() const { return note_->text(); }

void ScatterPlot::showHover(const QPointF& pos, const QPoint& global)
{
    const std::int64_t id = pointAt(pos);
    if (id < 0) {
        hover_->hide();
        return;
    }
    const QString text = describePoint ? describePoint(std::uint32_t(id)) : QString::number(id);
    const QImage thumb = thumbnail_ ? thumbnail_(std::uint32_t(id)) : QImage();
    const QFontMetrics fm(hover_->font());
    const QRect textRect = fm.boundingRect(QRect(0, 0, 260, 200), Qt::TextWordWrap, text);
    const int w = std::max(thumb.isNull() ? 0 : thumb.width(), textRect.width()) + 4;
    const int h = (thumb.isNull() ? 0 : thumb.height() + 4) + textRect.height() + 4;
    QPixmap card(w, h);
    card.fill(Qt::white);
    QPainter p(&card);
    if (!thumb.isNull())
        p.drawImage((w - thumb.width()) / 2, 2, thumb);
    p.setPen(QColor(30, 30, 30));
    p.drawText(QRect(2, h - textRect.height() - 2, w - 4, textRect.height()), Qt::TextWordWrap, text);
    p.end();
    hover_->setPixmap(card);
    hover_->adjustSize();
    hover_->move(global + QPoint(14, 14));
    hover_->show();
}

void ScatterPlot::mousePressEvent(QMouseEvent* event)
{
    hover_->hide();
    pressPos_ = event->position();
    if (dragMode_ == DragMode::Lasso && event->button() == Qt::LeftButton) {
        lasso_.clear();
        lasso_ << event->position();
        lassoActive_ = true;
        return;
    }
    InteractivePlot::mousePressEvent(event);
}

void ScatterPlot::mouseMoveEvent(QMouseEvent* event)
{
    if (lassoActive_) {
        lasso_ << event->position();
        update();
        return;
    }
    InteractivePlot::mouseMoveEvent(event);
    if (event->buttons() == Qt::NoButton)
        showHover(event->position(), event->globalPosition().toPoint());
}

void ScatterPlot::mouseReleaseEvent(QMouseEvent* event)
{
    // A click opens the point under it; it neither selects (a rectangle of no size would empty
    // the selection) nor pans.
    const bool click = event->button() == Qt::LeftButton &&
                       (event->position() - pressPos_).manhattanLength() < QApplication::startDragDistance();
    if (lassoActive_) {
        lassoActive_ = false;
        if (!click && lasso_.size() >= 3)
            selectInPolygon(lasso_);
        lasso_.clear();
        update();
    } else {
        if (click && selectionRect()->isActive())
            selectionRect()->cancel();
        InteractivePlot::mouseReleaseEvent(event);
    }
    if (click) {
        const std::int64_t id = pointAt(event->position());
        if (id >= 0)
            emit pointClicked(std::uint32_t(id));
    }
}

void ScatterPlot::leaveEvent(QEvent* event)
{
    hover_->hide();
    InteractivePlot::leaveEvent(event);
}

void ScatterPlot::paintEvent(QPaintEvent* event)
{
    InteractivePlot::paintEvent(event);
    if (lasso_.size() < 2)
        return;
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(okabeIto::kVermillion, 1.5, Qt::DashLine));
    p.setBrush(QColor(213, 94, 0, 30));
    p.drawPolygon(lasso_);
}

}  // namespace orderlens::ui
