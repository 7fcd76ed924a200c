#include "AnalysisRecount.h"

#include <QtTest>

#include <algorithm>
#include <cmath>

namespace orderlens::test {

namespace {

bool close(double a, double b) { return (std::isnan(a) && std::isnan(b)) || std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b)); }

// QCOMPARE returns from the function it is in; this one reports back whether to go on.
bool expectClose(double actual, double expected, const QString& what)
{
    if (close(actual, expected))
        return true;
    QTest::qFail(qPrintable(QString("%1: %2, recounted %3").arg(what).arg(actual, 0, 'g', 17).arg(expected, 0, 'g', 17)),
                 __FILE__, __LINE__);
    return false;
}

}  // namespace

void expectAnalysisMatchesRecords(const RunFile& run, const RunAnalysis& analysis)
{
    QVERIFY(!analysis.splits.empty());
    for (const SplitAnalysis& split : analysis.splits) {
        const RecordSet set = split.selection.set;
        const std::vector<std::size_t> images = run.manifest().splitIndices(recordSetSplit(set));
        const std::size_t networks = split.agreement.networks.size();
        QVERIFY(networks > 0);
        QVERIFY(!split.agreement.epochs.empty());
        for (std::size_t slot = 0; slot < split.agreement.epochs.size(); ++slot) {
            const EpochAgreement& epoch = split.agreement.epochs[slot];
            const QString where = QString("%1 epoch %2").arg(recordSetName(set)).arg(epoch.epoch);
            std::vector<std::size_t> correct(images.size(), 0);
            for (int network : split.agreement.networks) {
                const SplitRecords r = run.readRecords(set, network, epoch.epoch);
                QCOMPARE(r.correct.size(), images.size());
                for (std::size_t i = 0; i < images.size(); ++i)
                    correct[i] += r.correct[i] != 0;
            }
            std::size_t agreed = 0, any = 0;
            for (std::size_t c : correct) {
                agreed += c == networks;
                any += c > 0;
            }
            QCOMPARE(epoch.images, images.size());
            QCOMPARE(epoch.agreed, agreed);
            QCOMPARE(epoch.unionCount, any);
            if (!expectClose(epoch.agreement, 100.0 * double(agreed) / double(std::max<std::size_t>(any, 1)),
                             where + " agreement"))
                return;
            for (const SplitMetric& metric : split.metrics) {
                const std::vector<double> values = run.readMetric(metric.name);
                double sum = 0;
                std::size_t counted = 0;
                for (std::size_t i = 0; i < images.size(); ++i)
                    if (correct[i] == networks && !std::isnan(values[images[i]])) {
                        sum += values[images[i]];
                        ++counted;
                    }
                const double mean = agreed == 0 ? 0.0 : counted == 0 ? std::nan("") : sum / double(counted);
                QVERIFY(slot < metric.curve.size());
                if (!expectClose(metric.curve[slot], mean, where + " mean " + QString::fromStdString(metric.name)))
                    return;
                if (!metric.distinct)
                    continue;
                const DistinctMetricCurves& d = metric.distinctCurves;
                for (std::size_t k = 0; k < d.values.size(); ++k) {
                    std::size_t withValue = 0, learned = 0;
                    for (std::size_t i = 0; i < images.size(); ++i)
                        if (values[images[i]] == d.values[k]) {
                            ++withValue;
                            learned += correct[i] == networks;
                        }
                    QCOMPARE(d.counts[k], withValue);
                    if (!expectClose(d.percent[k][slot], 100.0 * double(learned) / double(withValue),
                                     where + " " + QString::fromStdString(metric.name) + " = " + QString::number(d.values[k])))
                        return;
                }
            }
        }
    }
}

}  // namespace orderlens::test
