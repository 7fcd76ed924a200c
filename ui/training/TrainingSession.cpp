#include "training/TrainingSession.h"

#include "common/Errors.h"
#include "statistics/RunStatistics.h"

#include <QThread>

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>

namespace orderlens::ui {

namespace {

// Called on the training thread: emitting from there queues the signal to the session's
// (GUI) thread, so the trainer never waits for the window.
class SignalObserver : public TrainingObserver {
public:
    explicit SignalObserver(TrainingSession* session) : session_(session) {}
    void onMessage(const std::string& text) override { emit session_->message(QString::fromStdString(text)); }
    void onBatch(const BatchProgress& p) override { emit session_->batchDone(p); }
    void onEpoch(const EpochProgress& p) override
    {
        emit session_->epochDone(p);
        // The follower reads only the epochs written since the last snapshot.
        if (!follower_)
            follower_ = std::make_unique<RunFollower>(session_->runPath().toStdString());
        emit session_->snapshotReady(RunSnapshot::read(*follower_));
    }

private:
    TrainingSession* session_;
    std::unique_ptr<RunFollower> follower_;
};

}  // namespace

TrainingSession::TrainingSession(ExperimentConfig config, QString runPath, bool overwrite, QObject* parent)
    : QObject(parent), config_(std::move(config)), runPath_(std::move(runPath)), overwrite_(overwrite)
{
}

TrainingSession::TrainingSession(QString runPath, QObject* parent) : QObject(parent), runPath_(std::move(runPath))
{
    resume_ = true;
}

TrainingSession* TrainingSession::resume(const QString& runPath, QObject* parent)
{
    return new TrainingSession(runPath, parent);
}

TrainingSession::~TrainingSession()
{
    if (thread_) {
        cancel_ = true;
        thread_->wait();
    }
}

void TrainingSession::start()
{
    if (thread_)
        return;
    thread_ = QThread::create([this] { work(); });
    thread_->setParent(this);
    thread_->setObjectName("training");
    thread_->start();
}

void TrainingSession::cancel() { cancel_ = true; }

bool TrainingSession::isRunning() const { return thread_ && thread_->isRunning(); }

// The image statistics of the finished run, so that its analysis has metric curves and
// correlations (what `orderlens metrics --run` adds on the command line). A failure here does
// not undo the training: it is reported and the run stays usable.
void TrainingSession::computeStatistics()
{
    emit message(tr("Computing the image statistics of the run's images ..."));
    try {
        EngineOptions options;
        options.cancel = &cancel_;
        std::vector<std::string> notes;
        computeRunStatistics(runPath_.toStdString(), options, &notes);
        for (const std::string& note : notes)
            emit message(QString::fromStdString(note));
        emit message(tr("Image statistics stored in the run."));
    } catch (const Cancelled&) {
        emit message(tr("Image statistics cancelled; run `orderlens metrics --run` to add them later."));
    } catch (const std::exception& e) {
        emit message(tr("Image statistics not computed: %1").arg(QString::fromStdString(e.what())));
    }
}

void TrainingSession::work()
{
    Outcome outcome = Outcome::Completed;
    QString error;
    // The trainer is gone (every file closed) before `finished` lets the window read the run.
    try {
        std::optional<Trainer> trainer;
        if (resume_)
            trainer.emplace(Trainer::resume(runPath_.toStdString()));
        else
            trainer.emplace(config_, runPath_.toStdString(), overwrite_);
        emit started(QString::fromStdString(trainer->config().toJson().dump()));
        if (resume_)
            emit snapshotReady(RunSnapshot::read(runPath_));
        if (cancel_)
            throw Cancelled();
        SignalObserver observer(this);
        trainer->run(&observer, &cancel_);
        trainer.reset();
        computeStatistics();
    } catch (const Cancelled&) {
        outcome = Outcome::Cancelled;
    } catch (const std::exception& e) {
        outcome = Outcome::Failed;
        error = QString::fromStdString(e.what());
    }
    emit finished(outcome, error);
}

}  // namespace orderlens::ui
