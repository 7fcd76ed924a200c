#pragma once

#include "browser/RunImages.h"

#include <QFutureWatcher>
#include <QImage>
#include <QWidget>

#include <memory>

class QLabel;
class QTableWidget;

namespace orderlens::ui {

class RecordStrip;

// Everything about one image: enlarged (nearest-neighbour, so a 28 x 28 digit shows its pixels)
// beside its crisp boundary map (the study's edge strength, computed in the background with the
// run's seed and the image's key, so it is the map whose sum the run stores), its key, class and split, the learned-by-all, first-agreed and per-network learned epochs, the
// network x epoch record strip, the class each network predicted at each epoch, and every measure
// and metric value.
class DetailPanel : public QWidget {
    Q_OBJECT
public:
    // Longest side of the enlarged image and of its map: as wide as the panel allows, within
    // these bounds (a narrow window keeps the smaller side).
    static constexpr int kImageSide = 224;
    static constexpr int kMinImageSide = 120;

    explicit DetailPanel(QWidget* parent = nullptr);

    void setRun(std::shared_ptr<const RunImages> run);
    // -1 clears the panel.
    void showImage(int image);
    int image() const { return image_; }

    // The value shown for a column (by its column name, e.g. "learned_epoch").
    QString valueText(const QString& name) const;
    const RecordStrip* strip() const { return strip_; }
    // The predicted classes, one row per epoch and one column per network.
    const QTableWidget* predictions() const { return predictions_; }
    // The crisp boundary map on screen (null while it is computed or when there is none) and the
    // text shown in its place otherwise.
    QImage edgeMap() const { return edgeMap_; }
    QString edgeMapText() const;
    QString title() const;

signals:
    // The crisp boundary map of the shown image is on screen (or known to be unavailable).
    void edgeMapShown();

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void showEdgeMap(int image, QImage map);
    // The pictures' side for the panel's width; redraws both pictures at that side.
    int imageSide() const;
    void showPictures();
    void showPredictions(const ImageRecords& records);

    std::shared_ptr<const RunImages> run_;
    int image_ = -1;
    QLabel* picture_ = nullptr;
    QLabel* edgeMapLabel_ = nullptr;
    QImage edgeMap_;
    QImage shownImage_;  // the selected image as stored (null when not available)
    QFutureWatcher<QImage>* edgeWatcher_ = nullptr;
    int edgeMapImage_ = -1;  // the image whose map is being computed
    QLabel* title_ = nullptr;
    QLabel* facts_ = nullptr;
    RecordStrip* strip_ = nullptr;
    QTableWidget* predictions_ = nullptr;
    QLabel* predictionsTitle_ = nullptr;
    QTableWidget* values_ = nullptr;
};

}  // namespace orderlens::ui
