#include "workspace/RunWorkspace.h"

#include "analysis/AnalysisPage.h"
#include "explorer/ExplorationView.h"
#include "monitor/LiveMonitor.h"
#include "monitor/ProgressPanel.h"
#include "workspace/StatisticsOffer.h"

#include "common/Errors.h"
#include "common/Numbering.h"
#include "training/Trainer.h"

#include <QEventLoop>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QTabWidget>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <numeric>

namespace orderlens::ui {

namespace {
// A run trained by another process is re-read this often: well inside the run file's promise
// that readers see an epoch within two seconds of its completion.
constexpr int kFollowIntervalMs = 1000;

// "5, 5, 3 of 30 epochs": per network, because networks may train one after another.
QString epochsDoneText(const RunSnapshot& s)
{
    QStringList done;
    for (int e : s.epochsDone)
        done << QString::number(e);
    return RunWorkspace::tr("%1 of %2 epochs").arg(done.join(", ")).arg(s.shape.epochs);
}

QString finishedText(const RunSnapshot& s)
{
    return RunWorkspace::tr("Finished run: %1 networks, %2 epochs.").arg(s.shape.networks).arg(s.shape.epochs);
}
}  // namespace

RunWorkspace::RunWorkspace(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    header_ = new QLabel;
    header_->setObjectName("runHeader");
    header_->setTextFormat(Qt::RichText);
    header_->setContentsMargins(10, 5, 10, 5);
    // A long path must not widen the window: the label gives up what does not fit.
    header_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    layout->addWidget(header_);
    statistics_ = new StatisticsOffer;
    layout->addWidget(statistics_);

    views_ = new QTabWidget;
    views_->setDocumentMode(true);
    monitor_ = new LiveMonitor;
    analysis_ = new AnalysisPage;
    // Image browser, correlation explorer, curves and run comparison, loaded once the run's
    // analysis succeeded (so a run still being written is never browsed half-done).
    explore_ = new ExplorationView;
    views_->addTab(monitor_, tr("Training"));
    views_->addTab(analysis_, tr("Analysis"));
    // Explore's toolbars ask for about 1000 px; in a narrower window the page scrolls sideways
    // rather than holding the window wider than the screen.
    auto* exploreArea = new QScrollArea;
    exploreArea->setObjectName("exploreArea");
    exploreArea->setWidgetResizable(true);
    exploreArea->setFrameShape(QFrame::NoFrame);
    exploreArea->setWidget(explore_);
    views_->addTab(exploreArea, tr("Explore"));
    layout->addWidget(views_, 1);

    progress_ = new ProgressPanel;
    runInfo_ = new QTreeWidget;
    runInfo_->setColumnCount(2);
    runInfo_->setHeaderLabels({tr("Setting"), tr("Value")});
    runInfo_->setRootIsDecorated(false);
    runInfo_->setAlternatingRowColors(true);
    runInfo_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);

    connect(analysis_, &AnalysisPage::analysed, this, [this](const QString& path, const QString& error) {
        if (error.isEmpty())
            explore_->openRun(path);
        else
            explore_->showWaiting(tr("Nothing to explore in %1: its analysis failed (%2).").arg(fileName(), error));
    });
    connect(statistics_, &StatisticsOffer::computed, this, [this](const QString& path, const QString& summary) {
        emit logged(summary);
        emit statusMessage(summary, 8000);
        if (path == path_ && !session_)
            analysis_->analyse(path);
    });
    connect(monitor_, &LiveMonitor::snapshotShown, this, &RunWorkspace::onSnapshot);
    connect(progress_, &ProgressPanel::cancelRequested, this, &RunWorkspace::cancelTraining);
    followTimer_ = new QTimer(this);
    followTimer_->setInterval(kFollowIntervalMs);
    connect(followTimer_, &QTimer::timeout, this, [this] {
        if (following_ && !monitor_->snapshotPending())
            monitor_->requestSnapshot(path_);
    });
    updateHeader();
}

