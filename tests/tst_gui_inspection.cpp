// Inspecting one image through the real widgets: the classes the networks predicted, per network
// and epoch, in the detail panel and in the record strip's tooltip (expected values read from
// the run file with the HDF5 C library, not through the code under test).

#include "FashionRun.h"
#include "Fixtures.h"
#include "TabClick.h"
#include "SyntheticRun.h"

#include "browser/DetailPanel.h"
#include "browser/ImageBrowser.h"
#include "browser/ImageBrowserModel.h"
#include "browser/RecordStrip.h"
#include "browser/RunImages.h"
#include "dataset/DatasetReader.h"
#include "explorer/CorrelationExplorer.h"
#include "explorer/ExplorationView.h"
#include "explorer/ScatterPlot.h"
#include "explorer/TrainingCurvesView.h"
#include "analysis/AnalysisPage.h"

#include <QComboBox>
#include <QListView>
#include <QListWidget>
#include <QSpinBox>
#include <QSignalSpy>
#include <QTabBar>
#include <QTabWidget>
#include <QToolButton>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QToolTip>
#include <QtTest>

#include <hdf5.h>

using namespace orderlens;
using namespace orderlens::ui;

using orderlens::test::clickTab;

namespace {

// Fashion-MNIST's classes as Zalando Research publishes them (label 0 to 9).
const QStringList kFashionClasses = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                     "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

// What the run file stores, read with the HDF5 C library alone (docs/FORMAT.md) and closed again
// (HDF5 refuses a second opening with other flags): the split of every manifest image and
// /records/<set>/predicted[network][epoch][position in the split].
class StoredRun {
public:
    explicit StoredRun(const QString& path)
    {
        const hid_t file = H5Fopen(path.toUtf8().constData(), H5F_ACC_RDONLY, H5P_DEFAULT);
        if (file < 0)
            return;
        splits_ = read<std::uint8_t>(file, "/dataset/split", H5T_NATIVE_UINT8, nullptr);
        for (int s = 0; s < 2; ++s)
            predicted_[s] = read<std::uint64_t>(file, s == 0 ? "/records/train/predicted" : "/records/test/predicted",
                                                H5T_NATIVE_UINT64, dims_[s]);
        H5Fclose(file);
    }

    bool valid() const { return !splits_.empty() && !predicted_[0].empty() && !predicted_[1].empty(); }

