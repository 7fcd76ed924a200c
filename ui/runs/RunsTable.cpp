#include "runs/RunsTable.h"

#include "browser/RunImages.h"
#include "explorer/CompareRunsView.h"

#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>

namespace orderlens::ui {

struct ComparedRuns {
    std::vector<std::shared_ptr<const RunImages>> runs;
    QStringList errors;
};

namespace {

QString percentText(double v) { return std::isnan(v) ? QStringLiteral("\u2013") : QString::number(v, 'f', 1); }

QVariant numberOrText(const std::string& value)
{
    bool ok = false;
    const double d = QString::fromStdString(value).toDouble(&ok);
    return ok ? QVariant(d) : QVariant(QString::fromStdString(value));
}

}  // namespace

void RunsTableModel::setRuns(const QString& folder, std::vector<RunOverview> runs)
{
    std::vector<std::string> settings = differingSettings(runs);
    bool sameRows = folder == folder_ && runs.size() == runs_.size() && settings == settings_;
    for (std::size_t i = 0; sameRows && i < runs.size(); ++i)
        sameRows = runs[i].path == runs_[i].path;
    if (sameRows) {
        runs_ = std::move(runs);
        if (!runs_.empty())
            emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
        return;
    }
    beginResetModel();
    folder_ = folder;
    runs_ = std::move(runs);
    settings_ = std::move(settings);
    endResetModel();
}

int RunsTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(runs_.size()); }

int RunsTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : FixedColumns + int(settings_.size());
}

QVariant RunsTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const RunOverview& r = runs_[std::size_t(index.row())];
    const bool readable = r.state != RunOverview::State::Unreadable;
    const int column = index.column();
    if (role == PathRole)
        return QString::fromStdString(r.path);
    if (role == Qt::ToolTipRole) {
        if (!readable)
            return QString::fromStdString(r.error);
        if (column == EpochsColumn) {
            QStringList done;
            for (int d : r.epochsDone)
                done << QString::number(d);
            return tr("Epochs completed per network: %1 of %2").arg(done.join(", ")).arg(r.epochs);
        }
        if (column == RunColumn)
            return QString::fromStdString(r.path);
        if (column == AgreementColumn || column == AccuracyColumn)
            return tr("At epoch %1, the last one every network completed (test split)").arg(r.completeEpochs - 1);
        return {};
    }
    if (role == Qt::TextAlignmentRole)
        return column == NetworksColumn || column == EpochsColumn || column == AgreementColumn ||
                       column == AccuracyColumn
                   ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                   : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    if (role == Qt::ForegroundRole && column == StateColumn) {
        switch (r.state) {
        case RunOverview::State::Running: return QColor(0x1f, 0x6f, 0xb4);
        case RunOverview::State::Interrupted: return QColor(0xb3, 0x5c, 0x00);
        case RunOverview::State::Unreadable: return QColor(0xc0, 0x20, 0x20);
        case RunOverview::State::Complete: return {};
        }
    }
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    const bool sort = role == SortRole;
    switch (column) {
    case RunColumn: return QDir(folder_).relativeFilePath(QString::fromStdString(r.path));
    case DatasetColumn: return QString::fromStdString(r.dataset);
    case ArchitectureColumn: return QString::fromStdString(r.architecture);
    case NetworksColumn: return readable ? QVariant(r.networks) : QVariant();
    case EpochsColumn: {
        if (!readable)
            return sort ? QVariant(-1.0) : QVariant();
        long done = 0;
        for (int d : r.epochsDone)
            done += d;
        // Sorted by the share of all network-epochs done, so runs of different lengths compare.
        if (sort)
            return double(done) / double(std::max(1, r.networks * r.epochs));
        return QStringLiteral("%1/%2").arg(r.completeEpochs).arg(r.epochs);
    }
    case StateColumn: return sort ? QVariant(int(r.state)) : QVariant(tr(runStateName(r.state)));
    case AgreementColumn:
        return sort ? QVariant(std::isnan(r.finalTestAgreement) ? -1.0 : r.finalTestAgreement)
                    : QVariant(percentText(r.finalTestAgreement));
    case AccuracyColumn:
        return sort ? QVariant(std::isnan(r.meanTestAccuracy) ? -1.0 : r.meanTestAccuracy)
                    : QVariant(percentText(r.meanTestAccuracy));
    default: {
        const std::string& key = settings_[std::size_t(column - FixedColumns)];
        const auto it = r.settings.find(key);
        if (it == r.settings.end())
            return QVariant();
        return sort ? numberOrText(it->second) : QVariant(QString::fromStdString(it->second));
    }
    }
}

