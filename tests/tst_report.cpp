// The report and the analysis CLI: report.pdf and every figure file, the CSV tables with their
// exact columns, `orderlens export`, and clear errors for bad input.

#include "analysis/AnalysisPlan.h"
#include "analysis/AnalysisTables.h"
#include "analysis/AnalysisPage.h"
#include "explorer/ExplorationView.h"
#include "report/AnalysisReport.h"
#include "storage/RunFile.h"

#include "AnalysisFixture.h"
#include "Fixtures.h"
#include "SyntheticRun.h"

#include <QImage>
#include <QProcess>
#include <QProgressDialog>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace orderlens;

namespace {

QStringList readLines(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    return QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
}

QString readText(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

struct Result {
    int code = -1;
    QString out, err;
};

Result runOrderlens(const QStringList& args)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "offscreen");
    p.setProcessEnvironment(env);
    p.start(ORDERLENS_BINARY, args);
    p.waitForFinished(300000);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

}  // namespace

class TestReport : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    QString run_;

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        run_ = dir_.filePath("run.h5");
        test::writeAnalysisRun(run_.toStdString());
    }

    void reportAndFigureFiles()
    {
        AnalysisOptions o;
        o.correlation.bootstrapResamples = 50;
        const RunAnalysis a = analyseRun(RunFile(run_.toStdString()), o);
        const QString out = dir_.filePath("report");
        const QStringList files = ui::writeAnalysisReport(a, out);
        const std::size_t figures = ui::analysisFigures(a).size();
        QCOMPARE(std::size_t(files.size()), 6 + 3 * figures + 1);  // tables and settings, figures, report.pdf
        for (const QString& f : files)
            QVERIFY2(QFileInfo(f).size() > 300, qPrintable(f));
        QVERIFY(QImage(out + "/agreement_train.png").width() == 2000);  // 640 px at 300 dpi

        QFile pdf(out + "/report.pdf");
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        const QByteArray bytes = pdf.readAll();
        QVERIFY(bytes.startsWith("%PDF"));
        QVERIFY(bytes.trimmed().endsWith("%%EOF"));
        // A summary page, then two figures per page.
        const int pages = int(bytes.count("/Type /Page\n")) + int(bytes.count("/Type /Page\r")) +
                          int(bytes.count("/Type /Page ")) + int(bytes.count("/Type /Page>"));
        QVERIFY2(pages >= 1 + int((figures + 1) / 2), qPrintable(QString::number(pages)));

        const QString html = ui::reportSummaryHtml(a);
        QVERIFY(html.contains("synthetic"));
        QVERIFY(html.contains("lenet5"));
        QVERIFY(html.contains("Strongest correlations"));
        QVERIFY(html.contains(QString::number(a.splits[0].agreement.epochs.back().agreement, 'f', 2)));
    }

    void analyzeCommandWritesTables()
    {
        const QString out = dir_.filePath("cli");
        const Result r = runOrderlens({"analyze", "--run", run_, "--output", out, "--bootstrap", "40", "--formats",
                                       "png", "--networks", "0,2", "--epochs", "1:8"});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        QVERIFY(r.out.contains("report.pdf"));

        const QStringList agreement = readLines(out + "/agreement.csv");
        QCOMPARE(agreement.first(), QString("split,epoch,agreement,lower_bound,mean_accuracy,std_accuracy,agreed,union"));
        QCOMPARE(agreement.size(), 1 + 2 * 7);  // two splits, epochs 1..7
        QVERIFY(agreement[1].startsWith("train,1,"));

        const QStringList images = readLines(out + "/images.csv");
        QCOMPARE(images.first(), QString("key,split,label,learned_epoch,first_agreed_epoch,forgetting_events,"
                                         "confidence,variability,correctness,aum,entropy,rotation,"
                                         "learned_epoch_net0,learned_epoch_net2,true_label"));
        QCOMPARE(images.size(), 1 + 60 + 30);
        // train/000008 is never learned; train/000003 is learned at epoch 3 by networks 0 and 2.
        QVERIFY(images[9].startsWith("train/000008,train,0,never,never,"));
        QVERIFY(images[4].startsWith("train/000003,train,3,3,3,0,"));

        const QStringList correlations = readLines(out + "/correlations.csv");
        QCOMPARE(correlations.first(), QString("split,metric,measure,method,coefficient,p_value,ci_low,ci_high,n"));
        QCOMPARE(correlations.size(), 1 + 2 * 2 * 7 * 3);  // splits x metrics x measures x methods
        QVERIFY(correlations.filter("train,entropy,learned_epoch,kendall,").size() == 1);

        const QStringList curves = readLines(out + "/metric_curves.csv");
        QCOMPARE(curves.first(), QString("split,metric,curve,epoch,value,shown"));
        QVERIFY(curves.filter(",rotation,value=2,").size() == 2 * 7);
        QVERIFY(QFileInfo(out + "/report.pdf").size() > 1000);
        QVERIFY(QFileInfo(out + "/scatter_entropy_test.png").size() > 1000);
        QVERIFY(!QFileInfo(out + "/scatter_entropy_test.svg").exists());  // --formats png only
    }

    void exportCommandWritesRecords()
    {
        const QString csv = dir_.filePath("records.csv");
        const Result r = runOrderlens({"export", "--run", run_, "--records", csv});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QStringList lines = readLines(csv);
        QCOMPARE(lines.first(), QString("network,epoch,split,key,correct,predicted,p_true,margin"));
        QCOMPARE(lines.size(), 1 + 3 * 8 * (60 + 30));
        // Network 0, epoch 0, image 0: learned at epoch 0, p_true 0.1, margin 0.
        QCOMPARE(lines[1], QString("0,0,train,train/000000,1,0,0.1,0"));
        QVERIFY(lines.filter(",test,test/000029,").size() == 3 * 8);
    }

    // Export > Analysis report in the GUI writes the files `orderlens analyze` writes.
    void guiReportWritesWhatAnalyzeWrites()
    {
        ui::ExplorationView view;
        QSignalSpy loaded(&view, &ui::ExplorationView::loaded);
        view.openRun(run_);
        QVERIFY(loaded.wait(60000));
        const QString gui = dir_.filePath("gui-report"), cli = dir_.filePath("cli-report");
        const QStringList written = view.writeReport(gui);
        const Result r = runOrderlens({"analyze", "--run", run_, "--output", cli});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        const QStringList guiFiles = QDir(gui).entryList(QDir::Files, QDir::Name);
        const QStringList cliFiles = QDir(cli).entryList(QDir::Files, QDir::Name);
        QVERIFY(cliFiles.contains("images.csv") && cliFiles.contains("report.pdf"));
        QCOMPARE(guiFiles, cliFiles);
        QCOMPARE(written.size(), guiFiles.size());

        // The menu's way: the analysis in the background, then the same files.
        const QString background = dir_.filePath("background-report");
        QSignalSpy reported(&view, &ui::ExplorationView::reportWritten);
        view.writeReportInBackground(background);
        QVERIFY(reported.wait(120000));
        QCOMPARE(reported.first().at(1).toString(), QString());
        QCOMPARE(QDir(background).entryList(QDir::Files, QDir::Name), cliFiles);

        // One analysis plan: the command line, both GUI reports and the Analysis page analyse
        // the run with the same settings (analysis.json, which the page's analysis would write).
        const QString cliSettings = readText(cli + "/analysis.json");
        QVERIFY(cliSettings.contains("\"bootstrap_resamples\": 1000"));
        QCOMPARE(readText(gui + "/analysis.json"), cliSettings);
        QCOMPARE(readText(background + "/analysis.json"), cliSettings);
        ui::AnalysisPage page;
        QSignalSpy analysed(&page, &ui::AnalysisPage::analysed);
        page.analyse(run_);
        QVERIFY(analysed.wait(120000));
        QCOMPARE(analysed.first().at(1).toString(), QString());
        QVERIFY(page.analysis());
        QCOMPARE(QString::fromStdString(analysisSettingsJson(*page.analysis())), cliSettings);
    }

    // Export > Analysis report's progress dialog has a Cancel button that stops the report while
    // its figures are written, and leaves no file of it behind.
    void cancellingTheReportLeavesNoFiles()
    {
        ui::ExplorationView view;
        QSignalSpy loaded(&view, &ui::ExplorationView::loaded);
        view.openRun(run_);
        QVERIFY(loaded.wait(60000));
        const QString out = dir_.filePath("cancelled-report");
        QSignalSpy reported(&view, &ui::ExplorationView::reportWritten);
        view.writeReportInBackground(out);
        QProgressDialog* dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dialog = view.findChild<QProgressDialog*>()) != nullptr &&
                                     dialog->labelText().startsWith("Writing"),
                                 120000);
        QVERIFY(reported.isEmpty());
        QPushButton* cancel = dialog->findChild<QPushButton*>();
        QVERIFY(cancel);
        QCOMPARE(cancel->text(), QString("Cancel"));
        QTest::mouseClick(cancel, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(reported.size(), 1, 120000);
        QCOMPARE(reported.first().at(0).toStringList(), QStringList());
        QCOMPARE(reported.first().at(1).toString(), QString());  // cancelled, not failed
        QCOMPARE(QDir(out).entryList(QDir::Files | QDir::Hidden), QStringList());
    }

    // The Analysis tab's "Cancel analysis" button, clicked while its analysis runs (1000 bootstrap
    // resamples per correlation), stops it: the page says so and shows no figure, and the same
    // page analyses the run afterwards.
    void analysisPageCancelButtonStopsTheAnalysis()
    {
        ui::AnalysisPage page;
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QSignalSpy analysed(&page, &ui::AnalysisPage::analysed);
        page.analyse(run_);
        QPushButton* cancel = nullptr;
        for (QPushButton* b : page.findChildren<QPushButton*>())
            if (b->text() == "Cancel analysis")
                cancel = b;
        QVERIFY(cancel);
        QVERIFY(cancel->isVisible());
        QTest::mouseClick(cancel, Qt::LeftButton);
        QVERIFY(analysed.wait(120000));
        QCOMPARE(analysed.first().at(1).toString(), QString("cancelled"));
        QVERIFY(!page.analysis());
        QCOMPARE(page.figureCount(), 0);
        QVERIFY(!cancel->isVisible());

        page.analyse(run_);
        QVERIFY(analysed.wait(120000));
        QCOMPARE(analysed.at(1).at(1).toString(), QString());
        QVERIFY(page.figureCount() > 0);
    }

    // Choices given on the command line are the plan's: the same choices made through
    // AnalysisPlan give the same settings file.
    void commandLineChoicesAreThePlans()
    {
        const QString out = dir_.filePath("chosen");
        const Result r = runOrderlens({"analyze", "--run", run_, "--output", out, "--no-figures", "--split", "test",
                                       "--networks", "0,2", "--epochs", "1:6", "--statistics", "entropy",
                                       "--bootstrap", "30", "--confidence", "0.9", "--seed", "7", "--never",
                                       "exclude", "--agreement-threshold", "10", "--epoch-threshold", "2"});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        AnalysisPlan plan(run_.toStdString());
        plan.setSplits({RecordSet::Test});
        plan.setNetworks({0, 2});
        plan.setEpochs(1, 6);
        plan.setStatistics({"entropy"});
        plan.setBootstrap(30, 0.9, 7);
        plan.setNeverLearned(NeverLearnedPolicy::Exclude);
        plan.setDisplayThresholds(10, 2);
        const QString expected = QString::fromStdString(analysisSettingsJson(plan.analyse()));
        QCOMPARE(readText(out + "/analysis.json"), expected);
        // Written by hand from the choices above: what the file must say.
        QVERIFY(expected.contains("\"networks\": [\n    0,\n    2\n  ]"));
        QVERIFY(expected.contains("\"statistics\": [\n    \"entropy\"\n  ]"));
        QVERIFY(expected.contains("\"first_epoch\": 1,"));
        QVERIFY(expected.contains("\"end_epoch\": 6,"));
        QVERIFY(expected.contains("\"never_learned\": \"exclude\""));
        QCOMPARE(readLines(out + "/correlations.csv").size(), 1 + 1 * 7 * 3);  // one split, one statistic
    }

    void trainThenAnalyze()
    {
        // The real pipeline on real data: records written by `orderlens train`, metrics by
        // `orderlens metrics`, then the analysis.
        if (test::fashionMnistDir().empty())
            QSKIP("dataset-fashion-mnist is not installed");
        const QString run = dir_.filePath("trained.h5");
        Result r = runOrderlens({"train", "--dataset", "fashion-mnist", "--limit-train", "300", "--limit-test", "100",
                                 "--networks", "2", "--epochs", "3", "--architecture", "lenet5", "--input-size", "32",
                                 "--threads", "2", "--run", run});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = runOrderlens({"metrics", "--run", run, "--metrics", "entropy,dct"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QString out = dir_.filePath("trained");
        r = runOrderlens({"analyze", "--run", run, "--output", out, "--bootstrap", "100"});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        const QStringList agreement = readLines(out + "/agreement.csv");
        QCOMPARE(agreement.size(), 1 + 2 * 3);
        const QStringList images = readLines(out + "/images.csv");
        QCOMPARE(images.size(), 1 + 300 + 100);
        QVERIFY(images.first().contains(",entropy,"));
        QVERIFY(images.first().contains(",dct_percent,"));
        for (const char* f : {"report.pdf", "agreement_train.svg", "metric_entropy_test.pdf", "scatter_dct_percent_train.png",
                              "label_agreement_test.png", "data_map_train.pdf", "accuracy.svg", "loss.png"})
            QVERIFY2(QFileInfo(out + "/" + f).size() > 1000, f);
        // Accuracies in agreement.csv agree with the per-network records: mean within 0..100.
        const QStringList last = agreement.last().split(',');
        QCOMPARE(last[0], QString("test"));
        QVERIFY(last[4].toDouble() > 10 && last[4].toDouble() <= 100);
    }

    void multiLabelRun()
    {
        const QString run = dir_.filePath("multi.h5");
        test::SyntheticRun spec;
        spec.multiLabel = true;
        spec.classes = 3;
        spec.train = 14;
        spec.test = 7;
        spec.networks = 2;
        spec.epochs = 4;
        spec.correct = [](RecordSet, int n, int e, std::size_t i) { return int(i % 5) <= e + n; };
        spec.pTrue = [](RecordSet, int, int, std::size_t) { return std::nanf(""); };  // no p_true multi-label
        test::writeSyntheticRun(run.toStdString(), spec);
        const QString out = dir_.filePath("multi");
        const Result r = runOrderlens({"analyze", "--run", run, "--output", out, "--bootstrap", "0", "--formats", "png"});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        const QStringList images = readLines(out + "/images.csv");
        // train/000002 has label bits 0b011 (classes 0 and 1); no p_true, so no data map values.
        QVERIFY2(images[3].startsWith("train/000002,train,0;1,"), qPrintable(images[3]));
        QVERIFY(images[3].contains(",,,"));
        QVERIFY(QFileInfo(out + "/label_agreement_train.png").size() > 1000);
        QVERIFY(!QFileInfo(out + "/data_map_train.png").exists());
        const QStringList labels = readLines(out + "/label_agreement.csv");
        QCOMPARE(labels.first(), QString("split,epoch,class,fraction"));
        QCOMPARE(labels.size(), 1 + 2 * 4 * 3);
    }

    void badInputIsOneClearLine()
    {
        Result r = runOrderlens({"analyze", "--output", dir_.filePath("x")});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("--run"));
        r = runOrderlens({"analyze", "--run", dir_.filePath("missing.h5"), "--output", dir_.filePath("x")});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("missing.h5"));
        // One line from orderlens (Qt may add its own platform notes on other lines).
        QCOMPARE(r.err.split('\n').filter("orderlens analyze:").size(), 1);
        r = runOrderlens({"analyze", "--run", run_, "--output", dir_.filePath("x"), "--networks", "0,7"});
        QCOMPARE(r.code, 1);
        // The fixture has three networks: 1 to 3 on screen, indices 0 to 2 in the option.
        QVERIFY2(r.err.contains("network index 7 does not exist (the run has networks 1 to 3, indices 0 to 2)"), qPrintable(r.err));
        r = runOrderlens({"analyze", "--run", run_, "--output", dir_.filePath("x"), "--epochs", "3:20"});
        QCOMPARE(r.code, 1);
        r = runOrderlens({"analyze", "--run", run_, "--output", dir_.filePath("x"), "--never", "drop"});
        QCOMPARE(r.code, 1);
        r = runOrderlens({"export", "--run", run_});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("--records"));
    }
};

QTEST_MAIN(TestReport)
#include "tst_report.moc"
