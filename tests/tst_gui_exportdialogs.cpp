// Exports through the real dialogs, as a user makes them in the Explore views of a window: the
// keys CSV of a rectangle drawn on the scatter (with the two plotted values), the contact sheet
// (with class labels), a figure; each asks before replacing a file, says in the status bar what
// it wrote where, and the figure dialog offers the format chosen last.

#include "DialogAnswers.h"
#include "FashionRun.h"
#include "Fixtures.h"
#include "TabClick.h"

#include "analysis/LearningMeasures.h"
#include "browser/ImageBrowser.h"
#include "browser/ImageBrowserModel.h"
#include "dataset/DatasetReader.h"
#include "explorer/CorrelationExplorer.h"
#include "explorer/ExplorationView.h"
#include "explorer/ScatterPlot.h"
#include "export/FigureExport.h"
#include "plot/InteractivePlot.h"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMainWindow>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolButton>
#include <QtTest>

#include <functional>

using namespace orderlens;
using namespace orderlens::ui;
using namespace orderlens::test;

namespace {

QToolButton* buttonTitled(QWidget* parent, const QString& text)
{
    for (QToolButton* b : parent->findChildren<QToolButton*>())
        if (b->text() == text && b->isVisible())
            return b;
    return nullptr;
}

QByteArray read(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}  // namespace

class TestGuiExportDialogs : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    test::FashionRun spec_;
    std::vector<double> intensity_;

private slots:
    void initTestCase()
    {
        if (test::fashionMnistDir().empty())
            QSKIP("dataset-fashion-mnist is not installed");
        spec_.train = 160;
        spec_.test = 40;
        intensity_ = test::writeFashionRun(dir_.filePath("run.h5").toStdString(), spec_);
    }

