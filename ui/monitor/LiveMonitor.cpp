#include "monitor/LiveMonitor.h"

#include "plot/InteractivePlot.h"
#include "plot/Palette.h"

#include <QDir>
#include <QGridLayout>
#include <QLabel>
#include <QTimer>
#include <QtConcurrent>

#include <algorithm>
#include <cmath>

namespace orderlens::ui {

namespace {
// Replots at most this often while batches stream in: smooth to the eye, cheap for the
// event loop.
constexpr int kReplotIntervalMs = 100;
// The mean accuracy's +/- std band: its colour, translucent.
const QColor kBandColour(kMeanAccuracyColour.red(), kMeanAccuracyColour.green(), kMeanAccuracyColour.blue(), 60);

// The loss and accuracy plots' x axis: the run's epoch numbers, as on the agreement plots, with
// epoch e's batches drawn from e - 1 up to e, where the epoch's summary sits. Epoch 0's batches
// lie left of 0, which has no epoch number to show.
class EpochTicker : public QCPAxisTicker {
protected:
    // Ticks on whole epochs only (QCustomPlot's choice of 2.5 becomes 2).
    double getTickStep(const QCPRange& range) override
    {
        return std::max(1.0, std::floor(QCPAxisTicker::getTickStep(range)));
    }
    QString getTickLabel(double tick, const QLocale& locale, QChar formatChar, int precision) override
    {
        return tick < -1e-9 ? QString() : QCPAxisTicker::getTickLabel(tick, locale, formatChar, precision);
    }
};

// A point of those plots in words: "epoch 2" at an epoch's end, "epoch 2, 40 % through" within.
QString epochPosition(double key)
{
    const int epoch = int(std::ceil(key - 1e-9));
    const double through = key - (epoch - 1);
    if (through > 1 - 1e-9)
        return LiveMonitor::tr("epoch %1").arg(epoch);
    return LiveMonitor::tr("epoch %1, %2 % through").arg(epoch).arg(std::lround(100 * through));
}
}  // namespace

LiveMonitor::LiveMonitor(QWidget* parent) : QWidget(parent)
{
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(6, 6, 6, 6);
    grid->setSpacing(8);
    train_ = makeAgreementPlot(tr("Agreement, training split"));
    test_ = makeAgreementPlot(tr("Agreement, test split"));
    loss_ = new InteractivePlot(this);
    const QString epochAxis = tr("epoch (epoch e's batches run from e - 1 to e)");
    loss_->setLabels(tr("Loss per network"), epochAxis, tr("cross-entropy loss"));
    accuracy_ = new InteractivePlot(this);
    accuracy_->setLabels(tr("Accuracy per network"), epochAxis, tr("accuracy (%)"), "%");
    for (InteractivePlot* p : {loss_, accuracy_}) {
        p->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new EpochTicker));
        p->setKeyText(epochPosition);
    }
    accuracy_->setHomeValueRange(QCPRange(0, 100));
    // As the Analysis tab's caption says: agreement is not bounded by the mean accuracy.
    auto* agreementNote = new QLabel(
        tr("Agreement counts the images every network classifies correctly among those at least one does, so it "
           "can exceed the mean accuracy (which counts among all images); it cannot fall below the lower bound."));
    agreementNote->setObjectName("agreementNote");
    agreementNote->setWordWrap(true);
    agreementNote->setStyleSheet("color: #404040;");
    grid->addWidget(train_.plot, 0, 0);
    grid->addWidget(test_.plot, 0, 1);
    grid->addWidget(agreementNote, 1, 0, 1, 2);
    grid->addWidget(loss_, 2, 0);
    grid->addWidget(accuracy_, 2, 1);
    grid->setRowStretch(0, 1);
    grid->setRowStretch(2, 1);

    replotTimer_ = new QTimer(this);
    replotTimer_->setInterval(kReplotIntervalMs);
    connect(replotTimer_, &QTimer::timeout, this, [this] {
        if (!dirty_)
            return;
        dirty_ = false;
        for (InteractivePlot* p : plots())
            p->refresh();
    });
    replotTimer_->start();
    connect(&reader_, &QFutureWatcher<RunSnapshot>::finished, this, &LiveMonitor::finishSnapshot);
    reset(0, 0);
}

