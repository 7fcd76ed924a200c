// The correlation explorer, the metric-along-training view and run comparison, on a real
// Fashion-MNIST subset with made-up records: values against the analysis functions, selections
// by rectangle and lasso (through the mouse too), and the hand-over of a selection to the browser.

#include "FashionRun.h"
#include "Fixtures.h"
#include "ReferenceStatistics.h"

#include "analysis/Correlation.h"
#include "analysis/LearningMeasures.h"
#include "analysis/RunAnalysis.h"
#include "browser/DetailPanel.h"
#include "browser/EasyHardView.h"
#include "browser/ImageBrowser.h"
#include "browser/ImageBrowserModel.h"
#include "explorer/CompareRunsView.h"
#include "explorer/CorrelationExplorer.h"
#include "explorer/ExplorationView.h"
#include "explorer/ScatterPlot.h"
#include "explorer/TrainingCurvesView.h"
#include "MainWindow.h"
#include "plot/InteractivePlot.h"
#include "setup/ExperimentSetupDialog.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

#include <cmath>

using namespace orderlens;
using namespace orderlens::ui;

class TestGuiExplorer : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    test::FashionRun spec_;
    std::vector<double> intensity_;
    std::shared_ptr<const RunImages> run_;

private slots:
    void initTestCase()
    {
        if (test::fashionMnistDir().empty())
            QSKIP("dataset-fashion-mnist is not installed");
        const std::string path = dir_.filePath("fashion.h5").toStdString();
        intensity_ = test::writeFashionRun(path, spec_);
        run_ = RunImages::load(path);
    }

    void correlationsMatchTheAnalysis()
    {
        CorrelationExplorer explorer;
        explorer.setRun(run_);
        // The first metric with differing values, against the learned epoch.
        QCOMPARE(defaultMetric(run_->table()), std::string("bright_pixels"));
        QCOMPARE(explorer.xColumn(), std::string("bright_pixels"));
        QCOMPARE(explorer.yColumn(), std::string("learned_epoch"));
        explorer.setSplit(Split::Test);
        QSignalSpy intervals(&explorer, &CorrelationExplorer::intervalsComputed);
        explorer.setAxes("mean_intensity", "learned_epoch");
        QCOMPARE(explorer.xColumn(), std::string("mean_intensity"));
        QCOMPARE(explorer.yColumn(), std::string("learned_epoch"));
        // Expected: the textbook coefficients of tests/support on the fixture's own values (the
        // intensities it wrote, the learned epochs its records imply, never = after the last epoch).
        std::vector<double> x, y;
        for (std::size_t i = 0; i < run_->size(); ++i)
            if (i >= spec_.train) {
                const int learned = test::fashionLearnedByAll(spec_, intensity_, i);
                x.push_back(intensity_[i]);
                y.push_back(learned == kNeverLearned ? spec_.epochs : learned);
            }
        auto near = [](double a, double b) { return std::fabs(a - b) < 1e-12; };
        QVERIFY(near(explorer.correlations()[0].coefficient, test::referenceSpearman(x, y)));
        QVERIFY(near(explorer.correlations()[1].coefficient, test::referenceKendallTauB(x, y)));
        QVERIFY(near(explorer.correlations()[2].coefficient, test::referencePearson(x, y)));
        QCOMPARE(explorer.correlations()[0].n, spec_.test);
        // The fixture makes brighter images learned later.
        QVERIFY(explorer.correlations()[0].coefficient > 0.5);
        QVERIFY(explorer.summaryText().contains("computing"));

        QVERIFY(intervals.wait(60000));
        QVERIFY(explorer.intervalsReady());
        // The percentile bootstrap interval against the closed-form Fisher-z interval of each
        // coefficient (Bonett & Wright 2000 for Spearman and Kendall): for these n = 100 points
        // the two agree to a few hundredths, and the bootstrap one contains the estimate.
        const double n = double(x.size()), z = 1.959963984540054;
        const double se[3] = {std::sqrt((1 + std::pow(test::referenceSpearman(x, y), 2) / 2) / (n - 3)),
                              std::sqrt(0.437 / (n - 4)), std::sqrt(1 / (n - 3))};
        for (std::size_t k = 0; k < 3; ++k) {
            const Correlation& r = explorer.correlations()[k];
            const double low = std::tanh(std::atanh(r.coefficient) - z * se[k]);
            const double high = std::tanh(std::atanh(r.coefficient) + z * se[k]);
            QVERIFY2(std::fabs(r.ciLow - low) < 0.05 && std::fabs(r.ciHigh - high) < 0.05,
                     qPrintable(QString("%1: [%2, %3] vs Fisher z [%4, %5]").arg(k).arg(r.ciLow).arg(r.ciHigh).arg(low).arg(high)));
            QVERIFY(r.ciLow <= r.coefficient && r.coefficient <= r.ciHigh);
        }
        QVERIFY(explorer.summaryText().contains(
            QStringLiteral("95% CI [%1, ").arg(explorer.correlations()[0].ciLow, 0, 'f', 3)));
        QCOMPARE(explorer.plot()->note(), explorer.summaryText());
        QCOMPARE(explorer.plot()->pointCount(), spec_.test);
    }

    void rectangleSelectionReachesTheBrowser()
    {
        CorrelationExplorer explorer;
        explorer.setRun(run_);
        explorer.setSplit(Split::Train);
        explorer.setAxes("mean_intensity", "learned_epoch");
        ImageBrowser browser;
        browser.setRun(run_);
        connect(&explorer, &CorrelationExplorer::imagesSelected, &browser,
                [&](const std::vector<std::uint32_t>& images, const QString& how) { browser.showOnly(images, how); });
        QSignalSpy selected(&explorer, &CorrelationExplorer::imagesSelected);

        ScatterPlot* plot = explorer.plot();
        plot->selectInRect(QCPRange(0.2, 0.3), plot->yAxis->range());
        QCOMPARE(selected.count(), 1);
        std::vector<std::uint32_t> expected;
        for (std::size_t i = 0; i < run_->size(); ++i)
            if (run_->split(i) == Split::Train && intensity_[i] >= 0.2 && intensity_[i] <= 0.3)
                expected.push_back(std::uint32_t(i));
        QVERIFY(!expected.empty());
        QCOMPARE(plot->selection(), expected);
        std::vector<std::uint32_t> shown = browser.model()->order();
        std::sort(shown.begin(), shown.end());
        QCOMPARE(shown, expected);
        // The browser keeps its sort: learned epoch ascending.
        for (int r = 1; r < browser.model()->rowCount(); ++r)
            QVERIFY(browser.model()->data(browser.model()->index(r - 1), ImageBrowserModel::SortValueRole).toDouble() <=
                    browser.model()->data(browser.model()->index(r), ImageBrowserModel::SortValueRole).toDouble());
    }

    void mouseSelections()
    {
        CorrelationExplorer explorer;
        explorer.resize(900, 600);
        explorer.setRun(run_);
        explorer.setSplit(Split::Train);
        explorer.setAxes("mean_intensity", "confidence");
        explorer.show();
        QVERIFY(QTest::qWaitForWindowExposed(&explorer));
        ScatterPlot* plot = explorer.plot();
        plot->resetView();
        QSignalSpy selected(plot, &ScatterPlot::selectionChanged);
        const QRect area = plot->axisRect()->rect();

        // Rectangle over the left half of the plot: exactly the points left of its right edge.
        plot->setDragMode(ScatterPlot::DragMode::Rectangle);
        const QPoint from = area.topLeft() + QPoint(2, 2), to(area.center().x(), area.bottom() - 2);
        QTest::mousePress(plot, Qt::LeftButton, {}, from);
        QTest::mouseMove(plot, (from + to) / 2);
        QTest::mouseMove(plot, to);
        QTest::mouseRelease(plot, Qt::LeftButton, {}, to);
        QCOMPARE(selected.count(), 1);
        const double xEdge = plot->xAxis->pixelToCoord(to.x());
        std::size_t left = 0;
        for (std::size_t i = 0; i < run_->size(); ++i)
            left += run_->split(i) == Split::Train && intensity_[i] <= xEdge;
        QCOMPARE(plot->selection().size(), left);
        QVERIFY(left > 0 && left < spec_.train);

        // A lasso around the whole plot takes every point; one in an empty corner none.
        plot->setDragMode(ScatterPlot::DragMode::Lasso);
        const QPoint corners[] = {area.topLeft(), area.topRight(), area.bottomRight(), area.bottomLeft()};
        QTest::mousePress(plot, Qt::LeftButton, {}, corners[0]);
        for (const QPoint& p : corners)
            QTest::mouseMove(plot, p);
        QTest::mouseRelease(plot, Qt::LeftButton, {}, corners[3]);
        QCOMPARE(plot->selection().size(), spec_.train);
        plot->selectInPolygon(QPolygonF({QPointF(area.left(), area.top()), QPointF(area.left() + 3, area.top()),
                                         QPointF(area.left(), area.top() + 3)}));
        QVERIFY(plot->selection().empty());

        // Hover finds the point under the cursor (no jitter on these continuous axes).
        const std::uint32_t image = 42;
        const int c = run_->table().columnIndex("confidence");
        const QPointF at(plot->xAxis->coordToPixel(intensity_[image]),
                         plot->yAxis->coordToPixel(run_->table().columns[std::size_t(c)].values[image]));
        const std::int64_t found = plot->pointAt(at);
        QVERIFY(found >= 0);
        QCOMPARE(intensity_[std::size_t(found)], intensity_[image]);
        QCOMPARE(plot->pointAt(QPointF(area.right() + 50, area.bottom() + 50)), std::int64_t(-1));
    }

    void densityForManyPoints()
    {
        ScatterPlot plot;
        plot.resize(600, 400);
        std::vector<double> x, y;
        std::vector<std::uint32_t> ids;
        for (std::uint32_t i = 0; i < 3000; ++i) {
            x.push_back(i % 50);
            y.push_back(std::sin(i * 0.01));
            ids.push_back(i);
        }
        plot.setDensityThreshold(1000);
        plot.setPoints(x, y, ids, true, false);
        QVERIFY(plot.densityMode());
        plot.replot();
        // Every point falls in one cell of the density map at the home view.
        double total = 0;
        plot.resetView();
        for (int i = 0; i < plot.plottableCount(); ++i)
            if (auto* map = qobject_cast<QCPColorMap*>(plot.plottable(i)))
                for (int a = 0; a < map->data()->keySize(); ++a)
                    for (int b = 0; b < map->data()->valueSize(); ++b) {
                        const double v = map->data()->cell(a, b);
                        total += std::isnan(v) ? 0 : v;
                    }
        QCOMPARE(total, 3000.0);
        // Jitter on x keeps neighbouring integers apart and points within kJitter.
        plot.selectInRect(QCPRange(7 - ScatterPlot::kJitter - 1e-9, 7 + ScatterPlot::kJitter + 1e-9), QCPRange(-2, 2));
        QCOMPARE(plot.selection().size(), std::size_t(60));
        plot.setDensityThreshold(ScatterPlot::kDensityThreshold);
        plot.setPoints(x, y, ids, true, false);
        QVERIFY(!plot.densityMode());
    }

    void metricAlongTraining()
    {
        TrainingCurvesView view;
        view.setRun(run_);
        view.setSplit(Split::Test);
        view.setMetric("mean_intensity");
        view.setKind(TrainingCurvesView::Kind::MetricCurve);
        const SplitAnalysis* split = run_->splitAnalysis(Split::Test);
        const SplitMetric* metric = nullptr;
        for (const SplitMetric& m : split->metrics)
            if (m.name == "mean_intensity")
                metric = &m;
        QVERIFY(metric);
        auto same = [](const std::vector<double>& a, const std::vector<double>& b) {
            if (a.size() != b.size())
                return false;
            for (std::size_t k = 0; k < a.size(); ++k)
                if (!(a[k] == b[k] || (std::isnan(a[k]) && std::isnan(b[k]))))
                    return false;
            return true;
        };
        QVERIFY(same(view.shownCurve(), thresholdMetricCurve(split->agreement, metric->curve)));
        // The study's first 5 epochs are hidden by default; with the thresholds off, none is.
        QVERIFY(std::isnan(view.shownCurve()[0]));
        view.setThresholds(0, 0);
        QVERIFY(same(view.shownCurve(), thresholdMetricCurve(split->agreement, metric->curve, 0, 0)));
        QVERIFY(!std::isnan(view.shownCurve()[spec_.epochs - 1]));
        QCPGraph* curve = nullptr;
        for (int g = 0; g < view.plot()->graphCount(); ++g)
            if (view.plot()->graph(g)->valueAxis() == view.plot()->yAxis2)
                curve = view.plot()->graph(g);
        QVERIFY(curve);
        QCOMPARE(curve->data()->size(), spec_.epochs);
        QCOMPARE((curve->data()->constEnd() - 1)->value, metric->curve.back());

        view.setKind(TrainingCurvesView::Kind::Histogram);
        QVERIFY(view.shownCurve().empty());
        QVERIFY(view.plot()->plottableCount() > 0);
        view.setKind(TrainingCurvesView::Kind::Agreement);
        QVERIFY(view.plot()->graphCount() > 0);
    }

    void compareRuns()
    {
        test::FashionRun shifted = spec_;
        shifted.shift = 1;
        const std::string path = dir_.filePath("shifted.h5").toStdString();
        test::writeFashionRun(path, shifted);
        const auto other = RunImages::load(path);

        const LearnedEpochAgreement self = compareLearnedEpochs(*run_, *run_, Split::Train);
        QCOMPARE(self.common, spec_.train);
        QCOMPARE(self.spearman, 1.0);
        QCOMPARE(self.sameEpoch, 1.0);

        // Expected from the two fixtures' definitions and the textbook coefficients.
        const LearnedEpochAgreement r = compareLearnedEpochs(*run_, *other, Split::Train);
        std::vector<double> a, b;
        std::size_t same = 0;
        for (std::size_t i = 0; i < spec_.train; ++i) {
            const int la = test::fashionLearnedByAll(spec_, intensity_, i), lb = test::fashionLearnedByAll(shifted, intensity_, i);
            a.push_back(la == kNeverLearned ? spec_.epochs : la);
            b.push_back(lb == kNeverLearned ? shifted.epochs : lb);
            same += la == lb;
        }
        QCOMPARE(r.common, spec_.train);
        QVERIFY(std::fabs(r.spearman - test::referenceSpearman(a, b)) < 1e-12);
        QVERIFY(std::fabs(r.kendall - test::referenceKendallTauB(a, b)) < 1e-12);
        QCOMPARE(r.sameEpoch, double(same) / double(spec_.train));
        QVERIFY(r.spearman > 0.5 && r.spearman < 1.0);
        QVERIFY(r.sameEpoch < 0.5);  // shifted by one epoch: mostly different

        CompareRunsView view;
        view.addRun(run_);
        view.addRun(other);
        QCOMPARE(view.pairs()->rowCount(), 1);
        QCOMPARE(view.pairs()->item(0, 3)->text(), QString::number(r.spearman, 'f', 3));
        QCOMPARE(view.plot()->graphCount(), 4);  // agreement and lower bound per run
        QCOMPARE(view.plot()->graph(0)->data()->size(), spec_.epochs);
        QCOMPARE(view.plot()->graph(0)->data()->begin()->value, run_->splitAnalysis(Split::Train)->agreement.epochs[0].agreement);
        view.clearRuns();
        QCOMPARE(view.pairs()->rowCount(), 0);
    }

    void explorationViewWiresTheViews()
    {
        ExplorationView view;
        QSignalSpy loaded(&view, &ExplorationView::loaded);
        QSignalSpy failed(&view, &ExplorationView::failed);
        view.openRun(dir_.filePath("fashion.h5"));
        QVERIFY(loaded.wait(60000));
        QVERIFY(failed.isEmpty());
        QCOMPARE(view.browser()->model()->rowCount(), int(run_->size()));
        QCOMPARE(view.compare()->runs().size(), std::size_t(1));

        // The explorer's selection narrows the browser; clearing it shows everything again.
        view.explorer()->setSplit(Split::Test);
        view.explorer()->setAxes("mean_intensity", "learned_epoch");
        ScatterPlot* plot = view.explorer()->plot();
        plot->selectInRect(QCPRange(0.0, 0.25), plot->yAxis->range());
        QCOMPARE(std::size_t(view.browser()->model()->rowCount()), plot->selection().size());
        plot->clearSelection();
        QCOMPARE(view.browser()->model()->rowCount(), int(run_->size()));

        // An image clicked in easy vs hard opens in the browser.
        view.show();
        view.tabs()->setCurrentWidget(view.easyHard());
        QVERIFY(!view.easyHard()->rows()[0].neverLearned.empty());
        const std::uint32_t hard = view.easyHard()->rows()[0].neverLearned.front();
        auto* thumbnail = view.easyHard()->findChild<QToolButton*>(QString("image_%1").arg(hard));
        QVERIFY(thumbnail && thumbnail->isVisible());
        QTest::mouseClick(thumbnail, Qt::LeftButton);
        QCOMPARE(view.tabs()->currentWidget(), static_cast<QWidget*>(view.browser()));
        QCOMPARE(view.browser()->currentImage(), int(hard));

        // The report, as `orderlens analyze` writes it.
        QTemporaryDir out;
        const QStringList files = view.writeReport(out.path());
        QVERIFY(files.contains(out.filePath("report.pdf")));
        QFile pdf(out.filePath("report.pdf"));
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.read(5) == "%PDF-");

        view.openRun(dir_.filePath("no-such-run.h5"));
        QVERIFY(failed.wait(60000));
        QVERIFY(failed.last().at(0).toString().contains("no-such-run.h5"));
    }

    void mainWindowExploresOpenedRuns()
    {
        QStandardPaths::setTestModeEnabled(true);
        MainWindow window;
        RunWorkspace* opened = window.openRun(dir_.filePath("fashion.h5"), MainWindow::ResumeChoice::DontResume);
        QSignalSpy loaded(opened->exploration(), &ExplorationView::loaded);
        QVERIFY(loaded.wait(120000));
        QCOMPARE(window.exploration()->browser()->model()->rowCount(), int(run_->size()));
        QCOMPARE(window.exploration()->run()->analysis().runPath, dir_.filePath("fashion.h5").toStdString());
    }

    // Not a check: with ORDERLENS_SCREENSHOT_RUN (a trained run with metrics) and
    // ORDERLENS_SCREENSHOT_DIR set, writes the README's screenshots of the browser, the detail
    // panel and the explorer (docs/PERFORMANCE.md, "Image browser and explorer", has the command).
    void screenshotsForDocs()
    {
        const QString runPath = qEnvironmentVariable("ORDERLENS_SCREENSHOT_RUN");
        const QDir out(qEnvironmentVariable("ORDERLENS_SCREENSHOT_DIR"));
        if (runPath.isEmpty() || out.path() == ".")
            QSKIP("set ORDERLENS_SCREENSHOT_RUN and ORDERLENS_SCREENSHOT_DIR to write the screenshots");
        const auto run = RunImages::load(runPath.toStdString());
        QVERIFY(run->hasImages());
        auto save = [&](QWidget& w, const QString& name) {
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            QTest::qWait(200);
            QVERIFY(w.grab().save(out.filePath(name)));
        };

        ImageBrowser browser;
        browser.resize(1500, 950);
        browser.setRun(run);
        ImageFilter test;
        test.anySplit = false;
        test.split = Split::Test;
        browser.setFilter(test);
        // Hardest first: never learned, then the latest learned.
        browser.setSort({-1, true});
        browser.show();
        QVERIFY(QTest::qWaitForWindowExposed(&browser));
        // A late-learned image shows a telling record strip.
        int pick = 0;
        for (int r = 0; r < browser.model()->rowCount(); ++r) {
            const int e = run->table().learnedEpoch[browser.model()->imageAt(r)];
            if (e != kNeverLearned && e <= 8) {
                pick = r;
                break;
            }
        }
        browser.selectImages({browser.model()->imageAt(pick)});
        browser.view()->scrollToTop();
        save(browser, "browser.png");
        save(*browser.detail(), "detail.png");

        CorrelationExplorer explorer;
        explorer.resize(1200, 780);
        explorer.setRun(run);
        explorer.setSplit(Split::Test);
        QSignalSpy intervals(&explorer, &CorrelationExplorer::intervalsComputed);
        const std::string metric = run->table().columnIndex("entropy") >= 0 ? "entropy" : run->table().columns.back().name;
        explorer.setAxes(metric, "learned_epoch");
        QVERIFY(intervals.wait(120000));
        ScatterPlot* plot = explorer.plot();
        const QCPRange x = plot->xAxis->range(), y = plot->yAxis->range();
        plot->selectInRect(QCPRange(x.lower + 0.70 * x.size(), x.upper), QCPRange(y.lower + 0.55 * y.size(), y.upper));
        save(explorer, "explorer.png");

        browser.showOnly(plot->selection(), "high " + QString::fromStdString(metric) + ", learned late");
        browser.setFilter(test);
        browser.selectImages({browser.model()->imageAt(0)});
        browser.view()->scrollToTop();
        save(browser, "browser-selection.png");

        EasyHardView easy;
        easy.resize(1300, 950);
        easy.setRun(run);
        easy.setSplit(Split::Test);
        easy.setCount(6);
        save(easy, "browser-easy-hard.png");

        TrainingCurvesView curves;
        curves.resize(1100, 700);
        curves.setRun(run);
        curves.setSplit(Split::Train);
        curves.setMetric(metric);
        curves.setKind(TrainingCurvesView::Kind::MetricCurve);
        save(curves, "explorer-training.png");
    }
};

QTEST_MAIN(TestGuiExplorer)
#include "tst_gui_explorer.moc"
