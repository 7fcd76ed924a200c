#pragma once

#include "browser/RunImages.h"

#include <QWidget>

namespace orderlens::ui {

// One image's records as a network x epoch grid: green where the network classified it
// correctly, vermillion where not, the shade following p_true (pale = unsure), and a black tick
// at each network's learned epoch. One glance shows when and how steadily it was learned.
class RecordStrip : public QWidget {
    Q_OBJECT
public:
    explicit RecordStrip(QWidget* parent = nullptr);

    // `learned` are the per-network learned epochs (kNeverLearned = never), in network-slot order.
    void setRecords(const ImageRecords& records, const std::vector<int>& learned);
    const ImageRecords& records() const { return records_; }
    // The (network slot, epoch slot) under a widget position, or (-1, -1).
    QPoint cellAt(const QPoint& pos) const;
    // The colour of a cell as drawn.
    QColor cellColour(int network, int epoch) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;
    bool event(QEvent* event) override;

private:
    QRect gridRect() const;

    ImageRecords records_;
    std::vector<int> learned_;
};

}  // namespace orderlens::ui
