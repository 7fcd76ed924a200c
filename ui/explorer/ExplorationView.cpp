#include "explorer/ExplorationView.h"

#include "analysis/AnalysisPlan.h"
#include "browser/EasyHardView.h"
#include "common/Errors.h"
#include "browser/ImageBrowser.h"
#include "explorer/CompareRunsView.h"
#include "explorer/CorrelationExplorer.h"
#include "explorer/TrainingCurvesView.h"
#include "report/AnalysisReport.h"
#include "report/ReportWriter.h"
#include "storage/RunFile.h"

#include <QDir>
#include <QFileDialog>
#include <QLabel>
#include <QMessageBox>
#include <QProgressDialog>
#include <QStackedWidget>
#include <QTabWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <atomic>

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
                    browser_->showOnly(images, how, {explorer_->xColumn(), explorer_->yColumn()});
            });
    auto openImage = [this](int image) {
        browser_->openImage(std::uint32_t(image));
        tabs_->setCurrentWidget(browser_);
    };
    connect(easyHard_, &EasyHardView::imageActivated, this, openImage);
    connect(explorer_, &CorrelationExplorer::imageActivated, this, openImage);

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

void ExplorationView::showWaiting(const QString& why)
{
    if (run_)
        setRun(nullptr);
    message_->setText(why);
    pages_->setCurrentWidget(message_);
}

QString ExplorationView::messageText() const { return message_->text(); }

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
    return writeAnalysisReport(AnalysisPlan(run_->analysis().runPath).analyse(), dir);
}

void ExplorationView::chooseReportFolder()
{
    if (!run_)
        return;
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Write the analysis report into"));
    if (!dir.isEmpty() && confirmReportFolder(dir))
        writeReportInBackground(dir);
}

bool ExplorationView::confirmReportFolder(const QString& dir)
{
    // Which figures a report draws is known only once its analysis ran, so the question names
    // every file of the report's kinds already in the folder (tables, analysis.json, figures,
    // report.pdf): any of them may be replaced.
    const QStringList existing =
        QDir(dir).entryList({"*.csv", "*.json", "*.pdf", "*.png", "*.svg"}, QDir::Files, QDir::Name);
    if (existing.isEmpty())
        return true;
    constexpr int kNamed = 8;
    QString names = QStringList(existing.mid(0, kNamed)).join(QStringLiteral(", "));
    if (existing.size() > kNamed)
        names += tr(" and %1 more").arg(existing.size() - kNamed);
    return QMessageBox::question(this, tr("Replace the files?"),
                                 tr("%1 tables, figures or reports already exist in %2: %3. The report replaces "
                                    "those with the names it writes. Write it there?")
                                     .arg(existing.size())
                                     .arg(QDir::toNativeSeparators(dir), names),
                                 QMessageBox::Yes | QMessageBox::No, QMessageBox::No) == QMessageBox::Yes;
}

void ExplorationView::writeReportInBackground(const QString& dir)
{
    if (!run_)
        return;
    // The report's analysis (its 1000-resample bootstrap takes seconds to minutes) runs in the
    // background, then a ReportWriter writes the files (the GUI thread only draws each figure
    // once, one per turn of the event loop); both can be cancelled from the progress dialog.
    struct Outcome {
        std::shared_ptr<const RunAnalysis> analysis;
        QString error;
    };
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    auto* progress = new QProgressDialog(tr("Analysing the run for its report ..."), tr("Cancel"), 0, 0, this);
    progress->setWindowModality(Qt::WindowModal);
    progress->setMinimumDuration(0);
    progress->setAutoReset(false);
    progress->setAutoClose(false);
    connect(progress, &QProgressDialog::canceled, this, [cancel] { cancel->store(true); });
    auto finish = [this, progress, dir](const QStringList& files, const QString& error) {
        progress->deleteLater();
        emit reportWritten(files, error);
        if (files.isEmpty() && error.isEmpty())
            return;  // cancelled
        auto* box = new QMessageBox(error.isEmpty() ? QMessageBox::Information : QMessageBox::Warning,
                                    tr("Analysis report"),
                                    error.isEmpty() ? tr("Wrote %1 files into %2.").arg(files.size()).arg(dir) : error,
                                    QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    };
    auto* watcher = new QFutureWatcher<Outcome>(this);
    connect(watcher, &QFutureWatcher<Outcome>::finished, this, [this, watcher, progress, dir, cancel, finish] {
        const Outcome outcome = watcher->result();
        watcher->deleteLater();
        if (!outcome.analysis || cancel->load()) {
            finish({}, outcome.error);
            return;
        }
        constexpr int kSteps = 1000;
        progress->setLabelText(tr("Writing the tables, figures and report.pdf ..."));
        progress->setRange(0, kSteps);
        auto* writer = new ReportWriter(outcome.analysis, dir, {}, this);
        connect(progress, &QProgressDialog::canceled, writer, &ReportWriter::cancel);
        connect(writer, &ReportWriter::progressed, progress, [progress](const QString& step, double fraction) {
            progress->setLabelText(tr("Writing the tables, figures and report.pdf ... %1").arg(step));
            progress->setValue(std::min(kSteps - 1, int(fraction * kSteps)));
        });
        connect(writer, &ReportWriter::finished, this, [writer, finish](const QStringList& files, const QString& error) {
            writer->deleteLater();
            finish(files, error);
        });
        writer->start();
    });
    const std::string path = run_->analysis().runPath;
    watcher->setFuture(QtConcurrent::run([path, cancel] {
        Outcome outcome;
        try {
            outcome.analysis = std::make_shared<const RunAnalysis>(AnalysisPlan(path).analyse({}, cancel.get()));
        } catch (const Cancelled&) {
        } catch (const std::exception& e) {
            outcome.error = QString::fromUtf8(e.what());
        }
        return outcome;
    }));
}

}  // namespace orderlens::ui
