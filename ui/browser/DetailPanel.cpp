#include "browser/DetailPanel.h"

#include "analysis/LearningMeasures.h"
#include "browser/ImageBrowserModel.h"
#include "browser/RecordStrip.h"
#include "statistics/CrispBoundaries.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QtConcurrent>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace orderlens::ui {

namespace {

QString epochText(int epoch) { return epoch == kNeverLearned ? QObject::tr("never") : QString::number(epoch); }

// The crisp boundary map of an image as an 8-bit grey picture (empty when the image is too small).
QImage edgeMapImage(const ImageView& view, std::uint64_t seed)
{
    const crisp::BoundaryMap map = crisp::boundaries(view, seed);
    if (map.values.empty())
        return {};
    const std::vector<std::uint8_t> pixels = crisp::previewPixels(map);
    QImage out(map.width, map.height, QImage::Format_Grayscale8);
    for (int r = 0; r < map.height; ++r)
        std::copy_n(&pixels[std::size_t(r) * std::size_t(map.width)], map.width, out.scanLine(r));
    return out;
}

QString valueString(const ImageColumn& column, double v)
{
    if (std::isnan(v))
        return QObject::tr("missing");
    return column.integer ? QString::number(v, 'f', 0) : QString::number(v, 'g', 5);
}

}  // namespace

DetailPanel::DetailPanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    picture_ = new QLabel;
    picture_->setAlignment(Qt::AlignCenter);
    picture_->setMinimumSize(kMinImageSide, kMinImageSide);
    picture_->setStyleSheet("QLabel { background: #f2f2f2; border: 1px solid #d8d8d8; }");
    edgeMapLabel_ = new QLabel;
    edgeMapLabel_->setAlignment(Qt::AlignCenter);
    edgeMapLabel_->setMinimumSize(kMinImageSide, kMinImageSide);
    edgeMapLabel_->setWordWrap(true);
    edgeMapLabel_->setStyleSheet("QLabel { background: #f2f2f2; border: 1px solid #d8d8d8; color: #555; }");
    edgeMapLabel_->setToolTip(tr("Crisp boundaries (Isola et al. 2014, 'speedy'): the map whose sum is the "
                                 "study's edge strength; white = the image's strongest boundary"));
    edgeWatcher_ = new QFutureWatcher<QImage>(this);
    connect(edgeWatcher_, &QFutureWatcher<QImage>::finished, this,
            [this] { showEdgeMap(edgeMapImage_, edgeWatcher_->result()); });
    title_ = new QLabel;
    title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = title_->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() + 1);
    title_->setFont(bold);
    title_->setWordWrap(true);
    facts_ = new QLabel;
    facts_->setWordWrap(true);
    facts_->setTextFormat(Qt::RichText);
    strip_ = new RecordStrip;
    predictionsTitle_ = new QLabel;
    predictionsTitle_->setWordWrap(true);
    predictions_ = new QTableWidget;
    predictions_->setObjectName("predictions");
    predictions_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    predictions_->setSelectionMode(QAbstractItemView::NoSelection);
    predictions_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    values_ = new QTableWidget(0, 2);
    values_->setHorizontalHeaderLabels({tr("Measure or statistic"), tr("Value")});
    values_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    values_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    values_->verticalHeader()->hide();
    values_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    values_->setSelectionMode(QAbstractItemView::NoSelection);
    values_->setAlternatingRowColors(true);

    auto* stripTitle = new QLabel(tr("<b>Records</b> (network x epoch; green = correct, shade = p_true, tick = learned)"));
    stripTitle->setWordWrap(true);
    // The pictures follow the panel's width (showPictures), not their pixmaps' size.
    for (QLabel* l : {picture_, edgeMapLabel_})
        l->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    auto* pictures = new QHBoxLayout;
    pictures->addWidget(picture_);
    pictures->addWidget(edgeMapLabel_);
    layout->addLayout(pictures);
    layout->addWidget(title_);
    layout->addWidget(facts_);
    layout->addWidget(stripTitle);
    layout->addWidget(strip_);
    layout->addWidget(predictionsTitle_);
    layout->addWidget(predictions_);
    auto* valuesTitle = new QLabel(tr("<b>Values</b> (measures of learning in black, image statistics in blue)"));
    valuesTitle->setWordWrap(true);
    layout->addWidget(valuesTitle);
    layout->addWidget(values_, 1);
    showImage(-1);
}

