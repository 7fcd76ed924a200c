#include "explorer/CompareRunsView.h"

#include "export/FigureExport.h"
#include "plot/InteractivePlot.h"
#include "plot/Palette.h"

#include <QApplication>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QSplitter>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>
#include <unordered_map>

namespace orderlens::ui {

LearnedEpochAgreement compareLearnedEpochs(const RunImages& a, const RunImages& b, Split split)
{
    const int ca = a.table().columnIndex("learned_epoch"), cb = b.table().columnIndex("learned_epoch");
    LearnedEpochAgreement out;
    if (ca < 0 || cb < 0)
        return out;
    std::unordered_map<std::string, std::size_t> inB;
    for (std::size_t i = 0; i < b.size(); ++i)
        if (b.split(i) == split)
            inB.emplace(b.key(i), i);
    const auto& va = a.table().columns[std::size_t(ca)].values;
    const auto& vb = b.table().columns[std::size_t(cb)].values;
    std::vector<double> x, y;
    std::size_t same = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a.split(i) != split)
            continue;
        const auto it = inB.find(a.key(i));
        if (it == inB.end() || std::isnan(va[i]) || std::isnan(vb[it->second]))
            continue;
        x.push_back(va[i]);
        y.push_back(vb[it->second]);
        same += a.table().learnedEpoch[i] == b.table().learnedEpoch[it->second];
    }
    out.common = x.size();
    if (!x.empty()) {
        out.spearman = spearmanRho(x, y);
        out.kendall = kendallTauB(x, y);
        out.sameEpoch = double(same) / double(x.size());
    }
    return out;
}

CompareRunsView::CompareRunsView(QWidget* parent) : QWidget(parent)
{
    plot_ = new InteractivePlot;
    plot_->setHomeValueRange(QCPRange(0, 100));
    splitBox_ = new QComboBox;
    splitBox_->addItem(tr("train"), int(Split::Train));
    splitBox_->addItem(tr("test"), int(Split::Test));
    auto* add = new QToolButton;
    add->setText(tr("Add runs…"));
    auto* clear = new QToolButton;
    clear->setText(tr("Clear"));
    auto* exportButton = new QToolButton;
    exportButton->setText(tr("Export figure…"));
    pairs_ = new QTableWidget(0, 6);
    pairs_->setHorizontalHeaderLabels(
        {tr("run A"), tr("run B"), tr("common images"), tr("Spearman \u03c1"), tr("Kendall \u03c4b"), tr("same epoch")});
    pairs_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    pairs_->horizontalHeader()->setStretchLastSection(true);
    pairs_->verticalHeader()->hide();
    pairs_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    pairs_->setToolTip(tr("Rank correlation of the learned-by-all epochs of the images both runs share"));

    auto* bar = new QHBoxLayout;
    bar->addWidget(add);
    bar->addWidget(clear);
    bar->addSpacing(12);
    bar->addWidget(new QLabel(tr("Split")));
    bar->addWidget(splitBox_);
    bar->addStretch(1);
    bar->addWidget(exportButton);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(plot_);
    split->addWidget(pairs_);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(split, 1);

    connect(add, &QToolButton::clicked, this, &CompareRunsView::chooseRuns);
    connect(clear, &QToolButton::clicked, this, &CompareRunsView::clearRuns);
    connect(splitBox_, &QComboBox::currentIndexChanged, this, &CompareRunsView::redraw);
    connect(exportButton, &QToolButton::clicked, this, &CompareRunsView::exportFigure);
    installFigureMenu(plot_, [] { return QStringLiteral("compare-runs"); });
    redraw();
}

void CompareRunsView::addRun(std::shared_ptr<const RunImages> run)
{
    runs_.push_back(std::move(run));
    redraw();
}

void CompareRunsView::clearRuns()
{
    runs_.clear();
    redraw();
}

void CompareRunsView::setSplit(Split split) { splitBox_->setCurrentIndex(splitBox_->findData(int(split))); }

void CompareRunsView::chooseRuns()
{
    const QStringList paths =
        QFileDialog::getOpenFileNames(this, tr("Add runs to compare"), QString(), tr("Run files (*.h5);;All files (*)"));
    for (const QString& path : paths) {
        try {
            QApplication::setOverrideCursor(Qt::WaitCursor);
            auto run = RunImages::load(path.toStdString());
            QApplication::restoreOverrideCursor();
            addRun(std::move(run));
        } catch (const std::exception& e) {
            QApplication::restoreOverrideCursor();
            QMessageBox::warning(this, tr("Add runs to compare"), QString::fromUtf8(e.what()));
        }
    }
}

void CompareRunsView::redraw()
{
    const Split split = Split(splitBox_->currentData().toInt());
    plot_->clearGraphs();
    plot_->setLabels(tr("True-positive agreement across runs (%1)").arg(splitName(split)), tr("epoch"), tr("agreement (%)"),
                     QStringLiteral("%"));
    for (std::size_t r = 0; r < runs_.size(); ++r) {
        const SplitAnalysis* s = runs_[r]->splitAnalysis(split);
        if (!s)
            continue;
        const QString name = runs_[r]->runName();
        QCPGraph* agreement = plot_->addLine(name, networkColour(int(r)), Qt::SolidLine, 2.0);
        QCPGraph* bound = plot_->addLine(tr("%1 lower bound").arg(name), networkColour(int(r)), Qt::DotLine, 1.2);
        for (const EpochAgreement& e : s->agreement.epochs) {
            agreement->addData(e.epoch, e.agreement);
            bound->addData(e.epoch, e.lowerBound);
        }
    }
    plot_->resetView();
    plot_->replot();

    pairs_->setRowCount(0);
    auto number = [](double v, int decimals) {
        auto* item = new QTableWidgetItem(std::isnan(v) ? QObject::tr("n/a") : QString::number(v, 'f', decimals));
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        return item;
    };
    for (std::size_t a = 0; a < runs_.size(); ++a)
        for (std::size_t b = a + 1; b < runs_.size(); ++b) {
            const LearnedEpochAgreement r = compareLearnedEpochs(*runs_[a], *runs_[b], split);
            const int row = pairs_->rowCount();
            pairs_->insertRow(row);
            pairs_->setItem(row, 0, new QTableWidgetItem(runs_[a]->runName()));
            pairs_->setItem(row, 1, new QTableWidgetItem(runs_[b]->runName()));
            pairs_->setItem(row, 2, number(double(r.common), 0));
            pairs_->setItem(row, 3, number(r.spearman, 3));
            pairs_->setItem(row, 4, number(r.kendall, 3));
            pairs_->setItem(row, 5, number(100 * r.sameEpoch, 1));
            pairs_->item(row, 5)->setText(pairs_->item(row, 5)->text() + (std::isnan(r.sameEpoch) ? "" : " %"));
        }
}

void CompareRunsView::exportFigure()
{
    FigureExportDialog dialog(plot_, QStringLiteral("compare-runs"), this);
    dialog.exec();
}

}  // namespace orderlens::ui