    void exportsAskTellAndRemember()
    {
        QMainWindow window;
        auto* view = new ExplorationView;
        window.setCentralWidget(view);
        window.resize(1400, 900);
        QSignalSpy loaded(view, &ExplorationView::loaded);
        view->openRun(dir_.filePath("run.h5"));
        QVERIFY(loaded.wait(60000));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        // A rectangle over the "never" row of mean intensity against the learned-by-all epoch
        // (training split): exactly the never-learned training images, described as such.
        clickTab(view->tabs(), "Correlations");
        view->explorer()->setSplit(Split::Train);
        view->explorer()->setAxes("mean_intensity", "learned_epoch");
        ScatterPlot* plot = view->explorer()->plot();
        QTest::qWait(50);
        const QRect area = plot->axisRect()->rect();
        const double never = spec_.epochs;  // never-learned images sit after the last epoch
        const QPoint from(area.left() + 1, int(plot->yAxis->coordToPixel(never + 0.45)));
        const QPoint to(area.right() - 1, int(plot->yAxis->coordToPixel(never - 0.45)));
        QTest::mousePress(plot, Qt::LeftButton, {}, from);
        QTest::mouseMove(plot, (from + to) / 2);
        QTest::mouseMove(plot, to);
        QTest::mouseRelease(plot, Qt::LeftButton, {}, to);
        std::vector<std::uint32_t> expected;
        for (std::uint32_t i = 0; i < spec_.train; ++i)
            if (test::fashionLearnedByAll(spec_, intensity_, i) == kNeverLearned)
                expected.push_back(i);
        QVERIFY(!expected.empty());
        QCOMPARE(plot->selection().size(), expected.size());
        ImageBrowser* browser = view->browser();
        bool described = false;
        for (QLabel* label : browser->findChildren<QLabel*>())
            described |= label->text().startsWith(QStringLiteral("Showing %1 images:").arg(expected.size())) &&
                         label->text().endsWith("Learned-by-all epoch: never");
        QVERIFY(described);

        // Keys CSV of the selection: key, split, class, learned epoch and the plotted mean intensity.
        clickTab(view->tabs(), "Images");
        const QString csv = dir_.filePath("keys.csv");
        answerFileDialog(csv);
        QTest::mouseClick(buttonTitled(browser, "Keys CSV…"), Qt::LeftButton);
        QCOMPARE(window.statusBar()->currentMessage(),
                 QStringLiteral("Keys of %1 images saved to %2").arg(expected.size()).arg(csv));
        const Dataset ds = loadDataset("fashion-mnist", spec_.train, spec_.test);
        const QStringList lines = QString::fromUtf8(read(csv)).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), int(expected.size()) + 1);
        QCOMPARE(lines[0], QStringLiteral("key,split,class,learned_epoch,mean_intensity"));
        for (int k = 1; k < lines.size(); ++k) {
            const QStringList cells = lines[k].split(',');
            QCOMPARE(cells.size(), 5);
            const auto row = std::find_if(expected.begin(), expected.end(), [&](std::uint32_t i) {
                return QString::fromStdString(ds.key(i)) == cells[0];
            });
            QVERIFY(row != expected.end());
            QCOMPARE(cells[3], QStringLiteral("never"));
            QVERIFY(std::abs(cells[4].toDouble() - intensity_[*row]) < 1e-9);
        }

        // The same file again: asked, and "No" leaves it as it was; "Yes" replaces it.
        const QByteArray before = read(csv);
        QFile marked(csv);
        QVERIFY(marked.open(QIODevice::Append));
        marked.write("marker\n");
        marked.close();
        window.statusBar()->clearMessage();
        QString asked;
        answerFileDialog(csv);
        answerReplace(false, &asked);
        QTest::mouseClick(buttonTitled(browser, "Keys CSV…"), Qt::LeftButton);
        QVERIFY(!asked.isEmpty());
        QCOMPARE(read(csv), before + "marker\n");
        QVERIFY(window.statusBar()->currentMessage().isEmpty());
        asked.clear();
        answerFileDialog(csv);
        answerReplace(true, &asked);
        QTest::mouseClick(buttonTitled(browser, "Keys CSV…"), Qt::LeftButton);
        QVERIFY(!asked.isEmpty());
        QCOMPARE(read(csv), before);

        // The contact sheet: one row of thumbnails (64 px) captioned with key, class and sort key.
        const QString sheetPath = dir_.filePath("sheet.png");
        answerFileDialog(sheetPath);
        QTest::mouseClick(buttonTitled(browser, "Contact sheet…"), Qt::LeftButton);
        QCOMPARE(window.statusBar()->currentMessage(),
                 QStringLiteral("Contact sheet of %1 images saved to %2").arg(expected.size()).arg(sheetPath));
        const QImage sheet(sheetPath);
        const int columns = std::min<int>(10, int(expected.size()));
        const int rows = (int(expected.size()) + 9) / 10;
        QCOMPARE(sheet.size(), QSize(columns * 72 + 8, rows * (72 + 3 * 13) + 8));
        // The class line (the second under each image) has text in it.
        int ink = 0;
        for (int y = 8 + 64 + 1 + 13; y < 8 + 64 + 1 + 26; ++y)
            for (int x = 4; x < 76; ++x)
                ink += qGray(sheet.pixel(x, y)) < 128;
        QVERIFY(ink > 10);

        // A figure as PNG: the next export dialog offers PNG again.
        clickTab(view->tabs(), "Correlations");
        const QString figure = dir_.filePath("scatter.png");
        whenModal([&](QWidget* w) {
            auto* dialog = qobject_cast<FigureExportDialog*>(w);
            if (!dialog)
                return false;
            auto* format = dialog->findChild<QComboBox*>();
            format->setFocus();
            while (format->currentData().toString() != "png")
                QTest::keyClick(format, Qt::Key_Down);
            auto* path = dialog->findChild<QLineEdit*>();
            path->selectAll();
            QTest::keyClicks(path, figure);
            QTest::mouseClick(dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save), Qt::LeftButton);
            return true;
        });
        QTest::mouseClick(buttonTitled(view->explorer(), "Export figure…"), Qt::LeftButton);
        QVERIFY(QFileInfo(figure).size() > 0);
        QCOMPARE(window.statusBar()->currentMessage(), QStringLiteral("Figure saved to %1").arg(figure));
        // Every figure file has one size: 640 x 440 logical pixels (6.67 x 4.58 in) at 300 dpi.
        const QSize figureSize(640 * 300 / 96, 440 * 300 / 96);
        QCOMPARE(QImage(figure).size(), figureSize);
        QString offered;
        asked.clear();
        whenModal([&](QWidget* w) {
            auto* dialog = qobject_cast<FigureExportDialog*>(w);
            if (!dialog)
                return false;
            offered = dialog->findChild<QComboBox*>()->currentData().toString() + " " + dialog->path();
            auto* path = dialog->findChild<QLineEdit*>();
            path->selectAll();
            QTest::keyClicks(path, figure);
            answerReplace(false, &asked);
            QTest::mouseClick(dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save), Qt::LeftButton);
            // Not replaced: the dialog stays open for another name; cancel it.
            QTest::mouseClick(dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Cancel), Qt::LeftButton);
            return true;
        });
        QTest::mouseClick(buttonTitled(view->explorer(), "Export figure…"), Qt::LeftButton);
        QVERIFY(offered.startsWith("png ") && offered.endsWith(".png"));
        QVERIFY(!asked.isEmpty());

        // The same size from the plots of the monitor (InteractivePlot's export, behind File >
        // Export > Figures) and from the report (as `orderlens analyze` writes it).
        InteractivePlot line;
        line.resize(500, 300);
        line.addLine("a line", Qt::black)->setData(QVector<double>{0, 1, 2}, QVector<double>{1, 3, 2});
        line.refresh();
        const QString linePath = dir_.filePath("line.png");
        QVERIFY(line.exportTo(linePath));
        QCOMPARE(QImage(linePath).size(), figureSize);
        QTemporaryDir report;
        const QStringList files = view->writeReport(report.path());
        const QString agreement = report.filePath("agreement_train.png");
        QVERIFY2(files.contains(agreement), qPrintable(files.join(", ")));
        QCOMPARE(QImage(agreement).size(), figureSize);
    }
};

QTEST_MAIN(TestGuiExportDialogs)
#include "tst_gui_exportdialogs.moc"
