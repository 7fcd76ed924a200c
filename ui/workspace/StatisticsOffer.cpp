#include "workspace/StatisticsOffer.h"

#include "common/Errors.h"
#include "common/ThreadBudget.h"
#include "statistics/RunStatistics.h"
#include "storage/RunFile.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTimer>
#include <QtConcurrent>

namespace orderlens::ui {

namespace {
constexpr int kProgressIntervalMs = 200;

QString offerText()
{
    return StatisticsOffer::tr(
        "<b>This run has no image statistics</b> (it was trained outside this window, or they were "
        "removed): the analysis shows no metric curves and the explorer no correlations.");
}
}  // namespace

StatisticsOffer::StatisticsOffer(QWidget* parent) : QFrame(parent)
{
    setObjectName("statisticsOffer");
    setFrameShape(QFrame::StyledPanel);
    setStyleSheet("#statisticsOffer { background: #fff4d6; }");
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 4, 10, 4);
    text_ = new QLabel(offerText());
    text_->setObjectName("statisticsText");
    text_->setWordWrap(true);
    layout->addWidget(text_, 1);
    bar_ = new QProgressBar;
    bar_->setMaximumWidth(220);
    bar_->hide();
    layout->addWidget(bar_);
    compute_ = new QPushButton(tr("Compute statistics"));
    compute_->setObjectName("computeStatistics");
    compute_->setToolTip(tr("Computes every image statistic of the run's images in the background, as "
                            "`orderlens metrics --run` does, and stores them beside the run"));
    layout->addWidget(compute_);
    cancel_ = new QPushButton(tr("Cancel"));
    cancel_->setObjectName("cancelStatistics");
    cancel_->hide();
    layout->addWidget(cancel_);
    poll_ = new QTimer(this);
    poll_->setInterval(kProgressIntervalMs);
    connect(poll_, &QTimer::timeout, this, &StatisticsOffer::showProgress);
    connect(compute_, &QPushButton::clicked, this, &StatisticsOffer::start);
    connect(cancel_, &QPushButton::clicked, this, [this] {
        if (cancelFlag_)
            cancelFlag_->store(true);
    });
    connect(&watcher_, &QFutureWatcher<Outcome>::finished, this, &StatisticsOffer::finish);
    hide();
}

StatisticsOffer::~StatisticsOffer()
{
    if (cancelFlag_)
        cancelFlag_->store(true);
    watcher_.waitForFinished();
}

void StatisticsOffer::check(const QString& runPath)
{
    if (isComputing())
        return;
    path_ = runPath;
    text_->setText(offerText());
    setVisible(!QFileInfo::exists(QString::fromStdString(RunFile::statisticsPathFor(runPath.toStdString()))));
}

void StatisticsOffer::stop()
{
    if (cancelFlag_)
        cancelFlag_->store(true);
    watcher_.waitForFinished();
    hide();
}

void StatisticsOffer::start()
{
    if (isComputing() || path_.isEmpty())
        return;
    cancelFlag_ = std::make_shared<std::atomic<bool>>(false);
    done_ = std::make_shared<std::atomic<std::size_t>>(0);
    total_ = std::make_shared<std::atomic<std::size_t>>(0);
    text_->setText(tr("Reading the run's images and computing their statistics ..."));
    compute_->hide();
    cancel_->show();
    bar_->setRange(0, 0);
    bar_->show();
    poll_->start();
    const std::string path = path_.toStdString();
    auto cancel = cancelFlag_;
    auto done = done_;
    auto total = total_;
    watcher_.setFuture(QtConcurrent::run([path, cancel, done, total] {
        EngineOptions options;
        options.threads = threadBudget();
        options.cancel = cancel.get();
        options.progress = [done, total](std::size_t d, std::size_t t) {
            done->store(d);
            total->store(t);
        };
        Outcome outcome;
        try {
            std::vector<std::string> notes;
            const StatisticsOutcome result = computeRunStatistics(path, options, &notes);
            outcome.summary = tr("Image statistics of %1 stored: %2 columns for %3 images (%4 computed, %5 from the cache).")
                                  .arg(QFileInfo(QString::fromStdString(path)).fileName())
                                  .arg(result.table.names().size())
                                  .arg(result.table.images())
                                  .arg(result.computed.size())
                                  .arg(result.fromCache.size());
            for (const std::string& note : notes)
                outcome.summary += "\n" + QString::fromStdString(note);
        } catch (const Cancelled&) {
            outcome.error = tr("Cancelled; nothing was stored.");
        } catch (const std::exception& e) {
            outcome.error = QString::fromStdString(e.what());
        }
        return outcome;
    }));
}

void StatisticsOffer::showProgress()
{
    const std::size_t total = total_ ? total_->load() : 0;
    if (total == 0)
        return;
    bar_->setRange(0, int(total));
    bar_->setValue(int(done_->load()));
    bar_->setFormat(tr("%v of %m images"));
}

void StatisticsOffer::finish()
{
    poll_->stop();
    bar_->hide();
    cancel_->hide();
    compute_->show();
    const Outcome outcome = watcher_.result();
    if (outcome.error.isEmpty()) {
        hide();
        emit computed(path_, outcome.summary);
        return;
    }
    text_->setText(tr("<b>The image statistics were not computed:</b> %1").arg(outcome.error.toHtmlEscaped()));
    compute_->setText(tr("Try again"));
}

}  // namespace orderlens::ui