    // The stored prediction of network n at epoch e for manifest image i (of its own split's set).
    std::uint64_t predicted(int network, int epoch, std::size_t image) const
    {
        std::size_t position = 0;
        for (std::size_t k = 0; k < image; ++k)
            position += splits_[k] == splits_[image];
        const int s = splits_[image] == 0 ? 0 : 1;
        return predicted_[s][(std::size_t(network) * dims_[s][1] + std::size_t(epoch)) * dims_[s][2] + position];
    }

private:
    template <typename T>
    static std::vector<T> read(hid_t file, const char* name, hid_t type, hsize_t* dims)
    {
        const hid_t data = H5Dopen2(file, name, H5P_DEFAULT);
        const hid_t space = H5Dget_space(data);
        const hsize_t count = hsize_t(H5Sget_simple_extent_npoints(space));
        if (dims)
            H5Sget_simple_extent_dims(space, dims, nullptr);
        std::vector<T> values(count);
        if (H5Dread(data, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
            values.clear();
        H5Sclose(space);
        H5Dclose(data);
        return values;
    }

    std::vector<std::uint8_t> splits_;
    std::vector<std::uint64_t> predicted_[2];
    hsize_t dims_[2][3] = {};
};

// Clicks the thumbnail in the browser's row `row`; returns the image it shows.
std::uint32_t clickThumbnail(ImageBrowser& browser, int row)
{
    const QModelIndex index = browser.model()->index(row);
    browser.view()->scrollTo(index);
    QTest::mouseClick(browser.view()->viewport(), Qt::LeftButton, {}, browser.view()->visualRect(index).center());
    return browser.model()->imageAt(row);
}

// Hovers the record strip's cell (network slot, epoch slot) and returns the tooltip shown once it
// names that cell (a tooltip of the previous cell may still be up).
QString stripTooltip(const RecordStrip* strip, int network, int epoch)
{
    QPoint at(-1, -1);
    for (int y = 0; y < strip->height() && at.x() < 0; ++y)
        for (int x = 0; x < strip->width() && at.x() < 0; ++x)
            if (strip->cellAt({x, y}) == QPoint(network, epoch))
                at = {x + 2, y + 2};
    if (at.x() < 0)
        return {};
    QTest::mouseMove(const_cast<RecordStrip*>(strip), at);
    const QString cell = QStringLiteral("network %1, epoch %2:").arg(network + 1).arg(epoch);
    if (!QTest::qWaitFor([&] { return QToolTip::isVisible() && QToolTip::text().startsWith(cell); }, 5000))
        return {};
    return QToolTip::text();
}

// Replaces a spin box's text by typing, as a user does (select all, type, Return).
void typeInto(QAbstractSpinBox* box, const QString& text)
{
    QTest::mouseClick(box, Qt::LeftButton);
    QTest::keyClick(box, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(box, text);
    QTest::keyClick(box, Qt::Key_Return);
}

QToolButton* buttonTitled(QWidget* parent, const QString& text)
{
    for (QToolButton* b : parent->findChildren<QToolButton*>())
        if (b->text() == text)
            return b;
    return nullptr;
}

// With ORDERLENS_SCREENSHOT_DIR set, saves what the widget shows at 1600 x 1000 and 1024 x 700
// (for looking at, not a check).
void saveScreenshots(QWidget& widget, const QString& name)
{
    const QDir out(qEnvironmentVariable("ORDERLENS_SCREENSHOT_DIR"));
    if (out.path() == ".")
        return;
    const QSize before = widget.size();
    for (const QSize& size : {QSize(1600, 1000), QSize(1024, 700)}) {
        widget.resize(size);
        QTest::qWait(100);
        widget.grab().save(out.filePath(QStringLiteral("%1-%2x%3.png").arg(name).arg(size.width()).arg(size.height())));
    }
    widget.resize(before);
}

}  // namespace

class TestGuiInspection : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;

private slots:
    void predictedClassesOfAFashionRun()
    {
        if (test::fashionMnistDir().empty())
            QSKIP("dataset-fashion-mnist is not installed");
        test::FashionRun spec;
        spec.train = 120;
        spec.test = 40;
        spec.epochs = 5;
        const QString path = dir_.filePath("fashion.h5");
        test::writeFashionRun(path.toStdString(), spec);
        const StoredRun stored(path);
        QVERIFY(stored.valid());

        ImageBrowser browser;
        browser.resize(1400, 900);
        browser.setRun(RunImages::load(path.toStdString()));
        browser.show();
        QVERIFY(QTest::qWaitForWindowExposed(&browser));
        // Images of both splits, among them ones some network got wrong (the fixture predicts
        // the next class then).
        int checkedWrong = 0;
        for (int row : {0, 7, browser.model()->rowCount() - 1}) {
            const std::uint32_t image = clickThumbnail(browser, row);
            QCOMPARE(browser.detail()->image(), int(image));
            const QTableWidget* table = browser.detail()->predictions();
            QVERIFY(table->isVisible());
            QCOMPARE(table->columnCount(), spec.networks);
            QCOMPARE(table->rowCount(), spec.epochs);
            for (int n = 0; n < spec.networks; ++n) {
                // Networks are counted from 1 on screen (docs/GUI.md).
                QCOMPARE(table->horizontalHeaderItem(n)->text(), QStringLiteral("net %1").arg(n + 1));
                for (int e = 0; e < spec.epochs; ++e) {
                    const std::uint64_t p = stored.predicted(n, e, image);
                    QVERIFY(p < std::uint64_t(kFashionClasses.size()));
                    QCOMPARE(table->item(e, n)->text(), kFashionClasses[int(p)]);
                    checkedWrong += p != std::uint64_t(browser.run()->label(image));
                }
            }
            QCOMPARE(table->verticalHeaderItem(0)->text(), QStringLiteral("epoch 0"));
        }
        QVERIFY(checkedWrong > 0);

        saveScreenshots(browser, "browser-predictions");

        // The record strip's tooltip names the prediction of the cell under the mouse.
        const std::uint32_t image = std::uint32_t(browser.detail()->image());
        for (const QPoint& cell : {QPoint(0, 0), QPoint(2, 4), QPoint(1, 2)}) {
            const QString tip = stripTooltip(browser.detail()->strip(), cell.x(), cell.y());
            const QString expected = kFashionClasses[int(stored.predicted(cell.x(), cell.y(), image))];
            QVERIFY2(tip.contains(QStringLiteral("predicted: %1").arg(expected)), qPrintable(tip));
        }
    }

    void clickingAScatterPointOpensItsImage()
    {
        if (test::fashionMnistDir().empty())
            QSKIP("dataset-fashion-mnist is not installed");
        test::FashionRun spec;
        spec.train = 150;
        spec.test = 50;
        const QString path = dir_.filePath("scatter.h5");
        const std::vector<double> intensity = test::writeFashionRun(path.toStdString(), spec);
        // The fixture's bright_pixels, counted again here from the dataset's pixels.
        const Dataset ds = loadDataset("fashion-mnist", spec.train, spec.test);
        std::vector<double> bright(ds.size());
        for (std::size_t i = 0; i < ds.size(); ++i) {
            const ImageView v = ds.image(i);
            bright[i] = double(std::count_if(v.data, v.data + v.bytes(), [](std::uint8_t p) { return p > 128; }));
        }

        ExplorationView view;
        view.resize(1400, 900);
        QSignalSpy loaded(&view, &ExplorationView::loaded);
        view.openRun(path);
        QVERIFY(loaded.wait(60000));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        clickTab(view.tabs(), "Correlations");
        QCOMPARE(view.tabs()->currentWidget(), static_cast<QWidget*>(view.explorer()));
        view.explorer()->setSplit(Split::Train);
        view.explorer()->setAxes("mean_intensity", "bright_pixels");
        ScatterPlot* plot = view.explorer()->plot();
        QTest::qWait(50);

        // Where each training image's point is, and the ones with no other point within 15 px
        // (bright_pixels is an integer column: its jitter of 0.3 is well below a pixel here).
        auto pixel = [&](std::size_t i) {
            return QPointF(plot->xAxis->coordToPixel(intensity[i]), plot->yAxis->coordToPixel(bright[i]));
        };
        std::vector<std::uint32_t> isolated;
        for (std::size_t i = 0; i < spec.train; ++i) {
            bool alone = plot->axisRect()->rect().contains(pixel(i).toPoint());
            for (std::size_t j = 0; j < spec.train && alone; ++j)
                alone = j == i || QLineF(pixel(i), pixel(j)).length() > 15;
            if (alone)
                isolated.push_back(std::uint32_t(i));
        }
        QVERIFY(isolated.size() >= 2);

        // In rectangle mode (the default), after selecting everything with a drag: a click opens
        // the image in the browser and keeps the selection.
        const QRect area = plot->axisRect()->rect();
        QTest::mousePress(plot, Qt::LeftButton, {}, area.topLeft() + QPoint(1, 1));
        QTest::mouseMove(plot, area.center());
        QTest::mouseMove(plot, area.bottomRight() - QPoint(1, 1));
        QTest::mouseRelease(plot, Qt::LeftButton, {}, area.bottomRight() - QPoint(1, 1));
        QCOMPARE(plot->selection().size(), spec.train);
        const std::uint32_t first = isolated.front();
        QTest::mouseClick(plot, Qt::LeftButton, {}, pixel(first).toPoint());
        QCOMPARE(view.tabs()->currentWidget(), static_cast<QWidget*>(view.browser()));
        QCOMPARE(view.browser()->currentImage(), int(first));
        QCOMPARE(view.browser()->detail()->title(), QString::fromStdString(ds.key(first)));
        QCOMPARE(plot->selection().size(), spec.train);
        QCOMPARE(std::size_t(view.browser()->model()->rowCount()), spec.train);

        // In pan mode too; a click on empty space opens nothing.
        clickTab(view.tabs(), "Correlations");
        QToolButton* pan = buttonTitled(view.explorer(), "Pan");
        QVERIFY(pan);
        QTest::mouseClick(pan, Qt::LeftButton);
        QVERIFY(pan->isChecked());
        const std::uint32_t second = isolated.back();
        QTest::mouseClick(plot, Qt::LeftButton, {}, pixel(second).toPoint());
        QCOMPARE(view.tabs()->currentWidget(), static_cast<QWidget*>(view.browser()));
        QCOMPARE(view.browser()->currentImage(), int(second));
        clickTab(view.tabs(), "Correlations");
        QPoint empty(-1, -1);
        for (int y = area.top() + 5; y < area.bottom() && empty.x() < 0; y += 7)
            for (int x = area.left() + 5; x < area.right() && empty.x() < 0; x += 7) {
                bool far = true;
                for (std::size_t i = 0; i < spec.train && far; ++i)
                    far = QLineF(pixel(i), QPointF(x, y)).length() > 25;
                if (far)
                    empty = {x, y};
            }
        QVERIFY(empty.x() >= 0);
        QTest::mouseClick(plot, Qt::LeftButton, {}, empty);
        QCOMPARE(view.tabs()->currentWidget(), static_cast<QWidget*>(view.explorer()));
        saveScreenshots(view, "explorer-scatter");
    }

    void thresholdsSayWhatTheyHide()
    {
        if (test::fashionMnistDir().empty())
            QSKIP("dataset-fashion-mnist is not installed");
        // Five epochs: the study's "first 5 epochs" threshold hides the whole metric curve.
        test::FashionRun spec;
        spec.train = 150;
        spec.test = 50;
        spec.epochs = 5;
        const QString path = dir_.filePath("five-epochs.h5");
        const std::vector<double> intensity = test::writeFashionRun(path.toStdString(), spec);
        // Training-split agreement per epoch from the fixture's record rule (FashionRun.h):
        // 100 |images every network gets right| / |images some network gets right|.
        std::vector<double> agreement;
        for (int e = 0; e < spec.epochs; ++e) {
            int all = 0, any = 0;
            for (std::size_t i = 0; i < spec.train; ++i) {
                int right = 0;
                for (int n = 0; n < spec.networks; ++n)
                    right += e >= test::fashionLearnedEpoch(spec, intensity, i, n) &&
                             !(i % 13 == 0 && n == 0 && e == spec.epochs - 1);
                all += right == spec.networks;
                any += right > 0;
            }
            agreement.push_back(100.0 * all / std::max(any, 1));
        }

        ExplorationView view;
        view.resize(1400, 900);
        QSignalSpy loaded(&view, &ExplorationView::loaded);
        view.openRun(path);
        QVERIFY(loaded.wait(60000));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        clickTab(view.tabs(), "Along training");
        TrainingCurvesView* curves = view.curves();
        QCOMPARE(view.tabs()->currentWidget(), static_cast<QWidget*>(curves));

        // The metric list names the statistics as everywhere else, not by their column ids.
        QComboBox* metrics = nullptr;
        for (QComboBox* box : curves->findChildren<QComboBox*>())
            if (box->findData("bright_pixels") >= 0)
                metrics = box;
        QVERIFY(metrics);
        QCOMPARE(metrics->itemText(metrics->findData("bright_pixels")), QStringLiteral("Bright pixels"));
        QCOMPARE(metrics->itemText(metrics->findData("mean_intensity")), QStringLiteral("Mean intensity"));
        QCOMPARE(metrics->currentData().toString(), QStringLiteral("bright_pixels"));

        auto* note = curves->findChild<QLabel*>("thresholdNote");
        QVERIFY(note);
        QVERIFY(note->isVisible());
        QCOMPARE(note->text(), QStringLiteral("The Bright pixels curve is hidden at every epoch (all 5): epochs 0-4 are "
                                              "among the first 5 epochs, which are not shown. Lower \"Hide below "
                                              "agreement\" or \"and first epochs\" above to show it."));
        saveScreenshots(view, "along-training");

        // Typing a lower epoch threshold: the first 3 epochs stay hidden, later ones where the
        // training agreement is below 20 %.
        QSpinBox* firstEpochs = nullptr;
        for (QSpinBox* box : curves->findChildren<QSpinBox*>())
            if (box->value() == 5)
                firstEpochs = box;
        QVERIFY(firstEpochs);
        typeInto(firstEpochs, "3");
        QCOMPARE(firstEpochs->value(), 3);
        int low = 0;
        for (int e = 3; e < spec.epochs; ++e)
            low += agreement[std::size_t(e)] < 20.0;
        QVERIFY2(note->text().startsWith(QStringLiteral("The Bright pixels curve is hidden at %1 of 5 epochs: epochs 0-2 "
                                                        "are among the first 3 epochs")
                                             .arg(3 + low)),
                 qPrintable(note->text()));
        QCOMPARE(note->text().contains("agreement is below 20 %"), low > 0);

        // Nothing hidden: no note, and the curve is drawn at every epoch.
        typeInto(firstEpochs, "0");
        QDoubleSpinBox* agreementThreshold = curves->findChild<QDoubleSpinBox*>();
        QVERIFY(agreementThreshold);
        typeInto(agreementThreshold, "0");
        QCOMPARE(agreementThreshold->value(), 0.0);
        QVERIFY(!note->isVisible());
        QCOMPARE(int(curves->shownCurve().size()), spec.epochs);
        for (double v : curves->shownCurve())
            QVERIFY(!std::isnan(v));

        // The Analysis tab's caption of the same curve (study thresholds) says the same.
        AnalysisPage page;
        page.resize(1400, 900);
        QSignalSpy analysed(&page, &AnalysisPage::analysed);
        page.analyse(path);
        QVERIFY(analysed.wait(60000));
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto* list = page.findChild<QListWidget*>();
        QVERIFY(list);
        const QList<QListWidgetItem*> items = list->findItems("Bright pixels of agreed images, train split", Qt::MatchExactly);
        QCOMPARE(items.size(), 1);
        list->scrollToItem(items.front());
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualItemRect(items.front()).center());
        bool captioned = false;
        for (QLabel* label : page.findChildren<QLabel*>())
            captioned |= label->isVisible() &&
                         label->text().endsWith("Here the curve is hidden at every epoch (all 5): epochs 0-4 are among "
                                                "the first 5 epochs, which are not shown.");
        QVERIFY(captioned);
    }

