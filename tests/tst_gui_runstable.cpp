// File > Open folder: the runs table of a generated folder of 50 runs (sub-folders included),
// driven through its widgets: values and state per run, sorting by clicking headers, the
// hyper-parameters that differ as columns, refreshing while a run grows, and comparing runs
// selected with the mouse.

#include "MainWindow.h"
#include "SyntheticRun.h"
#include "explorer/CompareRunsView.h"
#include "runs/RunsTable.h"
#include "setup/ExperimentSetupDialog.h"
#include "storage/RunFile.h"

#include <QHeaderView>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <map>

using namespace orderlens;
using namespace orderlens::ui;
namespace fs = std::filesystem;

namespace {

constexpr int kRuns = 50;
constexpr std::size_t kTestImages = 10;
constexpr int kEpochs = 4;

int networksOf(int run) { return 2 + run % 2; }
double learningRateOf(int run) { return run % 3 == 0 ? 0.1 : run % 3 == 1 ? 0.05 : 0.01; }
bool interruptedRun(int run) { return run % 10 == 3; }

// The records of run r: image i is right for network n after epoch e when a run-dependent
// score is below a threshold that grows with the epoch.
bool correct(int run, int network, int epoch, std::size_t image)
{
    return int((image * 7 + std::size_t(network) * 3 + std::size_t(run)) % 10) < (epoch + 1) * (1 + run % 3);
}

// The test agreement and mean accuracy at `epoch`, counted here from the records' formula:
// 100 |images all networks got right| / |images some network got right|, and the mean of the
// networks' accuracies in percent.
std::pair<double, double> expectedFinal(int run, int epoch)
{
    std::size_t all = 0, any = 0, right = 0;
    for (std::size_t i = 0; i < kTestImages; ++i) {
        bool a = true, o = false;
        for (int n = 0; n < networksOf(run); ++n) {
            const bool c = correct(run, n, epoch, i);
            a = a && c;
            o = o || c;
            right += c;
        }
        all += a;
        any += o;
    }
    return {100.0 * double(all) / double(std::max<std::size_t>(any, 1)),
            100.0 * double(right) / double(kTestImages * std::size_t(networksOf(run)))};
}

QString runName(int run) { return QString("group-%1/run-%2.h5").arg(run / 10).arg(run, 2, 10, QChar('0')); }

void writeRun(const std::string& path, int run, int epochsOfNetwork1)
{
    test::SyntheticRun spec;
    spec.train = 6;
    spec.test = kTestImages;
    spec.networks = networksOf(run);
    spec.epochs = kEpochs;
    spec.configJson = QString(R"({"dataset":"synthetic","architecture":"%1","lr":%2,"batch_size":128,"seed":7})")
                          .arg(run % 2 ? "resnet18" : "lenet5")
                          .arg(learningRateOf(run))
                          .toStdString();
    spec.correct = [run](RecordSet, int n, int e, std::size_t i) { return correct(run, n, e, i); };
    spec.epochsWritten = [epochsOfNetwork1](int n) { return n == 1 ? epochsOfNetwork1 : kEpochs; };
    writeSyntheticRun(path, spec);
}

}  // namespace