RunWorkspace::~RunWorkspace()
{
    // The session's destructor cancels and waits; its signals must not reach a half-destroyed
    // document.
    if (session_) {
        session_->disconnect(this);
        delete session_.data();
    }
    // The panels live in the window's docks; they go with their run.
    delete progress_.data();
    delete runInfo_.data();
}

ProgressPanel* RunWorkspace::progress() const { return progress_; }
QTreeWidget* RunWorkspace::runInfo() const { return runInfo_; }

QString RunWorkspace::fileName() const { return path_.isEmpty() ? tr("(no run)") : QFileInfo(path_).fileName(); }

QString RunWorkspace::stateText(State state)
{
    switch (state) {
    case State::Opening:
        return tr("opening");
    case State::Training:
        return tr("training");
    case State::Interrupted:
        return tr("interrupted");
    case State::Complete:
        return tr("complete");
    case State::Failed:
        return tr("failed");
    }
    return {};
}

QString RunWorkspace::title() const { return QStringLiteral("%1 \u2013 %2").arg(fileName(), stateText(state_)); }

bool RunWorkspace::canResume() const { return state_ == State::Interrupted && !session_ && !following_; }

void RunWorkspace::setState(State state)
{
    if (state == state_)
        return;
    state_ = state;
    updateHeader();
    emit titleChanged();
    emit actionsChanged();
}

void RunWorkspace::setPath(const QString& path)
{
    path_ = path;
    updateHeader();
    emit titleChanged();
}

// Above every view of the run (training, analysis, explore): which run they show.
void RunWorkspace::updateHeader()
{
    static const char* const colours[] = {"#606060", "#1f6fb2", "#b26b00", "#2e7d32", "#b00020"};
    QString state = stateText(state_);
    if (state_ == State::Training && following_)
        state = tr("training in another process");
    // The analysis and the explorer read the finished file: say when they will have something.
    const QString note = state_ == State::Training ? tr(" &nbsp;(analysis and images open here when the training ends)")
                                                   : QString();
    header_->setText(tr("<b>%1</b> &nbsp;<span style='color:%2'>%3</span>%5 &nbsp;<span style='color:#606060'>%4</span>")
                         .arg(fileName().toHtmlEscaped(), colours[int(state_)], state,
                              QFileInfo(path_).absolutePath().toHtmlEscaped(), note));
    header_->setToolTip(path_);
}

void RunWorkspace::open(const QString& path, ResumeChoice resume)
{
    stopFollowing();
    setPath(path);
    setState(State::Opening);
    opening_ = true;
    openingResume_ = resume;
    emit statusMessage(tr("Reading %1 ...").arg(path), 0);
    monitor_->requestSnapshot(path);
}

TrainingSession* RunWorkspace::train(const ExperimentConfig& config, const QString& path, bool overwrite)
{
    if (session_) {
        emit problem(tr("Training is running"), tr("%1 is being trained; cancel it first.").arg(fileName()));
        return nullptr;
    }
    configJson_ = config.toJson().dump();
    emit logged(tr("Starting %1 x %2 on %3, %4 epochs -> %5")
                    .arg(config.networks)
                    .arg(QString::fromStdString(config.architecture), QString::fromStdString(config.dataset))
                    .arg(config.epochs)
                    .arg(path));
    return launch(new TrainingSession(config, path, overwrite, this), config.networks, config.epochs);
}

TrainingSession* RunWorkspace::resume()
{
    if (session_) {
        emit problem(tr("Training is running"), tr("%1 is being trained already.").arg(fileName()));
        return nullptr;
    }
    emit logged(tr("Resuming %1").arg(path_));
    // Read before the trainer starts: while it runs, only its own thread may read the file.
    const RunSnapshot known = RunSnapshot::read(path_);
    if (!known.ok()) {
        emit problem(tr("Cannot resume the run"), known.error);
        return nullptr;
    }
    TrainingSession* session = launch(TrainingSession::resume(path_, this), known.shape.networks, known.shape.epochs);
    monitor_->showSnapshot(known);
    progress_->setEpochsDone(known.epochsDone);
    recorded_ = known.epochsDone;
    showWaitingForTraining(std::accumulate(recorded_.begin(), recorded_.end(), 0),
                           known.shape.networks * known.shape.epochs);
    return session;
}

