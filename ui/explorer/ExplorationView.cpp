#include "explorer/ExplorationView.h"

#include "browser/EasyHardView.h"
#include "common/Errors.h"
#include "browser/ImageBrowser.h"
#include "explorer/CompareRunsView.h"
#include "explorer/CorrelationExplorer.h"
#include "explorer/TrainingCurvesView.h"
#include "report/AnalysisReport.h"
#include "storage/RunFile.h"

#include <QApplication>
#include <QFileDialog>
#include <QLabel>
#include <QMessageBox>
#include <QStackedWidget>
#include <QTabWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace orderlens::ui {

ExplorationView::ExplorationView(QWidget* parent) : QWidget(parent)
{
    pages_ = new QStackedWidget;
    message_ = new QLabel(tr("Open or train a run to browse its images."));
    message_->setAlignment(Qt::AlignCenter);
    message_->setWordWrap(true);
    tabs_ = new QTabWidget;
    browser_ = new ImageBrowser;
    easyHard_ = new EasyHardView;
    explorer_ = new CorrelationExplorer;
    curves_ = new TrainingCurvesView;
    compare_ = new CompareRunsView;
    tabs_->addTab(browser_, tr("Images"));
    tabs_->addTab(easyHard_, tr("Easy vs hard"));
    tabs_->addTab(explorer_, tr("Correlations"));
    tabs_->addTab(curves_, tr("Along training"));
    tabs_->addTab(compare_, tr("Compare runs"));
    // What a partial run's analysis covers, above every view of it.
    coverage_ = new QLabel;
    coverage_->setObjectName("coverage");
    coverage_->setWordWrap(true);
    coverage_->setStyleSheet("background: #fff4d6; padding: 4px;");
    coverage_->setVisible(false);
    auto* runPage = new QWidget;
    auto* runLayout = new QVBoxLayout(runPage);
    runLayout->setContentsMargins(0, 0, 0, 0);
    runLayout->addWidget(coverage_);
    runLayout->addWidget(tabs_, 1);
    pages_->addWidget(message_);
    pages_->addWidget(runPage);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(pages_);

    connect(explorer_, &CorrelationExplorer::imagesSelected, this,
            [this](const std::vector<std::uint32_t>& images, const QString& how) {
                if (images.empty())
                    browser_->clearShowOnly();
                else
                    browser_->showOnly(images, how);
            });
    connect(easyHard_, &EasyHardView::imageActivated, this, [this](int image) {
        browser_->clearShowOnly();
        browser_->setFilter({});
        browser_->selectImages({std::uint32_t(image)});
        tabs_->setCurrentWidget(browser_);
    });

    watcher_ = new QFutureWatcher<std::shared_ptr<const RunImages>>(this);
    connect(watcher_, &QFutureWatcher<std::shared_ptr<const RunImages>>::finished, this, [this] {
        try {
            setRun(watcher_->result());
            emit loaded();
        } catch (const std::exception& e) {
            message_->setText(tr("Could not explore %1:\n%2").arg(loadingPath_, QString::fromUtf8(e.what())));
            pages_->setCurrentWidget(message_);
            emit failed(message_->text());
        }
    });
}

// A load still running owns its own copies; letting it finish unobserved is safe.
ExplorationView::~ExplorationView() = default;

bool ExplorationView::loading() const { return watcher_->isRunning(); }

void ExplorationView::openRun(const QString& path)
{
    loadingPath_ = path;
    message_->setText(tr("Reading %1 and its images…").arg(path));
    pages_->setCurrentWidget(message_);
    const std::string file = path.toStdString();
    watcher_->setFuture(QtConcurrent::run([file] { return RunImages::load(file); }));
}

void ExplorationView::setRun(std::shared_ptr<const RunImages> run)
{
    run_ = std::move(run);
    browser_->setRun(run_);
    easyHard_->setRun(run_);
    explorer_->setRun(run_);
    curves_->setRun(run_);
    compare_->clearRuns();
    if (run_)
        compare_->addRun(run_);
    coverage_->setText(run_ ? QString::fromStdString(run_->analysis().coverage) : QString());
    coverage_->setVisible(!coverage_->text().isEmpty());
    pages_->setCurrentWidget(run_ ? tabs_->parentWidget() : message_);
}

QStringList ExplorationView::writeReport(const QString& dir)
{
    if (!run_)
        throw ConfigError("open a run before writing its report");
    // The browser's analysis skips the bootstrap; the report has the study's full intervals.
    const RunFile file(run_->analysis().runPath);
    const RunAnalysis analysis = analyseRun(file, AnalysisOptions{});
    return writeAnalysisReport(analysis, dir);
}

void ExplorationView::chooseReportFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Write the analysis report into"));
    if (dir.isEmpty())
        return;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    try {
        const QStringList files = writeReport(dir);
        QApplication::restoreOverrideCursor();
        QMessageBox::information(this, tr("Analysis report"), tr("Wrote %1 files into %2.").arg(files.size()).arg(dir));
    } catch (const std::exception& e) {
        QApplication::restoreOverrideCursor();
        QMessageBox::warning(this, tr("Analysis report"), QString::fromUtf8(e.what()));
    }
}

}  // namespace orderlens::ui
