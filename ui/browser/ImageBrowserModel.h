#pragma once

#include "browser/ImageTable.h"
#include "browser/RunImages.h"

#include <QAbstractListModel>
#include <QCache>
#include <QPixmap>

#include <memory>
#include <set>
#include <vector>

namespace orderlens::ui {

// The images of a run in browser order: one row per image that passes the filter, sorted by the
// chosen key. Sorting and filtering work on the run's ImageTable (index vectors, radix sort), and
// thumbnails are made only when a view asks for a row, then kept in an LRU cache, so a view over
// 1.28 M images costs what its visible cells cost.
class ImageBrowserModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        ImageIndexRole = Qt::UserRole + 1,  // manifest index (int)
        KeyRole,                            // image key (QString)
        SortValueRole,                      // the sort key as a number (double; never = inf)
        NeverLearnedRole,                   // bool
    };
    // Thumbnails kept at once (each a few KB at the default cell size).
    static constexpr int kThumbnailCacheSize = 6000;
    // Images up to this many bytes (64 x 64 RGB) are scaled on the spot; larger ones on a worker
    // thread, the cell showing an empty tile until its thumbnail arrives, so scrolling through
    // ImageNet-sized images never waits for scaling.
    static constexpr std::size_t kImmediateThumbnailBytes = 64 * 64 * 3;

    explicit ImageBrowserModel(QObject* parent = nullptr);

    void setRun(std::shared_ptr<const RunImages> run);
    const std::shared_ptr<const RunImages>& run() const { return run_; }
    void setFilter(const ImageFilter& filter);
    void setSort(const ImageSort& sort);
    const ImageFilter& filter() const { return filter_; }
    const ImageSort& sort() const { return sort_; }
    // Edge length of the square thumbnails, in pixels.
    void setThumbnailSize(int pixels);
    int thumbnailSize() const { return thumbnailSize_; }

    // Manifest index of a row, and the row of an image (-1 when filtered out).
    std::uint32_t imageAt(int row) const { return order_[std::size_t(row)]; }
    int rowOf(std::uint32_t image) const;
    const std::vector<std::uint32_t>& order() const { return order_; }
    // The caption under a thumbnail: the sort key's value ("epoch 3", "never", "0.412").
    QString caption(std::uint32_t image) const;
    // A thumbnail: small images enlarged by a whole factor with nearest-neighbour sampling (so
    // pixels stay sharp), large ones reduced smoothly. Null while a large image's thumbnail is
    // being made (dataChanged follows).
    QPixmap thumbnail(std::uint32_t image) const;
    // Thumbnails requested but not made yet.
    std::size_t pendingThumbnails() const { return pending_.size(); }

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;

signals:
    // The order changed (filter, sort or run); `shown` rows of `total` images.
    void orderChanged(int shown, int total);

private:
    void reorder();
    void thumbnailMade(std::uint32_t image, std::uint64_t generation, const QImage& thumbnail);

    std::shared_ptr<const RunImages> run_;
    ImageFilter filter_;
    ImageSort sort_;
    std::vector<std::uint32_t> order_;
    mutable std::vector<std::int32_t> rowOf_;  // built on first rowOf() after a reorder
    int thumbnailSize_ = 64;
    mutable QCache<std::uint32_t, QPixmap> thumbnails_;
    mutable std::set<std::uint32_t> pending_;
    std::uint64_t generation_ = 0;  // bumped when thumbnails in flight become stale
};

// Scales an image to fit a square of `side` pixels the way the browser does (see thumbnail()).
QImage fitImage(const QImage& image, int side);

}  // namespace orderlens::ui
