#pragma once

#include <qcustomplot.h>

#include <functional>
#include <optional>

namespace orderlens::ui {

// A QCustomPlot styled for OrderLens and made explorable the way matplotlib's and
// TensorBoard's plots are: drag to pan, wheel to zoom, double-click to reset, hover for values.
// While the user has not moved the view, new data rescales it automatically; once they pan or
// zoom, their view stays until they double-click.
class InteractivePlot : public QCustomPlot {
    Q_OBJECT
public:
    explicit InteractivePlot(QWidget* parent = nullptr);

    // Axis titles, and how hover tooltips name the x value and format the y value.
    void setLabels(const QString& title, const QString& xLabel, const QString& yLabel, const QString& yUnit = {});
    void setTitle(const QString& title);
    // How hover tooltips name an x value; by default "<x label> <value>".
    void setKeyText(std::function<QString(double)> text) { keyText_ = std::move(text); }
    // A value range the reset view always shows (e.g. 0-100 % for accuracies).
    void setHomeValueRange(std::optional<QCPRange> range) { homeValueRange_ = range; }
    // Keys at least this wide on reset (e.g. the run's epochs), so the axis does not jump.
    void setHomeKeyRange(std::optional<QCPRange> range) { homeKeyRange_ = range; }

    QCPGraph* addLine(const QString& name, const QColor& colour, Qt::PenStyle style = Qt::SolidLine,
                      double width = 1.6);
    // Schedules a replot (and a rescale unless the user moved the view).
    void refresh();
    // Fits the view to the data (and the home ranges); plots with other rules override it.
    virtual void resetView();
    bool userMovedView() const { return userMovedView_; }
    // The text the hover tooltip shows at a widget position (empty far from every point).
    QString valueTextAt(const QPointF& pos) const;

    // Writes the plot (PDF, SVG or PNG, by extension) through exportFigureFile at the size of
    // every figure file (FigureSize's default); false when it cannot be written.
    bool exportTo(const QString& path);

protected:
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    // As many legend columns (up to three) as the widest entry allows at the plot's width, so a
    // narrow plot stacks its entries instead of cutting their names.
    void fitLegend();

    QCPTextElement* title_ = nullptr;
    QString xLabel_, yUnit_;
    std::function<QString(double)> keyText_;
    std::optional<QCPRange> homeValueRange_, homeKeyRange_;
    bool userMovedView_ = false;
};

}  // namespace orderlens::ui
