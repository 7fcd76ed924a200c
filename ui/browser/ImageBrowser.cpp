#include "browser/ImageBrowser.h"

#include "browser/DetailPanel.h"
#include "browser/ImageBrowserModel.h"
#include "browser/ThumbnailDelegate.h"
#include "common/Errors.h"
#include "export/SaveTarget.h"
#include "export/SelectionExport.h"
#include "layout/FlowLayout.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QMessageBox>
#include <QScrollArea>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace orderlens::ui {

namespace {
// Thumbnail edge lengths the zoom slider offers, in pixels.
constexpr int kMinThumbnail = 32;
constexpr int kMaxThumbnail = 192;
constexpr int kDefaultThumbnail = 64;
// Contact sheets are this many images wide.
constexpr int kContactSheetColumns = 10;

}  // namespace

ImageBrowser::ImageBrowser(QWidget* parent) : QWidget(parent)
{
    model_ = new ImageBrowserModel(this);
    delegate_ = new ThumbnailDelegate(this);
    view_ = new QListView;
    // A wrapping list rather than IconMode: with uniform sizes it lays out 1.28 M cells in tens of
    // milliseconds (IconMode keeps a geometry per item and takes about five times as long).
    view_->setViewMode(QListView::ListMode);
    view_->setFlow(QListView::LeftToRight);
    view_->setWrapping(true);
    view_->setUniformItemSizes(true);
    view_->setResizeMode(QListView::Adjust);
    view_->setMovement(QListView::Static);
    view_->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    view_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    view_->setSpacing(0);
    view_->setItemDelegate(delegate_);
    view_->setModel(model_);
    view_->setGridSize(delegate_->cellSize());
    view_->setStyleSheet("QListView { background: white; }");

    detail_ = new DetailPanel;
    auto* detailScroll = new QScrollArea;
    detailScroll->setWidget(detail_);
    detailScroll->setWidgetResizable(true);
    detailScroll->setMinimumWidth(2 * DetailPanel::kMinImageSide + 70);  // the image and its edge map

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    buildControls();
    auto* split = new QSplitter;
    split->addWidget(view_);
    split->addWidget(detailScroll);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);

    connect(model_, &ImageBrowserModel::orderChanged, this, [this] { count_->setText(countText()); });
    connect(view_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { emit selectionChanged(selectedImages()); });
    connect(view_->selectionModel(), &QItemSelectionModel::currentChanged, this, &ImageBrowser::onCurrentChanged);
    connect(model_, &QAbstractItemModel::modelReset, this, [this] {
        detail_->showImage(-1);
        emit selectionChanged({});
    });
}

