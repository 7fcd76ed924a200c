#pragma once

#include "browser/RunImages.h"

#include <QFutureWatcher>
#include <QWidget>

#include <memory>

class QLabel;
class QStackedWidget;
class QTabWidget;

namespace orderlens::ui {

class CompareRunsView;
class CorrelationExplorer;
class EasyHardView;
class ImageBrowser;
class TrainingCurvesView;

// Everything one explores in a finished (or interrupted) run, as tabs: the image browser, easy
// vs hard, the correlation explorer, the figures along training and run comparison. Loading a
// run (records, analysis, dataset) happens on a worker thread; the explorer's selection narrows
// the browser, and an image clicked in easy vs hard or in the explorer's scatter opens in the
// browser's detail panel.
class ExplorationView : public QWidget {
    Q_OBJECT
public:
    explicit ExplorationView(QWidget* parent = nullptr);
    ~ExplorationView() override;

    // Starts loading; loaded() or failed() follows.
    void openRun(const QString& path);
    // Shows an already loaded run (tests, or a run loaded elsewhere).
    void setRun(std::shared_ptr<const RunImages> run);
    const std::shared_ptr<const RunImages>& run() const { return run_; }
    bool loading() const;
    // Closes the run shown and says what the view waits for (e.g. the end of a training).
    void showWaiting(const QString& why);
    // What the view says while it shows no run.
    QString messageText() const;

    // Writes the analysis report (every figure and report.pdf, as `orderlens analyze` does) of the
    // open run into `dir`, with the study's full correlation bootstrap. Throws on failure.
    QStringList writeReport(const QString& dir);
    // Asks for a folder (and, when it already holds tables, figures or reports, whether to replace
    // them; No by default), then writes the report there.
    void chooseReportFolder();
    // What File > Export > Analysis report does once a folder is chosen: the analysis in the
    // background (cancellable from its progress dialog), then the files; reportWritten says how
    // it ended (no files and no error: cancelled).
    void writeReportInBackground(const QString& dir);

    ImageBrowser* browser() const { return browser_; }
    EasyHardView* easyHard() const { return easyHard_; }
    CorrelationExplorer* explorer() const { return explorer_; }
    TrainingCurvesView* curves() const { return curves_; }
    CompareRunsView* compare() const { return compare_; }
    QTabWidget* tabs() const { return tabs_; }

signals:
    void loaded();
    void failed(const QString& error);  // names the file and the problem
    void reportWritten(const QStringList& files, const QString& error);

private:
    bool confirmReportFolder(const QString& dir);
    std::shared_ptr<const RunImages> run_;
    QStackedWidget* pages_ = nullptr;
    QLabel* message_ = nullptr;
    QLabel* coverage_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    ImageBrowser* browser_ = nullptr;
    EasyHardView* easyHard_ = nullptr;
    CorrelationExplorer* explorer_ = nullptr;
    TrainingCurvesView* curves_ = nullptr;
    CompareRunsView* compare_ = nullptr;
    QFutureWatcher<std::shared_ptr<const RunImages>>* watcher_ = nullptr;
    QString loadingPath_;
};

}  // namespace orderlens::ui
