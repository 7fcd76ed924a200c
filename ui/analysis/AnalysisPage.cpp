#include "analysis/AnalysisPage.h"

#include "analysis/AnalysisPlan.h"
#include "common/Errors.h"
#include "export/SaveTarget.h"
#include "storage/RunFile.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <qcustomplot.h>

namespace orderlens::ui {

namespace {
// Progress is shared with the worker as thousandths.
constexpr int kProgressSteps = 1000;
constexpr int kProgressPollMs = 100;
}  // namespace

AnalysisPage::AnalysisPage(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    stack_ = new QStackedWidget(this);
    layout->addWidget(stack_);

    auto* waiting = new QWidget;
    auto* waitingLayout = new QVBoxLayout(waiting);
    waitingLayout->addStretch(1);
    status_ = new QLabel(tr("Open a run or finish a training to see its analysis."));
    status_->setAlignment(Qt::AlignCenter);
    status_->setWordWrap(true);
    waitingLayout->addWidget(status_);
    progressBar_ = new QProgressBar;
    progressBar_->setRange(0, kProgressSteps);
    progressBar_->setMaximumWidth(420);
    progressBar_->setVisible(false);
    waitingLayout->addWidget(progressBar_, 0, Qt::AlignHCenter);
    cancelButton_ = new QPushButton(tr("Cancel analysis"));
    cancelButton_->setVisible(false);
    waitingLayout->addWidget(cancelButton_, 0, Qt::AlignHCenter);
    waitingLayout->addStretch(2);
    stack_->addWidget(waiting);

    auto* splitter = new QSplitter(Qt::Horizontal);
    list_ = new QListWidget;
    list_->setMinimumWidth(240);
    splitter->addWidget(list_);
    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    // What a partial run's analysis covers (networks without an epoch are left out).
    coverage_ = new QLabel;
    coverage_->setObjectName("coverage");
    coverage_->setWordWrap(true);
    coverage_->setStyleSheet("background: #fff4d6; padding: 4px;");
    coverage_->setVisible(false);
    rightLayout->addWidget(coverage_);
    plot_ = new QCustomPlot;
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->setToolTip(tr("Drag to pan, wheel to zoom, double-click to reset"));
    rightLayout->addWidget(plot_, 1);
    auto* bottom = new QHBoxLayout;
    caption_ = new QLabel;
    caption_->setWordWrap(true);
    caption_->setStyleSheet("color: #404040;");
    export_ = new QPushButton(tr("Export figure..."));
    bottom->addWidget(caption_, 1);
    bottom->addWidget(export_, 0, Qt::AlignTop);
    rightLayout->addLayout(bottom);
    splitter->addWidget(right);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({260, 1000});
    stack_->addWidget(splitter);

    connect(list_, &QListWidget::currentRowChanged, this, &AnalysisPage::showFigure);
    connect(plot_, &QCustomPlot::mouseDoubleClick, this, [this] { showFigure(current_); });
    connect(export_, &QPushButton::clicked, this, &AnalysisPage::exportCurrent);
    connect(cancelButton_, &QPushButton::clicked, this, &AnalysisPage::cancel);
    connect(&watcher_, &QFutureWatcher<Result>::finished, this, &AnalysisPage::finish);
    auto* poll = new QTimer(this);
    poll->setInterval(kProgressPollMs);
    connect(poll, &QTimer::timeout, this, [this] {
        if (progress_ && watcher_.isRunning())
            progressBar_->setValue(progress_->load());
    });
    poll->start();
}

AnalysisPage::~AnalysisPage()
{
    cancel();
    watcher_.waitForFinished();
}

void AnalysisPage::cancel()
{
    if (cancel_)
        cancel_->store(true);
}

AnalysisPage::Result AnalysisPage::compute(const QString& path, std::shared_ptr<std::atomic<int>> progress,
                                           std::shared_ptr<std::atomic<bool>> cancel)
{
    Result r;
    r.path = path;
    try {
        // An interrupted run: the networks that have epochs, over the epochs all of them completed.
        r.analysis = std::make_shared<RunAnalysis>(AnalysisPlan(path.toStdString()).analyse(
            [&](const std::string&, double f) { progress->store(int(f * kProgressSteps)); }, cancel.get()));
    } catch (const Cancelled&) {
        r.error = tr("cancelled");
    } catch (const std::exception& e) {
        r.error = QString::fromStdString(e.what());
    }
    return r;
}

void AnalysisPage::analyse(const QString& runPath)
{
    if (watcher_.isRunning()) {
        // The running analysis is of another run (or an older state of this one): stop it.
        pending_ = runPath;
        cancel();
        return;
    }
    clear();
    status_->setText(tr("Analysing %1 ...").arg(QFileInfo(runPath).fileName()));
    progressBar_->setValue(0);
    progressBar_->setVisible(true);
    cancelButton_->setVisible(true);
    progress_ = std::make_shared<std::atomic<int>>(0);
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    watcher_.setFuture(QtConcurrent::run(&AnalysisPage::compute, runPath, progress_, cancel_));
}

void AnalysisPage::stop()
{
    pending_.clear();
    cancel();
    watcher_.waitForFinished();
    clear();
}

void AnalysisPage::clear()
{
    list_->clear();
    figures_.clear();
    analysis_.reset();
    current_ = -1;
    resetFigure(plot_);
    stack_->setCurrentIndex(0);
    status_->setText(tr("Open a run or finish a training to see its analysis."));
    progressBar_->setVisible(false);
    cancelButton_->setVisible(false);
}

void AnalysisPage::showWaiting(const QString& why)
{
    clear();
    status_->setText(why);
}

QString AnalysisPage::statusText() const { return status_->text(); }

void AnalysisPage::finish()
{
    const Result r = watcher_.result();
    if (!pending_.isEmpty()) {
        const QString next = pending_;
        pending_.clear();
        analyse(next);
        return;
    }
    progressBar_->setVisible(false);
    cancelButton_->setVisible(false);
    if (!r.error.isEmpty()) {
        status_->setText(tr("No analysis: %1").arg(r.error));
        emit analysed(r.path, r.error);
        return;
    }
    analysis_ = r.analysis;
    coverage_->setText(QString::fromStdString(analysis_->coverage));
    coverage_->setVisible(!analysis_->coverage.empty());
    figures_ = analysisFigures(*analysis_);
    for (const FigureSpec& f : figures_) {
        auto* item = new QListWidgetItem(f.title, list_);
        item->setToolTip(f.caption);
    }
    stack_->setCurrentIndex(1);
    if (!figures_.empty())
        list_->setCurrentRow(0);
    emit analysed(r.path, {});
}

int AnalysisPage::figureCount() const { return int(figures_.size()); }

QStringList AnalysisPage::figureTitles() const
{
    QStringList titles;
    for (const FigureSpec& f : figures_)
        titles << f.title;
    return titles;
}

void AnalysisPage::showFigure(int index)
{
    if (index < 0 || index >= int(figures_.size()))
        return;
    if (list_->currentRow() != index) {
        list_->setCurrentRow(index);  // comes back here through currentRowChanged
        return;
    }
    current_ = index;
    FigureStyle style;
    style.title = true;
    figures_[std::size_t(index)].build(plot_, figures_[std::size_t(index)].title, style);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->replot();
    caption_->setText(figures_[std::size_t(index)].caption);
}

void AnalysisPage::exportCurrent()
{
    if (current_ < 0)
        return;
    const QString base = QFileDialog::getSaveFileName(this, tr("Export figure"), figures_[std::size_t(current_)].stem,
                                                      tr("Figure base name (PNG, SVG and PDF are written)"), nullptr,
                                                      QFileDialog::DontConfirmOverwrite);
    if (base.isEmpty())
        return;
    const QString stem = QFileInfo(base).dir().filePath(QFileInfo(base).completeBaseName());
    const std::vector<FigureFormat> formats = {FigureFormat::Png, FigureFormat::Svg, FigureFormat::Pdf};
    for (FigureFormat f : formats)
        if (!confirmReplace(this, FigurePicture::fileFor(stem, f)))
            return;
    try {
        exportFigure(plot_, stem, formats);
        announceSaved(this, tr("Figure (PNG, SVG and PDF)"), stem + ".*");
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Export failed"), QString::fromStdString(e.what()));
    }
}

}  // namespace orderlens::ui