void ImageBrowser::buildControls()
{
    // Two bars of controls that wrap in a narrow window rather than cut their labels.
    auto* bar = new FlowLayout;
    auto* bar2 = new FlowLayout;
    auto label = [](const QString& text) { return new QLabel(text); };
    sortBox_ = new QComboBox;
    sortBox_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    sortBox_->setToolTip(tr("Sort key; its value is shown under each thumbnail"));
    descending_ = new QToolButton;
    descending_->setCheckable(true);
    descending_->setArrowType(Qt::UpArrow);
    descending_->setToolTip(tr("Ascending (click for descending)"));
    splitBox_ = new QComboBox;
    splitBox_->addItem(tr("both"), -1);
    splitBox_->addItem(tr("train"), int(Split::Train));
    splitBox_->addItem(tr("test"), int(Split::Test));
    classBox_ = new QComboBox;
    classBox_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    learnedBox_ = new QComboBox;
    learnedBox_->addItem(tr("all images"), int(ImageFilter::Learned::Any));
    learnedBox_->addItem(tr("learned"), int(ImageFilter::Learned::Learned));
    learnedBox_->addItem(tr("never learned"), int(ImageFilter::Learned::Never));
    minEpoch_ = new QSpinBox;
    maxEpoch_ = new QSpinBox;
    minEpoch_->setToolTip(tr("Learned-by-all epoch from (excludes never-learned images when narrowed)"));
    maxEpoch_->setToolTip(tr("Learned-by-all epoch to"));
    valueBox_ = new QComboBox;
    valueBox_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    minValue_ = new QDoubleSpinBox;
    maxValue_ = new QDoubleSpinBox;
    for (QDoubleSpinBox* s : {minValue_, maxValue_}) {
        s->setDecimals(4);
        s->setEnabled(false);
        s->setKeyboardTracking(false);
    }
    for (QSpinBox* s : {minEpoch_, maxEpoch_})
        s->setKeyboardTracking(false);
    zoom_ = new QSlider(Qt::Horizontal);
    zoom_->setRange(kMinThumbnail, kMaxThumbnail);
    zoom_->setValue(kDefaultThumbnail);
    // A fixed length: in a crowded bar a slider would otherwise shrink to nothing.
    zoom_->setFixedWidth(110);
    zoom_->setToolTip(tr("Thumbnail size"));
    count_ = new QLabel;
    auto* csv = new QToolButton;
    csv->setText(tr("Keys CSV…"));
    csv->setToolTip(tr("Export the keys of the selected images (all shown images when none is selected)"));
    auto* sheet = new QToolButton;
    sheet->setText(tr("Contact sheet…"));
    sheet->setToolTip(tr("Save the selected images (all shown images when none is selected) as one PNG"));

    bar->addGroup({label(tr("Sort by")), sortBox_, descending_});
    bar->addSpacing(12);
    bar->addLabelled(tr("Split"), splitBox_);
    bar->addLabelled(tr("Class"), classBox_);
    bar->addWidget(learnedBox_);
    bar->addSpacing(12);
    bar->addGroup({label(tr("Learned in epochs")), minEpoch_, label(tr("to")), maxEpoch_});
    bar2->addGroup({label(tr("Value filter")), valueBox_, label(tr("from")), minValue_, label(tr("to")), maxValue_});
    bar2->addSpacing(12);
    bar2->addLabelled(tr("Size"), zoom_);
    bar2->addStretch();
    bar2->addWidget(count_);
    bar2->addSpacing(12);
    bar2->addGroup({csv, sheet});

    onlyBar_ = new QWidget;
    auto* onlyLayout = new QHBoxLayout(onlyBar_);
    onlyLayout->setContentsMargins(6, 2, 6, 2);
    onlyBar_->setStyleSheet("QWidget { background: #fff4d6; }");
    onlyLabel_ = new QLabel;
    auto* clearOnly = new QToolButton;
    clearOnly->setText(tr("Show all"));
    onlyLayout->addWidget(onlyLabel_, 1);
    onlyLayout->addWidget(clearOnly);
    onlyBar_->hide();

    auto* outer = static_cast<QVBoxLayout*>(layout());
    outer->addLayout(bar);
    outer->addLayout(bar2);
    outer->addWidget(onlyBar_);

    auto apply = [this] { applyControls(); };
    connect(sortBox_, &QComboBox::currentIndexChanged, this, apply);
    connect(descending_, &QToolButton::toggled, this, [this](bool on) {
        descending_->setArrowType(on ? Qt::DownArrow : Qt::UpArrow);
        descending_->setToolTip(on ? tr("Descending (click for ascending)") : tr("Ascending (click for descending)"));
        applyControls();
    });
    for (QComboBox* c : {splitBox_, classBox_, learnedBox_})
        connect(c, &QComboBox::currentIndexChanged, this, apply);
    for (QSpinBox* s : {minEpoch_, maxEpoch_})
        connect(s, &QSpinBox::valueChanged, this, apply);
    connect(valueBox_, &QComboBox::currentIndexChanged, this, [this] {
        updateValueRange();
        applyControls();
    });
    for (QDoubleSpinBox* s : {minValue_, maxValue_})
        connect(s, &QDoubleSpinBox::valueChanged, this, apply);
    connect(zoom_, &QSlider::valueChanged, this, [this](int side) {
        delegate_->setThumbnailSize(side);
        model_->setThumbnailSize(side);
        view_->setGridSize(delegate_->cellSize());
    });
    connect(clearOnly, &QToolButton::clicked, this, &ImageBrowser::clearShowOnly);
    connect(csv, &QToolButton::clicked, this, &ImageBrowser::chooseCsv);
    connect(sheet, &QToolButton::clicked, this, &ImageBrowser::chooseContactSheet);
}

void ImageBrowser::setRun(std::shared_ptr<const RunImages> run)
{
    run_ = std::move(run);
    only_.clear();
    onlyBar_->hide();
    detail_->setRun(run_);
    fillControls();
    model_->setRun(run_);
    applyControls();
}