class TestGuiRunsTable : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString folder_;
    // A window per test, showing the runs table of the folder.
    std::unique_ptr<MainWindow> window_;

    static QString cell(QTableView* view, int row, int column) { return view->model()->index(row, column).data().toString(); }

    static int runOfRow(QTableView* view, int row)
    {
        const QString name = cell(view, row, RunsTableModel::RunColumn);
        return name.mid(name.indexOf("run-") + 4, 2).toInt();
    }

    static void clickHeader(QTableView* view, int column)
    {
        QHeaderView* header = view->horizontalHeader();
        const QPoint at(header->sectionViewportPosition(column) + header->sectionSize(column) / 2, header->height() / 2);
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, at);
    }

    static void clickRow(QTableView* view, int row, Qt::KeyboardModifiers modifiers = {})
    {
        const QRect r = view->visualRect(view->model()->index(row, RunsTableModel::DatasetColumn));
        QTest::mouseClick(view->viewport(), Qt::LeftButton, modifiers, r.center());
    }

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        folder_ = dir_.filePath("lab");
        for (int r = 0; r < kRuns; ++r) {
            const std::string path = (folder_ + "/" + runName(r)).toStdString();
            fs::create_directories(fs::path(path).parent_path());
            writeRun(path, r, interruptedRun(r) ? 2 : kEpochs);
        }
        // Not runs: a statistics file and a checkpoint folder's contents are left out.
        fs::create_directories((folder_ + "/group-0/run-00.h5.ckpt").toStdString());
        fs::copy_file((folder_ + "/" + runName(1)).toStdString(), (folder_ + "/group-0/run-00.h5.ckpt/inner.h5").toStdString());
        fs::copy_file((folder_ + "/" + runName(1)).toStdString(), (folder_ + "/group-0/run-01.stats.h5").toStdString());
    }

    void init()
    {
        window_ = std::make_unique<MainWindow>();
        window_->resize(1600, 1000);
        window_->show();
        window_->openFolder(folder_);
    }

    void cleanup() { window_.reset(); }

    void showsEveryRunWithItsValuesAndState()
    {
        RunsTable* table = window_->runsTable();
        QTableView* view = table->view();
        QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), kRuns, 30000);
        QVERIFY(view->isVisible());

        // The hyper-parameters that differ (architecture has its own column; lr differs;
        // batch_size and seed are the same everywhere).
        QCOMPARE(view->model()->columnCount(), int(RunsTableModel::FixedColumns) + 1);
        QCOMPARE(view->model()->headerData(RunsTableModel::FixedColumns, Qt::Horizontal).toString(), QString("lr"));

        for (int row = 0; row < kRuns; ++row) {
            const int run = runOfRow(view, row);
            QCOMPARE(cell(view, row, RunsTableModel::RunColumn), runName(run));
            const int done = interruptedRun(run) ? 2 : kEpochs;
            QCOMPARE(cell(view, row, RunsTableModel::StateColumn), QString(interruptedRun(run) ? "interrupted" : "complete"));
            QCOMPARE(cell(view, row, RunsTableModel::EpochsColumn), QString("%1/%2").arg(done).arg(kEpochs));
            QCOMPARE(cell(view, row, RunsTableModel::NetworksColumn), QString::number(networksOf(run)));
            QCOMPARE(cell(view, row, RunsTableModel::ArchitectureColumn), QString(run % 2 ? "resnet18" : "lenet5"));
            const auto [agreement, accuracy] = expectedFinal(run, done - 1);
            QCOMPARE(cell(view, row, RunsTableModel::AgreementColumn), QString::number(agreement, 'f', 1));
            QCOMPARE(cell(view, row, RunsTableModel::AccuracyColumn), QString::number(accuracy, 'f', 1));
            QCOMPARE(cell(view, row, RunsTableModel::FixedColumns).toDouble(), learningRateOf(run));
        }
    }

    void sortsByClickingHeaders()
    {
        QTableView* view = window_->runsTable()->view();
        QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), kRuns, 30000);

        auto agreementOf = [](int run) { return expectedFinal(run, (interruptedRun(run) ? 2 : kEpochs) - 1).first; };
        for (Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
            clickHeader(view, RunsTableModel::AgreementColumn);
            QCOMPARE(view->horizontalHeader()->sortIndicatorSection(), int(RunsTableModel::AgreementColumn));
            QCOMPARE(view->horizontalHeader()->sortIndicatorOrder(), order);
            for (int row = 1; row < kRuns; ++row) {
                const double before = agreementOf(runOfRow(view, row - 1)), here = agreementOf(runOfRow(view, row));
                QVERIFY2(order == Qt::AscendingOrder ? before <= here : before >= here, qPrintable(QString::number(row)));
            }
        }
        // By state: the interrupted runs (state code before complete) come first.
        clickHeader(view, RunsTableModel::StateColumn);
        for (int row = 0; row < kRuns; ++row)
            QCOMPARE(interruptedRun(runOfRow(view, row)), row < kRuns / 10);
        // By the learning rate column, numerically.
        clickHeader(view, RunsTableModel::FixedColumns);
        for (int row = 1; row < kRuns; ++row)
            QVERIFY(learningRateOf(runOfRow(view, row - 1)) <= learningRateOf(runOfRow(view, row)));
    }

    void refreshesWhileARunGrows()
    {
        const std::string path = (folder_ + "/group-4/growing.h5").toStdString();
        test::SyntheticRun spec;
        spec.train = 6;
        spec.test = kTestImages;
        spec.networks = 2;
        spec.epochs = kEpochs;
        spec.configJson = R"({"dataset":"synthetic","architecture":"lenet5","lr":0.1,"batch_size":128,"seed":7})";
        spec.correct = [](RecordSet, int n, int e, std::size_t i) { return correct(0, n, e, i); };
        spec.epochsWritten = [](int) { return 1; };
        test::writeSyntheticRun(path, spec);
        const RunFile reference((folder_ + "/" + runName(0)).toStdString());  // the same records, all epochs

        QTableView* view = window_->runsTable()->view();
        QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), kRuns + 1, 30000);
        auto rowOf = [&] {
            for (int row = 0; row < view->model()->rowCount(); ++row)
                if (cell(view, row, RunsTableModel::RunColumn) == "group-4/growing.h5")
                    return row;
            return -1;
        };
        QCOMPARE(cell(view, rowOf(), RunsTableModel::StateColumn), QString("interrupted"));
        QCOMPARE(cell(view, rowOf(), RunsTableModel::EpochsColumn), QString("1/4"));
        {
            // A writer takes the run and appends epoch 1 of both networks.
            RunWriter writer(path);
            QTRY_COMPARE_WITH_TIMEOUT(cell(view, rowOf(), RunsTableModel::StateColumn), QString("running"), 15000);
            for (int n = 0; n < 2; ++n) {
                std::map<RecordSet, SplitRecords> records;
                for (RecordSet set : {RecordSet::Train, RecordSet::Test})
                    records[set] = reference.readRecords(set, n, 1);
                writer.appendEpoch(n, 1, records, reference.readSummary(n, 1));
            }
            QTRY_COMPARE_WITH_TIMEOUT(cell(view, rowOf(), RunsTableModel::EpochsColumn), QString("2/4"), 15000);
            QCOMPARE(cell(view, rowOf(), RunsTableModel::AgreementColumn),
                     QString::number(expectedFinal(0, 1).first, 'f', 1));
        }
        // The writer stopped before the last epoch.
        QTRY_COMPARE_WITH_TIMEOUT(cell(view, rowOf(), RunsTableModel::StateColumn), QString("interrupted"), 15000);

        // A run that appears in the folder gets its row; one that goes loses it.
        fs::copy_file((folder_ + "/" + runName(4)).toStdString(), (folder_ + "/group-4/copy.h5").toStdString());
        QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), kRuns + 2, 15000);
        fs::remove(path);
        fs::remove((folder_ + "/group-4/copy.h5").toStdString());
        QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), kRuns, 15000);
    }

    void comparesTheSelectedRunsAndOpensOneByDoubleClick()
    {
        RunsTable* table = window_->runsTable();
        QTableView* view = table->view();
        QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), kRuns, 30000);
        QVERIFY(!table->compareButton()->isEnabled());
        clickRow(view, 0);
        QVERIFY(!table->compareButton()->isEnabled());
        clickRow(view, 2, Qt::ControlModifier);
        clickRow(view, 5, Qt::ControlModifier);
        QVERIFY(table->compareButton()->isEnabled());
        const QStringList expected = {folder_ + "/" + cell(view, 0, 0), folder_ + "/" + cell(view, 2, 0),
                                      folder_ + "/" + cell(view, 5, 0)};
        QCOMPARE(table->selectedRuns(), expected);
        QTest::mouseClick(table->compareButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(table->comparison()->runs().size(), std::size_t(3), 60000);
        QVERIFY(table->comparison()->isVisible());
        QCOMPARE(table->comparison()->pairs()->rowCount(), 3);  // every pair of the three

        QSignalSpy opened(window_.get(), &MainWindow::runOpened);
        const QRect r = view->visualRect(view->model()->index(5, RunsTableModel::DatasetColumn));
        QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, r.center());
        QTRY_VERIFY_WITH_TIMEOUT(opened.count() > 0, 30000);
        QCOMPARE(opened.first().first().value<RunSnapshot>().path, expected[2]);
    }
};

QTEST_MAIN(TestGuiRunsTable)
#include "tst_gui_runstable.moc"
