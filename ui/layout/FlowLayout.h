#pragma once

#include <QLayout>
#include <QList>

namespace orderlens::ui {

// Lays its items out left to right and wraps onto a new row when the width runs out, so a bar of
// controls stays whole in a narrow window instead of cutting its labels (a toolbar that wraps).
// Items keep their size hints; a stretch item (addStretch) pushes the items after it to the right
// end of their row. The layout's height follows its width (heightForWidth).
class FlowLayout : public QLayout {
public:
    explicit FlowLayout(QWidget* parent = nullptr, int spacing = 6);
    ~FlowLayout() override;

    // Widgets kept together on one row, never wrapped apart (a label and its controls).
    void addGroup(const QList<QWidget*>& widgets);
    // A label and its control, kept together.
    void addLabelled(const QString& label, QWidget* widget);
    // Empty space of this width between groups.
    void addSpacing(int width);
    // Everything added after it goes to the right end of its row.
    void addStretch();

    void addItem(QLayoutItem* item) override;
    int count() const override;
    QLayoutItem* itemAt(int index) const override;
    QLayoutItem* takeAt(int index) override;
    Qt::Orientations expandingDirections() const override;
    bool hasHeightForWidth() const override;
    int heightForWidth(int width) const override;
    QSize minimumSize() const override;
    QSize sizeHint() const override;
    void setGeometry(const QRect& rect) override;

private:
    // Places the items in `rect` (or only measures when `apply` is false); returns the height used.
    int arrange(const QRect& rect, bool apply) const;

    QList<QLayoutItem*> items_;
    QList<bool> stretches_;  // per item: a stretch marker
};

}  // namespace orderlens::ui