TrainingSession* RunWorkspace::launch(TrainingSession* session, int networks, int epochs)
{
    session_ = session;
    opening_ = false;
    stopFollowing();
    setPath(session->runPath());
    setState(State::Training);
    // Readers of the run file must be done before the trainer rewrites it: HDF5 cannot open a file
    // for writing that this process has open for reading.
    statistics_->stop();
    analysis_->stop();
    if (QFileInfo::exists(session->runPath()) && explore_->loading()) {
        QEventLoop loaded;
        connect(explore_, &ExplorationView::loaded, &loaded, &QEventLoop::quit);
        connect(explore_, &ExplorationView::failed, &loaded, &QEventLoop::quit);
        if (explore_->loading())
            loaded.exec(QEventLoop::ExcludeUserInputEvents);
    }
    recorded_.assign(std::size_t(networks), 0);
    showWaitingForTraining(0, networks * epochs);
    showRunInfo();
    monitor_->reset(networks, epochs);
    views_->setCurrentWidget(monitor_);
    progress_->reset(networks, epochs);
    progress_->setRunning(true);
    progress_->setStatus(tr("Reading the dataset and preparing %1 networks ...").arg(networks));
    connect(session, &TrainingSession::started, this, &RunWorkspace::onStarted);
    connect(session, &TrainingSession::batchDone, this, &RunWorkspace::onBatch);
    connect(session, &TrainingSession::epochDone, this, &RunWorkspace::onEpoch);
    connect(session, &TrainingSession::snapshotReady, monitor_, &LiveMonitor::showSnapshot);
    connect(session, &TrainingSession::message, this, &RunWorkspace::logged);
    connect(session, &TrainingSession::finished, this, &RunWorkspace::onFinished);
    session->start();
    emit statusMessage(tr("Training started"), 3000);
    emit actionsChanged();
    return session;
}

void RunWorkspace::cancelTraining()
{
    if (!session_ || session_->isCancelling())
        return;
    session_->cancel();
    progress_->setStatus(tr("Cancelling after the current batch ..."));
    emit logged(tr("Cancel requested"));
    emit actionsChanged();
}

void RunWorkspace::onStarted(const QString& configJson)
{
    configJson_ = configJson.toStdString();
    showRunInfo();
    emit runFileUsed(path_);
    progress_->setStatus(tr("Training: %1").arg(fileName()));
}

void RunWorkspace::onBatch(const BatchProgress& p)
{
    monitor_->addBatch(p);
    progress_->addBatch(p);
    batchStatus_ = tr("%1: network %2, %3, batch %4/%5  |  %6 images/s  |  %7 left")
                       .arg(fileName())
                       .arg(p.network + 1)
                       .arg(QString::fromStdString(epochProgressText(p.epoch, progress_->epochs())))
                       .arg(p.batch + 1)
                       .arg(p.batches)
                       .arg(p.imagesPerSecond, 0, 'f', 0)
                       .arg(ProgressPanel::formatDuration(p.etaSeconds));
    emit batchStatusChanged(batchStatus_);
}

void RunWorkspace::onEpoch(const EpochProgress& p)
{
    progress_->addEpoch(p);
    if (p.network >= 0 && std::size_t(p.network) < recorded_.size()) {
        recorded_[std::size_t(p.network)] = std::max(recorded_[std::size_t(p.network)], p.epoch + 1);
        showWaitingForTraining(std::accumulate(recorded_.begin(), recorded_.end(), 0),
                               int(recorded_.size()) * progress_->epochs());
    }
    emit logged(tr("network %1 %2: train accuracy %3 %, test accuracy %4 %, loss %5, lr %6, %7 s")
                    .arg(p.network + 1)
                    .arg(QString::fromStdString(epochProgressText(p.epoch, progress_->epochs())))
                    .arg(100 * p.summary.trainAccuracy, 0, 'f', 2)
                    .arg(100 * p.summary.testAccuracy, 0, 'f', 2)
                    .arg(p.summary.trainLoss, 0, 'f', 4)
                    .arg(p.summary.learningRate, 0, 'g', 4)
                    .arg(p.summary.seconds, 0, 'f', 1));
}