void DetailPanel::setRun(std::shared_ptr<const RunImages> run)
{
    run_ = std::move(run);
    showImage(-1);
}

QString DetailPanel::title() const { return title_->text(); }

void DetailPanel::showImage(int image)
{
    image_ = run_ && image >= 0 && std::size_t(image) < run_->size() ? image : -1;
    values_->setRowCount(0);
    if (image_ < 0) {
        shownImage_ = {};
        picture_->setPixmap({});
        picture_->setText(tr("Select an image"));
        edgeMap_ = {};
        edgeMapLabel_->setPixmap({});
        edgeMapLabel_->clear();
        title_->clear();
        facts_->clear();
        strip_->setRecords({}, {});
        showPredictions({});
        return;
    }
    const std::size_t i = std::size_t(image_);
    const QImage img = run_->image(i);
    shownImage_ = img;
    if (img.isNull())
        picture_->setText(tr("image not available\n%1").arg(QString::fromStdString(run_->datasetProblem())));
    else
        showPictures();
    title_->setText(QString::fromStdString(run_->key(i)));
    edgeMap_ = {};
    edgeMapLabel_->setPixmap({});
    if (img.isNull()) {
        edgeMapLabel_->setText(tr("no crisp boundary map\n(image not available)"));
    } else {
        edgeMapLabel_->setText(tr("crisp boundaries\ncomputing..."));
        edgeMapImage_ = image_;
        // The run is captured so that its pixels outlive a switch to another run.
        edgeWatcher_->setFuture(QtConcurrent::run([run = run_, i] {
            return edgeMapImage(run->dataset()->image(i), crisp::imageSeed(run->seed(), run->key(i)));
        }));
    }

    const std::vector<int> perNetwork = run_->networkLearnedEpochs(i);
    QStringList nets;
    for (int e : perNetwork)
        nets << epochText(e);
    const int learned = run_->table().learnedEpoch[i];
    facts_->setText(tr("class <b>%1</b> &middot; %2 split<br>learned by all: <b>%3</b> &middot; first agreed: %4<br>"
                       "per network: %5")
                        .arg(run_->className(i).toHtmlEscaped(), splitName(run_->split(i)), epochText(learned),
                             epochText(run_->firstAgreedEpoch(i)), nets.join(QStringLiteral(", "))));
    const ImageRecords records = run_->records(i);
    strip_->setRecords(records, perNetwork);
    showPredictions(records);

    const auto& columns = run_->table().columns;
    values_->setRowCount(int(columns.size()));
    for (std::size_t c = 0; c < columns.size(); ++c) {
        auto* name = new QTableWidgetItem(columnTitle(columns[c]));
        name->setData(Qt::UserRole, QString::fromStdString(columns[c].name));
        name->setToolTip(QString::fromStdString(columns[c].name));
        if (!columns[c].measure)
            name->setForeground(QColor(0, 90, 140));
        values_->setItem(int(c), 0, name);
        QString text = valueString(columns[c], columns[c].values[i]);
        // Correlations count "never" as the end of the epoch range; say which it is.
        const bool never = (columns[c].name == "learned_epoch" && learned == kNeverLearned) ||
                           (columns[c].name == "first_agreed_epoch" && run_->firstAgreedEpoch(i) == kNeverLearned);
        if (never)
            text = std::isnan(columns[c].values[i]) ? tr("never") : tr("never (= %1)").arg(text);
        auto* value = new QTableWidgetItem(text);
        value->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        values_->setItem(int(c), 1, value);
    }
}

