#pragma once

#include "experiment/ExperimentConfig.h"
#include "monitor/RunSnapshot.h"
#include "training/Trainer.h"

#include <QMetaType>
#include <QObject>
#include <QString>

#include <atomic>

class QThread;

Q_DECLARE_METATYPE(orderlens::BatchProgress)
Q_DECLARE_METATYPE(orderlens::EpochProgress)

namespace orderlens::ui {

// Runs core's Trainer on a worker thread and turns its observer callbacks into queued Qt
// signals, so that the window stays responsive. Cancel is cooperative: the trainer finishes
// the current batch and keeps every completed epoch in the run file.
class TrainingSession : public QObject {
    Q_OBJECT
public:
    enum class Outcome { Completed, Cancelled, Failed };
    Q_ENUM(Outcome)

    // A new run written to runPath.
    TrainingSession(ExperimentConfig config, QString runPath, bool overwrite, QObject* parent = nullptr);
    // Continues the interrupted run in runPath with its stored configuration.
    static TrainingSession* resume(const QString& runPath, QObject* parent = nullptr);
    // Cancels and waits for the worker.
    ~TrainingSession() override;

    void start();
    void cancel();
    bool isRunning() const;
    bool isCancelling() const { return cancel_.load(); }
    bool isResume() const { return resume_; }
    const QString& runPath() const { return runPath_; }

signals:
    // The dataset is loaded and the run file exists; `configJson` is the run's configuration.
    void started(const QString& configJson);
    void message(const QString& text);
    void batchDone(const orderlens::BatchProgress& progress);
    // After the epoch's records are in the run file.
    void epochDone(const orderlens::EpochProgress& progress);
    // The run file as it stands after that epoch (and once before the first one when resuming).
    // Read on the training thread between two writes: HDF5 refuses to open a file for writing
    // that the same process has open for reading, so nothing else may read the run file while
    // the trainer runs.
    void snapshotReady(const orderlens::ui::RunSnapshot& snapshot);
    void finished(orderlens::ui::TrainingSession::Outcome outcome, const QString& error);

private:
    TrainingSession(QString runPath, QObject* parent);
    void work();
    void computeStatistics();

    ExperimentConfig config_;
    QString runPath_;
    bool overwrite_ = false;
    bool resume_ = false;
    std::atomic<bool> cancel_{false};
    QThread* thread_ = nullptr;
};

}  // namespace orderlens::ui
