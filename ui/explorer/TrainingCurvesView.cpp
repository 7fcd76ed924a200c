#include "explorer/TrainingCurvesView.h"

#include "export/FigureExport.h"
#include "figures/Figures.h"
#include "layout/FlowLayout.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

namespace orderlens::ui {

TrainingCurvesView::TrainingCurvesView(QWidget* parent) : QWidget(parent)
{
    plot_ = new QCustomPlot;
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->setMinimumSize(320, 240);
    splitBox_ = new QComboBox;
    splitBox_->addItem(tr("train"), int(Split::Train));
    splitBox_->addItem(tr("test"), int(Split::Test));
    kindBox_ = new QComboBox;
    kindBox_->addItem(tr("agreement"), int(Kind::Agreement));
    kindBox_->addItem(tr("agreement + metric curve"), int(Kind::MetricCurve));
    kindBox_->addItem(tr("distinct values"), int(Kind::DistinctValues));
    kindBox_->addItem(tr("histogram"), int(Kind::Histogram));
    metricBox_ = new QComboBox;
    metricBox_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    agreementThreshold_ = new QDoubleSpinBox;
    agreementThreshold_->setRange(0, 100);
    agreementThreshold_->setSuffix(QStringLiteral(" %"));
    agreementThreshold_->setDecimals(1);
    agreementThreshold_->setValue(kMetricAgreementThreshold);
    agreementThreshold_->setToolTip(tr("Hide the metric curve where agreement is below this (the study: 20 %)"));
    epochThreshold_ = new QSpinBox;
    epochThreshold_->setRange(0, 10000);
    epochThreshold_->setValue(kMetricEpochThreshold);
    epochThreshold_->setToolTip(tr("Hide the metric curve for this many first epochs (the study: 5)"));
    auto* exportButton = new QToolButton;
    exportButton->setText(tr("Export figure…"));

    // Wraps in a narrow window rather than cutting its controls.
    auto* bar = new FlowLayout;
    bar->addLabelled(tr("Split"), splitBox_);
    bar->addLabelled(tr("Figure"), kindBox_);
    bar->addLabelled(tr("Metric"), metricBox_);
    bar->addSpacing(12);
    bar->addGroup({new QLabel(tr("Hide below agreement")), agreementThreshold_, new QLabel(tr("and first epochs")),
                   epochThreshold_});
    bar->addStretch();
    bar->addWidget(exportButton);
    note_ = new QLabel;
    note_->setObjectName("thresholdNote");
    note_->setWordWrap(true);
    note_->setStyleSheet("background: #fff4d6; padding: 4px;");
    note_->hide();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(note_);
    layout->addWidget(plot_, 1);

    auto update = [this] {
        if (!updating_)
            redraw();
    };
    connect(splitBox_, &QComboBox::currentIndexChanged, this, update);
    connect(kindBox_, &QComboBox::currentIndexChanged, this, update);
    connect(metricBox_, &QComboBox::currentIndexChanged, this, update);
    connect(agreementThreshold_, &QDoubleSpinBox::valueChanged, this, update);
    connect(epochThreshold_, &QSpinBox::valueChanged, this, update);
    connect(exportButton, &QToolButton::clicked, this, &TrainingCurvesView::exportFigure);
    installFigureMenu(plot_, [this] {
        return metricBox_->currentData().toString().isEmpty() ? QStringLiteral("agreement") : metricBox_->currentData().toString();
    });
}

void TrainingCurvesView::setRun(std::shared_ptr<const RunImages> run)
{
    run_ = std::move(run);
    updating_ = true;
    metricBox_->clear();
    if (run_)
        for (const ImageColumn& c : run_->table().columns)
            if (!c.measure)
                metricBox_->addItem(columnTitle(c), QString::fromStdString(c.name));
    const int preferred = metricBox_->findData(QString::fromStdString(run_ ? defaultMetric(run_->table()) : std::string()));
    metricBox_->setCurrentIndex(std::max(0, preferred));
    // With a metric, the study's figure is the agreement with its curve.
    kindBox_->setCurrentIndex(kindBox_->findData(int(metricBox_->count() ? Kind::MetricCurve : Kind::Agreement)));
    updating_ = false;
    redraw();
}

void TrainingCurvesView::setSplit(Split split) { splitBox_->setCurrentIndex(splitBox_->findData(int(split))); }

void TrainingCurvesView::setMetric(const std::string& name)
{
    metricBox_->setCurrentIndex(metricBox_->findData(QString::fromStdString(name)));
}

void TrainingCurvesView::setKind(Kind kind) { kindBox_->setCurrentIndex(kindBox_->findData(int(kind))); }

void TrainingCurvesView::setThresholds(double agreementPercent, int epochs)
{
    updating_ = true;
    agreementThreshold_->setValue(agreementPercent);
    epochThreshold_->setValue(epochs);
    updating_ = false;
    redraw();
}

QString TrainingCurvesView::thresholdNote() const { return note_->isVisible() ? note_->text() : QString(); }

void TrainingCurvesView::redraw()
{
    shown_.clear();
    note_->clear();
    note_->hide();
    resetFigure(plot_);
    const SplitAnalysis* split = run_ ? run_->splitAnalysis(Split(splitBox_->currentData().toInt())) : nullptr;
    if (!split) {
        plot_->replot();
        return;
    }
    FigureStyle style;
    style.title = true;
    const Kind kind = Kind(kindBox_->currentData().toInt());
    const std::string metricName = metricBox_->currentData().toString().toStdString();
    const SplitMetric* metric = nullptr;
    for (const SplitMetric& m : split->metrics)
        if (m.name == metricName)
            metric = &m;
    const QString splitTitle = QString::fromStdString(recordSetName(split->selection.set));
    const bool needsMetric = kind != Kind::Agreement;
    metricBox_->setEnabled(needsMetric);
    agreementThreshold_->setEnabled(kind == Kind::MetricCurve || kind == Kind::DistinctValues);
    epochThreshold_->setEnabled(kind == Kind::MetricCurve);
    if (!needsMetric || !metric) {
        plotAgreement(plot_, split->agreement, tr("Agreement (%1)").arg(splitTitle), style);
    } else if (kind == Kind::MetricCurve) {
        shown_ = thresholdMetricCurve(split->agreement, metric->curve, agreementThreshold_->value(), epochThreshold_->value());
        const std::string hidden =
            describeHiddenEpochs(hiddenEpochs(split->agreement, metric->curve, agreementThreshold_->value(), epochThreshold_->value()),
                                 "The " + metricLabel(metricName).title.toStdString() + " curve", agreementThreshold_->value(),
                                 epochThreshold_->value());
        if (!hidden.empty())
            note_->setText(QString::fromStdString(hidden) +
                           tr(" Lower \"Hide below agreement\" or \"and first epochs\" above to show it."));
        plotMetricCurve(plot_, split->agreement, metricName, shown_,
                        tr("Agreement and %1 (%2)").arg(metricLabel(metricName).title, splitTitle), style);
    } else if (kind == Kind::DistinctValues) {
        if (metric->distinct) {
            std::vector<double> agreementValues;
            for (const EpochAgreement& a : split->agreement.epochs)
                agreementValues.push_back(a.agreement);
            const std::string hidden =
                describeHiddenEpochs(hiddenEpochs(split->agreement, agreementValues, agreementThreshold_->value(), 0, false),
                                     "Every value's curve", agreementThreshold_->value(), 0);
            if (!hidden.empty())
                note_->setText(QString::fromStdString(hidden) + tr(" Lower \"Hide below agreement\" above to show it."));
        }
        const DistinctMetricCurves curves =
            metric->distinct ? metric->distinctCurves : DistinctMetricCurves{};
        plotDistinctMetric(plot_, split->agreement, metricName, curves, agreementThreshold_->value(),
                           metric->distinct ? tr("Agreement per %1 value (%2)").arg(metricLabel(metricName).title, splitTitle)
                                            : tr("%1 has more than %2 distinct values (%3)")
                                                  .arg(metricLabel(metricName).title)
                                                  .arg(run_->analysis().options.distinctValueLimit)
                                                  .arg(splitTitle),
                           style);
    } else {
        plotMetricHistogram(plot_, metric->values, metricName, 50,
                            tr("%1 (%2)").arg(metricLabel(metricName).title, splitTitle), style);
    }
    note_->setVisible(!note_->text().isEmpty());
    plot_->replot();
}

void TrainingCurvesView::exportFigure()
{
    static const char* const stems[] = {"agreement", "metric-curve", "distinct-values", "histogram"};
    const QString metric = kindBox_->currentData().toInt() == int(Kind::Agreement) ? QString() : "-" + metricBox_->currentData().toString();
    FigureExportDialog dialog(plot_, QString::fromLatin1(stems[kindBox_->currentData().toInt()]) + metric, this);
    dialog.exec();
}

}  // namespace orderlens::ui
