#pragma once

#include "analysis/RunOverview.h"

#include <QAbstractTableModel>
#include <QFutureWatcher>
#include <QWidget>

#include <memory>
#include <vector>

class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;
class QTimer;

namespace orderlens::ui {

class CompareRunsView;
struct ComparedRuns;

// Every run under a folder, one row each: run, dataset, architecture, networks, epochs done of
// planned, state, final test agreement, mean test accuracy, then one column per configuration
// key whose value differs between the runs. Sorting uses SortRole (numbers as numbers).
class RunsTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { RunColumn, DatasetColumn, ArchitectureColumn, NetworksColumn, EpochsColumn, StateColumn,
                  AgreementColumn, AccuracyColumn, FixedColumns };
    static constexpr int SortRole = Qt::UserRole;
    static constexpr int PathRole = Qt::UserRole + 1;

    using QAbstractTableModel::QAbstractTableModel;
    // Replaces the runs; rows of runs that stay keep their place (views keep their selection).
    void setRuns(const QString& folder, std::vector<RunOverview> runs);
    const std::vector<RunOverview>& runs() const { return runs_; }
    const std::vector<std::string>& settingColumns() const { return settings_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QString folder_;
    std::vector<RunOverview> runs_;
    std::vector<std::string> settings_;
};

// File > Open folder: the runs table of a folder, re-read in the background every
// kRefreshMs (only runs whose file changed, and those still running), and the comparison of the
// runs selected in it.
class RunsTable : public QWidget {
    Q_OBJECT
public:
    static constexpr int kRefreshMs = 2000;

    explicit RunsTable(QWidget* parent = nullptr);
    ~RunsTable() override;

    void openFolder(const QString& folder);
    QString folder() const { return folder_; }
    QTableView* view() const { return view_; }
    RunsTableModel* model() const { return model_; }
    QPushButton* compareButton() const { return compare_; }
    CompareRunsView* comparison() const { return comparison_; }
    // Paths of the selected runs, in the table's order.
    QStringList selectedRuns() const;

signals:
    void runActivated(const QString& path);  // double-click: open the run
    void refreshed();                        // a look at the folder finished

private:
    void refresh();
    void compareSelected();
    void updateSummary();

    QString folder_;
    RunsTableModel* model_ = nullptr;
    QSortFilterProxyModel* sorted_ = nullptr;
    QTableView* view_ = nullptr;
    QLabel* summary_ = nullptr;
    QPushButton* compare_ = nullptr;
    CompareRunsView* comparison_ = nullptr;
    QSplitter* splitter_ = nullptr;
    QTimer* timer_ = nullptr;
    QFutureWatcher<std::vector<RunOverview>>* survey_ = nullptr;
    QString surveyFolder_;
    QFutureWatcher<ComparedRuns>* loading_ = nullptr;
};

}  // namespace orderlens::ui
