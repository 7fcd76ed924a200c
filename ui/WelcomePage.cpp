#include "WelcomePage.h"

#include "ApplicationIcons.h"
#include "setup/ExperimentPresets.h"

#include "dataset/DatasetReader.h"
#include "models/Architecture.h"

#include <QCommandLinkButton>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QVBoxLayout>

namespace orderlens::ui {

namespace {
// The demo's wall time on this project's 2-core test machine, `orderlens train --preset demo`
// (docs/PERFORMANCE.md, "The demo"): 109 s on a quiet machine, 3 min 20 s while other jobs ran.
constexpr const char* kDemoDuration = "2 to 4 minutes on two CPU cores";
}  // namespace

QString WelcomePage::demoPlan()
{
    const ExperimentConfig demo = demoExperiment();
    const QLocale locale;
    const DatasetReader* reader = findDatasetReader(demo.dataset);
    return tr("Trains %1 %2 networks for %3 epochs%4 on %5 training and %6 test images of %7, in a tab of its own: "
              "the training monitor draws their agreement after every epoch, then the analysis and the image "
              "explorer open. That takes about %8 (faster with more cores); other runs can be opened meanwhile.")
        .arg(demo.networks)
        .arg(QString::fromStdString(architectureInfo(demo.architecture).title))
        .arg(demo.epochs)
        .arg(demo.parallelNetworks ? tr(" side by side") : QString())
        .arg(locale.toString(qulonglong(demo.limitTrain)), locale.toString(qulonglong(demo.limitTest)),
             QString::fromStdString(reader ? reader->title() : demo.dataset), tr(kDemoDuration));
}

WelcomePage::WelcomePage(QWidget* parent) : QWidget(parent)
{
    auto* outer = new QHBoxLayout(this);
    auto* column = new QVBoxLayout;
    outer->addStretch(1);
    outer->addLayout(column, 0);
    outer->addStretch(1);

    column->addStretch(1);
    auto* title = new QLabel(tr("OrderLens"));
    QFont big = title->font();
    big.setPointSizeF(big.pointSizeF() * 2.4);
    big.setWeight(QFont::DemiBold);
    title->setFont(big);
    auto* icon = new QLabel;
    icon->setPixmap(applicationIcon().pixmap(64, 64));
    auto* titleRow = new QHBoxLayout;
    titleRow->addWidget(icon);
    titleRow->addSpacing(10);
    titleRow->addWidget(title);
    titleRow->addStretch(1);
    column->addLayout(titleRow);
    auto* subtitle = new QLabel(
        tr("Train several networks on the same images, record which image each one gets right in every "
           "epoch, and see how much they agree on the order in which images are learned "
           "(Pliushch et al., ECCV 2022)."));
    subtitle->setWordWrap(true);
    subtitle->setMaximumWidth(640);
    subtitle->setStyleSheet("color: #505050;");
    column->addWidget(subtitle);
    column->addSpacing(18);

    new_ = new QCommandLinkButton(tr("New experiment..."),
                                  tr("Choose a dataset, architecture and training recipe, then watch the "
                                     "networks train."));
    open_ = new QCommandLinkButton(tr("Open run..."),
                                   tr("Look at a finished run file, or resume one that was interrupted."));
    demo_ = new QCommandLinkButton(tr("Try the Fashion-MNIST demo"), experimentPresets().front().description());
    demoPlan_ = new QLabel(demoPlan());
    demoPlan_->setObjectName("demoPlan");
    demoPlan_->setWordWrap(true);
    demoPlan_->setMaximumWidth(640);
    demoPlan_->setContentsMargins(44, 0, 0, 8);
    demoPlan_->setStyleSheet("color: #505050;");
    for (QCommandLinkButton* b : {demo_, new_, open_}) {
        b->setMinimumWidth(560);
        column->addWidget(b);
        if (b == demo_)
            column->addWidget(demoPlan_);
    }
    column->addSpacing(18);
    auto* recentLabel = new QLabel(tr("<b>Recent runs</b>"));
    column->addWidget(recentLabel);
    recent_ = new QListWidget;
    recent_->setMaximumHeight(160);
    recent_->setToolTip(tr("Double-click to open"));
    column->addWidget(recent_);
    column->addStretch(2);

    connect(new_, &QPushButton::clicked, this, &WelcomePage::newExperimentRequested);
    connect(open_, &QPushButton::clicked, this, &WelcomePage::openRunRequested);
    connect(demo_, &QPushButton::clicked, this, &WelcomePage::demoRequested);
    connect(recent_, &QListWidget::itemActivated, this,
            [this](QListWidgetItem* item) { emit recentRunRequested(item->data(Qt::UserRole).toString()); });
}

void WelcomePage::setRecentRuns(const QStringList& paths)
{
    recent_->clear();
    for (const QString& path : paths) {
        auto* item = new QListWidgetItem(QStringLiteral("%1    %2").arg(QFileInfo(path).fileName(), QFileInfo(path).absolutePath()));
        item->setData(Qt::UserRole, path);
        item->setToolTip(path);
        recent_->addItem(item);
    }
    if (paths.isEmpty()) {
        auto* item = new QListWidgetItem(tr("No runs yet."));
        item->setFlags(Qt::NoItemFlags);
        recent_->addItem(item);
    }
}

}  // namespace orderlens::ui
