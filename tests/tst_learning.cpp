// Per-image learning measures (docs/DEFINITIONS.md 5): learned-by-all, first-agreed and per-network
// learned epochs with relearning and forgetting, forgetting events, data map, area under the margin.

#include "analysis/LearningMeasures.h"
#include "common/Errors.h"

#include "SyntheticRun.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace orderlens;

namespace {

// pattern[image][network]: one character per epoch.
const std::vector<std::vector<std::string>> kPattern = {
    {"11111", "11111"},  // learned from the start
    {"01111", "00111"},  // learned at 2 (network 0 alone at 1)
    {"11011", "11111"},  // agreed at 0, forgotten by network 0 at 2, learned again at 3
    {"11110", "11111"},  // forgotten in the last epoch: never learned
    {"00000", "00000"},  // never correct
    {"10101", "10101"},  // flips every epoch
};

test::SyntheticRun patternRun()
{
    test::SyntheticRun spec;
    spec.train = kPattern.size();
    spec.test = 3;
    spec.networks = 2;
    spec.epochs = 5;
    spec.correct = [](RecordSet set, int n, int e, std::size_t i) {
        return set == RecordSet::Train ? kPattern[i][std::size_t(n)][std::size_t(e)] == '1' : true;
    };
    spec.pTrue = [](RecordSet, int n, int e, std::size_t) { return float(e + 1) / (n == 0 ? 10.0f : 5.0f); };
    spec.margin = [](RecordSet, int n, int e, std::size_t) { return float(e - n); };
    return spec;
}

}  // namespace

class TestLearning : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::string path_;

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        path_ = dir_.filePath("run.h5").toStdString();
        test::writeSyntheticRun(path_, patternRun());
    }

    void learnedEpochsWithRelearningAndForgetting()
    {
        const ImageMeasures m = computeImageMeasures(RunFile(path_), RecordSelection{});
        const int never = kNeverLearned;
        QCOMPARE(m.epochs.learnedEpoch, (std::vector<int>{0, 2, 3, never, never, 4}));
        QCOMPARE(m.epochs.firstAgreedEpoch, (std::vector<int>{0, 2, 0, 0, never, 0}));
        QCOMPARE(m.epochs.networkLearnedEpoch[0], (std::vector<int>{0, 1, 3, never, never, 4}));
        QCOMPARE(m.epochs.networkLearnedEpoch[1], (std::vector<int>{0, 2, 0, 0, never, 4}));
        QCOMPARE(m.epochs.forgettingEvents, (std::vector<int>{0, 0, 1, 1, 0, 4}));
        QCOMPARE(m.epochs.correctness[0], 1.0);
        QCOMPARE(m.epochs.correctness[1], 0.7);
        QCOMPARE(m.epochs.correctness[4], 0.0);
        QCOMPARE(m.epochs.correctness[5], 0.6);
        QCOMPARE(m.manifestIndices.size(), kPattern.size());
    }

    void epochRangeKeepsRunEpochNumbers()
    {
        RecordSelection sel;
        sel.firstEpoch = 1;
        sel.endEpoch = 4;  // epochs 1, 2, 3
        const ImageMeasures m = computeImageMeasures(RunFile(path_), sel);
        const int never = kNeverLearned;
        // Image 3 is all-correct up to epoch 3, so within this range it is learned at 1.
        QCOMPARE(m.epochs.learnedEpoch, (std::vector<int>{1, 2, 3, 1, never, never}));
        QCOMPARE(m.epochs.firstAgreedEpoch, (std::vector<int>{1, 2, 1, 1, never, 2}));
        QCOMPARE(m.epochs.forgettingEvents, (std::vector<int>{0, 0, 1, 0, 0, 2}));

        RecordSelection one;
        one.networks = {1};
        const ImageMeasures single = computeImageMeasures(RunFile(path_), one);
        // One network: learned-by-all is that network's learned epoch.
        QCOMPARE(single.epochs.learnedEpoch, single.epochs.networkLearnedEpoch[0]);
        QCOMPARE(single.epochs.learnedEpoch, (std::vector<int>{0, 2, 0, 0, never, 4}));
    }

    void dataMapAndAreaUnderMargin()
    {
        const ImageMeasures m = computeImageMeasures(RunFile(path_), RecordSelection{});
        // Network 0: p = .1 .. .5 (mean .3, population std sqrt(.02)); network 1: p = .2 .. 1.
        QVERIFY(std::abs(m.dynamics.confidence[0] - 0.45) < 1e-6);
        QVERIFY(std::abs(m.dynamics.variability[0] - 1.5 * std::sqrt(0.02)) < 1e-6);
        // Margins e - n: network 0 averages 2, network 1 averages 1.
        QVERIFY(std::abs(m.dynamics.aum[3] - 1.5) < 1e-12);
        QCOMPARE(m.dynamics.confidence.size(), kPattern.size());
    }

    void measureColumnsAndNeverPolicy()
    {
        const ImageMeasures m = computeImageMeasures(RunFile(path_), RecordSelection{});
        const auto end = measureColumns(m, NeverLearnedPolicy::AfterLastEpoch);
        const std::vector<std::string> names = {"learned_epoch", "first_agreed_epoch", "forgetting_events",
                                                "confidence", "variability", "correctness", "aum"};
        QCOMPARE(end.size(), names.size());
        for (std::size_t k = 0; k < names.size(); ++k)
            QCOMPARE(end[k].first, names[k]);
        QCOMPARE(end[0].second[3], 5.0);  // never = the end of the range
        QCOMPARE(end[0].second[1], 2.0);
        const auto excluded = measureColumns(m, NeverLearnedPolicy::Exclude);
        QVERIFY(std::isnan(excluded[0].second[3]));
        QVERIFY(std::isnan(excluded[1].second[4]));
        QCOMPARE(excluded[2].second[5], 4.0);

        QCOMPARE(parseNeverLearnedPolicy("end"), NeverLearnedPolicy::AfterLastEpoch);
        QCOMPARE(parseNeverLearnedPolicy("exclude"), NeverLearnedPolicy::Exclude);
        QVERIFY_THROWS_EXCEPTION(ConfigError, parseNeverLearnedPolicy("drop"));
    }

    void bitsOnlyAgreesWithOneEpoch()
    {
        // A single epoch: learned = first agreed = 0 exactly for the all-correct images.
        CorrectnessBits bits(130, 3, 1, 7);
        for (std::size_t i = 0; i < 130; ++i)
            for (int n = 0; n < 3; ++n)
                bits.set(n, 0, i, i % 3 != 0 || n != 2);
        const LearningEpochs e = computeLearningEpochs(bits);
        for (std::size_t i = 0; i < 130; ++i) {
            const int want = i % 3 != 0 ? 7 : kNeverLearned;
            QCOMPARE(e.learnedEpoch[i], want);
            QCOMPARE(e.firstAgreedEpoch[i], want);
            QCOMPARE(e.forgettingEvents[i], 0);
        }
    }
};

QTEST_GUILESS_MAIN(TestLearning)
#include "tst_learning.moc"