LiveMonitor::AgreementGraphs LiveMonitor::makeAgreementPlot(const QString& title)
{
    AgreementGraphs g;
    g.title = title;
    g.plot = new InteractivePlot(this);
    g.plot->setLabels(title, tr("epoch"), tr("percent of images"), "%");
    g.plot->setHomeValueRange(QCPRange(0, 100));
    g.upper = g.plot->addLine(tr("mean + std"), QColor(0, 0, 0, 0));
    g.lower = g.plot->addLine(tr("mean - std"), QColor(0, 0, 0, 0));
    g.upper->setBrush(kBandColour);
    g.upper->setChannelFillGraph(g.lower);
    g.upper->removeFromLegend();
    g.lower->removeFromLegend();
    g.mean = g.plot->addLine(tr("mean accuracy \u00b1 std"), kMeanAccuracyColour, Qt::SolidLine, 1.6);
    g.lowerBound = g.plot->addLine(tr("lower bound"), kLowerBoundColour, Qt::DotLine, 1.8);
    g.agreement = g.plot->addLine(tr("true-positive agreement"), kAgreementColour, Qt::SolidLine, 2.2);
    // The study hatches the gap between agreement and its lower bound: how much more the
    // networks agree than their accuracies force them to.
    g.agreement->setBrush(QBrush(QColor(kAgreementColour.red(), kAgreementColour.green(), kAgreementColour.blue(), 110),
                                 Qt::BDiagPattern));
    g.agreement->setChannelFillGraph(g.lowerBound);
    for (QCPGraph* graph : {g.mean, g.lowerBound, g.agreement})
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 5));
    return g;
}

void LiveMonitor::reset(int networks, int epochs)
{
    epochs_ = epochs;
    for (AgreementGraphs* g : {&train_, &test_}) {
        for (QCPGraph* graph : {g->agreement, g->lowerBound, g->mean, g->upper, g->lower})
            graph->data()->clear();
        g->plot->setTitle(g->title);
        g->plot->setHomeKeyRange(epochs > 0 ? std::optional<QCPRange>(QCPRange(0, epochs - 1)) : std::nullopt);
        g->plot->resetView();
    }
    for (InteractivePlot* p : {loss_, accuracy_}) {
        p->clearGraphs();
        p->setHomeKeyRange(epochs > 0 ? std::optional<QCPRange>(QCPRange(-1, epochs - 1)) : std::nullopt);
    }
    networks_.assign(std::size_t(networks), {});
    for (int n = 0; n < networks; ++n) {
        const QColor c = networkColour(n);
        NetworkGraphs& g = networks_[std::size_t(n)];
        const QString name = tr("network %1").arg(n + 1);
        // Per batch: thin and light, the raw signal. Per epoch: markers at the epoch's end.
        QColor light = c;
        light.setAlpha(150);
        g.batchLoss = loss_->addLine(name, light, Qt::SolidLine, 1.0);
        g.batchAccuracy = accuracy_->addLine(name, light, Qt::SolidLine, 1.0);
        g.epochLoss = loss_->addLine(tr("%1, epoch mean (train)").arg(name), c, Qt::SolidLine, 1.8);
        g.epochAccuracy = accuracy_->addLine(tr("%1, epoch (train)").arg(name), c, Qt::SolidLine, 1.8);
        g.testLoss = loss_->addLine(tr("%1, test").arg(name), c, Qt::DashLine, 1.6);
        g.testAccuracy = accuracy_->addLine(tr("%1, test").arg(name), c, Qt::DashLine, 1.6);
        for (QCPGraph* graph : {g.epochLoss, g.epochAccuracy, g.testLoss, g.testAccuracy}) {
            graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
            graph->removeFromLegend();
        }
    }
    // One legend entry explains the dashed style for every network.
    for (InteractivePlot* p : {loss_, accuracy_}) {
        if (networks > 0)
            p->addLine(tr("dashed: test split"), QColor(110, 110, 110), Qt::DashLine, 1.4);
        p->resetView();
    }
    markDirty();
}

void LiveMonitor::addBatch(const BatchProgress& p)
{
    if (p.network < 0 || std::size_t(p.network) >= networks_.size() || p.batches <= 0)
        return;
    const double x = p.epoch - 1 + double(p.batch + 1) / p.batches;
    NetworkGraphs& g = networks_[std::size_t(p.network)];
    // A resumed or restarted epoch replays its batches: drop what lies ahead of this point.
    if (!g.batchLoss->data()->isEmpty() && (g.batchLoss->data()->constEnd() - 1)->key >= x) {
        g.batchLoss->data()->removeAfter(x - 1e-9);
        g.batchAccuracy->data()->removeAfter(x - 1e-9);
    }
    g.batchLoss->addData(x, p.loss);
    g.batchAccuracy->addData(x, 100.0 * p.runningAccuracy);
    markDirty();
}

struct LiveMonitor::FollowedRun {
    std::unique_ptr<RunFollower> follower;  // used by one reader at a time (reader_ runs one)
};

void LiveMonitor::requestSnapshot(const QString& runPath)
{
    if (reader_.isRunning()) {
        pendingPath_ = runPath;
        return;
    }
    startReading(runPath);
}

void LiveMonitor::startReading(const QString& runPath)
{
    if (!followed_)
        followed_ = std::make_shared<FollowedRun>();
    std::shared_ptr<FollowedRun> followed = followed_;
    reader_.setFuture(QtConcurrent::run([followed, runPath] {
        const std::string path = runPath.toStdString();
        if (!followed->follower || followed->follower->run().path() != path) {
            followed->follower.reset();
            try {
                followed->follower = std::make_unique<RunFollower>(path);
            } catch (const std::exception&) {
                return RunSnapshot::read(runPath);  // reports the problem
            }
        }
        return RunSnapshot::read(*followed->follower);
    }));
}

