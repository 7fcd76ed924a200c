// Failures inside the analysis's correlation workers: an exception thrown on a worker thread
// reaches the caller as the error it is (the process goes on), and a raised cancel flag stops
// the analysis with Cancelled.

#include "SyntheticRun.h"

#include "analysis/RunAnalysis.h"
#include "common/Errors.h"
#include "storage/RunFile.h"

#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <cstring>

using namespace orderlens;

class TestAnalysisFailures : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::string run_;

private slots:
    void initTestCase()
    {
        test::SyntheticRun spec;
        spec.train = 30;
        spec.test = 10;
        spec.networks = 2;
        spec.epochs = 3;
        spec.correct = [](RecordSet, int network, int epoch, std::size_t image) {
            return (image + std::size_t(network)) % 3 <= std::size_t(epoch);
        };
        run_ = dir_.filePath("run.h5").toStdString();
        test::writeSyntheticRun(run_, spec);
        // Three metrics, so that every worker of four has correlation jobs.
        RunFile run(run_);
        std::map<std::string, std::vector<double>> columns;
        for (const char* name : {"a", "b", "c"}) {
            std::vector<double>& values = columns[name];
            for (std::size_t i = 0; i < run.manifest().keys.size(); ++i)
                values.push_back(double((i * 7 + std::strlen(name) * 3 + std::size_t(name[0])) % 11));
        }
        run.writeMetrics(columns);
    }

    void workerExceptionReachesTheCaller()
    {
        // The correlation code refuses a confidence level outside (0, 1); it meets it on the
        // worker threads, one per job, and each throws.
        AnalysisOptions options;
        options.threads = 4;
        options.correlation.bootstrapResamples = 10;
        options.correlation.confidenceLevel = 1.5;
        try {
            analyseRun(RunFile(run_), options);
            QFAIL("an impossible confidence level was accepted");
        } catch (const ConfigError& e) {
            QVERIFY2(std::strstr(e.what(), "confidence level"), e.what());
        }
        // The process is still here and the same run analyses with sound options.
        options.correlation.confidenceLevel = 0.95;
        const RunAnalysis a = analyseRun(RunFile(run_), options);
        QCOMPARE(a.splits.size(), std::size_t(2));
        QVERIFY(!a.splits[0].correlations.empty());
    }

    void cancelStopsTheAnalysis()
    {
        std::atomic<bool> cancel{true};
        AnalysisOptions options;
        options.cancel = &cancel;
        QVERIFY_THROWS_EXCEPTION(Cancelled, analyseRun(RunFile(run_), options));
    }
};

QTEST_GUILESS_MAIN(TestAnalysisFailures)
#include "tst_analysisfailures.moc"
