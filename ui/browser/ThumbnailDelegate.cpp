#include "browser/ThumbnailDelegate.h"

#include "browser/ImageBrowserModel.h"
#include "plot/Palette.h"

#include <QApplication>
#include <QPainter>

namespace orderlens::ui {

namespace {
constexpr int kPadding = 4;
constexpr int kCaptionHeight = 16;
}  // namespace

ThumbnailDelegate::ThumbnailDelegate(QObject* parent) : QStyledItemDelegate(parent) {}

QSize ThumbnailDelegate::cellSize() const { return QSize(side_ + 2 * kPadding, side_ + 2 * kPadding + kCaptionHeight); }

QSize ThumbnailDelegate::sizeHint(const QStyleOptionViewItem&, const QModelIndex&) const { return cellSize(); }

void ThumbnailDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    painter->save();
    const QRect cell = option.rect.adjusted(1, 1, -1, -1);
    const bool selected = option.state & QStyle::State_Selected;
    const QPalette& palette = option.palette;
    painter->fillRect(cell, selected ? palette.color(QPalette::Highlight).lighter(170) : QColor(246, 246, 246));

    const QRect tile(cell.left() + kPadding - 1, cell.top() + kPadding - 1, side_, side_);
    const QPixmap pixmap = index.data(Qt::DecorationRole).value<QPixmap>();
    if (!pixmap.isNull()) {
        const QPoint at(tile.left() + (tile.width() - pixmap.width()) / 2, tile.top() + (tile.height() - pixmap.height()) / 2);
        painter->drawPixmap(at, pixmap);
    } else {
        painter->fillRect(tile, QColor(225, 225, 225));
    }

    QFont font = option.font;
    font.setPointSizeF(std::max(7.0, font.pointSizeF() - 1.5));
    painter->setFont(font);
    const bool never = index.data(ImageBrowserModel::NeverLearnedRole).toBool();
    painter->setPen(never ? okabeIto::kVermillion.darker(115) : QColor(50, 50, 50));
    const QRect captionRect(cell.left(), tile.bottom() + 2, cell.width(), kCaptionHeight);
    painter->drawText(captionRect, Qt::AlignHCenter | Qt::AlignVCenter,
                      painter->fontMetrics().elidedText(index.data(Qt::DisplayRole).toString(), Qt::ElideRight,
                                                        cell.width() - 2));
    if (selected) {
        painter->setPen(QPen(palette.color(QPalette::Highlight), 2));
        painter->drawRect(cell.adjusted(1, 1, -1, -1));
    }
    painter->restore();
}

}  // namespace orderlens::ui