bool LiveMonitor::snapshotPending() const { return reader_.isRunning() || !pendingPath_.isEmpty(); }

void LiveMonitor::finishSnapshot()
{
    const RunSnapshot snapshot = reader_.result();
    if (!pendingPath_.isEmpty()) {
        const QString next = pendingPath_;
        pendingPath_.clear();
        startReading(next);
    }
    if (snapshot.ok())
        showSnapshot(snapshot);
    emit snapshotShown(snapshot);
}

void LiveMonitor::showSnapshot(const RunSnapshot& s)
{
    if (int(networks_.size()) != s.shape.networks || epochs_ != s.shape.epochs)
        reset(s.shape.networks, s.shape.epochs);
    for (std::size_t n = 0; n < networks_.size() && n < s.summaries.size(); ++n) {
        NetworkGraphs& g = networks_[n];
        for (QCPGraph* graph : {g.epochLoss, g.epochAccuracy, g.testLoss, g.testAccuracy})
            graph->data()->clear();
        for (std::size_t e = 0; e < s.summaries[n].size(); ++e) {
            const EpochSummary& sum = s.summaries[n][e];
            const double x = double(e);
            g.epochLoss->addData(x, sum.trainLoss);
            g.epochAccuracy->addData(x, 100.0 * sum.trainAccuracy);
            g.testLoss->addData(x, sum.testLoss);
            g.testAccuracy->addData(x, 100.0 * sum.testAccuracy);
        }
    }
    fillAgreement(train_, s.train, s.shape.networks);
    fillAgreement(test_, s.test, s.shape.networks);
    markDirty();
}

void LiveMonitor::fillAgreement(AgreementGraphs& g, const std::optional<AgreementCurve>& curve, int networks)
{
    for (QCPGraph* graph : {g.agreement, g.lowerBound, g.mean, g.upper, g.lower})
        graph->data()->clear();
    if (!curve || curve->networks.empty()) {
        g.plot->setTitle(g.title);
        return;
    }
    for (const EpochAgreement& e : curve->epochs) {
        // The run's epoch numbers (0-based), as in agreement.csv and the analysis figures.
        const double x = e.epoch;
        g.agreement->addData(x, e.agreement);
        g.lowerBound->addData(x, e.lowerBound);
        g.mean->addData(x, e.meanAccuracy);
        g.upper->addData(x, e.meanAccuracy + e.stdAccuracy);
        g.lower->addData(x, e.meanAccuracy - e.stdAccuracy);
    }
    const int used = int(curve->networks.size());
    g.plot->setTitle(used == networks ? tr("%1 (%2 networks)").arg(g.title).arg(used)
                                      : tr("%1 (networks 1-%2 of %3 so far)").arg(g.title).arg(used).arg(networks));
}

int LiveMonitor::agreementPoints(RecordSet set) const
{
    const AgreementGraphs& g = set == RecordSet::Test ? test_ : train_;
    return g.agreement->data()->size();
}

int LiveMonitor::batchPoints(int network) const
{
    return network >= 0 && std::size_t(network) < networks_.size()
               ? networks_[std::size_t(network)].batchLoss->data()->size()
               : 0;
}

int LiveMonitor::epochPoints(int network) const
{
    return network >= 0 && std::size_t(network) < networks_.size()
               ? networks_[std::size_t(network)].epochLoss->data()->size()
               : 0;
}

QList<InteractivePlot*> LiveMonitor::plots() const { return {train_.plot, test_.plot, loss_, accuracy_}; }

namespace {
// The files exportFigures writes: each plot of plots(), in each format.
constexpr const char* kFigureNames[] = {"agreement_train", "agreement_test", "loss", "accuracy"};
constexpr const char* kFigureFormats[] = {"pdf", "svg", "png"};
}  // namespace

QStringList LiveMonitor::figureFiles(const QString& dir)
{
    QStringList paths;
    for (const char* name : kFigureNames)
        for (const char* ext : kFigureFormats)
            paths << QDir(dir).filePath(QString("%1.%2").arg(name, ext));
    return paths;
}

QStringList LiveMonitor::exportFigures(const QString& dir, QString* error) const
{
    QStringList written;
    const QList<InteractivePlot*> all = plots();
    const QStringList paths = figureFiles(dir);
    constexpr int formats = int(std::size(kFigureFormats));
    for (int i = 0; i < all.size(); ++i)
        for (int f = 0; f < formats; ++f) {
            const QString& path = paths[i * formats + f];
            if (!all[i]->exportTo(path)) {
                if (error)
                    *error = tr("Could not write %1").arg(path);
                return written;
            }
            written << path;
        }
    return written;
}

void LiveMonitor::markDirty() { dirty_ = true; }

}  // namespace orderlens::ui