void ImageBrowser::fillControls()
{
    updating_ = true;
    sortBox_->clear();
    classBox_->clear();
    valueBox_->clear();
    sortBox_->addItem(tr("Learned-by-all epoch"), -1);
    classBox_->addItem(tr("every class"), -1);
    valueBox_->addItem(tr("none"), -1);
    if (run_) {
        const auto& columns = run_->table().columns;
        for (std::size_t c = 0; c < columns.size(); ++c) {
            if (columns[c].name != "learned_epoch")
                sortBox_->addItem(columnTitle(columns[c]), int(c));
            valueBox_->addItem(columnTitle(columns[c]), int(c));
            const QString name = QString::fromStdString(columns[c].name);
            sortBox_->setItemData(sortBox_->count() - 1, name, Qt::ToolTipRole);
            valueBox_->setItemData(valueBox_->count() - 1, name, Qt::ToolTipRole);
        }
        for (std::size_t k = 0; k < run_->classNames().size(); ++k)
            classBox_->addItem(QString::fromStdString(run_->classNames()[k]), int(k));
        const int first = run_->analysis().firstEpoch, last = std::max(first, run_->analysis().endEpoch - 1);
        for (QSpinBox* s : {minEpoch_, maxEpoch_})
            s->setRange(first, last);
        minEpoch_->setValue(first);
        maxEpoch_->setValue(last);
    }
    splitBox_->setCurrentIndex(0);
    learnedBox_->setCurrentIndex(0);
    descending_->setChecked(false);
    updating_ = false;
    updateValueRange();
}

