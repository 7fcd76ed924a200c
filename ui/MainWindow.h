#pragma once

#include "experiment/ExperimentConfig.h"
#include "monitor/RunSnapshot.h"
#include "training/TrainingSession.h"
#include "workspace/RunWorkspace.h"

#include <QMainWindow>
#include <QPointer>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QPlainTextEdit;
class QStackedWidget;
class QTabWidget;

namespace orderlens::ui {

class AnalysisPage;
class ExplorationView;
class ExperimentSetupDialog;
class LiveMonitor;
class ProgressPanel;
class RunsTable;
class WelcomePage;

// The application's main window: one tab per open run (a RunWorkspace with the run's training
// monitor, analysis and exploration), beside the welcome page and the runs table of a folder;
// dockable progress, experiment and log panels that follow the current run; and the menus,
// which act on the current run. Trainings go on in their own tabs (or, kept, with their tab
// closed) while other runs are opened.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    using ResumeChoice = RunWorkspace::ResumeChoice;

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens the setup form (window-modal, not blocking); Start launches the training.
    ExperimentSetupDialog* newExperiment();
    ExperimentSetupDialog* setupDialog() const;
    // Trains into a new tab (or the tab that shows runPath, if one does and it is not training).
    TrainingSession* startTraining(const ExperimentConfig& config, const QString& runPath, bool overwrite);
    TrainingSession* startDemo();
    // Training > Run the demo: says what will happen (and how long), then starts it.
    void confirmDemo();
    // Opens the run in a tab of its own, or brings up the tab that shows it already (also one
    // closed with its training kept).
    RunWorkspace* openRun(const QString& path, ResumeChoice resume = ResumeChoice::Ask);
    // File > Open folder: the table of every run under the folder, in a tab.
    void openFolder(const QString& folder);
    RunsTable* runsTable() const { return runsTable_; }
    TrainingSession* resumeRun(const QString& path);
    // Cancels the current run's training.
    void cancelTraining();

    // The welcome page, the runs table and the runs, as tabs.
    QTabWidget* documents() const { return documents_; }
    // The current tab's run (null on the welcome page and the runs table).
    RunWorkspace* currentWorkspace() const;
    // Every run open, with a tab or kept training with its tab closed.
    const QList<RunWorkspace*>& workspaces() const { return workspaces_; }
    RunWorkspace* workspaceOf(const QString& path) const;

    // The current run's session and views (null when no run is current).
    TrainingSession* session() const;
    LiveMonitor* monitor() const;
    AnalysisPage* analysis() const;
    ExplorationView* exploration() const;
    QTabWidget* runTabs() const;
    ProgressPanel* progress() const;
    WelcomePage* welcome() const { return welcome_; }
    QString currentRun() const;
    QStringList recentRuns() const;

signals:
    // A training ended (completed, cancelled or failed) and its last snapshot is shown.
    void trainingFinished(orderlens::ui::TrainingSession::Outcome outcome, const QString& error);
    // An opened run is shown (or failed to open: the snapshot has the error).
    void runOpened(const orderlens::ui::RunSnapshot& snapshot);

protected:
    void closeEvent(QCloseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    // Bumped when docks or toolbars are added or renamed, so an old saved layout is not applied.
    static constexpr int kLayoutVersion = 2;

    // MainWindow.cpp: the documents and their trainings.
    RunWorkspace* addWorkspace();
    void showWorkspace(RunWorkspace* workspace);
    // A training's tab closes: ask whether to cancel or keep the training; other runs close at once.
    void closeDocument(int index);
    void closeWorkspace(RunWorkspace* workspace);
    void keepInBackground(RunWorkspace* workspace);
    void onCurrentDocumentChanged();
    void updateTitles();
    void updateBackgroundMenu();
    void updateActions();
    void buildDocks();
    void log(const QString& text);
    void showError(const QString& title, const QString& text);

    // MainWindowMenus.cpp: menus, help and exports of the current run.
    void buildMenus();
    void showView(int view);
    void exportFigures();
    void exportConfiguration();
    void showShortcuts();
    void showAbout();

    // MainWindowFiles.cpp: runs and folders chosen, recent runs, a run that does not open.
    void addRecentRun(const QString& path);
    void updateRecentMenu();
    void chooseRunToOpen();
    void chooseFolderToOpen();
    // The folder file dialogs start in: where the last run was opened or something exported.
    QString lastFolder() const;
    void rememberFolder(const QString& path);
    // A run that did not open: the error, with an offer to check the file (orderlens verify).
    void offerVerify(const QString& path, const QString& error);

    QTabWidget* documents_ = nullptr;
    WelcomePage* welcome_ = nullptr;
    RunsTable* runsTable_ = nullptr;
    QList<RunWorkspace*> workspaces_;
    // The run last current: View > Training monitor (Ctrl+2) returns to it from the welcome page.
    QPointer<RunWorkspace> lastWorkspace_;
    QStackedWidget* progressStack_ = nullptr;
    QStackedWidget* runInfoStack_ = nullptr;
    QPlainTextEdit* log_ = nullptr;
    QDockWidget* progressDock_ = nullptr;
    QDockWidget* runDock_ = nullptr;
    QDockWidget* logDock_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QMenu* viewMenu_ = nullptr;
    QMenu* backgroundMenu_ = nullptr;
    QAction* cancelAction_ = nullptr;
    QAction* exportFiguresAction_ = nullptr;
    QAction* exportConfigAction_ = nullptr;
    QAction* exportReportAction_ = nullptr;
    QAction* resumeAction_ = nullptr;
    QLabel* statusState_ = nullptr;
    QByteArray defaultState_;
    QPointer<ExperimentSetupDialog> setup_;
};

}  // namespace orderlens::ui
