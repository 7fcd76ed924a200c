#pragma once

#include "monitor/RunSnapshot.h"

#include <memory>
#include "training/Trainer.h"

#include <QFutureWatcher>
#include <QWidget>

class QCPGraph;
class QLabel;
class QTimer;

namespace orderlens::ui {

class InteractivePlot;

// The four plots of a run, live or from a file: agreement on the training and the test split
// (with mean accuracy +/- std and the lower bound, docs/DEFINITIONS.md 3), and per-network loss and
// accuracy, per batch while training and per epoch from the run file.
class LiveMonitor : public QWidget {
    Q_OBJECT
public:
    explicit LiveMonitor(QWidget* parent = nullptr);

    // Clears every plot for a run of this shape.
    void reset(int networks, int epochs);
    void addBatch(const BatchProgress& progress);
    // Re-reads the run file in the background and shows it; requests while a read is running
    // are merged into one more read.
    void requestSnapshot(const QString& runPath);
    void showSnapshot(const RunSnapshot& snapshot);

    // What is drawn (for tests and the status bar).
    int agreementPoints(RecordSet set) const;
    int batchPoints(int network) const;
    int epochPoints(int network) const;
    bool snapshotPending() const;
    QList<InteractivePlot*> plots() const;
    // Writes every plot as PDF, SVG and PNG into dir; returns the files written.
    QStringList exportFigures(const QString& dir, QString* error = nullptr) const;
    // The files exportFigures writes into dir.
    static QStringList figureFiles(const QString& dir);

signals:
    void snapshotShown(const orderlens::ui::RunSnapshot& snapshot);

private:
    struct AgreementGraphs {
        InteractivePlot* plot = nullptr;
        QCPGraph *agreement = nullptr, *lowerBound = nullptr, *mean = nullptr, *upper = nullptr, *lower = nullptr;
        QString title;
    };
    struct NetworkGraphs {
        QCPGraph *batchLoss = nullptr, *batchAccuracy = nullptr;
        QCPGraph *epochLoss = nullptr, *epochAccuracy = nullptr;
        QCPGraph *testLoss = nullptr, *testAccuracy = nullptr;
    };
    AgreementGraphs makeAgreementPlot(const QString& title);
    void fillAgreement(AgreementGraphs& graphs, const std::optional<AgreementCurve>& curve, int networks);
    void finishSnapshot();
    void markDirty();

    AgreementGraphs train_, test_;
    InteractivePlot* loss_ = nullptr;
    InteractivePlot* accuracy_ = nullptr;
    std::vector<NetworkGraphs> networks_;
    int epochs_ = 0;
    QTimer* replotTimer_ = nullptr;
    bool dirty_ = false;
    QFutureWatcher<RunSnapshot> reader_;
    // The run being followed: each snapshot reads only the epochs that are new since the last.
    struct FollowedRun;
    std::shared_ptr<FollowedRun> followed_;
    void startReading(const QString& runPath);
    QString pendingPath_;
};

}  // namespace orderlens::ui
