// Agreement (docs/DEFINITIONS.md 3 and 4): hand-made record sets, the bit-packed path against a
// naive one, label agreement, metric curves and the study's display thresholds.

#include "analysis/Agreement.h"
#include "common/Errors.h"
#include "storage/RunFile.h"

#include "SyntheticRun.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <random>

using namespace orderlens;
using orderlens::test::SyntheticRun;

namespace {

// Rows of '0'/'1' per (network, epoch): pattern[network][epoch][image].
using Pattern = std::vector<std::vector<std::string>>;

CorrectnessBits bitsFrom(const Pattern& p)
{
    const int N = int(p.size()), E = int(p[0].size());
    CorrectnessBits bits(p[0][0].size(), N, E);
    for (int n = 0; n < N; ++n)
        for (int e = 0; e < E; ++e)
            for (std::size_t i = 0; i < p[n][e].size(); ++i)
                bits.set(n, e, i, p[n][e][i] == '1');
    return bits;
}

// The definitions applied literally, image by image, for comparison with the word-wise path.
EpochAgreement naiveAgreement(const std::vector<std::vector<std::vector<bool>>>& c, int e)
{
    const std::size_t N = c.size(), I = c[0][0].size();
    EpochAgreement a;
    std::vector<double> acc(N, 0);
    for (std::size_t i = 0; i < I; ++i) {
        bool all = true, any = false;
        for (std::size_t n = 0; n < N; ++n) {
            all = all && c[n][std::size_t(e)][i];
            any = any || c[n][std::size_t(e)][i];
            acc[n] += c[n][std::size_t(e)][i] ? 1.0 / double(I) : 0.0;
        }
        a.agreed += all;
        a.unionCount += any;
    }
    a.agreement = 100.0 * double(a.agreed) / double(a.unionCount ? a.unionCount : 1);
    double mean = 0, errors = 0;
    for (double x : acc) {
        mean += x / double(N);
        errors += 1 - x;
    }
    double var = 0;
    for (double x : acc)
        var += (x - mean) * (x - mean) / double(N);
    a.meanAccuracy = 100 * mean;
    a.stdAccuracy = 100 * std::sqrt(var);
    a.lowerBound = 100 * (1 - std::min(errors, 1.0));
    return a;
}

}  // namespace

class TestAgreement : public QObject {
    Q_OBJECT

private slots:
    void handMadeEpochs()
    {
        // Epoch 0: A = {0, 4}, U = {0, 1, 2, 4, 7}; epoch 1: one miss; epoch 2: all wrong.
        const Pattern p = {{"11001000", "11111110", "00000000"},
                           {"10101000", "11111111", "00000000"},
                           {"11101001", "11111111", "00000000"}};
        const AgreementCurve c = computeAgreement(bitsFrom(p));
        QCOMPARE(int(c.epochs.size()), 3);
        const EpochAgreement& e0 = c.epochs[0];
        QCOMPARE(e0.agreed, std::size_t(2));
        QCOMPARE(e0.unionCount, std::size_t(5));
        QCOMPARE(e0.agreement, 40.0);
        QVERIFY(std::abs(e0.meanAccuracy - 100.0 * 11 / 24) < 1e-12);
        QVERIFY(std::abs(e0.stdAccuracy - 11.785113019775793) < 1e-9);  // population std of .375, .375, .625
        QCOMPARE(e0.lowerBound, 0.0);  // errors sum to 1.625 > 1
        const EpochAgreement& e1 = c.epochs[1];
        QCOMPARE(e1.agreed, std::size_t(7));
        QCOMPARE(e1.unionCount, std::size_t(8));
        QCOMPARE(e1.agreement, 87.5);
        QCOMPARE(e1.lowerBound, 87.5);
        QVERIFY(std::abs(e1.stdAccuracy - 5.892556509887896) < 1e-9);
        QCOMPARE(e1.accuracy[0], 0.875);
        const EpochAgreement& e2 = c.epochs[2];
        QCOMPARE(e2.agreed, std::size_t(0));
        QCOMPARE(e2.unionCount, std::size_t(0));
        QCOMPARE(e2.agreement, 0.0);  // |U| = 0 divides by 1, not by zero
        QCOMPARE(e2.lowerBound, 0.0);
        QCOMPARE(e2.meanAccuracy, 0.0);
        QCOMPARE(e2.stdAccuracy, 0.0);
    }

