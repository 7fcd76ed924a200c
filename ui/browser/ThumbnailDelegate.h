#pragma once

#include <QStyledItemDelegate>

namespace orderlens::ui {

// Draws one browser cell: the thumbnail centred on a light tile, the sort key's value under it
// (in vermillion for never-learned images), a frame when selected. Every cell has the same size,
// so the view lays out a million rows without asking for them.
class ThumbnailDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    explicit ThumbnailDelegate(QObject* parent = nullptr);
    void setThumbnailSize(int pixels) { side_ = pixels; }
    QSize cellSize() const;

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

private:
    int side_ = 64;
};

}  // namespace orderlens::ui