void ImageBrowser::updateValueRange()
{
    const int c = valueBox_->currentData().toInt();
    const bool on = run_ && c >= 0;
    minValue_->setEnabled(on);
    maxValue_->setEnabled(on);
    if (!on)
        return;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : run_->table().columns[std::size_t(c)].values)
        if (!std::isnan(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    if (!std::isfinite(lo))
        lo = hi = 0;
    const bool was = updating_;
    updating_ = true;
    for (QDoubleSpinBox* s : {minValue_, maxValue_}) {
        s->setRange(lo, hi);
        s->setSingleStep(hi > lo ? (hi - lo) / 100 : 1);
    }
    minValue_->setValue(lo);
    maxValue_->setValue(hi);
    updating_ = was;
}

void ImageBrowser::applyControls()
{
    if (updating_ || !run_)
        return;
    ImageFilter f;
    const int split = splitBox_->currentData().toInt();
    f.anySplit = split < 0;
    if (!f.anySplit)
        f.split = Split(split);
    f.label = classBox_->currentData().toInt();
    f.learned = ImageFilter::Learned(learnedBox_->currentData().toInt());
    if (minEpoch_->value() > minEpoch_->minimum() || maxEpoch_->value() < maxEpoch_->maximum()) {
        f.minEpoch = minEpoch_->value();
        f.maxEpoch = maxEpoch_->value();
    }
    f.column = valueBox_->currentData().toInt();
    if (f.column >= 0) {
        // The spin boxes round to their decimals; widen by half a step so the end values stay in.
        const double slack = 0.5 * std::pow(10.0, -minValue_->decimals());
        f.minValue = minValue_->value() <= minValue_->minimum() ? -std::numeric_limits<double>::infinity()
                                                                : minValue_->value() - slack;
        f.maxValue = maxValue_->value() >= maxValue_->maximum() ? std::numeric_limits<double>::infinity()
                                                                : maxValue_->value() + slack;
    }
    f.only = only_;
    ImageSort s;
    s.column = sortBox_->currentData().toInt();
    s.descending = descending_->isChecked();
    const bool sortChanged = s.column != model_->sort().column || s.descending != model_->sort().descending;
    if (sortChanged) {
        // One reorder for both changes.
        const bool blocked = model_->blockSignals(true);
        model_->setSort(s);
        model_->blockSignals(blocked);
    }
    model_->setFilter(f);
}

void ImageBrowser::setSort(const ImageSort& sort)
{
    updating_ = true;
    sortBox_->setCurrentIndex(std::max(0, sortBox_->findData(sort.column)));
    descending_->setChecked(sort.descending);
    updating_ = false;
    applyControls();
}

void ImageBrowser::setFilter(const ImageFilter& filter)
{
    updating_ = true;
    splitBox_->setCurrentIndex(std::max(0, splitBox_->findData(filter.anySplit ? -1 : int(filter.split))));
    classBox_->setCurrentIndex(std::max(0, classBox_->findData(filter.label)));
    learnedBox_->setCurrentIndex(std::max(0, learnedBox_->findData(int(filter.learned))));
    minEpoch_->setValue(filter.epochRangeSet() ? std::max(filter.minEpoch, minEpoch_->minimum()) : minEpoch_->minimum());
    maxEpoch_->setValue(filter.epochRangeSet() ? std::min(filter.maxEpoch, maxEpoch_->maximum()) : maxEpoch_->maximum());
    valueBox_->setCurrentIndex(std::max(0, valueBox_->findData(filter.column)));
    updating_ = false;
    updateValueRange();
    if (filter.column >= 0) {
        updating_ = true;
        if (std::isfinite(filter.minValue))
            minValue_->setValue(filter.minValue);
        if (std::isfinite(filter.maxValue))
            maxValue_->setValue(filter.maxValue);
        updating_ = false;
    }
    if (!filter.only.empty())
        only_ = filter.only;
    applyControls();
}

void ImageBrowser::showOnly(const std::vector<std::uint32_t>& images, const QString& description,
                            const std::vector<std::string>& plotted)
{
    if (!run_)
        return;
    plotted_ = plotted;
    only_.assign(run_->size(), 0);
    for (std::uint32_t i : images)
        if (i < only_.size())
            only_[i] = 1;
    onlyLabel_->setText(tr("Showing %1 images: %2").arg(images.size()).arg(description));
    onlyBar_->show();
    applyControls();
}

void ImageBrowser::clearShowOnly()
{
    only_.clear();
    plotted_.clear();
    onlyBar_->hide();
    applyControls();
}

std::vector<std::uint32_t> ImageBrowser::selectedImages() const
{
    QModelIndexList rows = view_->selectionModel()->selectedIndexes();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
    std::vector<std::uint32_t> out;
    out.reserve(std::size_t(rows.size()));
    for (const QModelIndex& r : rows)
        out.push_back(model_->imageAt(r.row()));
    return out;
}

void ImageBrowser::selectImages(const std::vector<std::uint32_t>& images)
{
    QItemSelection selection;
    int first = -1;
    for (std::uint32_t i : images) {
        const int row = model_->rowOf(i);
        if (row < 0)
            continue;
        const QModelIndex index = model_->index(row);
        selection.select(index, index);
        if (first < 0)
            first = row;
    }
    view_->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    if (first >= 0) {
        view_->selectionModel()->setCurrentIndex(model_->index(first), QItemSelectionModel::NoUpdate);
        view_->scrollTo(model_->index(first));
    }
}

void ImageBrowser::openImage(std::uint32_t image)
{
    if (model_->rowOf(image) < 0) {
        clearShowOnly();
        setFilter({});
    }
    selectImages({image});
}

int ImageBrowser::currentImage() const { return detail_->image(); }

void ImageBrowser::onCurrentChanged()
{
    const QModelIndex current = view_->selectionModel()->currentIndex();
    const int image = current.isValid() ? int(model_->imageAt(current.row())) : -1;
    detail_->showImage(image);
    emit currentImageChanged(image);
}

QString ImageBrowser::countText() const
{
    if (!run_)
        return {};
    return tr("%L1 of %L2 images").arg(model_->rowCount()).arg(run_->size());
}

std::vector<std::uint32_t> ImageBrowser::exportedImages() const
{
    std::vector<std::uint32_t> images = selectedImages();
    return images.empty() ? model_->order() : images;
}

std::vector<int> ImageBrowser::exportedColumns() const
{
    std::vector<int> columns;
    if (!run_)
        return columns;
    for (const std::string& name : plotted_) {
        if (name == "learned_epoch")
            continue;  // a column of its own already
        const int c = run_->table().columnIndex(name);
        if (c >= 0 && std::find(columns.begin(), columns.end(), c) == columns.end())
            columns.push_back(c);
    }
    if (plotted_.empty() && model_->sort().column >= 0 &&
        run_->table().columns[std::size_t(model_->sort().column)].name != "learned_epoch")
        columns.push_back(model_->sort().column);
    return columns;
}

void ImageBrowser::exportSelectionCsv(const QString& path) const
{
    if (run_)
        writeSelectionCsv(path, *run_, exportedImages(), exportedColumns());
}

bool ImageBrowser::exportContactSheet(const QString& path) const
{
    if (!run_)
        return false;
    const QImage sheet = contactSheet(*run_, exportedImages(), kContactSheetColumns, std::max(64, model_->thumbnailSize()),
                                      [this](std::uint32_t i) { return model_->caption(i); });
    return sheet.save(path, "PNG");
}

void ImageBrowser::chooseCsv()
{
    const QString path = chooseSavePath(this, tr("Export image keys"), QStringLiteral("selection.csv"), tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    try {
        exportSelectionCsv(path);
        announceSaved(this, tr("Keys of %n images", nullptr, int(exportedImages().size())), path);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Export image keys"), QString::fromUtf8(e.what()));
    }
}

void ImageBrowser::chooseContactSheet()
{
    const QString path = chooseSavePath(this, tr("Save contact sheet"), QStringLiteral("contact-sheet.png"), tr("PNG images (*.png)"));
    if (path.isEmpty())
        return;
    if (exportContactSheet(path))
        announceSaved(this, tr("Contact sheet of %n images", nullptr,
                               int(std::min(exportedImages().size(), kContactSheetLimit))),
                      path);
    else
        QMessageBox::warning(this, tr("Save contact sheet"), tr("Could not write %1").arg(path));
}

}  // namespace orderlens::ui
