#include "browser/ImageBrowserModel.h"

#include "analysis/LearningMeasures.h"

#include <QCoreApplication>
#include <QPointer>
#include <QThreadPool>

#include <cmath>

namespace orderlens::ui {

ImageBrowserModel::ImageBrowserModel(QObject* parent) : QAbstractListModel(parent)
{
    thumbnails_.setMaxCost(kThumbnailCacheSize);
}

void ImageBrowserModel::setRun(std::shared_ptr<const RunImages> run)
{
    run_ = std::move(run);
    filter_ = {};
    sort_ = {};
    thumbnails_.clear();
    pending_.clear();
    ++generation_;
    reorder();
}

void ImageBrowserModel::setFilter(const ImageFilter& filter)
{
    filter_ = filter;
    reorder();
}

void ImageBrowserModel::setSort(const ImageSort& sort)
{
    sort_ = sort;
    reorder();
}

void ImageBrowserModel::setThumbnailSize(int pixels)
{
    if (pixels == thumbnailSize_)
        return;
    beginResetModel();
    thumbnailSize_ = pixels;
    thumbnails_.clear();
    pending_.clear();
    ++generation_;
    endResetModel();
}

void ImageBrowserModel::reorder()
{
    beginResetModel();
    order_ = run_ ? orderImages(run_->table(), filter_, sort_) : std::vector<std::uint32_t>{};
    rowOf_.clear();
    endResetModel();
    emit orderChanged(int(order_.size()), run_ ? int(run_->size()) : 0);
}

int ImageBrowserModel::rowOf(std::uint32_t image) const
{
    if (!run_ || image >= run_->size())
        return -1;
    if (rowOf_.empty()) {
        rowOf_.assign(run_->size(), -1);
        for (std::size_t r = 0; r < order_.size(); ++r)
            rowOf_[order_[r]] = std::int32_t(r);
    }
    return rowOf_[image];
}

int ImageBrowserModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(order_.size());
}

QString ImageBrowserModel::caption(std::uint32_t image) const
{
    if (sort_.column < 0) {
        const int e = run_->table().learnedEpoch[image];
        return e == kNeverLearned ? tr("never") : tr("epoch %1").arg(e);
    }
    const ImageColumn& column = run_->table().columns[std::size_t(sort_.column)];
    const double v = column.values[image];
    if (std::isnan(v))
        return tr("n/a");
    return column.integer ? QString::number(v, 'f', 0) : QString::number(v, 'g', 4);
}

QImage fitImage(const QImage& image, int side)
{
    if (image.isNull())
        return {};
    const int longest = std::max(image.width(), image.height());
    if (longest <= side) {
        const int factor = std::max(1, side / longest);
        return image.scaled(image.width() * factor, image.height() * factor, Qt::KeepAspectRatio,
                            Qt::FastTransformation);
    }
    return image.scaled(side, side, Qt::KeepAspectRatio, Qt::SmoothTransformation);
}

QPixmap ImageBrowserModel::thumbnail(std::uint32_t image) const
{
    if (QPixmap* cached = thumbnails_.object(image))
        return *cached;
    if (!run_->dataset() || run_->dataset()->image(image).bytes() <= kImmediateThumbnailBytes) {
        QPixmap pixmap = QPixmap::fromImage(fitImage(run_->image(image), thumbnailSize_));
        thumbnails_.insert(image, new QPixmap(pixmap), 1);
        return pixmap;
    }
    if (pending_.insert(image).second) {
        // The worker owns a reference to the run; the result comes back through the event loop
        // and is dropped if the model is gone or its thumbnails changed meanwhile.
        QPointer<ImageBrowserModel> self(const_cast<ImageBrowserModel*>(this));
        std::shared_ptr<const RunImages> run = run_;
        const int side = thumbnailSize_;
        const std::uint64_t generation = generation_;
        QThreadPool::globalInstance()->start([self, run, image, side, generation] {
            const QImage thumb = fitImage(run->image(image), side);
            QMetaObject::invokeMethod(QCoreApplication::instance(), [self, image, generation, thumb] {
                if (self)
                    self->thumbnailMade(image, generation, thumb);
            });
        });
    }
    return {};
}

void ImageBrowserModel::thumbnailMade(std::uint32_t image, std::uint64_t generation, const QImage& thumbnail)
{
    if (generation != generation_)
        return;
    pending_.erase(image);
    thumbnails_.insert(image, new QPixmap(QPixmap::fromImage(thumbnail)), 1);
    const int row = rowOf(image);
    if (row >= 0)
        emit dataChanged(index(row), index(row), {Qt::DecorationRole});
}

QVariant ImageBrowserModel::data(const QModelIndex& index, int role) const
{
    if (!run_ || !index.isValid() || index.row() >= int(order_.size()))
        return {};
    const std::uint32_t image = order_[std::size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return caption(image);
    case Qt::DecorationRole:
        return run_->hasImages() ? QVariant(thumbnail(image)) : QVariant();
    case Qt::ToolTipRole:
        return tr("%1\n%2, %3 split\nlearned by all: %4")
            .arg(QString::fromStdString(run_->key(image)), run_->className(image), splitName(run_->split(image)),
                 run_->table().learnedEpoch[image] == kNeverLearned
                     ? tr("never")
                     : QString::number(run_->table().learnedEpoch[image]));
    case ImageIndexRole:
        return int(image);
    case KeyRole:
        return QString::fromStdString(run_->key(image));
    case SortValueRole:
        return sortValue(run_->table(), sort_, image);
    case NeverLearnedRole:
        return run_->table().learnedEpoch[image] == kNeverLearned;
    default:
        return {};
    }
}

}  // namespace orderlens::ui
