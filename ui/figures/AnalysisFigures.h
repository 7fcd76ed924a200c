#pragma once

#include "figures/Figures.h"

#include <QString>

#include <functional>
#include <vector>

namespace orderlens::ui {

// One figure of an analysis: its file stem, title, caption and the builder that draws it.
struct FigureSpec {
    QString stem;     // e.g. "agreement_train"
    QString title;
    QString caption;  // what the figure shows, for the report
    std::function<void(QCustomPlot*, const QString& title, const FigureStyle&)> build;
};

// Every figure of `orderlens analyze`, in report order: per split the agreement, the label
// agreement heat map, each metric's curve (and distinct-valued curves), histogram and scatter
// against the learned-by-all epoch, the data map; then the per-network accuracy and loss curves.
// The specs refer to `analysis`, which must outlive them.
std::vector<FigureSpec> analysisFigures(const RunAnalysis& analysis);

}  // namespace orderlens::ui
