#pragma once

#include "figures/AnalysisFigures.h"

#include <QFutureWatcher>
#include <QWidget>

#include <atomic>
#include <memory>

class QCustomPlot;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QStackedWidget;

namespace orderlens::ui {

// The figures of `orderlens analyze` for a run on screen: a list of every figure (agreement,
// label agreement, metric curves, scatter plots, data map, training curves) and the selected one,
// zoomable, with its caption and an export button. The analysis runs in the background.
class AnalysisPage : public QWidget {
    Q_OBJECT
public:
    explicit AnalysisPage(QWidget* parent = nullptr);
    ~AnalysisPage() override;

    // Analyses the run (its completed epochs, over the networks that have any, saying so above
    // the figures when that leaves networks or epochs out). The caller
    // guarantees that nothing writes the file meanwhile.
    void analyse(const QString& runPath);
    void clear();
    // Clears the page and says what its analysis waits for (e.g. the end of a training).
    void showWaiting(const QString& why);
    // What the page says while it shows no figures.
    QString statusText() const;
    // Stops a running analysis (its page then says it was cancelled).
    void cancel();
    // Cancels and waits for a running analysis (so that its file may be written again), then clears.
    void stop();

    bool isAnalysing() const { return watcher_.isRunning(); }
    // The analysis shown; null before one finished.
    std::shared_ptr<const RunAnalysis> analysis() const { return analysis_; }
    int figureCount() const;
    QStringList figureTitles() const;
    void showFigure(int index);
    QCustomPlot* plot() const { return plot_; }

signals:
    void analysed(const QString& runPath, const QString& error);

private:
    struct Result {
        QString path, error;
        std::shared_ptr<RunAnalysis> analysis;
    };
    static Result compute(const QString& path, std::shared_ptr<std::atomic<int>> progress,
                          std::shared_ptr<std::atomic<bool>> cancel);
    void finish();
    void exportCurrent();

    QStackedWidget* stack_ = nullptr;
    QLabel* status_ = nullptr;
    QProgressBar* progressBar_ = nullptr;
    QListWidget* list_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    QLabel* caption_ = nullptr;
    QLabel* coverage_ = nullptr;
    QPushButton* export_ = nullptr;
    QFutureWatcher<Result> watcher_;
    std::shared_ptr<std::atomic<int>> progress_;
    std::shared_ptr<std::atomic<bool>> cancel_;  // of the analysis running now
    QPushButton* cancelButton_ = nullptr;
    QString pending_;
    std::shared_ptr<RunAnalysis> analysis_;
    std::vector<FigureSpec> figures_;
    int current_ = -1;
};

}  // namespace orderlens::ui