QVariant RunsTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    switch (section) {
    case RunColumn: return tr("Run");
    case DatasetColumn: return tr("Dataset");
    case ArchitectureColumn: return tr("Architecture");
    case NetworksColumn: return tr("Networks");
    case EpochsColumn: return role == Qt::ToolTipRole ? tr("Epochs every network completed / epochs planned") : tr("Epochs");
    case StateColumn: return tr("State");
    case AgreementColumn:
        return role == Qt::ToolTipRole ? tr("True-positive agreement of the networks on the test split at the last "
                                            "epoch they all completed")
                                       : tr("Test agreement (%)");
    case AccuracyColumn:
        return role == Qt::ToolTipRole ? tr("Mean test accuracy of the networks at the last epoch they all completed")
                                       : tr("Mean accuracy (%)");
    default:
        if (section - FixedColumns < int(settings_.size()))
            return QString::fromStdString(settings_[std::size_t(section - FixedColumns)]);
        return {};
    }
}

RunsTable::RunsTable(QWidget* parent) : QWidget(parent)
{
    model_ = new RunsTableModel(this);
    sorted_ = new QSortFilterProxyModel(this);
    sorted_->setSourceModel(model_);
    sorted_->setSortRole(RunsTableModel::SortRole);
    sorted_->setDynamicSortFilter(true);
    view_ = new QTableView;
    view_->setModel(sorted_);
    view_->setSortingEnabled(true);
    view_->sortByColumn(RunsTableModel::RunColumn, Qt::AscendingOrder);
    view_->setSelectionBehavior(QAbstractItemView::SelectRows);
    view_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    view_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view_->setAlternatingRowColors(true);
    view_->verticalHeader()->hide();
    view_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    view_->horizontalHeader()->setStretchLastSection(true);
    view_->setWordWrap(false);

    summary_ = new QLabel(tr("Open a folder to see its runs."));
    compare_ = new QPushButton(tr("Compare selected runs"));
    compare_->setEnabled(false);
    compare_->setToolTip(tr("Select two or more runs (Ctrl+click, Shift+click) to overlay their agreement curves"));
    comparison_ = new CompareRunsView;
    comparison_->hide();

    auto* bar = new QHBoxLayout;
    bar->addWidget(summary_, 1);
    bar->addWidget(compare_);
    splitter_ = new QSplitter(Qt::Vertical);
    splitter_->addWidget(view_);
    splitter_->addWidget(comparison_);
    splitter_->setStretchFactor(0, 1);
    splitter_->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(splitter_, 1);

    timer_ = new QTimer(this);
    timer_->setInterval(kRefreshMs);
    connect(timer_, &QTimer::timeout, this, &RunsTable::refresh);
    survey_ = new QFutureWatcher<std::vector<RunOverview>>(this);
    connect(survey_, &QFutureWatcher<std::vector<RunOverview>>::finished, this, [this] {
        if (surveyFolder_ == folder_) {
            const QStringList selected = selectedRuns();
            model_->setRuns(folder_, survey_->result());
            // A reset model loses the selection; the same runs are selected again.
            if (!selected.isEmpty() && view_->selectionModel()->selectedRows().isEmpty()) {
                const QSet<QString> wanted(selected.begin(), selected.end());
                QItemSelection selection;
                for (int row = 0; row < sorted_->rowCount(); ++row)
                    if (wanted.contains(sorted_->index(row, 0).data(RunsTableModel::PathRole).toString()))
                        selection.select(sorted_->index(row, 0), sorted_->index(row, sorted_->columnCount() - 1));
                view_->selectionModel()->select(selection, QItemSelectionModel::Select);
            }
            updateSummary();
            if (view_->horizontalHeader()->count() > 0 && view_->property("sized").isNull()) {
                view_->resizeColumnsToContents();
                view_->setProperty("sized", true);
            }
        }
        emit refreshed();
        if (surveyFolder_ != folder_)
            refresh();
    });
    loading_ = new QFutureWatcher<ComparedRuns>(this);
    connect(loading_, &QFutureWatcher<ComparedRuns>::finished, this, [this] {
        const ComparedRuns loaded = loading_->result();
        comparison_->clearRuns();
        for (const auto& run : loaded.runs)
            comparison_->addRun(run);
        comparison_->show();
        compare_->setText(tr("Compare selected runs"));
        compare_->setEnabled(view_->selectionModel()->selectedRows().size() >= 2);
        if (!loaded.errors.isEmpty())
            QMessageBox::warning(this, tr("Compare runs"), loaded.errors.join("\n\n"));
    });

    connect(view_->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        compare_->setEnabled(!loading_->isRunning() && view_->selectionModel()->selectedRows().size() >= 2);
    });
    connect(compare_, &QPushButton::clicked, this, &RunsTable::compareSelected);
    connect(view_, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        emit runActivated(index.data(RunsTableModel::PathRole).toString());
    });
}

