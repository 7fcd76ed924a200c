#pragma once

#include "browser/RunImages.h"

#include <QWidget>

#include <memory>
#include <vector>

class QComboBox;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace orderlens::ui {

// The study's figures along training, interactively: the agreement curve with a chosen metric's
// curve on the second axis (docs/DEFINITIONS.md 4), the distinct-valued curves, or the metric's
// histogram, for either split. The display thresholds (agreement below 20 %, the first 5 epochs)
// are adjustable, and a note above the plot says whenever they hide part of a curve. Drawn by the shared figure builders (figures/Figures.h), so what is seen here
// is what the report and `orderlens analyze` export.
class TrainingCurvesView : public QWidget {
    Q_OBJECT
public:
    enum class Kind { Agreement, MetricCurve, DistinctValues, Histogram };

    explicit TrainingCurvesView(QWidget* parent = nullptr);

    void setRun(std::shared_ptr<const RunImages> run);
    void setSplit(Split split);
    void setMetric(const std::string& name);
    void setKind(Kind kind);
    void setThresholds(double agreementPercent, int epochs);

    QCustomPlot* plot() const { return plot_; }
    // The metric curve as drawn (NaN where the thresholds hide it); empty for other figures.
    const std::vector<double>& shownCurve() const { return shown_; }
    // Above the plot when the thresholds hide part of what the figure would show: what and why.
    QString thresholdNote() const;

private:
    void redraw();
    void exportFigure();

    std::shared_ptr<const RunImages> run_;
    QCustomPlot* plot_ = nullptr;
    QComboBox* splitBox_ = nullptr;
    QComboBox* kindBox_ = nullptr;
    QComboBox* metricBox_ = nullptr;
    QDoubleSpinBox* agreementThreshold_ = nullptr;
    QSpinBox* epochThreshold_ = nullptr;
    QLabel* note_ = nullptr;
    std::vector<double> shown_;
    bool updating_ = false;
};

}  // namespace orderlens::ui
