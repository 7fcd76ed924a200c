#include "browser/RecordStrip.h"

#include "analysis/LearningMeasures.h"
#include "plot/Palette.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

namespace orderlens::ui {

namespace {
constexpr int kLabelWidth = 44;   // "net 12"
constexpr int kAxisHeight = 16;   // epoch numbers under the grid
constexpr int kRowHeight = 14;
}  // namespace

RecordStrip::RecordStrip(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void RecordStrip::setRecords(const ImageRecords& records, const std::vector<int>& learned)
{
    records_ = records;
    learned_ = learned;
    updateGeometry();
    update();
}

QSize RecordStrip::sizeHint() const
{
    return QSize(kLabelWidth + std::max(200, records_.epochs * 8), int(records_.networks.size()) * kRowHeight + kAxisHeight + 4);
}

QSize RecordStrip::minimumSizeHint() const { return QSize(kLabelWidth + 60, sizeHint().height()); }

QRect RecordStrip::gridRect() const
{
    return QRect(kLabelWidth, 2, width() - kLabelWidth - 4, int(records_.networks.size()) * kRowHeight);
}

QPoint RecordStrip::cellAt(const QPoint& pos) const
{
    const QRect g = gridRect();
    if (records_.epochs <= 0 || !g.contains(pos))
        return {-1, -1};
    const int e = std::min(records_.epochs - 1, int(double(pos.x() - g.left()) / g.width() * records_.epochs));
    const int n = std::min(int(records_.networks.size()) - 1, (pos.y() - g.top()) / kRowHeight);
    return {n, e};
}

QColor RecordStrip::cellColour(int network, int epoch) const
{
    const std::size_t k = std::size_t(network) * std::size_t(records_.epochs) + std::size_t(epoch);
    const bool correct = records_.correct[k];
    QColor c = correct ? okabeIto::kBluishGreen : okabeIto::kVermillion;
    if (!records_.pTrue.empty()) {
        // Confidence in the shown outcome: p_true when correct, 1 - p_true when not.
        const double confidence = correct ? records_.pTrue[k] : 1.0 - records_.pTrue[k];
        const double mix = 0.25 + 0.75 * std::clamp(confidence, 0.0, 1.0);
        c = QColor::fromRgbF(float(1 - mix + mix * c.redF()), float(1 - mix + mix * c.greenF()),
                             float(1 - mix + mix * c.blueF()));
    }
    return c;
}

void RecordStrip::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    const QRect g = gridRect();
    const int nets = int(records_.networks.size());
    if (records_.epochs <= 0 || nets == 0) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter, tr("no records"));
        return;
    }
    const double cw = double(g.width()) / records_.epochs;
    QFont small = font();
    small.setPointSizeF(std::max(7.0, small.pointSizeF() - 1.5));
    p.setFont(small);
    for (int n = 0; n < nets; ++n) {
        const int y = g.top() + n * kRowHeight;
        p.setPen(QColor(60, 60, 60));
        p.drawText(QRect(0, y, kLabelWidth - 4, kRowHeight), Qt::AlignRight | Qt::AlignVCenter,
                   tr("net %1").arg(records_.networks[std::size_t(n)] + 1));
        for (int e = 0; e < records_.epochs; ++e) {
            const QRectF cell(g.left() + e * cw, y + 1, cw, kRowHeight - 2);
            p.fillRect(cell.adjusted(0, 0, cw > 4 ? -1 : 0, 0), cellColour(n, e));
        }
        if (std::size_t(n) < learned_.size() && learned_[std::size_t(n)] != kNeverLearned) {
            const double x = g.left() + (learned_[std::size_t(n)] - records_.firstEpoch) * cw;
            p.setPen(QPen(Qt::black, 2));
            p.drawLine(QPointF(x, y), QPointF(x, y + kRowHeight));
        }
    }
    // Epoch numbers: first, last and a few in between, as the run numbers them.
    p.setPen(QColor(90, 90, 90));
    const int step = std::max(1, int(std::ceil(records_.epochs / std::max(1.0, g.width() / 40.0))));
    for (int e = 0; e < records_.epochs; e += step)
        p.drawText(QRectF(g.left() + e * cw - 20 + cw / 2, g.bottom() + 2, 40, kAxisHeight), Qt::AlignHCenter | Qt::AlignTop,
                   QString::number(records_.firstEpoch + e));
}

bool RecordStrip::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QPoint c = cellAt(help->pos());
        if (c.x() < 0) {
            QToolTip::hideText();
            return true;
        }
        const std::size_t k = std::size_t(c.x()) * std::size_t(records_.epochs) + std::size_t(c.y());
        QString text = tr("network %1, epoch %2: %3")
                           .arg(records_.networks[std::size_t(c.x())] + 1)
                           .arg(records_.firstEpoch + c.y())
                           .arg(records_.correct[k] ? tr("correct") : tr("incorrect"));
        if (!records_.predicted.empty())
            text += tr("\npredicted: %1").arg(records_.predicted[k]);
        if (!records_.pTrue.empty())
            text += tr("\np_true %1").arg(double(records_.pTrue[k]), 0, 'f', 2);
        QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

}  // namespace orderlens::ui