    void oneNetwork()
    {
        const Pattern p = {{"1100000000", "0000000000"}};
        const AgreementCurve c = computeAgreement(bitsFrom(p));
        QCOMPARE(c.epochs[0].agreement, 100.0);  // A = U for a single network
        QCOMPARE(c.epochs[0].meanAccuracy, 20.0);
        QCOMPARE(c.epochs[0].lowerBound, 20.0);
        QCOMPARE(c.epochs[0].stdAccuracy, 0.0);
        QCOMPARE(c.epochs[1].agreement, 0.0);
    }

    void identicalNetworks()
    {
        const std::string row = "1110100111";
        const Pattern p(4, {row});
        const AgreementCurve c = computeAgreement(bitsFrom(p));
        // Agreed images are exactly the correct ones: the agreed fraction equals the accuracy.
        QCOMPARE(c.epochs[0].agreed, std::size_t(7));
        QCOMPARE(100.0 * double(c.epochs[0].agreed) / 10.0, c.epochs[0].meanAccuracy);
        QCOMPARE(c.epochs[0].agreement, 100.0);
        QCOMPARE(c.epochs[0].stdAccuracy, 0.0);
        QVERIFY(std::abs(c.epochs[0].lowerBound - 0.0) < 1e-12);  // 4 x 0.3 errors > 1
    }

    void bitPackedEqualsNaive()
    {
        std::mt19937 rng(7);
        for (std::size_t images : {1u, 63u, 64u, 65u, 1000u}) {
            const int N = 1 + int(rng() % 5), E = 1 + int(rng() % 6);
            std::vector<std::vector<std::vector<bool>>> c(std::size_t(N), std::vector<std::vector<bool>>(std::size_t(E), std::vector<bool>{}));
            CorrectnessBits bits(images, N, E);
            for (int n = 0; n < N; ++n)
                for (int e = 0; e < E; ++e)
                    for (std::size_t i = 0; i < images; ++i) {
                        // Mostly correct, so that agreement is neither 0 nor trivial.
                        const bool ok = rng() % 10 < 8;
                        c[std::size_t(n)][std::size_t(e)].push_back(ok);
                        bits.set(n, e, i, ok);
                    }
            const AgreementCurve curve = computeAgreement(bits);
            for (int e = 0; e < E; ++e) {
                const EpochAgreement want = naiveAgreement(c, e);
                const EpochAgreement& got = curve.epochs[std::size_t(e)];
                QCOMPARE(got.agreed, want.agreed);
                QCOMPARE(got.unionCount, want.unionCount);
                QVERIFY(std::abs(got.agreement - want.agreement) < 1e-9);
                QVERIFY(std::abs(got.meanAccuracy - want.meanAccuracy) < 1e-9);
                QVERIFY(std::abs(got.stdAccuracy - want.stdAccuracy) < 1e-9);
                QVERIFY(std::abs(got.lowerBound - want.lowerBound) < 1e-9);
            }
        }
    }

    void fromRunFileWithSelection()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("run.h5").toStdString();
        SyntheticRun spec;
        spec.train = 131;  // not a multiple of 8 or 64: padding bits must not count
        spec.test = 70;
        spec.networks = 3;
        spec.epochs = 5;
        std::mt19937 rng(3);
        std::vector<std::uint8_t> table(std::size_t(2 * 3 * 5 * 131));
        for (auto& t : table)
            t = std::uint8_t(rng() % 3 != 0);
        auto at = [&](RecordSet s, int n, int e, std::size_t i) {
            return table[((std::size_t(s == RecordSet::Test) * 3 + std::size_t(n)) * 5 + std::size_t(e)) * 131 + i];
        };
        spec.correct = [&](RecordSet s, int n, int e, std::size_t i) { return at(s, n, e, i) != 0; };
        test::writeSyntheticRun(path, spec);
        RunFile run(path);

