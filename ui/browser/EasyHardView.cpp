#include "browser/EasyHardView.h"

#include "analysis/LearningMeasures.h"
#include "browser/ImageBrowserModel.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace orderlens::ui {

namespace {
constexpr int kThumbnail = 56;
}

EasyAndHard easyAndHard(const RunImages& run, Split split, int label, std::size_t count)
{
    const ImageTable& t = run.table();
    const int confidenceColumn = t.columnIndex("confidence");
    auto confidence = [&](std::uint32_t i) {
        const double c = confidenceColumn >= 0 ? t.columns[std::size_t(confidenceColumn)].values[i] : 0.0;
        return std::isnan(c) ? 0.0 : c;
    };
    std::vector<std::uint32_t> learned, never;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t.splits[i] != split || t.labels[i] != label)
            continue;
        (t.learnedEpoch[i] == kNeverLearned ? never : learned).push_back(std::uint32_t(i));
    }
    auto easier = [&](std::uint32_t a, std::uint32_t b) {
        if (t.learnedEpoch[a] != t.learnedEpoch[b])
            return t.learnedEpoch[a] < t.learnedEpoch[b];
        if (confidence(a) != confidence(b))
            return confidence(a) > confidence(b);
        return a < b;
    };
    auto harder = [&](std::uint32_t a, std::uint32_t b) {
        if (confidence(a) != confidence(b))
            return confidence(a) < confidence(b);
        return a < b;
    };
    EasyAndHard out;
    out.neverCount = never.size();
    const std::size_t easyCount = std::min(count, learned.size());
    std::partial_sort(learned.begin(), learned.begin() + std::ptrdiff_t(easyCount), learned.end(), easier);
    out.easiest.assign(learned.begin(), learned.begin() + std::ptrdiff_t(easyCount));
    const std::size_t hardCount = std::min(count, never.size());
    std::partial_sort(never.begin(), never.begin() + std::ptrdiff_t(hardCount), never.end(), harder);
    out.neverLearned.assign(never.begin(), never.begin() + std::ptrdiff_t(hardCount));
    return out;
}

EasyHardView::EasyHardView(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    splitBox_ = new QComboBox;
    splitBox_->addItem(tr("train"), int(Split::Train));
    splitBox_->addItem(tr("test"), int(Split::Test));
    countBox_ = new QSpinBox;
    countBox_->setRange(1, 32);
    countBox_->setValue(kDefaultCount);
    bar->addWidget(new QLabel(tr("Split")));
    bar->addWidget(splitBox_);
    bar->addSpacing(12);
    bar->addWidget(new QLabel(tr("Images per side")));
    bar->addWidget(countBox_);
    bar->addStretch(1);
    layout->addLayout(bar);
    grid_ = new QWidget;
    grid_->setStyleSheet("QWidget { background: white; }");
    gridLayout_ = new QGridLayout(grid_);
    gridLayout_->setHorizontalSpacing(16);
    auto* scroll = new QScrollArea;
    scroll->setWidget(grid_);
    scroll->setWidgetResizable(true);
    layout->addWidget(scroll, 1);
    connect(splitBox_, &QComboBox::currentIndexChanged, this, &EasyHardView::rebuild);
    connect(countBox_, &QSpinBox::valueChanged, this, &EasyHardView::rebuild);
}

void EasyHardView::setRun(std::shared_ptr<const RunImages> run)
{
    run_ = std::move(run);
    rebuild();
}

void EasyHardView::setSplit(Split split) { splitBox_->setCurrentIndex(splitBox_->findData(int(split))); }

void EasyHardView::setCount(int perSide) { countBox_->setValue(perSide); }

void EasyHardView::rebuild()
{
    while (QLayoutItem* item = gridLayout_->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    rows_.clear();
    if (!run_)
        return;
    const Split split = Split(splitBox_->currentData().toInt());
    const std::size_t count = std::size_t(countBox_->value());
    QFont boldFont = font();
    boldFont.setBold(true);
    auto header = [&](const QString& text, int column) {
        auto* l = new QLabel(text);
        l->setFont(boldFont);
        gridLayout_->addWidget(l, 0, column);
    };
    header(tr("class"), 0);
    header(tr("learned earliest by all networks"), 1);
    header(tr("never learned"), 2);
    auto strip = [&](const std::vector<std::uint32_t>& images, const QString& empty) {
        auto* w = new QWidget;
        auto* l = new QHBoxLayout(w);
        l->setContentsMargins(0, 0, 0, 0);
        l->setSpacing(2);
        for (std::uint32_t i : images) {
            auto* b = new QToolButton;
            b->setObjectName(QString("image_%1").arg(i));
            b->setAutoRaise(true);
            b->setIcon(QPixmap::fromImage(fitImage(run_->image(i), kThumbnail)));
            b->setIconSize(QSize(kThumbnail, kThumbnail));
            const int e = run_->table().learnedEpoch[i];
            b->setToolTip(tr("%1\nlearned by all: %2")
                              .arg(QString::fromStdString(run_->key(i)), e == kNeverLearned ? tr("never") : QString::number(e)));
            connect(b, &QToolButton::clicked, this, [this, i] { emit imageActivated(int(i)); });
            l->addWidget(b);
        }
        if (images.empty()) {
            auto* none = new QLabel(empty);
            none->setStyleSheet("QLabel { color: #777; }");
            l->addWidget(none);
        }
        l->addStretch(1);
        return w;
    };
    for (std::size_t c = 0; c < run_->classNames().size(); ++c) {
        EasyAndHard row = easyAndHard(*run_, split, int(c), count);
        const int r = int(c) + 1;
        auto* name = new QLabel(tr("%1\n%2 never learned").arg(QString::fromStdString(run_->classNames()[c])).arg(row.neverCount));
        gridLayout_->addWidget(name, r, 0);
        gridLayout_->addWidget(strip(row.easiest, tr("none learned")), r, 1);
        gridLayout_->addWidget(strip(row.neverLearned, tr("every image learned")), r, 2);
        rows_.push_back(std::move(row));
    }
    gridLayout_->setRowStretch(int(run_->classNames().size()) + 1, 1);
}

}  // namespace orderlens::ui