void RunWorkspace::onFinished(TrainingSession::Outcome outcome, const QString& error)
{
    lastOutcome_ = outcome;
    lastError_ = error;
    progress_->setRunning(false);
    QString text;
    switch (outcome) {
    case TrainingSession::Outcome::Completed:
        text = tr("Training finished.");
        break;
    case TrainingSession::Outcome::Cancelled:
        text = tr("Training cancelled; completed epochs are kept and the run can be resumed.");
        break;
    case TrainingSession::Outcome::Failed:
        text = tr("Training failed: %1").arg(error);
        break;
    }
    progress_->setStatus(text);
    batchStatus_.clear();
    emit batchStatusChanged(batchStatus_);
    emit statusMessage(tr("%1: %2").arg(fileName(), text), 10000);
    emit logged(text);
    if (session_)
        session_->deleteLater();
    session_ = nullptr;
    const bool written = QFileInfo::exists(path_);
    setState(outcome == TrainingSession::Outcome::Completed ? State::Complete
             : written                                      ? State::Interrupted
                                                            : State::Failed);
    emit actionsChanged();
    if (outcome == TrainingSession::Outcome::Failed)
        emit problem(tr("Training failed"), error);
    if (written && !tabClosed_) {
        lastSnapshotPending_ = true;
        monitor_->requestSnapshot(path_);
        analyse();
    } else {
        emit trainingFinished(outcome, error);
    }
}

void RunWorkspace::onSnapshot(const RunSnapshot& s)
{
    if (s.path != path_)
        return;
    if (opening_ && !monitor_->snapshotPending()) {
        onOpened(s);
        return;
    }
    if (following_) {
        onFollowedSnapshot(s);
        return;
    }
    if (s.ok() && !session_)
        progress_->setEpochsDone(s.epochsDone);
    if (lastSnapshotPending_ && !monitor_->snapshotPending()) {
        lastSnapshotPending_ = false;
        emit trainingFinished(lastOutcome_, lastError_);
    }
}

void RunWorkspace::onOpened(const RunSnapshot& s)
{
    opening_ = false;
    emit statusMessage(QString(), 0);
    if (!s.ok()) {
        setState(State::Failed);
        emit opened(s);
        emit openFailed(s.path, s.error);
        return;
    }
    configJson_ = s.configJson;
    showRunInfo();
    progress_->reset(s.shape.networks, s.shape.epochs);
    progress_->setEpochsDone(s.epochsDone);
    progress_->setStatus(s.interrupted() ? tr("This run stopped early; its networks completed %1.").arg(epochsDoneText(s))
                                         : finishedText(s));
    setState(s.trainedElsewhere() ? State::Training : s.interrupted() ? State::Interrupted : State::Complete);
    emit runFileUsed(s.path);
    emit opened(s);
    if (s.trainedElsewhere())
        follow(s);
    else if (s.interrupted())
        offerResume(s);
    else
        analyse();
}

void RunWorkspace::analyse()
{
    explore_->showWaiting(tr("The images of %1 open here when its analysis is done.").arg(fileName()));
    analysis_->analyse(path_);
    statistics_->check(path_);
}

void RunWorkspace::follow(const RunSnapshot& s)
{
    following_ = true;
    updateHeader();
    views_->setCurrentWidget(monitor_);
    onFollowedSnapshot(s);
    followTimer_->start();
    emit logged(tr("%1 is being trained by %2: following it live")
                    .arg(fileName(), QString::fromStdString(s.writer.describe())));
}

