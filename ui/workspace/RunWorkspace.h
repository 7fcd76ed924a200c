#pragma once

#include "experiment/ExperimentConfig.h"
#include "monitor/RunSnapshot.h"
#include "training/TrainingSession.h"

#include <QPointer>
#include <QWidget>

#include <string>

class QLabel;
class QTabWidget;
class QTimer;
class QTreeWidget;

namespace orderlens::ui {

class AnalysisPage;
class ExplorationView;
class LiveMonitor;
class ProgressPanel;
class StatisticsOffer;

// One run open in the window, as a document of its own: the run's training monitor, analysis
// and exploration under a header naming the run and its state, its progress and configuration
// (which the window's panels show while it is the current document), and the training that
// writes it, if any. The training goes on while other documents are current, and while the
// document's tab is closed with "Keep training".
class RunWorkspace : public QWidget {
    Q_OBJECT
public:
    // Where the run stands; the tab and the header say it in words (stateText).
    enum class State { Opening, Training, Interrupted, Complete, Failed };
    // What to do when an opened run stopped before its last epoch.
    enum class ResumeChoice { Ask, Resume, DontResume };

    explicit RunWorkspace(QWidget* parent = nullptr);
    // Cancels a running training and waits for it (completed epochs stay in the file).
    ~RunWorkspace() override;

    // Reads the run file in the background; opened() or openFailed() follows.
    void open(const QString& path, ResumeChoice resume = ResumeChoice::Ask);
    // Trains a new run into `path`, shown live.
    TrainingSession* train(const ExperimentConfig& config, const QString& path, bool overwrite);
    // Continues this run's training where it stopped (null, with problem(), when it cannot).
    TrainingSession* resume();
    // Cancels after the current batch.
    void cancelTraining();
    // Its tab is closed while it trains: when the training ends the document goes, so it neither
    // reads nor analyses the file then.
    void setTabClosed(bool closed) { tabClosed_ = closed; }

    QString path() const { return path_; }
    QString fileName() const;
    State state() const { return state_; }
    static QString stateText(State state);
    // "run.h5 - training": the document's tab.
    QString title() const;
    bool isTraining() const { return session_; }
    // The run stopped before its last epoch and nothing trains it.
    bool canResume() const;
    const std::string& configJson() const { return configJson_; }
    // "network 2, epoch 3, batch 10/40 | ..." while training, else empty.
    QString batchStatus() const { return batchStatus_; }

    TrainingSession* session() const { return session_; }
    LiveMonitor* monitor() const { return monitor_; }
    AnalysisPage* analysis() const { return analysis_; }
    ExplorationView* exploration() const { return explore_; }
    // The run's views: training monitor, analysis, explore (its page scrolls the ExplorationView).
    QTabWidget* views() const { return views_; }
    QLabel* header() const { return header_; }
    StatisticsOffer* statisticsOffer() const { return statistics_; }
    // Shown in the window's Progress and Experiment panels while this document is current.
    ProgressPanel* progress() const;
    QTreeWidget* runInfo() const;

signals:
    // The name or the state changed.
    void titleChanged();
    // The opened run is shown; openFailed instead when it could not be read.
    void opened(const orderlens::ui::RunSnapshot& snapshot);
    void openFailed(const QString& path, const QString& error);
    // The training ended (completed, cancelled or failed) and its last snapshot is shown.
    void trainingFinished(orderlens::ui::TrainingSession::Outcome outcome, const QString& error);
    void batchStatusChanged(const QString& text);
    // Cancel, resume or the exports may have changed whether they apply.
    void actionsChanged();
    // The run file is being written or was read: the window's recent runs list it.
    void runFileUsed(const QString& path);
    void logged(const QString& text);
    void statusMessage(const QString& text, int timeoutMs);
    void problem(const QString& title, const QString& text);

private:
    TrainingSession* launch(TrainingSession* session, int networks, int epochs);
    void setState(State state);
    void setPath(const QString& path);
    void updateHeader();
    void onStarted(const QString& configJson);
    void onBatch(const BatchProgress& p);
    void onEpoch(const EpochProgress& p);
    void onFinished(TrainingSession::Outcome outcome, const QString& error);
    void onSnapshot(const RunSnapshot& snapshot);
    void onOpened(const RunSnapshot& snapshot);
    void offerResume(const RunSnapshot& snapshot);
    // The run is complete or interrupted for good: analyse it and offer what it lacks.
    void analyse();
    void showRunInfo();
    void follow(const RunSnapshot& snapshot);
    void onFollowedSnapshot(const RunSnapshot& snapshot);
    void stopFollowing();
    // While the run is trained (here or by another process): what its Analysis and Explore
    // views wait for, and how many of its network-epochs are recorded.
    void showWaitingForTraining(int recorded, int planned);

    QLabel* header_ = nullptr;
    StatisticsOffer* statistics_ = nullptr;
    QTabWidget* views_ = nullptr;
    LiveMonitor* monitor_ = nullptr;
    AnalysisPage* analysis_ = nullptr;
    ExplorationView* explore_ = nullptr;
    QPointer<ProgressPanel> progress_;
    QPointer<QTreeWidget> runInfo_;

    State state_ = State::Opening;
    QString path_;
    std::string configJson_;
    QString batchStatus_;
    // Epochs recorded per network by the training running here.
    std::vector<int> recorded_;
    QPointer<TrainingSession> session_;
    bool opening_ = false;
    ResumeChoice openingResume_ = ResumeChoice::Ask;
    // A run that another process trains, followed live until its writer stops.
    bool following_ = false;
    bool tabClosed_ = false;
    QTimer* followTimer_ = nullptr;
    // The training ended; trainingFinished waits for its last snapshot.
    bool lastSnapshotPending_ = false;
    TrainingSession::Outcome lastOutcome_ = TrainingSession::Outcome::Completed;
    QString lastError_;
};

}  // namespace orderlens::ui
