#pragma once

#include <QFrame>
#include <QFutureWatcher>

#include <atomic>
#include <cstddef>
#include <memory>

class QLabel;
class QProgressBar;
class QPushButton;
class QTimer;

namespace orderlens::ui {

// The bar above a run's views when the run has no image statistics (a run trained by
// `orderlens train`, or one whose statistics file was removed): without them the analysis has no
// metric curves and the explorer no correlations. It says so and offers to compute them in the
// background with the statistics pipeline of `orderlens metrics --run` (core's RunStatistics),
// showing the progress and a Cancel button.
class StatisticsOffer : public QFrame {
    Q_OBJECT
public:
    explicit StatisticsOffer(QWidget* parent = nullptr);
    // Cancels a running computation and waits for it.
    ~StatisticsOffer() override;

    // Shows the offer when the run has no statistics file, hides it otherwise.
    void check(const QString& runPath);
    // Cancels a running computation, waits for it and hides the bar (the run is about to be
    // written).
    void stop();
    void start();
    bool isComputing() const { return watcher_.isRunning(); }
    QPushButton* computeButton() const { return compute_; }

signals:
    // The statistics are stored in the run's statistics file; `summary` says what was done.
    void computed(const QString& runPath, const QString& summary);

private:
    struct Outcome {
        QString error;
        QString summary;
    };
    void finish();
    void showProgress();

    QLabel* text_ = nullptr;
    QPushButton* compute_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QProgressBar* bar_ = nullptr;
    QTimer* poll_ = nullptr;
    QString path_;
    QFutureWatcher<Outcome> watcher_;
    std::shared_ptr<std::atomic<bool>> cancelFlag_;
    std::shared_ptr<std::atomic<std::size_t>> done_, total_;
};

}  // namespace orderlens::ui