RunsTable::~RunsTable()
{
    survey_->waitForFinished();
    loading_->waitForFinished();
}

void RunsTable::openFolder(const QString& folder)
{
    folder_ = QDir(folder).absolutePath();
    model_->setRuns(folder_, {});
    view_->setProperty("sized", QVariant());
    summary_->setText(tr("Reading the runs under %1 ...").arg(folder_));
    comparison_->clearRuns();
    comparison_->hide();
    refresh();
    timer_->start();
}

void RunsTable::refresh()
{
    if (folder_.isEmpty() || survey_->isRunning())
        return;
    surveyFolder_ = folder_;
    std::vector<RunOverview> runs = model_->runs();
    const std::string folder = folder_.toStdString();
    survey_->setFuture(QtConcurrent::run([folder, runs = std::move(runs)]() mutable {
        try {
            refreshRunOverviews(folder, runs);
        } catch (const std::exception&) {
            runs.clear();  // the folder went away; the table empties
        }
        return runs;
    }));
}

void RunsTable::updateSummary()
{
    int running = 0, interrupted = 0, complete = 0, unreadable = 0;
    for (const RunOverview& r : model_->runs()) {
        switch (r.state) {
        case RunOverview::State::Running: ++running; break;
        case RunOverview::State::Interrupted: ++interrupted; break;
        case RunOverview::State::Complete: ++complete; break;
        case RunOverview::State::Unreadable: ++unreadable; break;
        }
    }
    QString text = tr("%n run(s) under %1", nullptr, int(model_->runs().size())).arg(folder_);
    text += tr(": %1 running, %2 interrupted, %3 complete").arg(running).arg(interrupted).arg(complete);
    if (unreadable)
        text += tr(", %1 unreadable").arg(unreadable);
    summary_->setText(text);
}

QStringList RunsTable::selectedRuns() const
{
    QModelIndexList rows = view_->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
    QStringList paths;
    for (const QModelIndex& row : rows)
        paths << row.data(RunsTableModel::PathRole).toString();
    return paths;
}

void RunsTable::compareSelected()
{
    const QStringList paths = selectedRuns();
    if (paths.size() < 2 || loading_->isRunning())
        return;
    compare_->setEnabled(false);
    compare_->setText(tr("Loading %n run(s) ...", nullptr, int(paths.size())));
    loading_->setFuture(QtConcurrent::run([paths] {
        ComparedRuns out;
        for (const QString& path : paths) {
            try {
                out.runs.push_back(RunImages::load(path.toStdString()));
            } catch (const std::exception& e) {
                out.errors << QString::fromUtf8(e.what());
            }
        }
        return out;
    }));
}

}  // namespace orderlens::ui
