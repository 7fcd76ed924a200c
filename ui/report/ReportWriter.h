#pragma once

#include "report/AnalysisReport.h"

#include <QObject>
#include <QStringList>
#include <QThreadPool>

#include <functional>
#include <memory>
#include <vector>

namespace orderlens::ui {

// Writes what writeAnalysisReport writes without keeping the GUI thread busy: the tables, the
// figure files and report.pdf are written by background threads (as many as the thread budget
// allows); the GUI thread only draws the figures into pictures, one figure per turn of the event
// loop (QCustomPlot is a widget and cannot be drawn elsewhere), so it stays responsive. Can be
// cancelled at any time: it then removes the files it wrote.
class ReportWriter : public QObject {
    Q_OBJECT
public:
    ReportWriter(std::shared_ptr<const RunAnalysis> analysis, QString dir, ReportOptions options = {},
                 QObject* parent = nullptr);
    // Cancels and waits for the background threads.
    ~ReportWriter() override;

    // Starts writing (once); finished() follows.
    void start();
    // Stops as soon as possible; finished() then reports neither files nor an error.
    void cancel();
    bool isRunning() const { return started_ && !done_; }

signals:
    // What is being written and the fraction done (0..1).
    void progressed(const QString& step, double fraction);
    // The files written and no error; or an error (the files written so far are removed); or,
    // when cancelled, neither.
    void finished(const QStringList& files, const QString& error);

private:
    struct Shared;
    void drawNext();
    // Runs `work` on a background thread; jobDone() follows on this one.
    void submit(std::function<QStringList()> work);
    void jobDone(const QStringList& files, const QString& error);
    void finishIfDone();

    std::shared_ptr<const RunAnalysis> analysis_;
    QString dir_;
    ReportOptions options_;
    std::vector<FigureSpec> specs_;
    std::vector<ReportFigure> figures_;  // sized once: background jobs hold pointers into it
    std::size_t drawn_ = 0;
    int pending_ = 0;
    int jobsDone_ = 0, jobsTotal_ = 0;
    bool started_ = false, drawing_ = false, pdfStarted_ = false, done_ = false;
    QStringList written_;
    QString error_;
    std::shared_ptr<std::atomic<bool>> cancel_;
    QThreadPool pool_;
};

}  // namespace orderlens::ui