void DetailPanel::showEdgeMap(int image, QImage map)
{
    if (image != image_ || image < 0)
        return;  // a later image is shown by now
    edgeMap_ = map;
    if (map.isNull())
        edgeMapLabel_->setText(tr("too small for\ncrisp boundaries"));
    else
        showPictures();
    emit edgeMapShown();
}

int DetailPanel::imageSide() const
{
    const QMargins m = layout()->contentsMargins();
    const int room = (width() - m.left() - m.right() - layout()->spacing()) / 2 - 2;
    return std::clamp(room, kMinImageSide, kImageSide);
}

void DetailPanel::showPictures()
{
    const int side = imageSide();
    if (!shownImage_.isNull())
        picture_->setPixmap(QPixmap::fromImage(fitImage(shownImage_, side)));
    if (!edgeMap_.isNull())
        edgeMapLabel_->setPixmap(QPixmap::fromImage(fitImage(edgeMap_, side)));
    picture_->setFixedHeight(side);
    edgeMapLabel_->setFixedHeight(side);
}

void DetailPanel::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    showPictures();
}

void DetailPanel::showPredictions(const ImageRecords& records)
{
    predictions_->clear();
    const int nets = int(records.networks.size());
    const bool shown = !records.predicted.empty() && nets > 0 && records.epochs > 0;
    predictions_->setRowCount(shown ? records.epochs : 0);
    predictions_->setColumnCount(shown ? nets : 0);
    predictions_->setVisible(shown);
    if (image_ < 0) {
        predictionsTitle_->clear();
        return;
    }
    const QString what = run_->multiLabel() ? tr("predicted label sets") : tr("predicted classes");
    if (!shown) {
        predictionsTitle_->setText(records.epochs > 0 ? tr("<b>Predictions</b>: the run is too large to keep its %1 in memory").arg(what)
                                                      : QString());
        return;
    }
    predictionsTitle_->setText(tr("<b>Predictions</b> (%1; one row per epoch, green = correct)").arg(what));
    QStringList columns, rows;
    for (int n : records.networks)
        columns << tr("net %1").arg(n + 1);  // networks are counted from 1 on screen
    for (int e = 0; e < records.epochs; ++e)
        rows << tr("epoch %1").arg(records.firstEpoch + e);
    predictions_->setHorizontalHeaderLabels(columns);
    predictions_->setVerticalHeaderLabels(rows);
    for (int n = 0; n < nets; ++n)
        for (int e = 0; e < records.epochs; ++e) {
            const std::size_t k = std::size_t(n) * std::size_t(records.epochs) + std::size_t(e);
            auto* item = new QTableWidgetItem(records.predicted[k]);
            const bool correct = records.correct[k];
            item->setBackground(correct ? QColor(222, 242, 232) : QColor(250, 226, 214));
            item->setToolTip(tr("network %1, epoch %2: %3 (%4)")
                                 .arg(records.networks[std::size_t(n)] + 1)
                                 .arg(records.firstEpoch + e)
                                 .arg(records.predicted[k], correct ? tr("correct") : tr("incorrect")));
            predictions_->setItem(e, n, item);
        }
    // Up to eight epochs on screen; longer runs scroll within the table.
    const int visibleRows = std::min(records.epochs, 8);
    predictions_->setFixedHeight(predictions_->horizontalHeader()->sizeHint().height() + 2 * predictions_->frameWidth() +
                                 visibleRows * predictions_->verticalHeader()->defaultSectionSize());
    // The last epoch first in view: what the networks ended with.
    predictions_->scrollToItem(predictions_->item(records.epochs - 1, 0));
}

QString DetailPanel::edgeMapText() const { return edgeMapLabel_->text(); }

QString DetailPanel::valueText(const QString& name) const
{
    for (int r = 0; r < values_->rowCount(); ++r)
        if (values_->item(r, 0)->data(Qt::UserRole).toString() == name)
            return values_->item(r, 1)->text();
    return {};
}

}  // namespace orderlens::ui