    void predictedLabelSetsOfAMultiLabelRun()
    {
        // Three classes; each network predicts the label set when correct, else that set with
        // class 0 toggled (so sometimes the empty set).
        test::SyntheticRun spec;
        spec.multiLabel = true;
        spec.train = 10;
        spec.test = 6;
        spec.epochs = 4;
        spec.correct = [](RecordSet, int n, int e, std::size_t i) { return e >= int((i + std::size_t(n)) % 5); };
        const Dataset ds = test::syntheticDataset(spec.train, spec.test, spec.classes, true);
        spec.predicted = [&](RecordSet set, int n, int e, std::size_t i) {
            const std::uint64_t bits = ds.labelBits(ds.indices(recordSetSplit(set))[i]);
            return std::int64_t(e >= int((i + std::size_t(n)) % 5) ? bits : bits ^ 1u);
        };
        const QString path = dir_.filePath("multi.h5");
        test::writeSyntheticRun(path.toStdString(), spec);
        const StoredRun stored(path);
        QVERIFY(stored.valid());

        ImageBrowser browser;
        browser.resize(1400, 900);
        browser.setRun(RunImages::load(path.toStdString()));
        browser.show();
        QVERIFY(QTest::qWaitForWindowExposed(&browser));
        auto names = [](std::uint64_t bits) {
            QStringList set;
            for (int c = 0; c < 3; ++c)
                if (bits & (std::uint64_t(1) << c))
                    set << QStringLiteral("class%1").arg(c);
            return set.isEmpty() ? QStringLiteral("none") : set.join(", ");
        };
        bool sawEmpty = false, sawSeveral = false;
        for (int row = 0; row < browser.model()->rowCount(); ++row) {
            const std::uint32_t image = clickThumbnail(browser, row);
            const QTableWidget* table = browser.detail()->predictions();
            QCOMPARE(table->rowCount(), spec.epochs);
            for (int n = 0; n < spec.networks; ++n)
                for (int e = 0; e < spec.epochs; ++e) {
                    const std::uint64_t bits = stored.predicted(n, e, image);
                    QCOMPARE(table->item(e, n)->text(), names(bits));
                    sawEmpty |= bits == 0;
                    sawSeveral |= (bits & (bits - 1)) != 0;
                }
        }
        QVERIFY(sawEmpty && sawSeveral);
        const std::uint32_t image = std::uint32_t(browser.detail()->image());
        const QString tip = stripTooltip(browser.detail()->strip(), 1, 0);
        QVERIFY2(tip.contains(QStringLiteral("predicted: %1").arg(names(stored.predicted(1, 0, image)))), qPrintable(tip));
    }
};

QTEST_MAIN(TestGuiInspection)
#include "tst_gui_inspection.moc"
