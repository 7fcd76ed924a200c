#include "monitor/ProgressPanel.h"

#include "common/Numbering.h"
#include "plot/Palette.h"

#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace orderlens::ui {

namespace {
// Progress bars count in thousandths so that long epochs still move visibly.
constexpr int kBarSteps = 1000;

// A slim bar in the network's plot colour; the text goes in a label above it, where it stays
// readable whatever the fill.
QProgressBar* newBar(const QColor& colour, int height)
{
    auto* bar = new QProgressBar;
    bar->setRange(0, kBarSteps);
    bar->setTextVisible(false);
    bar->setFixedHeight(height);
    bar->setStyleSheet(QString("QProgressBar { border: none; border-radius: %2px; background: #e4e4e4; }"
                               "QProgressBar::chunk { background: %1; border-radius: %2px; }")
                           .arg(colour.name())
                           .arg(height / 2));
    return bar;
}
}  // namespace

ProgressPanel::ProgressPanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    status_ = new QLabel(tr("No training running."));
    status_->setObjectName("status");
    status_->setWordWrap(true);
    layout->addWidget(status_);

    overallLabel_ = new QLabel(tr("<b>Overall</b>"));
    layout->addWidget(overallLabel_);
    overall_ = newBar(okabeIto::kBluishGreen, 12);
    layout->addWidget(overall_);

    auto* form = new QFormLayout;
    form->setLabelAlignment(Qt::AlignRight);
    eta_ = new QLabel(QStringLiteral("-"));
    elapsed_ = new QLabel(QStringLiteral("-"));
    learningRate_ = new QLabel(QStringLiteral("-"));
    throughput_ = new QLabel(QStringLiteral("-"));
    form->addRow(tr("Time left:"), eta_);
    form->addRow(tr("Elapsed:"), elapsed_);
    form->addRow(tr("Learning rate:"), learningRate_);
    form->addRow(tr("Throughput:"), throughput_);
    layout->addLayout(form);

    layout->addWidget(new QLabel(tr("<b>Networks</b>")));
    bars_ = new QVBoxLayout;
    bars_->setSpacing(4);
    layout->addLayout(bars_);
    layout->addStretch(1);

    cancel_ = new QPushButton(tr("Cancel training"));
    cancel_->setObjectName("cancel");
    cancel_->setToolTip(tr("Stops after the current batch; completed epochs stay in the run file and the run "
                           "can be resumed."));
    cancel_->setEnabled(false);
    connect(cancel_, &QPushButton::clicked, this, &ProgressPanel::cancelRequested);
    layout->addWidget(cancel_);
}

void ProgressPanel::reset(int networks, int epochs)
{
    epochs_ = epochs;
    for (QProgressBar* bar : networkBars_)
        delete bar;
    for (QLabel* label : networkLabels_)
        delete label;
    networkBars_.clear();
    networkLabels_.clear();
    for (int n = 0; n < networks; ++n) {
        auto* label = new QLabel(tr("network %1: waiting").arg(n + 1));
        label->setObjectName(QStringLiteral("networkProgress%1").arg(n));
        QProgressBar* bar = newBar(networkColour(n), 6);
        bar->setValue(0);
        bars_->addWidget(label);
        bars_->addWidget(bar);
        bars_->addSpacing(2);
        networkLabels_.push_back(label);
        networkBars_.push_back(bar);
    }
    setOverall(0);
    for (QLabel* l : {eta_, elapsed_, learningRate_, throughput_})
        l->setText(QStringLiteral("-"));
    clock_.start();
}

void ProgressPanel::addBatch(const BatchProgress& p)
{
    if (p.network >= 0 && std::size_t(p.network) < networkBars_.size() && epochs_ > 0 && p.batches > 0) {
        const double done = (p.epoch + double(p.batch + 1) / p.batches) / epochs_;
        networkBars_[std::size_t(p.network)]->setValue(int(std::lround(done * kBarSteps)));
        // The bar shows how far the epoch is, the status bar its batch: the line stays short
        // enough for a narrow panel.
        networkLabels_[std::size_t(p.network)]->setText(tr("network %1: %2, loss %3")
                           .arg(p.network + 1)
                           .arg(QString::fromStdString(epochProgressText(p.epoch, epochs_)))
                           .arg(p.loss, 0, 'f', 3));
    }
    setOverall(p.fraction);
    eta_->setText(formatDuration(p.etaSeconds));
    elapsed_->setText(formatDuration(clock_.elapsed() / 1000.0));
    learningRate_->setText(QString::number(p.learningRate, 'g', 4));
    throughput_->setText(tr("%1 images/s").arg(QLocale().toString(p.imagesPerSecond, 'f', 0)));
}

void ProgressPanel::addEpoch(const EpochProgress& p)
{
    setOverall(p.fraction);
    eta_->setText(formatDuration(p.etaSeconds));
    elapsed_->setText(formatDuration(p.elapsedSeconds));
    if (p.network >= 0 && std::size_t(p.network) < networkBars_.size() && epochs_ > 0) {
        networkBars_[std::size_t(p.network)]->setValue(int(std::lround(double(p.epoch + 1) / epochs_ * kBarSteps)));
        networkLabels_[std::size_t(p.network)]->setText(tr("network %1: %2, test accuracy %3 %")
                           .arg(p.network + 1)
                           .arg(QString::fromStdString(epochProgressText(p.epoch, epochs_)))
                           .arg(100.0 * p.summary.testAccuracy, 0, 'f', 1));
    }
}

void ProgressPanel::setEpochsDone(const std::vector<int>& epochsDone)
{
    int total = 0;
    for (std::size_t n = 0; n < epochsDone.size() && n < networkBars_.size(); ++n) {
        networkBars_[n]->setValue(epochs_ > 0 ? epochsDone[n] * kBarSteps / epochs_ : 0);
        networkLabels_[n]->setText(tr("network %1: %2 of %3 epochs").arg(n + 1).arg(epochsDone[n]).arg(epochs_));
        total += epochsDone[n];
    }
    const int all = epochs_ * int(networkBars_.size());
    setOverall(all > 0 ? double(total) / all : 0);
}

void ProgressPanel::setOverall(double fraction)
{
    overall_->setValue(int(std::lround(std::clamp(fraction, 0.0, 1.0) * kBarSteps)));
    overallLabel_->setText(tr("<b>Overall</b>  %1 %").arg(overallPercent()));
}

void ProgressPanel::setRunning(bool running)
{
    cancel_->setEnabled(running);
    if (running)
        clock_.start();
    else
        eta_->setText(QStringLiteral("-"));
}

void ProgressPanel::setStatus(const QString& text) { status_->setText(text); }

int ProgressPanel::overallPercent() const { return overall_->value() * 100 / kBarSteps; }

QString ProgressPanel::etaText() const { return eta_->text(); }

QString ProgressPanel::formatDuration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return QStringLiteral("-");
    const long t = std::lround(seconds);
    if (t >= 3600)
        return QString("%1 h %2 min").arg(t / 3600).arg((t / 60) % 60, 2, 10, QChar('0'));
    if (t >= 60)
        return QString("%1 min %2 s").arg(t / 60).arg(t % 60, 2, 10, QChar('0'));
    return QString("%1 s").arg(t);
}

}  // namespace orderlens::ui
