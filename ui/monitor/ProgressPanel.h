#pragma once

#include "training/Trainer.h"

#include <QElapsedTimer>
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QVBoxLayout;

namespace orderlens::ui {

// Where training stands: one bar per network and one overall, with the time left, the learning
// rate and the throughput, and the Cancel button.
class ProgressPanel : public QWidget {
    Q_OBJECT
public:
    explicit ProgressPanel(QWidget* parent = nullptr);

    void reset(int networks, int epochs);
    // The run's planned epochs (as reset was given them).
    int epochs() const { return epochs_; }
    void addBatch(const BatchProgress& progress);
    void addEpoch(const EpochProgress& progress);
    // Shows completed epochs per network (an opened run or a resumed one).
    void setEpochsDone(const std::vector<int>& epochsDone);
    void setRunning(bool running);
    void setStatus(const QString& text);

    int overallPercent() const;
    QString etaText() const;

    static QString formatDuration(double seconds);

signals:
    void cancelRequested();

private:
    QVBoxLayout* bars_ = nullptr;
    std::vector<QProgressBar*> networkBars_;
    std::vector<QLabel*> networkLabels_;
    void setOverall(double fraction);

    QProgressBar* overall_ = nullptr;
    QLabel* overallLabel_ = nullptr;
    QLabel* status_ = nullptr;
    QLabel* eta_ = nullptr;
    QLabel* elapsed_ = nullptr;
    QLabel* learningRate_ = nullptr;
    QLabel* throughput_ = nullptr;
    QPushButton* cancel_ = nullptr;
    int epochs_ = 0;
    QElapsedTimer clock_;
};

}  // namespace orderlens::ui