void RunWorkspace::onFollowedSnapshot(const RunSnapshot& s)
{
    if (!s.ok()) {
        // A read between two writes can fail on a network file system: the next one retries.
        emit statusMessage(tr("Could not read %1 (%2); retrying").arg(s.path, s.error), 3000);
        return;
    }
    progress_->setEpochsDone(s.epochsDone);
    if (s.writerLive) {
        int done = 0;
        for (int d : s.epochsDone)
            done += d;
        progress_->setStatus(tr("Being trained by %1: %2 of %3 network-epochs recorded. Following it live.")
                                 .arg(QString::fromStdString(s.writer.describe()))
                                 .arg(done)
                                 .arg(s.shape.networks * s.shape.epochs));
        showWaitingForTraining(done, s.shape.networks * s.shape.epochs);
        return;
    }
    // Its writer is gone: finished, or stopped early.
    stopFollowing();
    if (s.interrupted()) {
        progress_->setStatus(tr("This run stopped early; its networks completed %1.").arg(epochsDoneText(s)));
        setState(State::Interrupted);
        offerResume(s);
    } else {
        progress_->setStatus(finishedText(s));
        setState(State::Complete);
        emit logged(tr("%1 finished training").arg(fileName()));
        analyse();
    }
}

void RunWorkspace::showWaitingForTraining(int recorded, int planned)
{
    // The trainer writes the run file until the training ends; the analysis reads it after.
    const QString sofar = tr("%1 of %2 network-epochs are recorded so far.").arg(recorded).arg(planned);
    analysis_->showWaiting(tr("%1 is being trained. Its analysis is computed when the training ends (finished or "
                              "cancelled); %2")
                               .arg(fileName(), sofar));
    explore_->showWaiting(tr("%1 is being trained. Its images open here after its analysis, which is computed "
                             "when the training ends; %2")
                              .arg(fileName(), sofar));
}

void RunWorkspace::stopFollowing()
{
    following_ = false;
    followTimer_->stop();
    updateHeader();
}

void RunWorkspace::offerResume(const RunSnapshot& s)
{
    if (openingResume_ == ResumeChoice::Resume) {
        resume();
        return;
    }
    // The analysis waits for the answer: a resumed run is written by the trainer.
    if (openingResume_ == ResumeChoice::DontResume || session_) {
        analyse();
        return;
    }
    auto* box = new QMessageBox(QMessageBox::Question, tr("Resume training?"),
                                tr("%1 stopped early (cancelled or interrupted): its networks completed %2.\n\n"
                                   "Resume training where it stopped? Completed epochs are kept.")
                                    .arg(fileName(), epochsDoneText(s)),
                                QMessageBox::Yes | QMessageBox::No, this);
    box->setObjectName("resumeQuestion");
    box->button(QMessageBox::Yes)->setText(tr("Resume"));
    box->button(QMessageBox::No)->setText(tr("Just look"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this](int result) {
        if (result == QMessageBox::Yes)
            resume();
        else
            analyse();
    });
    box->open();
}

void RunWorkspace::showRunInfo()
{
    runInfo_->clear();
    auto* file = new QTreeWidgetItem(runInfo_, {tr("run file"), path_});
    file->setToolTip(1, path_);
    try {
        const auto json = nlohmann::json::parse(configJson_);
        for (auto it = json.begin(); it != json.end(); ++it) {
            const QString value = it->is_string() ? QString::fromStdString(it->get<std::string>())
                                                  : QString::fromStdString(it->dump());
            new QTreeWidgetItem(runInfo_, {QString::fromStdString(it.key()), value});
        }
        new QTreeWidgetItem(runInfo_, {tr("training"), QString::fromStdString(Trainer::trainingPath(
                                                           ExperimentConfig::fromStoredJson(json)))});
    } catch (const ConfigError&) {
        new QTreeWidgetItem(runInfo_, {tr("configuration"), tr("(not of this version)")});
    } catch (const nlohmann::json::exception&) {
        new QTreeWidgetItem(runInfo_, {tr("configuration"), tr("(unreadable)")});
    }
}

}  // namespace orderlens::ui
