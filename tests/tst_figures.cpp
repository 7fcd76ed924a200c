// Figure builders (QCustomPlot): what each figure contains, reuse of one plot for several
// figures, and headless export to PNG, SVG and PDF.

#include "figures/AnalysisFigures.h"
#include "common/Errors.h"
#include "figures/Figures.h"
#include "storage/RunFile.h"

#include "AnalysisFixture.h"

#include <QImage>
#include <QTemporaryDir>
#include <QtTest>
#include <qcustomplot.h>

#include <cmath>

using namespace orderlens;
using namespace orderlens::ui;

namespace {

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

int legendNames(QCustomPlot* plot, const QString& contains)
{
    int n = 0;
    for (int i = 0; i < plot->legend->itemCount(); ++i)
        if (auto* item = qobject_cast<QCPPlottableLegendItem*>(plot->legend->item(i)))
            n += item->plottable()->name().contains(contains);
    return n;
}

}  // namespace

class TestFigures : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    RunAnalysis analysis_;

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        const std::string path = dir_.filePath("run.h5").toStdString();
        test::writeAnalysisRun(path);
        AnalysisOptions o;
        o.correlation.bootstrapResamples = 50;
        analysis_ = analyseRun(RunFile(path), o);
        QCOMPARE(int(analysis_.splits.size()), 2);
    }

    void agreementFigure()
    {
        QCustomPlot plot;
        plotAgreement(&plot, analysis_.splits[0].agreement, "Agreement");
        // Band (2 graphs), lower bound, mean accuracy, agreement.
        QCOMPARE(plot.graphCount(), 5);
        QCOMPARE(plot.legend->itemCount(), 4);
        QCOMPARE(legendNames(&plot, "Agreement"), 1);
        QCOMPARE(legendNames(&plot, "Lower bound"), 1);
        QCOMPARE(plot.yAxis->range().upper, 100.0);
        QVERIFY(plot.xAxis->label().contains("Epoch"));
        QVERIFY(plot.yAxis->label().contains("%"));
        // The agreement graph is hatched down to the lower bound.
        QCPGraph* agreement = plot.graph(4);
        QCOMPARE(agreement->brush().style(), Qt::BDiagPattern);
        QCOMPARE(agreement->channelFillGraph(), plot.graph(2));
        QCOMPARE(agreement->data()->size(), 8);
        QCOMPARE(agreement->data()->at(7)->value, analysis_.splits[0].agreement.epochs[7].agreement);
    }

    void metricCurveOnSecondAxis()
    {
        const SplitAnalysis& train = analysis_.splits[0];
        const SplitMetric* entropy = nullptr;
        for (const SplitMetric& m : train.metrics)
            if (m.name == "entropy")
                entropy = &m;
        QVERIFY(entropy);
        QCustomPlot plot;
        plotMetricCurve(&plot, train.agreement, entropy->name, entropy->shownCurve);
        QVERIFY(plot.yAxis2->visible());
        QCOMPARE(plot.yAxis2->label(), QString("Entropy (bits)"));
        QCPGraph* curve = plot.graph(plot.graphCount() - 1);
        QCOMPARE(curve->valueAxis(), plot.yAxis2);
        // The first 5 epochs are hidden (NaN gaps), later ones carry the curve.
        QVERIFY(std::isnan(curve->data()->at(0)->value));
        QCOMPARE(curve->data()->at(7)->value, entropy->curve[7]);
    }

    void distinctAndHeatMapAndScatter()
    {
        const SplitAnalysis& train = analysis_.splits[0];
        const SplitMetric* rotation = nullptr;
        for (const SplitMetric& m : train.metrics)
            if (m.name == "rotation")
                rotation = &m;
        QVERIFY(rotation && rotation->distinct);
        QCustomPlot plot;
        plotDistinctMetric(&plot, train.agreement, "rotation", rotation->distinctCurves, 20.0);
        QCOMPARE(plot.graphCount(), 5 + 3);  // one curve per rotation value

        // The same plot reused for a heat map: the old graphs are gone, a colour scale appears.
        plotLabelAgreement(&plot, train.labels, analysis_.classNames);
        QCOMPARE(plot.graphCount(), 0);
        QCOMPARE(plot.plottableCount(), 1);
        auto* map = qobject_cast<QCPColorMap*>(plot.plottable(0));
        QVERIFY(map);
        QCOMPARE(map->data()->keySize(), 8);
        QCOMPARE(map->data()->valueSize(), 4);
        QVERIFY(map->colorScale());
        QVERIFY(!plot.legend->visible());

        // Reused again: the colour scale goes, the scatter gets its statistics box.
        const auto measures = measureColumns(train.measures, NeverLearnedPolicy::AfterLastEpoch);
        std::array<Correlation, 3> c;
        for (const CorrelationRow& r : train.correlations)
            if (r.metric == "entropy" && r.measure == "learned_epoch")
                c[std::size_t(r.method)] = r.result;
        QVERIFY(c[0].coefficient > 0.5);  // entropy follows the learning epoch by construction
        plotMeasureScatter(&plot, measures[0].second, "learned_epoch", rotation->values, "entropy", c, 8);
        int scales = 0;
        for (int i = 0; i < plot.plotLayout()->elementCount(); ++i)
            scales += qobject_cast<QCPColorScale*>(plot.plotLayout()->elementAt(i)) != nullptr;
        QCOMPARE(scales, 0);
        QCOMPARE(plot.itemCount(), 1);
        auto* box = qobject_cast<QCPItemText*>(plot.item(0));
        QVERIFY(box && box->text().contains("Spearman") && box->text().contains("Kendall"));
        auto* ticks = dynamic_cast<QCPAxisTickerText*>(plot.xAxis->ticker().data());
        QVERIFY(ticks && ticks->ticks().last() == "never");
    }

    void dataMapAndTrainingCurves()
    {
        QCustomPlot plot;
        const SplitAnalysis& train = analysis_.splits[0];
        plotDataMap(&plot, train.measures.dynamics, train.measures.epochs.correctness);
        int points = 0;
        for (int g = 0; g < plot.graphCount(); ++g)
            points += plot.graph(g)->data()->size();
        QCOMPARE(points, 60);
        plotTrainingCurves(&plot, analysis_, false);
        QCOMPARE(plot.graphCount(), 3 * 2 + 2);  // train and test per network, two style keys
        QCOMPARE(plot.yAxis->label(), QString("Accuracy (%)"));
        plotTrainingCurves(&plot, analysis_, true);
        QVERIFY(plot.yAxis->label().startsWith("Loss"));
    }

    void labels()
    {
        QCOMPARE(metricLabel("entropy").axis, QString("Entropy (bits)"));
        QCOMPARE(metricLabel("my_custom_score").title, QString("My custom score"));
        QCOMPARE(measureLabel("learned_epoch").title, QString("Learned-by-all epoch"));
    }

    void exportFormats()
    {
        QCustomPlot plot;
        plotAgreement(&plot, analysis_.splits[1].agreement, "Agreement, test split");
        const QString base = dir_.filePath("agreement");
        exportFigure(&plot, base, {FigureFormat::Png, FigureFormat::Svg, FigureFormat::Pdf}, QSize(640, 440), 192);
        const QImage png(base + ".png");
        QCOMPARE(png.size(), QSize(1280, 880));  // 192 dpi = twice the 96-dpi logical size
        // Not blank: the plot area has coloured pixels.
        int coloured = 0;
        for (int y = 0; y < png.height(); y += 4)
            for (int x = 0; x < png.width(); x += 4) {
                const QColor c = png.pixelColor(x, y);
                coloured += c.saturation() > 80;
            }
        QVERIFY(coloured > 200);
        const QByteArray svg = readAll(base + ".svg");
        QVERIFY(svg.startsWith("<?xml"));
        QVERIFY(svg.contains("<svg"));
        QVERIFY(svg.contains("Epoch"));  // text stays text in vector output
        const QByteArray pdf = readAll(base + ".pdf");
        QVERIFY(pdf.startsWith("%PDF"));
        QVERIFY(pdf.trimmed().endsWith("%%EOF"));
        QVERIFY(pdf.size() > 2000);

        QVERIFY_THROWS_EXCEPTION(InputError, exportFigure(&plot, dir_.filePath("missing/dir/figure"),
                                                          {FigureFormat::Png}));
    }

    void everyAnalysisFigureBuilds()
    {
        const std::vector<FigureSpec> specs = analysisFigures(analysis_);
        QStringList stems;
        for (const FigureSpec& s : specs)
            stems << s.stem;
        for (const char* expected : {"agreement_train", "label_agreement_test", "metric_entropy_train",
                                     "distinct_rotation_train", "histogram_entropy_test", "scatter_entropy_train",
                                     "data_map_test", "accuracy", "loss"})
            QVERIFY2(stems.contains(expected), expected);
        QCOMPARE(stems.removeDuplicates(), 0);
        QCustomPlot plot;
        for (const FigureSpec& s : specs) {
            s.build(&plot, s.title, FigureStyle{});
            QVERIFY2(plot.plottableCount() > 0, qPrintable(s.stem));
            QVERIFY(!s.caption.isEmpty());
        }
    }
};

QTEST_MAIN(TestFigures)
#include "tst_figures.moc"
