#include "setup/DatasetPreview.h"

#include "common/Errors.h"
#include "dataset/DatasetReader.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>
#include <QtConcurrent>


namespace orderlens::ui {

namespace {
// Thumbnails are shown at this side (pixels), scaled without smoothing so that 28 x 28 digits
// stay crisp.
constexpr int kThumbnailSide = 44;

QImage toQImage(const DatasetOutline::Sample& sample)
{
    const QImage::Format format = sample.channels == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888;
    const QImage view(sample.pixels.data(), sample.width, sample.height, sample.width * sample.channels, format);
    return view.copy();  // the outline's buffer dies with the worker
}
}  // namespace

DatasetSummary DatasetSummary::load(const QString& spec)
{
    DatasetSummary s;
    s.spec = spec;
    try {
        // The outline: counts and sizes without decoding the whole dataset (all of ImageNet).
        const DatasetOutline outline = outlineDataset(spec.toStdString(), DatasetPreview::kPreviewSamples);
        s.trainImages = qsizetype(outline.trainImages);
        s.testImages = qsizetype(outline.testImages);
        s.classes = int(outline.classNames.size());
        s.multiLabel = outline.multiLabel;
        s.height = outline.height;
        s.width = outline.width;
        s.channels = outline.channels;
        s.smallestSide = outline.smallestSide;
        for (const DatasetOutline::Sample& sample : outline.samples) {
            s.samples.push_back(toQImage(sample));
            s.sampleLabels.push_back(QString::fromStdString(outline.classNames[std::size_t(sample.label)]));
        }
    } catch (const std::exception& e) {
        s.error = QString::fromStdString(e.what());
    }
    return s;
}

DatasetPreview::DatasetPreview(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    status_ = new QLabel(this);
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(status_);
    thumbnails_ = new QHBoxLayout;
    thumbnails_->setSpacing(4);
    layout->addLayout(thumbnails_);
    setMinimumHeight(kThumbnailSide + 40);
    connect(&watcher_, &QFutureWatcher<DatasetSummary>::finished, this, &DatasetPreview::finishLoad);
}

void DatasetPreview::setSpec(const QString& spec)
{
    if (spec == requested_)
        return;
    requested_ = spec;
    loading_ = true;
    status_->setText(tr("Reading %1 ...").arg(spec));
    status_->setStyleSheet("color: palette(mid);");
    if (!watcher_.isRunning())
        watcher_.setFuture(QtConcurrent::run(&DatasetSummary::load, spec));
    emit summaryChanged();
}

void DatasetPreview::clear(const QString& why)
{
    requested_.clear();
    summary_ = DatasetSummary();
    loading_ = false;
    showSummary();
    status_->setText(why);
    status_->setStyleSheet("color: palette(dark);");
    emit summaryChanged();
}

void DatasetPreview::finishLoad()
{
    const DatasetSummary result = watcher_.result();
    if (requested_.isEmpty())
        return;  // cleared while it loaded
    if (result.spec != requested_) {
        // The user changed the dataset while this one loaded: read the latest one now.
        watcher_.setFuture(QtConcurrent::run(&DatasetSummary::load, requested_));
        return;
    }
    summary_ = result;
    loading_ = false;
    showSummary();
    emit summaryChanged();
}

void DatasetPreview::showSummary()
{
    while (QLayoutItem* item = thumbnails_->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    if (!summary_.ok()) {
        status_->setText(summary_.error);
        status_->setStyleSheet("color: #b03a00;");
        return;
    }
    const QLocale locale;
    QString geometry = summary_.height         ? tr("%1 x %2").arg(summary_.height).arg(summary_.width)
                       : summary_.smallestSide ? tr("varying sizes (smallest side %1)").arg(summary_.smallestSide)
                                               : tr("sizes read when training starts");
    geometry += summary_.channels == 1 ? tr(", grey") : summary_.channels == 3 ? tr(", colour") : QString();
    status_->setText(tr("<b>%1</b> training and <b>%2</b> test images, %3 classes%4; %5")
                         .arg(locale.toString(summary_.trainImages), locale.toString(summary_.testImages))
                         .arg(summary_.classes)
                         .arg(summary_.multiLabel ? tr(" (multi-label)") : QString(), geometry));
    status_->setStyleSheet(QString());
    for (int i = 0; i < summary_.samples.size(); ++i) {
        auto* thumb = new QLabel(this);
        thumb->setPixmap(QPixmap::fromImage(
            summary_.samples[i].scaled(kThumbnailSide, kThumbnailSide, Qt::KeepAspectRatio, Qt::FastTransformation)));
        thumb->setToolTip(summary_.sampleLabels[i]);
        thumb->setFrameShape(QFrame::StyledPanel);
        thumbnails_->addWidget(thumb);
    }
    thumbnails_->addStretch(1);
}

}  // namespace orderlens::ui
