#include "layout/FlowLayout.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QWidget>

#include <algorithm>

namespace orderlens::ui {

FlowLayout::FlowLayout(QWidget* parent, int spacing) : QLayout(parent)
{
    setSpacing(spacing);
    setContentsMargins(0, 0, 0, 0);
}

FlowLayout::~FlowLayout()
{
    while (QLayoutItem* item = takeAt(0))
        delete item;
}

void FlowLayout::addGroup(const QList<QWidget*>& widgets)
{
    auto* group = new QWidget;
    auto* row = new QHBoxLayout(group);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(4);
    for (QWidget* w : widgets)
        row->addWidget(w);
    addWidget(group);
}

void FlowLayout::addLabelled(const QString& label, QWidget* widget) { addGroup({new QLabel(label), widget}); }

void FlowLayout::addSpacing(int width)
{
    addItem(new QSpacerItem(width, 0, QSizePolicy::Fixed, QSizePolicy::Minimum));
}

void FlowLayout::addStretch()
{
    addItem(new QSpacerItem(0, 0, QSizePolicy::Expanding, QSizePolicy::Minimum));
    stretches_.back() = true;
}

void FlowLayout::addItem(QLayoutItem* item)
{
    items_.append(item);
    stretches_.append(false);
}

int FlowLayout::count() const { return int(items_.size()); }

QLayoutItem* FlowLayout::itemAt(int index) const { return index >= 0 && index < items_.size() ? items_[index] : nullptr; }

QLayoutItem* FlowLayout::takeAt(int index)
{
    if (index < 0 || index >= items_.size())
        return nullptr;
    stretches_.removeAt(index);
    return items_.takeAt(index);
}

Qt::Orientations FlowLayout::expandingDirections() const { return {}; }

bool FlowLayout::hasHeightForWidth() const { return true; }

int FlowLayout::heightForWidth(int width) const { return arrange(QRect(0, 0, width, 0), false); }

QSize FlowLayout::minimumSize() const
{
    // As narrow as the widest item: everything else wraps.
    QSize size;
    for (const QLayoutItem* item : items_)
        if (!item->isEmpty())
            size = size.expandedTo(item->minimumSize().expandedTo(item->sizeHint()));
    const QMargins m = contentsMargins();
    return size + QSize(m.left() + m.right(), m.top() + m.bottom());
}

QSize FlowLayout::sizeHint() const
{
    // One row when there is room for it.
    int width = 0, height = 0;
    for (const QLayoutItem* item : items_) {
        if (item->isEmpty())
            continue;
        width += item->sizeHint().width() + spacing();
        height = std::max(height, item->sizeHint().height());
    }
    const QMargins m = contentsMargins();
    return QSize(width + m.left() + m.right(), height + m.top() + m.bottom());
}

void FlowLayout::setGeometry(const QRect& rect)
{
    QLayout::setGeometry(rect);
    arrange(rect, true);
}

int FlowLayout::arrange(const QRect& rect, bool apply) const
{
    const QRect area = rect.marginsRemoved(contentsMargins());
    // Rows of item indices, filled greedily; a stretch starts the row's right-aligned part.
    struct Row {
        QList<int> items;
        int stretchAt = -1;  // index into items of the first right-aligned item
        int height = 0;
    };
    QList<Row> rows(1);
    int x = 0;
    for (int i = 0; i < items_.size(); ++i) {
        QLayoutItem* item = items_[i];
        if (stretches_[i]) {
            rows.back().stretchAt = int(rows.back().items.size());
            continue;
        }
        if (item->isEmpty())
            continue;
        const QSize hint = item->sizeHint();
        const bool spacer = item->spacerItem() != nullptr;
        if (x > 0 && x + hint.width() > area.width() && !rows.back().items.isEmpty()) {
            rows.append(Row());
            x = 0;
        }
        if (spacer && x == 0)
            continue;  // no spacing at the start of a row
        rows.back().items.append(i);
        rows.back().height = std::max(rows.back().height, hint.height());
        x += hint.width() + spacing();
    }
    int y = area.top();
    bool placed = false;
    for (const Row& row : rows) {
        if (row.items.isEmpty())
            continue;
        int right = 0;
        for (int k = std::max(0, row.stretchAt); row.stretchAt >= 0 && k < row.items.size(); ++k)
            right += items_[row.items[k]]->sizeHint().width() + (k ? spacing() : 0);
        int left = area.left();
        for (int k = 0; k < row.items.size(); ++k) {
            QLayoutItem* item = items_[row.items[k]];
            if (k == row.stretchAt)
                left = std::max(left, area.right() + 1 - right);
            const QSize hint = item->sizeHint();
            if (apply)
                item->setGeometry(QRect(QPoint(left, y + (row.height - hint.height()) / 2), hint));
            left += hint.width() + spacing();
        }
        y += row.height + spacing();
        placed = true;
    }
    return (placed ? y - spacing() - area.top() : 0) + contentsMargins().top() + contentsMargins().bottom();
}

}  // namespace orderlens::ui
