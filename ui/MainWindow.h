#pragma once

#include "experiment/ExperimentConfig.h"
#include "monitor/RunSnapshot.h"
#include "training/TrainingSession.h"

#include <QMainWindow>
#include <QPointer>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QPlainTextEdit;
class QStackedWidget;
class QTabWidget;
class QTreeWidget;

class QTimer;

namespace orderlens::ui {

class AnalysisPage;
class ExplorationView;
class ExperimentSetupDialog;
class LiveMonitor;
class ProgressPanel;
class RunsTable;
class WelcomePage;

// The application's main window: the welcome page, the live monitor of a run (training or
// read from its file), dockable progress, run and log panels, and the menus.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // What to do when an opened run stopped before its last epoch.
    enum class ResumeChoice { Ask, Resume, DontResume };

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens the setup form (window-modal, not blocking); Start launches the training.
    ExperimentSetupDialog* newExperiment();
    ExperimentSetupDialog* setupDialog() const { return setup_; }
    TrainingSession* startTraining(const ExperimentConfig& config, const QString& runPath, bool overwrite);
    TrainingSession* startDemo();
    // Training > Run the demo: says what will happen (and how long), then starts it.
    void confirmDemo();
    void openRun(const QString& path, ResumeChoice resume = ResumeChoice::Ask);
    // File > Open folder: the table of every run under the folder.
    void openFolder(const QString& folder);
    RunsTable* runsTable() const { return runsTable_; }
    TrainingSession* resumeRun(const QString& path);
    void cancelTraining();

    TrainingSession* session() const { return session_; }
    LiveMonitor* monitor() const { return monitor_; }
    AnalysisPage* analysis() const { return analysis_; }
    ExplorationView* exploration() const { return explore_; }
    // The run's views (monitor, analysis); further views of a run are added as tabs.
    QTabWidget* runTabs() const { return runTabs_; }
    ProgressPanel* progress() const { return progress_; }
    WelcomePage* welcome() const { return welcome_; }
    QString currentRun() const { return runPath_; }
    QStringList recentRuns() const;

signals:
    // The training ended (completed, cancelled or failed) and its last snapshot is shown.
    void trainingFinished(orderlens::ui::TrainingSession::Outcome outcome, const QString& error);
    // An opened run is shown (or failed to open: the snapshot has the error).
    void runOpened(const orderlens::ui::RunSnapshot& snapshot);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void buildDocks();
    TrainingSession* launch(TrainingSession* session, int networks, int epochs);
    void onStarted(const QString& configJson);
    void onBatch(const BatchProgress& p);
    void onEpoch(const EpochProgress& p);
    void onFinished(TrainingSession::Outcome outcome, const QString& error);
    void onSnapshot(const RunSnapshot& snapshot);
    void offerResume(const RunSnapshot& snapshot);
    void showRunViews();
    void showRunInfo(const std::string& configJson);
    void addRecentRun(const QString& path);
    void updateRecentMenu();
    void chooseRunToOpen();
    void chooseFolderToOpen();
    // The folder file dialogs start in: where the last run was opened or something exported.
    QString lastFolder() const;
    void rememberFolder(const QString& path);
    void exportFigures();
    void exportConfiguration();
    void showShortcuts();
    void showAbout();
    void showError(const QString& title, const QString& text);
    void log(const QString& text);
    void updateActions();

    QStackedWidget* pages_ = nullptr;
    WelcomePage* welcome_ = nullptr;
    QTabWidget* runTabs_ = nullptr;
    LiveMonitor* monitor_ = nullptr;
    AnalysisPage* analysis_ = nullptr;
    ExplorationView* explore_ = nullptr;
    RunsTable* runsTable_ = nullptr;
    ProgressPanel* progress_ = nullptr;
    QTreeWidget* runInfo_ = nullptr;
    QPlainTextEdit* log_ = nullptr;
    QDockWidget* progressDock_ = nullptr;
    QDockWidget* runDock_ = nullptr;
    QDockWidget* logDock_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QMenu* viewMenu_ = nullptr;
    QAction* cancelAction_ = nullptr;
    QAction* exportFiguresAction_ = nullptr;
    QAction* exportConfigAction_ = nullptr;
    QAction* exportReportAction_ = nullptr;
    QAction* resumeAction_ = nullptr;
    // The open run stopped before its last epoch and nobody trains it: Training > Resume applies.
    bool runInterrupted_ = false;
    QLabel* statusState_ = nullptr;
    QByteArray defaultState_;

    QPointer<ExperimentSetupDialog> setup_;
    QPointer<TrainingSession> session_;
    QString runPath_;
    std::string runConfigJson_;
    QString openingPath_;
    ResumeChoice openingResume_ = ResumeChoice::Ask;
    // A run that another process trains, followed live until its writer stops.
    QString followedPath_;
    QTimer* followTimer_ = nullptr;
    void followRun(const RunSnapshot& snapshot);
    void onFollowedSnapshot(const RunSnapshot& snapshot);
    void stopFollowing();
    // A run that did not open: the error, with an offer to check the file (orderlens verify).
    void offerVerify(const QString& path, const QString& error);
    bool lastSnapshotPending_ = false;
    TrainingSession::Outcome lastOutcome_ = TrainingSession::Outcome::Completed;
    QString lastError_;
};

}  // namespace orderlens::ui
