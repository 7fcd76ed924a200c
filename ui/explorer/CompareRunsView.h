#pragma once

#include "analysis/Correlation.h"
#include "browser/RunImages.h"

#include <QWidget>

#include <memory>
#include <vector>

class QComboBox;
class QTableWidget;

namespace orderlens::ui {

class InteractivePlot;

// How alike two runs order the same images: over the keys both runs have in a split, the rank
// correlation of their learned-by-all epochs (never-learned = the end of each run's epoch range,
// as `orderlens analyze` counts it) and the fraction learned in the very same epoch.
struct LearnedEpochAgreement {
    std::size_t common = 0;    // images in both runs with a learned epoch in each
    double spearman = std::numeric_limits<double>::quiet_NaN();
    double kendall = std::numeric_limits<double>::quiet_NaN();
    double sameEpoch = std::numeric_limits<double>::quiet_NaN();  // fraction, 0..1
};
LearnedEpochAgreement compareLearnedEpochs(const RunImages& a, const RunImages& b, Split split);

// Compare runs: two or more runs (e.g. different architectures on one dataset) with their
// agreement curves overlaid, as the study's cross-architecture figure, and the learned-epoch
// agreement of every pair.
class CompareRunsView : public QWidget {
    Q_OBJECT
public:
    explicit CompareRunsView(QWidget* parent = nullptr);

    void addRun(std::shared_ptr<const RunImages> run);
    void clearRuns();
    void setSplit(Split split);
    const std::vector<std::shared_ptr<const RunImages>>& runs() const { return runs_; }
    InteractivePlot* plot() const { return plot_; }
    QTableWidget* pairs() const { return pairs_; }

private:
    void chooseRuns();
    void redraw();
    void exportFigure();

    std::vector<std::shared_ptr<const RunImages>> runs_;
    InteractivePlot* plot_ = nullptr;
    QComboBox* splitBox_ = nullptr;
    QTableWidget* pairs_ = nullptr;
};

}  // namespace orderlens::ui
