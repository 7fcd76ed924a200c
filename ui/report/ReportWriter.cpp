#include "report/ReportWriter.h"

#include "analysis/AnalysisTables.h"
#include "common/Errors.h"
#include "common/ThreadBudget.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTimer>
#include <QtConcurrent>

namespace orderlens::ui {

ReportWriter::ReportWriter(std::shared_ptr<const RunAnalysis> analysis, QString dir, ReportOptions options,
                           QObject* parent)
    : QObject(parent),
      analysis_(std::move(analysis)),
      dir_(std::move(dir)),
      options_(std::move(options)),
      cancel_(std::make_shared<std::atomic<bool>>(false))
{
    pool_.setMaxThreadCount(int(workerThreads(0)));
}

ReportWriter::~ReportWriter()
{
    cancel_->store(true);
    pool_.waitForDone();
}

void ReportWriter::cancel() { cancel_->store(true); }

void ReportWriter::start()
{
    if (started_)
        return;
    started_ = true;
    if (!QDir().mkpath(dir_)) {
        error_ = QString::fromStdString(
            InputError(dir_.toStdString(), "cannot create the output folder").what());
        QTimer::singleShot(0, this, &ReportWriter::finishIfDone);
        return;
    }
    if (options_.figures) {
        specs_ = analysisFigures(*analysis_);
        figures_.resize(specs_.size());
    }
    jobsTotal_ = 1 + int(specs_.size()) + (options_.figures && options_.report ? 1 : 0);
    const std::string dir = dir_.toStdString();
    auto analysis = analysis_;
    submit([dir, analysis] {
        QStringList files;
        for (const std::string& table : writeAnalysisTables(dir, *analysis))
            files << QString::fromStdString(table);
        return files;
    });
    QTimer::singleShot(0, this, &ReportWriter::drawNext);
}

void ReportWriter::drawNext()
{
    // A modal progress dialog processes events while it updates, which can run this again from
    // inside itself: one figure at a time.
    if (drawing_) {
        QTimer::singleShot(0, this, &ReportWriter::drawNext);
        return;
    }
    if (cancel_->load() || drawn_ >= specs_.size()) {
        finishIfDone();
        return;
    }
    drawing_ = true;
    const std::size_t i = drawn_++;
    emit progressed(specs_[i].stem, double(jobsDone_) / double(jobsTotal_));
    try {
        figures_[i] = drawReportFigure(specs_[i], options_.style);
        ReportFigure* figure = &figures_[i];
        const QString dir = dir_;
        const ReportOptions options = options_;
        submit([dir, figure, options] { return writeReportFigureFiles(dir, *figure, options); });
    } catch (const std::exception& e) {
        if (error_.isEmpty())
            error_ = QString::fromUtf8(e.what());
        cancel_->store(true);
    }
    drawing_ = false;
    QTimer::singleShot(0, this, &ReportWriter::drawNext);
}

void ReportWriter::submit(std::function<QStringList()> work)
{
    ++pending_;
    auto cancel = cancel_;
    (void)QtConcurrent::run(&pool_, [this, work = std::move(work), cancel] {
        QStringList files;
        QString error;
        if (!cancel->load()) {
            try {
                files = work();
            } catch (const Cancelled&) {
            } catch (const std::exception& e) {
                error = QString::fromUtf8(e.what());
            }
        }
        // The writer outlives its jobs (its destructor waits for them).
        QMetaObject::invokeMethod(this, [this, files, error] { jobDone(files, error); }, Qt::QueuedConnection);
    });
}

void ReportWriter::jobDone(const QStringList& files, const QString& error)
{
    --pending_;
    ++jobsDone_;
    written_ << files;
    if (!error.isEmpty()) {
        if (error_.isEmpty())
            error_ = error;
        cancel_->store(true);
    }
    if (!cancel_->load())
        emit progressed(files.isEmpty() ? QString() : QFileInfo(files.first()).completeBaseName(),
                        double(jobsDone_) / double(jobsTotal_));
    finishIfDone();
}

void ReportWriter::finishIfDone()
{
    if (done_ || pending_ > 0)
        return;
    const bool stopped = cancel_->load() || !error_.isEmpty();
    if (!stopped && drawn_ < specs_.size())
        return;  // figures still to draw
    if (!stopped && options_.figures && options_.report && !pdfStarted_) {
        pdfStarted_ = true;
        emit progressed(QStringLiteral("report.pdf"), double(jobsDone_) / double(jobsTotal_));
        const QString dir = dir_;
        auto analysis = analysis_;
        std::vector<ReportFigure>* figures = &figures_;
        const ReportOptions options = options_;
        auto cancel = cancel_;
        submit([dir, analysis, figures, options, cancel] {
            return QStringList{writeReportPdf(dir, *analysis, *figures, options, cancel.get())};
        });
        return;
    }
    done_ = true;
    if (stopped) {
        // A report is complete or absent: what was written of a cancelled or failed one goes.
        for (const QString& file : written_)
            QFile::remove(file);
        emit finished({}, error_);
        return;
    }
    emit progressed(QStringLiteral("done"), 1.0);
    emit finished(written_, {});
}

}  // namespace orderlens::ui
