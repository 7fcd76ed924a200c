#pragma once

#include "browser/ImageTable.h"
#include "browser/RunImages.h"

#include <QWidget>

#include <memory>
#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QListView;
class QSlider;
class QSpinBox;
class QToolButton;

namespace orderlens::ui {

class DetailPanel;
class ImageBrowserModel;
class ThumbnailDelegate;

// The image browser: a grid of thumbnails in browser order (learned-by-all epoch by default, or
// any measure or metric, either direction), filters by split, class, learned / never learned,
// epoch range and value range, the sort key under each thumbnail, and the detail panel of the
// current image. A set of images chosen elsewhere (the explorer's selection) can narrow the grid.
class ImageBrowser : public QWidget {
    Q_OBJECT
public:
    explicit ImageBrowser(QWidget* parent = nullptr);

    void setRun(std::shared_ptr<const RunImages> run);
    const std::shared_ptr<const RunImages>& run() const { return run_; }

    // Programmatic control; the controls follow.
    void setSort(const ImageSort& sort);
    void setFilter(const ImageFilter& filter);
    // Shows only these images (e.g. the explorer's selection), described in the filter bar.
    // `plotted` are the columns (names) of the plot they were selected on: the keys CSV gets their
    // values while the selection is shown.
    void showOnly(const std::vector<std::uint32_t>& images, const QString& description,
                  const std::vector<std::string>& plotted = {});
    void clearShowOnly();

    // Selected images in browser order; the current one in the detail panel.
    std::vector<std::uint32_t> selectedImages() const;
    void selectImages(const std::vector<std::uint32_t>& images);
    // Selects one image and shows it in the detail panel; filters that hide it are cleared.
    void openImage(std::uint32_t image);
    int currentImage() const;

    // Export of the selection (the whole grid when nothing is selected). The CSV's extra columns
    // are the plotted ones of an explorer selection, else the sort key's column.
    std::vector<int> exportedColumns() const;
    void exportSelectionCsv(const QString& path) const;
    bool exportContactSheet(const QString& path) const;
    std::vector<std::uint32_t> exportedImages() const;

    ImageBrowserModel* model() const { return model_; }
    QListView* view() const { return view_; }
    DetailPanel* detail() const { return detail_; }
    QString countText() const;

signals:
    void selectionChanged(const std::vector<std::uint32_t>& images);
    void currentImageChanged(int image);

private:
    void buildControls();
    void fillControls();
    void applyControls();
    void updateValueRange();
    void onCurrentChanged();
    void chooseCsv();
    void chooseContactSheet();

    std::shared_ptr<const RunImages> run_;
    ImageBrowserModel* model_ = nullptr;
    ThumbnailDelegate* delegate_ = nullptr;
    QListView* view_ = nullptr;
    DetailPanel* detail_ = nullptr;
    QComboBox* sortBox_ = nullptr;
    QToolButton* descending_ = nullptr;
    QComboBox* splitBox_ = nullptr;
    QComboBox* classBox_ = nullptr;
    QComboBox* learnedBox_ = nullptr;
    QSpinBox* minEpoch_ = nullptr;
    QSpinBox* maxEpoch_ = nullptr;
    QComboBox* valueBox_ = nullptr;
    QDoubleSpinBox* minValue_ = nullptr;
    QDoubleSpinBox* maxValue_ = nullptr;
    QSlider* zoom_ = nullptr;
    QLabel* count_ = nullptr;
    QWidget* onlyBar_ = nullptr;
    QLabel* onlyLabel_ = nullptr;
    std::vector<std::uint8_t> only_;
    std::vector<std::string> plotted_;
    bool updating_ = false;
};

}  // namespace orderlens::ui
