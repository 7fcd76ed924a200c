#pragma once

#include "analysis/Correlation.h"
#include "browser/RunImages.h"

#include <QFutureWatcher>
#include <QWidget>

#include <array>
#include <memory>
#include <vector>

class QComboBox;
class QToolButton;

namespace orderlens::ui {

class ScatterPlot;

// The correlation explorer: any metric against any per-image measure (or any two columns) for
// one split, as a scatter (jittered integer axes, density map for large n), with Spearman,
// Kendall tau-b and Pearson and their bootstrap 95 % intervals written on the plot. The
// coefficients appear at once; the intervals (1000 resamples, the same seeds as
// `orderlens analyze`) are computed in the background. Rectangle or lasso selections are sent
// to the browser; a clicked point opens its image there.
class CorrelationExplorer : public QWidget {
    Q_OBJECT
public:
    explicit CorrelationExplorer(QWidget* parent = nullptr);
    ~CorrelationExplorer() override;

    void setRun(std::shared_ptr<const RunImages> run);
    // Column names of the run's ImageTable; unknown names are ignored.
    void setAxes(const std::string& x, const std::string& y);
    void setSplit(Split split);
    std::string xColumn() const;
    std::string yColumn() const;
    Split split() const;

    ScatterPlot* plot() const { return plot_; }
    // The pair on screen, in kCorrelationMethods order; intervals are NaN until intervalsReady().
    const std::array<Correlation, 3>& correlations() const { return correlations_; }
    bool intervalsReady() const { return intervalsReady_; }
    // The summary written on the plot.
    QString summaryText() const;

signals:
    void imagesSelected(const std::vector<std::uint32_t>& images, const QString& description);
    void intervalsComputed();
    // A point was clicked: its image (manifest index) should be shown.
    void imageActivated(int image);

private:
    void fillControls();
    void updatePlot();
    void exportFigure();

    std::shared_ptr<const RunImages> run_;
    ScatterPlot* plot_ = nullptr;
    QComboBox* splitBox_ = nullptr;
    QComboBox* xBox_ = nullptr;
    QComboBox* yBox_ = nullptr;
    QToolButton* panButton_ = nullptr;
    QToolButton* rectButton_ = nullptr;
    QToolButton* lassoButton_ = nullptr;
    std::array<Correlation, 3> correlations_{};
    bool intervalsReady_ = false;
    std::uint64_t generation_ = 0;
    QFutureWatcher<std::array<Correlation, 3>>* watcher_ = nullptr;
    bool updating_ = false;
};

}  // namespace orderlens::ui
