// The image browser: loading a run's images, sorting and filtering (model and widget), the
// detail panel, easy vs hard, on a real Fashion-MNIST subset with made-up records.

#include "FashionRun.h"
#include "Fixtures.h"
#include "SyntheticRun.h"

#include "analysis/LearningMeasures.h"
#include "browser/DetailPanel.h"
#include "browser/EasyHardView.h"
#include "browser/ImageBrowser.h"
#include "browser/ImageBrowserModel.h"
#include "browser/RecordStrip.h"
#include "browser/RunImages.h"
#include "dataset/DatasetReader.h"
#include "storage/RunFile.h"

#include <QListView>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>

using namespace orderlens;
using namespace orderlens::ui;

class TestGuiBrowser : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    test::FashionRun spec_;
    std::vector<double> intensity_;
    std::shared_ptr<const RunImages> run_;

    int expectedLearned(std::size_t i) const { return test::fashionLearnedByAll(spec_, intensity_, i); }

private slots:
    void initTestCase()
    {
        if (test::fashionMnistDir().empty())
            QSKIP("dataset-fashion-mnist is not installed");
        const std::string path = dir_.filePath("fashion.h5").toStdString();
        intensity_ = test::writeFashionRun(path, spec_);
        run_ = RunImages::load(path);
    }

    void loadsImagesMeasuresAndRecords()
    {
        QCOMPARE(run_->size(), spec_.train + spec_.test);
        QVERIFY2(run_->hasImages(), run_->datasetProblem().c_str());
        QCOMPARE(run_->dataset()->height(), 28);
        std::size_t never = 0;
        for (std::size_t i = 0; i < run_->size(); ++i) {
            QCOMPARE(run_->table().learnedEpoch[i], expectedLearned(i));
            never += run_->table().learnedEpoch[i] == kNeverLearned;
        }
        QVERIFY(never > 0 && never < run_->size());  // the fixture has both kinds

        // Per-network learned epochs and the record strip of one image.
        const std::size_t i = 7;
        const std::vector<int> perNet = run_->networkLearnedEpochs(i);
        QCOMPARE(int(perNet.size()), spec_.networks);
        const ImageRecords rec = run_->records(i);
        QCOMPARE(rec.epochs, spec_.epochs);
        for (int n = 0; n < spec_.networks; ++n) {
            const int learned = test::fashionLearnedEpoch(spec_, intensity_, i, n);
            QCOMPARE(perNet[std::size_t(n)], learned < spec_.epochs ? learned : kNeverLearned);
            for (int e = 0; e < spec_.epochs; ++e) {
                const std::size_t k = std::size_t(n * spec_.epochs + e);
                QCOMPARE(int(rec.correct[k]), e >= learned ? 1 : 0);
                QVERIFY(std::abs(rec.pTrue[k] - (e >= learned ? 0.6f + 0.4f * float(e) / float(spec_.epochs) : 0.15f)) < 0.003f);
            }
        }
        // Metric columns carried over, integer metrics flagged.
        const int bright = run_->table().columnIndex("bright_pixels");
        const int mean = run_->table().columnIndex("mean_intensity");
        QVERIFY(bright >= 0 && mean >= 0);
        QVERIFY(run_->table().columns[std::size_t(bright)].integer);
        QVERIFY(!run_->table().columns[std::size_t(mean)].integer);
        QCOMPARE(run_->table().columns[std::size_t(mean)].values[5], intensity_[5]);
        QVERIFY(run_->table().columns[std::size_t(run_->table().columnIndex("learned_epoch"))].integer);
    }

    void missingDatasetIsNotAnError()
    {
        // A run whose dataset no longer loads still opens; the pixels are missing and the
        // reason is kept for the detail panel.
        test::SyntheticRun spec;
        spec.configJson = R"({"dataset": "idx:/nonexistent/orderlens-dataset"})";
        spec.correct = [](RecordSet, int, int e, std::size_t i) { return e >= int(i % 4); };
        const std::string path = dir_.filePath("moved.h5").toStdString();
        test::writeSyntheticRun(path, spec);
        const auto run = RunImages::load(path);
        QVERIFY(!run->hasImages());
        QVERIFY(run->image(0).isNull());
        QVERIFY(QString::fromStdString(run->datasetProblem()).contains("nonexistent"));
        QCOMPARE(run->size(), spec.train + spec.test);
        QCOMPARE(run->table().learnedEpoch[1], 1);
        QCOMPARE(run->table().learnedEpoch[3], kNeverLearned);  // learned only at epoch 3 of 0..2
        ImageBrowserModel model;
        model.setRun(run);
        QVERIFY(model.data(model.index(0), Qt::DecorationRole).isNull());
        DetailPanel detail;
        detail.setRun(run);
        detail.showImage(2);
        QCOMPARE(detail.title(), QString::fromStdString(run->key(2)));
    }

    void sortsByLearnedEpochWithNeverLast()
    {
        ImageBrowserModel model;
        model.setRun(run_);
        QCOMPARE(model.rowCount(), int(run_->size()));
        const auto& t = run_->table();
        auto key = [&](std::uint32_t i) { return t.learnedEpoch[i] == kNeverLearned ? 1000 : t.learnedEpoch[i]; };
        for (int r = 1; r < model.rowCount(); ++r) {
            const std::uint32_t a = model.imageAt(r - 1), b = model.imageAt(r);
            QVERIFY(key(a) < key(b) || (key(a) == key(b) && a < b));  // ties keep manifest order
        }
        QCOMPARE(model.data(model.index(model.rowCount() - 1), Qt::DisplayRole).toString(), QStringLiteral("never"));
        QCOMPARE(model.data(model.index(0), Qt::DisplayRole).toString(),
                 QStringLiteral("epoch %1").arg(t.learnedEpoch[model.imageAt(0)]));

        model.setSort({-1, true});
        QCOMPARE(model.data(model.index(0), Qt::DisplayRole).toString(), QStringLiteral("never"));
        for (int r = 1; r < model.rowCount(); ++r) {
            const std::uint32_t a = model.imageAt(r - 1), b = model.imageAt(r);
            QVERIFY(key(a) > key(b) || (key(a) == key(b) && a < b));
        }
        // rowOf inverts imageAt.
        for (int r : {0, 17, model.rowCount() - 1})
            QCOMPARE(model.rowOf(model.imageAt(r)), r);
    }

    void sortsByMetric()
    {
        ImageBrowserModel model;
        model.setRun(run_);
        const int mean = run_->table().columnIndex("mean_intensity");
        model.setSort({mean, false});
        std::vector<double> expected = intensity_;
        std::sort(expected.begin(), expected.end());
        for (int r = 0; r < model.rowCount(); ++r)
            QCOMPARE(intensity_[model.imageAt(r)], expected[std::size_t(r)]);
        QCOMPARE(model.data(model.index(0), Qt::DisplayRole).toString(), QString::number(expected[0], 'g', 4));
        model.setSort({mean, true});
        QCOMPARE(intensity_[model.imageAt(0)], expected.back());
    }

    void radixOrderMatchesStableSort()
    {
        // Random keys with negatives, zeros of both signs, infinities, ties and missing values.
        ImageTable t;
        std::mt19937 rng(3);
        const std::size_t n = 5000;
        ImageColumn c{"v", false, false, {}};
        for (std::size_t i = 0; i < n; ++i) {
            t.splits.push_back(i % 3 ? Split::Train : Split::Test);
            t.labels.push_back(int(i % 10));
            t.learnedEpoch.push_back(int(rng() % 12) - 1);  // -1 = never
            const int kind = int(rng() % 10);
            double v = std::ldexp(double(int(rng() % 2001) - 1000), int(rng() % 40) - 20);
            if (kind == 0)
                v = std::nan("");
            else if (kind == 1)
                v = (rng() % 2) ? 0.0 : -0.0;
            else if (kind == 2)
                v = (rng() % 2) ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
            else if (kind == 3)
                v = 1.5;
            c.values.push_back(v);
        }
        t.columns.push_back(c);
        for (bool descending : {false, true}) {
            ImageFilter f;
            f.anySplit = false;
            f.split = Split::Train;
            const auto order = orderImages(t, f, {0, descending});
            std::vector<std::uint32_t> expected, missing;
            for (std::size_t i = 0; i < n; ++i)
                if (t.splits[i] == Split::Train)
                    (std::isnan(c.values[i]) ? missing : expected).push_back(std::uint32_t(i));
            std::stable_sort(expected.begin(), expected.end(), [&](std::uint32_t a, std::uint32_t b) {
                return descending ? c.values[a] > c.values[b] : c.values[a] < c.values[b];
            });
            expected.insert(expected.end(), missing.begin(), missing.end());
            QCOMPARE(order, expected);

            const auto byEpoch = orderImages(t, {}, {-1, descending});
            std::vector<std::uint32_t> all(n);
            for (std::size_t i = 0; i < n; ++i)
                all[i] = std::uint32_t(i);
            auto ek = [&](std::uint32_t i) { return t.learnedEpoch[i] == kNeverLearned ? 1 << 30 : t.learnedEpoch[i]; };
            std::stable_sort(all.begin(), all.end(), [&](std::uint32_t a, std::uint32_t b) {
                return descending ? ek(a) > ek(b) : ek(a) < ek(b);
            });
            QCOMPARE(byEpoch, all);
        }
    }

    void filters()
    {
        ImageBrowserModel model;
        model.setRun(run_);
        QSignalSpy changed(&model, &ImageBrowserModel::orderChanged);
        const auto& t = run_->table();
        auto count = [&](auto pred) {
            int c = 0;
            for (std::size_t i = 0; i < t.size(); ++i)
                c += pred(i) ? 1 : 0;
            return c;
        };
        ImageFilter f;
        f.anySplit = false;
        f.split = Split::Test;
        model.setFilter(f);
        QCOMPARE(model.rowCount(), int(spec_.test));
        QCOMPARE(changed.last().at(0).toInt(), int(spec_.test));
        QCOMPARE(changed.last().at(1).toInt(), int(t.size()));

        f.label = 3;
        model.setFilter(f);
        QCOMPARE(model.rowCount(), count([&](std::size_t i) { return t.splits[i] == Split::Test && t.labels[i] == 3; }));
        for (int r = 0; r < model.rowCount(); ++r)
            QCOMPARE(run_->className(model.imageAt(r)), QString::fromStdString(run_->classNames()[3]));

        ImageFilter never;
        never.learned = ImageFilter::Learned::Never;
        model.setFilter(never);
        QCOMPARE(model.rowCount(), count([&](std::size_t i) { return t.learnedEpoch[i] == kNeverLearned; }));

        ImageFilter range;
        range.minEpoch = 2;
        range.maxEpoch = 3;
        model.setFilter(range);
        QCOMPARE(model.rowCount(), count([&](std::size_t i) { return t.learnedEpoch[i] >= 2 && t.learnedEpoch[i] <= 3; }));

        ImageFilter value;
        value.column = t.columnIndex("mean_intensity");
        value.minValue = 0.2;
        value.maxValue = 0.3;
        model.setFilter(value);
        QCOMPARE(model.rowCount(), count([&](std::size_t i) { return intensity_[i] >= 0.2 && intensity_[i] <= 0.3; }));
        QVERIFY(model.rowCount() > 0);
    }

    void widgetControlsSortFilterAndDetail()
    {
        ImageBrowser browser;
        browser.resize(1200, 800);
        browser.setRun(run_);
        browser.show();
        QVERIFY(QTest::qWaitForWindowExposed(&browser));
        QCOMPARE(browser.model()->rowCount(), int(run_->size()));
        QCOMPARE(browser.countText(), QStringLiteral("%1 of %1 images").arg(run_->size()));

        // Sort by the forgetting events column through the API (the combo follows).
        const int forgetting = run_->table().columnIndex("forgetting_events");
        browser.setSort({forgetting, true});
        QCOMPARE(browser.model()->sort().column, forgetting);
        QVERIFY(browser.model()->sort().descending);
        // Only images with i % 13 == 0 are forgotten (correct, then wrong at the last epoch).
        const std::uint32_t first = browser.model()->imageAt(0);
        QCOMPARE(first % 13, 0u);

        ImageFilter f;
        f.learned = ImageFilter::Learned::Learned;
        f.anySplit = false;
        f.split = Split::Train;
        browser.setFilter(f);
        for (int r = 0; r < browser.model()->rowCount(); ++r) {
            QCOMPARE(run_->split(browser.model()->imageAt(r)), Split::Train);
            QVERIFY(run_->table().learnedEpoch[browser.model()->imageAt(r)] != kNeverLearned);
        }

        // Clicking a thumbnail selects it and fills the detail panel.
        QSignalSpy selected(&browser, &ImageBrowser::selectionChanged);
        QSignalSpy current(&browser, &ImageBrowser::currentImageChanged);
        const QModelIndex index = browser.model()->index(2);
        const QRect cell = browser.view()->visualRect(index);
        QVERIFY(cell.isValid());
        QTest::mouseClick(browser.view()->viewport(), Qt::LeftButton, {}, cell.center());
        QVERIFY(!selected.isEmpty());
        const std::uint32_t image = browser.model()->imageAt(2);
        QCOMPARE(browser.selectedImages(), std::vector<std::uint32_t>{image});
        QCOMPARE(current.last().at(0).toInt(), int(image));
        QCOMPARE(browser.detail()->image(), int(image));
        QCOMPARE(browser.detail()->title(), QString::fromStdString(run_->key(image)));
        QCOMPARE(browser.detail()->valueText("mean_intensity"), QString::number(intensity_[image], 'g', 5));
        QCOMPARE(browser.detail()->strip()->records().correct, run_->records(image).correct);
        // Beside the image, its crisp boundary map, computed in the background: the map of the
        // run's seed and the image's key, i.e. the one `orderlens metrics --run --edge-maps` writes.
        QSignalSpy mapShown(browser.detail(), &DetailPanel::edgeMapShown);
        QVERIFY(mapShown.wait(20000));
        const QImage map = browser.detail()->edgeMap();
        QCOMPARE(map.size(), QSize(14, 14));  // half of 28 x 28
        const QString maps = dir_.filePath("edge-maps");
        QProcess cli;
        cli.start(ORDERLENS_BINARY, {"metrics", "--run", dir_.filePath("fashion.h5"), "--metrics", "crisp", "--no-cache",
                                     "--edge-maps", maps, "--output", dir_.filePath("crisp.csv")});
        QVERIFY(cli.waitForFinished(300000));
        QCOMPARE(cli.exitCode(), 0);
        QString stem = QString::fromStdString(run_->key(image));
        stem.replace('/', "__");
        const QImage written(maps + "/" + stem + ".png");
        QCOMPARE(written.convertToFormat(QImage::Format_Grayscale8), map);

        // The explorer hands over a set of images.
        browser.showOnly({3, 5, 8, 13, 21}, "test");
        std::vector<std::uint32_t> shown = browser.model()->order();
        std::sort(shown.begin(), shown.end());
        std::vector<std::uint32_t> expected;
        for (std::uint32_t i : {3u, 5u, 8u, 13u, 21u})
            if (run_->table().learnedEpoch[i] != kNeverLearned)  // the "learned" filter still applies
                expected.push_back(i);
        QCOMPARE(shown, expected);
        browser.clearShowOnly();
        QVERIFY(browser.model()->rowCount() > int(expected.size()));
        browser.selectImages({expected.front()});
        QCOMPARE(browser.selectedImages(), std::vector<std::uint32_t>{expected.front()});
    }

    void thumbnailsKeepPixelsSharp()
    {
        ImageBrowserModel model;
        model.setRun(run_);
        const QPixmap p = model.data(model.index(0), Qt::DecorationRole).value<QPixmap>();
        QCOMPARE(p.size(), QSize(56, 56));  // 28 x 28 doubled: whole factor, nearest neighbour
        const QImage thumb = p.toImage().convertToFormat(QImage::Format_Grayscale8);
        const QImage original = run_->image(model.imageAt(0));
        for (int y = 0; y < 28; y += 5)
            for (int x = 0; x < 28; x += 3) {
                QCOMPARE(qGray(thumb.pixel(2 * x, 2 * y)), qGray(original.pixel(x, y)));
                QCOMPARE(qGray(thumb.pixel(2 * x + 1, 2 * y + 1)), qGray(original.pixel(x, y)));
            }
        model.setThumbnailSize(20);  // smaller than the image: reduced to fit
        QCOMPARE(model.data(model.index(0), Qt::DecorationRole).value<QPixmap>().size(), QSize(20, 20));
    }

    void largeImagesGetThumbnailsOffTheGuiThread()
    {
        // 120 x 120 colour images in folders: above the size scaled on the spot.
        const QString data = dir_.filePath("folders");
        test::FixtureSpec fixture;
        fixture.height = fixture.width = 120;
        fixture.trainCount = 12;
        fixture.testCount = 4;
        test::writeFolderDataset(data.toStdString(), fixture, true);
        const Dataset ds = loadDataset("folder:" + data.toStdString());
        std::vector<std::int32_t> labels;
        for (std::size_t i = 0; i < ds.size(); ++i)
            labels.push_back(ds.label(i));
        const std::string path = dir_.filePath("folders.h5").toStdString();
        RunShape shape;
        shape.networks = 1;
        shape.epochs = 1;
        shape.classes = int(ds.classNames.size());
        RunFile::create(path, R"({"dataset": "folder:)" + data.toStdString() + R"("})", ds, labels, shape, {});
        {
            RunFile run(path);
            std::map<RecordSet, SplitRecords> records;
            for (RecordSet set : {RecordSet::Train, RecordSet::Test}) {
                SplitRecords r;
                for (std::size_t i : ds.indices(recordSetSplit(set))) {
                    r.correct.push_back(i % 2);
                    r.predicted.push_back(labels[i]);
                    r.pTrue.push_back(0.5f);
                    r.margin.push_back(0.0f);
                }
                records[set] = r;
            }
            run.appendEpoch(0, 0, records, {});
        }
        const auto run = RunImages::load(path);
        QVERIFY2(run->hasImages(), run->datasetProblem().c_str());
        ImageBrowserModel model;
        model.setRun(run);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QVERIFY(model.data(model.index(3), Qt::DecorationRole).value<QPixmap>().isNull());  // being made
        QCOMPARE(model.pendingThumbnails(), std::size_t(1));
        QVERIFY(changed.wait(10000));
        QCOMPARE(changed.first().at(0).toModelIndex().row(), 3);
        QCOMPARE(model.pendingThumbnails(), std::size_t(0));
        const QImage thumb = model.data(model.index(3), Qt::DecorationRole).value<QPixmap>().toImage();
        QCOMPARE(thumb.size(), QSize(64, 64));
        const QImage expected = fitImage(run->image(model.imageAt(3)), 64).convertToFormat(thumb.format());
        QCOMPARE(thumb.pixel(32, 32), expected.pixel(32, 32));
    }

    void easyAndHardPerClass()
    {
        const auto& t = run_->table();
        std::vector<std::size_t> learnedInClass(run_->classNames().size(), 0);
        for (int c = 0; c < int(run_->classNames().size()); ++c) {
            const EasyAndHard eh = easyAndHard(*run_, Split::Train, c, 4);
            std::size_t never = 0;
            int earliest = 1 << 30;
            for (std::size_t i = 0; i < t.size(); ++i)
                if (t.splits[i] == Split::Train && t.labels[i] == c) {
                    if (expectedLearned(i) == kNeverLearned) {
                        ++never;
                    } else {
                        earliest = std::min(earliest, expectedLearned(i));
                        ++learnedInClass[std::size_t(c)];
                    }
                }
            QCOMPARE(eh.neverCount, never);
            QCOMPARE(eh.neverLearned.size(), std::min<std::size_t>(4, never));
            for (std::uint32_t i : eh.neverLearned)
                QCOMPARE(expectedLearned(i), kNeverLearned);
            QCOMPARE(eh.easiest.size(), std::min<std::size_t>(4, learnedInClass[std::size_t(c)]));
            QVERIFY(!eh.easiest.empty());  // the fixture learns images of every class
            QCOMPARE(expectedLearned(eh.easiest.front()), earliest);
            for (std::size_t k = 1; k < eh.easiest.size(); ++k)
                QVERIFY(expectedLearned(eh.easiest[k - 1]) <= expectedLearned(eh.easiest[k]));
        }
        EasyHardView view;
        view.setRun(run_);
        view.show();
        QCOMPARE(view.rows().size(), run_->classNames().size());
        view.setCount(2);
        for (std::size_t c = 0; c < view.rows().size(); ++c)
            QCOMPARE(view.rows()[c].easiest.size(), std::min<std::size_t>(2, learnedInClass[c]));

        // Clicking a never-learned thumbnail reports that image.
        QSignalSpy activated(&view, &EasyHardView::imageActivated);
        QVERIFY(!view.rows()[0].neverLearned.empty());
        const std::uint32_t hard = view.rows()[0].neverLearned.front();
        auto* thumbnail = view.findChild<QToolButton*>(QString("image_%1").arg(hard));
        QVERIFY(thumbnail);
        QTest::mouseClick(thumbnail, Qt::LeftButton);
        QCOMPARE(activated.size(), 1);
        QCOMPARE(activated.first().at(0).toInt(), int(hard));
    }

    void defaultMetricSkipsConstantColumns()
    {
        const double nan = std::nan("");
        ImageTable t;
        t.columns = {{"learned_epoch", true, true, {0, 1, 2}},
                     {"colourfulness", false, false, {0, 0, nan}},
                     {"dct_percent", false, false, {nan, 3, 4}},
                     {"edges", false, false, {1, 2, 3}}};
        QCOMPARE(defaultMetric(t), std::string("dct_percent"));
        t.columns.push_back({"entropy", false, false, {5, 5, 5}});
        QCOMPARE(defaultMetric(t), std::string("entropy"));  // the study's first statistic wins
        t.columns = {t.columns[0]};
        QCOMPARE(defaultMetric(t), std::string());
    }

    void recordStripColours()
    {
        RecordStrip strip;
        ImageRecords r;
        r.networks = {0, 1};
        r.epochs = 2;
        r.correct = {1, 0, 1, 1};
        r.pTrue = {1.0f, 0.0f, 0.5f, 1.0f};
        strip.setRecords(r, {0, kNeverLearned});
        // Fully confident cells take the palette colour; a correct but unsure one is paler.
        QCOMPARE(strip.cellColour(0, 0).rgb(), QColor(0, 158, 115).rgb());
        QCOMPARE(strip.cellColour(0, 1).rgb(), QColor(213, 94, 0).rgb());
        QVERIFY(strip.cellColour(1, 0).lightness() > strip.cellColour(1, 1).lightness());
        strip.resize(300, strip.sizeHint().height());
        QCOMPARE(strip.cellAt(QPoint(290, 20)), QPoint(1, 1));
        QCOMPARE(strip.cellAt(QPoint(2, 2)), QPoint(-1, -1));
    }
};

QTEST_MAIN(TestGuiBrowser)
#include "tst_gui_browser.moc"
