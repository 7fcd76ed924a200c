#pragma once

#include "plot/InteractivePlot.h"

#include <QImage>

#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

class QLabel;

namespace orderlens::ui {

// A scatter plot that stays interactive at 100,000+ points. Up to kDensityThreshold points are
// drawn as translucent dots; beyond that, as a 2-D histogram (a QCPColorMap re-binned to the
// view after every pan or zoom, so density stays legible at any zoom). Integer axes are jittered
// for display only. Drag pans, the wheel zooms; in rectangle or lasso mode a drag selects the
// points inside, which are drawn on top and reported by id. Hovering near a point shows its
// image (through the thumbnail callback) and values; clicking it (in any mode) reports its id.
// Styling, zoom, reset and export are InteractivePlot's, as for every plot of the application.
class ScatterPlot : public InteractivePlot {
    Q_OBJECT
public:
    enum class DragMode { Pan, Rectangle, Lasso };
    // More points than this are drawn as a density map.
    static constexpr std::size_t kDensityThreshold = 20000;
    // Jitter half-width for integer axes, in data units (neighbouring integers stay apart).
    static constexpr double kJitter = 0.3;
    // Density cells are this many pixels on a side.
    static constexpr int kDensityCell = 3;

    explicit ScatterPlot(QWidget* parent = nullptr);

    // Points (x[k], y[k]) with ids; NaN pairs must already be removed.
    void setPoints(std::vector<double> x, std::vector<double> y, std::vector<std::uint32_t> ids, bool jitterX,
                   bool jitterY);
    void setAxisLabels(const QString& x, const QString& y);
    // Integer axes get whole-number ticks; `never` (NaN = none) is the value that stands for
    // "never learned" on an epoch axis, labelled so.
    void setIntegerAxes(bool x, bool y, double xNever, double yNever);
    void setDragMode(DragMode mode);
    DragMode dragMode() const { return dragMode_; }
    bool densityMode() const { return density_->visible(); }
    // Points above which the density map replaces dots (kDensityThreshold by default).
    void setDensityThreshold(std::size_t points);
    std::size_t pointCount() const { return ids_.size(); }

    // Selection by rectangle or polygon in plot coordinates (as the mouse makes it).
    void selectInRect(const QCPRange& x, const QCPRange& y);
    void selectInPolygon(const QPolygonF& pixels);
    void setSelection(const std::vector<std::uint32_t>& ids);
    void clearSelection();
    const std::vector<std::uint32_t>& selection() const { return selection_; }

    // The id nearest a widget position within the hover radius, or -1.
    std::int64_t pointAt(const QPointF& pos) const;
    void setThumbnailSource(std::function<QImage(std::uint32_t)> source) { thumbnail_ = std::move(source); }
    std::function<QString(std::uint32_t)> describePoint;

    void resetView() override;
    // Text in the top-left corner of the plot (the correlation summary).
    void setNote(const QString& text);
    QString note() const;

signals:
    void selectionChanged(const std::vector<std::uint32_t>& ids, const QString& how);
    // A click (press and release without dragging) on or near a point.
    void pointClicked(std::uint32_t id);

protected:
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;

private:
    void rebin();
    void updateSelectionGraph();
    void showHover(const QPointF& pos, const QPoint& global);
    // "Learned-by-all epoch 3 to 5", "... 12 to 14 or never", "...: never", "Mean intensity 0.2 to 0.3".
    QString describeRange(const QCPAxis* axis, const QCPRange& range) const;

    std::vector<double> x_, y_, shownX_, shownY_;
    std::vector<std::uint32_t> ids_;
    std::vector<std::uint32_t> selection_;
    QCPGraph* points_ = nullptr;
    QCPGraph* selected_ = nullptr;
    QCPColorMap* density_ = nullptr;
    QCPColorScale* scale_ = nullptr;
    QCPItemText* note_ = nullptr;
    DragMode dragMode_ = DragMode::Pan;
    QPolygonF lasso_;
    bool lassoActive_ = false;
    QPointF pressPos_;
    bool integerX_ = false, integerY_ = false;
    double xNever_ = std::nan(""), yNever_ = std::nan("");
    QLabel* hover_ = nullptr;
    std::function<QImage(std::uint32_t)> thumbnail_;
    std::size_t densityThreshold_ = kDensityThreshold;
};

}  // namespace orderlens::ui