        RecordSelection sel;
        sel.set = RecordSet::Test;
        sel.networks = {2, 0};
        sel.firstEpoch = 1;
        sel.endEpoch = 4;
        const AgreementCurve c = computeAgreement(run, sel);
        QCOMPARE(int(c.epochs.size()), 3);
        QCOMPARE(c.epochs[0].epoch, 1);
        QCOMPARE(c.networks, (std::vector<int>{2, 0}));
        for (const EpochAgreement& a : c.epochs) {
            std::size_t agreed = 0, any = 0, right2 = 0;
            for (std::size_t i = 0; i < 70; ++i) {
                const bool x = at(RecordSet::Test, 2, a.epoch, i), y = at(RecordSet::Test, 0, a.epoch, i);
                agreed += x && y;
                any += x || y;
                right2 += x;
            }
            QCOMPARE(a.agreed, agreed);
            QCOMPARE(a.unionCount, any);
            QCOMPARE(a.images, std::size_t(70));
            QCOMPARE(a.accuracy[0], double(right2) / 70.0);
        }

        // Defaults: every network, every completed epoch.
        const AgreementCurve all = computeAgreement(run, RecordSelection{});
        QCOMPARE(int(all.epochs.size()), 5);
        QCOMPARE(all.networks, (std::vector<int>{0, 1, 2}));
        QCOMPARE(all.epochs[4].images, std::size_t(131));

