#include "explorer/CorrelationExplorer.h"

#include "browser/ImageBrowserModel.h"
#include "explorer/ScatterPlot.h"
#include "export/FigureExport.h"
#include "layout/FlowLayout.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>

namespace orderlens::ui {

namespace {

// Hover previews of small images are enlarged to this side.
constexpr int kHoverThumbnail = 84;

QString methodSymbol(CorrelationMethod m)
{
    switch (m) {
    case CorrelationMethod::Spearman:
        return QStringLiteral("Spearman \u03c1");
    case CorrelationMethod::Kendall:
        return QStringLiteral("Kendall \u03c4b");
    case CorrelationMethod::Pearson:
        return QStringLiteral("Pearson r");
    }
    return {};
}

QString pText(double p)
{
    if (std::isnan(p))
        return QStringLiteral("p n/a");
    if (p < 1e-300)
        return QStringLiteral("p < 1e-300");
    return QStringLiteral("p = %1").arg(p, 0, 'g', 2);
}

}  // namespace

CorrelationExplorer::CorrelationExplorer(QWidget* parent) : QWidget(parent)
{
    plot_ = new ScatterPlot;
    splitBox_ = new QComboBox;
    splitBox_->addItem(tr("train"), int(Split::Train));
    splitBox_->addItem(tr("test"), int(Split::Test));
    xBox_ = new QComboBox;
    yBox_ = new QComboBox;
    for (QComboBox* b : {xBox_, yBox_})
        b->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto* swap = new QToolButton;
    swap->setText(QStringLiteral("\u21c4"));
    swap->setToolTip(tr("Swap the axes"));
    panButton_ = new QToolButton;
    panButton_->setText(tr("Pan"));
    rectButton_ = new QToolButton;
    rectButton_->setText(tr("Rectangle"));
    lassoButton_ = new QToolButton;
    lassoButton_->setText(tr("Lasso"));
    auto* modes = new QButtonGroup(this);
    for (QToolButton* b : {panButton_, rectButton_, lassoButton_}) {
        b->setCheckable(true);
        modes->addButton(b);
    }
    panButton_->setToolTip(tr("Drag to pan, wheel to zoom, double-click to reset"));
    rectButton_->setToolTip(tr("Drag a rectangle to select images; they appear in the browser"));
    lassoButton_->setToolTip(tr("Draw around images to select them; they appear in the browser"));
    rectButton_->setChecked(true);
    plot_->setDragMode(ScatterPlot::DragMode::Rectangle);
    auto* clear = new QToolButton;
    clear->setText(tr("Clear selection"));
    auto* exportButton = new QToolButton;
    exportButton->setText(tr("Export figure…"));

    // Wraps in a narrow window rather than cutting its controls.
    auto* bar = new FlowLayout;
    bar->addLabelled(tr("Split"), splitBox_);
    bar->addSpacing(12);
    bar->addGroup({new QLabel(tr("x")), xBox_, swap, new QLabel(tr("y")), yBox_});
    bar->addSpacing(12);
    bar->addGroup({panButton_, rectButton_, lassoButton_, clear});
    bar->addStretch();
    bar->addWidget(exportButton);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(plot_, 1);

    watcher_ = new QFutureWatcher<std::array<Correlation, 3>>(this);
    auto update = [this] {
        if (!updating_)
            updatePlot();
    };
    connect(splitBox_, &QComboBox::currentIndexChanged, this, update);
    connect(xBox_, &QComboBox::currentIndexChanged, this, update);
    connect(yBox_, &QComboBox::currentIndexChanged, this, update);
    connect(swap, &QToolButton::clicked, this, [this] {
        const std::string x = xColumn(), y = yColumn();
        setAxes(y, x);
    });
    connect(panButton_, &QToolButton::toggled, this, [this](bool on) {
        if (on)
            plot_->setDragMode(ScatterPlot::DragMode::Pan);
    });
    connect(rectButton_, &QToolButton::toggled, this, [this](bool on) {
        if (on)
            plot_->setDragMode(ScatterPlot::DragMode::Rectangle);
    });
    connect(lassoButton_, &QToolButton::toggled, this, [this](bool on) {
        if (on)
            plot_->setDragMode(ScatterPlot::DragMode::Lasso);
    });
    connect(clear, &QToolButton::clicked, plot_, &ScatterPlot::clearSelection);
    connect(exportButton, &QToolButton::clicked, this, &CorrelationExplorer::exportFigure);
    installFigureMenu(plot_, [this] { return QString::fromStdString(xColumn() + "-vs-" + yColumn()); });
    connect(plot_, &ScatterPlot::selectionChanged, this,
            [this](const std::vector<std::uint32_t>& ids, const QString& how) { emit imagesSelected(ids, how); });
    connect(plot_, &ScatterPlot::pointClicked, this, [this](std::uint32_t id) { emit imageActivated(int(id)); });
    plot_->setThumbnailSource([this](std::uint32_t i) { return run_ ? fitImage(run_->image(i), kHoverThumbnail) : QImage(); });
    plot_->describePoint = [this](std::uint32_t i) {
        if (!run_)
            return QString();
        const auto& t = run_->table();
        const int xc = t.columnIndex(xColumn()), yc = t.columnIndex(yColumn());
        const int e = t.learnedEpoch[i];
        return tr("%1 (%2)\n%3 = %4\n%5 = %6\nlearned by all: %7\nclick to open it in the browser")
            .arg(QString::fromStdString(run_->key(i)), run_->className(i), columnTitle(t.columns[std::size_t(xc)]))
            .arg(t.columns[std::size_t(xc)].values[i], 0, 'g', 5)
            .arg(columnTitle(t.columns[std::size_t(yc)]))
            .arg(t.columns[std::size_t(yc)].values[i], 0, 'g', 5)
            .arg(e == kNeverLearned ? tr("never") : QString::number(e));
    };
    connect(watcher_, &QFutureWatcher<std::array<Correlation, 3>>::finished, this, [this] {
        if (watcher_->property("generation").toULongLong() != generation_)
            return;
        correlations_ = watcher_->result();
        intervalsReady_ = true;
        plot_->setNote(summaryText());
        emit intervalsComputed();
    });
}

// A bootstrap still running owns copies of its data, so it may finish after the widget is gone.
CorrelationExplorer::~CorrelationExplorer() = default;

void CorrelationExplorer::setRun(std::shared_ptr<const RunImages> run)
{
    run_ = std::move(run);
    fillControls();
    updatePlot();
}

void CorrelationExplorer::fillControls()
{
    updating_ = true;
    xBox_->clear();
    yBox_->clear();
    if (run_) {
        for (const ImageColumn& c : run_->table().columns) {
            const QString title = columnTitle(c);
            xBox_->addItem(title, QString::fromStdString(c.name));
            yBox_->addItem(title, QString::fromStdString(c.name));
        }
        const std::string firstMetric = defaultMetric(run_->table());
        // The study's question by default: an image statistic against when images are learned.
        xBox_->setCurrentIndex(std::max(0, xBox_->findData(QString::fromStdString(firstMetric.empty() ? "confidence" : firstMetric))));
        yBox_->setCurrentIndex(std::max(0, yBox_->findData(QStringLiteral("learned_epoch"))));
    }
    updating_ = false;
}

void CorrelationExplorer::setAxes(const std::string& x, const std::string& y)
{
    updating_ = true;
    const int xi = xBox_->findData(QString::fromStdString(x)), yi = yBox_->findData(QString::fromStdString(y));
    if (xi >= 0)
        xBox_->setCurrentIndex(xi);
    if (yi >= 0)
        yBox_->setCurrentIndex(yi);
    updating_ = false;
    updatePlot();
}

void CorrelationExplorer::setSplit(Split split) { splitBox_->setCurrentIndex(splitBox_->findData(int(split))); }

std::string CorrelationExplorer::xColumn() const { return xBox_->currentData().toString().toStdString(); }
std::string CorrelationExplorer::yColumn() const { return yBox_->currentData().toString().toStdString(); }
Split CorrelationExplorer::split() const { return Split(splitBox_->currentData().toInt()); }

QString CorrelationExplorer::summaryText() const
{
    QStringList lines;
    lines << tr("n = %L1 %2 images").arg(correlations_[0].n).arg(splitName(split()));
    for (std::size_t k = 0; k < kCorrelationMethods.size(); ++k) {
        const Correlation& c = correlations_[k];
        QString interval;
        if (intervalsReady_)
            interval = std::isnan(c.ciLow) ? tr("  95% CI n/a")
                                           : tr("  95% CI [%1, %2]").arg(c.ciLow, 0, 'f', 3).arg(c.ciHigh, 0, 'f', 3);
        else
            interval = tr("  95% CI computing…");
        lines << tr("%1 = %2%3, %4")
                     .arg(methodSymbol(kCorrelationMethods[k]))
                     .arg(std::isnan(c.coefficient) ? tr("n/a") : QString::number(c.coefficient, 'f', 3))
                     .arg(interval, pText(c.pValue));
    }
    return lines.join('\n');
}

void CorrelationExplorer::updatePlot()
{
    ++generation_;
    if (!run_ || xBox_->count() == 0) {
        plot_->setPoints({}, {}, {}, false, false);
        plot_->setNote({});
        return;
    }
    const ImageTable& t = run_->table();
    const int xc = t.columnIndex(xColumn()), yc = t.columnIndex(yColumn());
    if (xc < 0 || yc < 0)
        return;
    const ImageColumn& xcol = t.columns[std::size_t(xc)];
    const ImageColumn& ycol = t.columns[std::size_t(yc)];
    const Split s = split();
    // Correlations over the split's images (NaN pairs dropped inside correlate), as analyze does.
    std::vector<double> xs, ys, px, py;
    std::vector<std::uint32_t> ids;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t.splits[i] != s)
            continue;
        const double x = xcol.values[i], y = ycol.values[i];
        xs.push_back(x);
        ys.push_back(y);
        if (std::isnan(x) || std::isnan(y))
            continue;
        px.push_back(x);
        py.push_back(y);
        ids.push_back(std::uint32_t(i));
    }
    plot_->setAxisLabels(columnAxisLabel(xcol), columnAxisLabel(ycol));
    plot_->setTitle(tr("%1 against %2 (%3 split)").arg(columnTitle(ycol), columnTitle(xcol), splitName(s)));
    // With the default policy a never-learned image sits at the end of the epoch range.
    const bool neverAtEnd = run_->analysis().options.never == NeverLearnedPolicy::AfterLastEpoch;
    auto neverAt = [&](const ImageColumn& c) {
        return neverAtEnd && (c.name == "learned_epoch" || c.name == "first_agreed_epoch")
                   ? double(run_->analysis().endEpoch)
                   : std::nan("");
    };
    plot_->setIntegerAxes(xcol.integer, ycol.integer, neverAt(xcol), neverAt(ycol));
    plot_->setPoints(std::move(px), std::move(py), std::move(ids), xcol.integer, ycol.integer);

    CorrelationOptions quick;
    quick.bootstrapResamples = 0;
    correlations_ = correlate(xs, ys, quick);
    intervalsReady_ = false;
    plot_->setNote(summaryText());

    // The same seed `orderlens analyze` uses for this (split, metric, measure) pair.
    CorrelationOptions full = run_->analysis().options.correlation;
    full.bootstrapResamples = CorrelationOptions{}.bootstrapResamples;
    const bool swapped = xcol.measure && !ycol.measure;
    const std::string& metric = swapped ? ycol.name : xcol.name;
    const std::string& measure = swapped ? xcol.name : ycol.name;
    full.seed = correlationSeed(full.seed, splitName(s), metric, measure);
    watcher_->setProperty("generation", QVariant::fromValue<qulonglong>(generation_));
    std::vector<double> a = swapped ? std::move(ys) : std::move(xs);
    std::vector<double> b = swapped ? std::move(xs) : std::move(ys);
    watcher_->setFuture(QtConcurrent::run([a = std::move(a), b = std::move(b), full] { return correlate(a, b, full); }));
}

void CorrelationExplorer::exportFigure()
{
    FigureExportDialog dialog(plot_, QString::fromStdString(xColumn() + "-vs-" + yColumn()), this);
    dialog.exec();
}

}  // namespace orderlens::ui
