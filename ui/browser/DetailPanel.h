#pragma once

#include "browser/RunImages.h"

#include <QWidget>

#include <memory>

class QLabel;
class QTableWidget;

namespace orderlens::ui {

class RecordStrip;

// Everything about one image: enlarged (nearest-neighbour, so a 28 x 28 digit shows its pixels),
// its key, class and split, the learned-by-all, first-agreed and per-network learned epochs, the
// network x epoch record strip, and every measure and metric value.
class DetailPanel : public QWidget {
    Q_OBJECT
public:
    // Longest side of the enlarged image.
    static constexpr int kImageSide = 224;

    explicit DetailPanel(QWidget* parent = nullptr);

    void setRun(std::shared_ptr<const RunImages> run);
    // -1 clears the panel.
    void showImage(int image);
    int image() const { return image_; }

    // The value shown for a column (by its column name, e.g. "learned_epoch").
    QString valueText(const QString& name) const;
    const RecordStrip* strip() const { return strip_; }
    QString title() const;

private:
    std::shared_ptr<const RunImages> run_;
    int image_ = -1;
    QLabel* picture_ = nullptr;
    QLabel* title_ = nullptr;
    QLabel* facts_ = nullptr;
    RecordStrip* strip_ = nullptr;
    QTableWidget* values_ = nullptr;
};

}  // namespace orderlens::ui