        RecordSelection bad;
        bad.networks = {3};
        QVERIFY_THROWS_EXCEPTION(ConfigError, computeAgreement(run, bad));
        bad.networks = {0, 0};
        QVERIFY_THROWS_EXCEPTION(ConfigError, computeAgreement(run, bad));
        RecordSelection beyond;
        beyond.endEpoch = 6;
        QVERIFY_THROWS_EXCEPTION(ConfigError, computeAgreement(run, beyond));
        RecordSelection empty;
        empty.firstEpoch = 2;
        empty.endEpoch = 2;
        QVERIFY_THROWS_EXCEPTION(ConfigError, computeAgreement(run, empty));
        RecordSelection trainEval;
        trainEval.set = RecordSet::TrainEval;
        QVERIFY_THROWS_EXCEPTION(ConfigError, computeAgreement(run, trainEval));
    }

    void runStillTraining()
    {
        // Network 1 has finished fewer epochs: the default range stops at what all have done.
        QTemporaryDir dir;
        const std::string path = dir.filePath("live.h5").toStdString();
        SyntheticRun spec;
        spec.networks = 2;
        spec.epochs = 4;
        spec.correct = [](RecordSet, int, int e, std::size_t i) { return int(i) < 2 * (e + 1); };
        spec.epochsWritten = [](int n) { return n == 0 ? 3 : 2; };
        test::writeSyntheticRun(path, spec);
        RunFile run(path);
        const AgreementCurve c = computeAgreement(run, RecordSelection{});
        QCOMPARE(int(c.epochs.size()), 2);
        RecordSelection first;
        first.networks = {0};
        QCOMPARE(int(computeAgreement(run, first).epochs.size()), 3);
        QCOMPARE(c.epochs[1].agreed, std::size_t(4));
    }

    void multiLabelExactMatch()
    {
        QVERIFY(exactMatch(0b101, 0b101));
        QVERIFY(!exactMatch(0b100, 0b101));  // a missed class
        QVERIFY(!exactMatch(0b111, 0b101));  // a false positive
        QVERIFY(!exactMatch(0, 0b1));

        // Label agreement counts each class of an agreed multi-label image.
        QTemporaryDir dir;
        const std::string path = dir.filePath("multi.h5").toStdString();
        SyntheticRun spec;
        spec.multiLabel = true;
        spec.classes = 3;
        spec.train = 4;  // label bits 1, 2, 3, 4
        spec.test = 2;
        spec.networks = 2;
        spec.epochs = 1;
        spec.correct = [](RecordSet, int n, int, std::size_t i) { return i == 2 || (i == 3 && n == 0); };
        test::writeSyntheticRun(path, spec);
        RunFile run(path);
        QVERIFY(run.shape().multiLabel);
        const CorrectnessBits bits = CorrectnessBits::load(run, RecordSelection{});
        std::vector<std::uint64_t> labelBits;
        for (std::size_t m : run.manifest().splitIndices(Split::Train))
            labelBits.push_back(run.manifest().labelBits[m]);
        const LabelAgreement la = computeLabelAgreement(bits, {}, labelBits, 3);
        // Only image 2 (bits 0b011) is agreed: classes 0 and 1, half each.
        QCOMPARE(la.fraction[0], (std::vector<double>{0.5, 0.5, 0.0}));
        const AgreementCurve c = computeAgreement(bits);
        QCOMPARE(c.epochs[0].agreement, 50.0);
    }

    void labelAgreementSingleLabel()
    {
        const Pattern p = {{"111101", "000000"}, {"110111", "000000"}};
        const std::vector<std::int32_t> labels = {0, 1, 2, 0, 1, 2};
        const LabelAgreement la = computeLabelAgreement(bitsFrom(p), labels, {}, 3);
        // A(0) = {0, 1, 3, 5}: labels 0, 1, 0, 2.
        QCOMPARE(la.fraction[0], (std::vector<double>{0.5, 0.25, 0.25}));
        QCOMPARE(la.fraction[1], (std::vector<double>{0.0, 0.0, 0.0}));
        QCOMPARE(la.epochs, (std::vector<int>{0, 1}));
    }

    void metricCurveIgnoresMissing()
    {
        const Pattern p = {{"1110", "0001", "0000"}};
        const double nan = std::nan("");
        const std::vector<double> values = {1.0, nan, 4.0, nan};
        const std::vector<double> curve = computeMetricCurve(bitsFrom(p), values);
        QCOMPARE(curve[0], 2.5);        // mean of 1 and 4, the missing value ignored
        QVERIFY(std::isnan(curve[1]));  // agreed images, none with a value: nanmean gives NaN
        QCOMPARE(curve[2], 0.0);        // no agreed image: 0, as the study
        QVERIFY_THROWS_EXCEPTION(Error, computeMetricCurve(bitsFrom(p), {1.0}));
    }

    void distinctValuedCurves()
    {
        const Pattern p = {{"110100", "111111"}};
        const double nan = std::nan("");
        const std::vector<double> values = {2, 1, 2, 1, nan, 2};
        const DistinctMetricCurves d = computeDistinctMetricCurves(bitsFrom(p), values);
        QCOMPARE(d.values, (std::vector<double>{1, 2}));
        QCOMPARE(d.counts, (std::vector<std::size_t>{2, 3}));
        QCOMPARE(d.percent[0][0], 100.0);  // both images with value 1 (1 and 3) agreed
        QVERIFY(std::abs(d.percent[1][0] - 100.0 / 3) < 1e-12);
        QCOMPARE(d.percent[1][1], 100.0);
        QCOMPARE(countDistinctValues(values, 10), std::size_t(2));
        QCOMPARE(countDistinctValues({1, 2, 3, 4, 5}, 3), std::size_t(4));  // stops past the limit
    }

    void displayThresholds()
    {
        AgreementCurve c;
        const double agreement[] = {10, 30, 30, 30, 30, 30, 19.9, 20};
        for (int e = 0; e < 8; ++e) {
            EpochAgreement a;
            a.epoch = e;
            a.agreement = agreement[e];
            c.epochs.push_back(a);
        }
        const std::vector<double> curve = {1, 2, 3, 4, 5, 6, 7, 8};
        const std::vector<double> shown = thresholdMetricCurve(c, curve);
        for (int e = 0; e < 5; ++e)
            QVERIFY(std::isnan(shown[std::size_t(e)]));  // the first 5 epochs are hidden
        QCOMPARE(shown[5], 6.0);
        QVERIFY(std::isnan(shown[6]));  // agreement below 20 %
        QCOMPARE(shown[7], 8.0);        // exactly 20 % is shown (the study hides "< 20")
        const std::vector<double> noEpochs = thresholdMetricCurve(c, curve, 20.0, 0);
        QCOMPARE(noEpochs[1], 2.0);
        // Agreement never above the threshold: nothing is drawn at all.
        for (auto& a : c.epochs)
            a.agreement = 5;
        for (double v : thresholdMetricCurve(c, curve))
            QVERIFY(std::isnan(v));
    }
};

QTEST_GUILESS_MAIN(TestAgreement)
#include "tst_agreement.moc"
