// `orderlens metrics` end to end: a folder dataset of colour PNGs and Fashion-MNIST to CSV,
// imports, the run file, the cache, and one-line errors for bad input.

#include "DatasetFixtures.h"
#include "Fixtures.h"
#include "ReferenceStatistics.h"
#include "SegmentReference.h"

#include "dataset/DatasetReader.h"
#include "statistics/MetricTable.h"
#include "statistics/RunStatistics.h"
#include "storage/RunFile.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <fstream>
#include <numeric>
#include <map>
#include <sstream>

using namespace orderlens;

namespace {

struct Csv {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::size_t column(const std::string& name) const
    {
        for (std::size_t c = 0; c < header.size(); ++c)
            if (header[c] == name)
                return c;
        return header.size();
    }
};

std::vector<std::string> split(const std::string& line)
{
    std::vector<std::string> out;
    std::stringstream s(line);
    std::string field;
    while (std::getline(s, field, ','))
        out.push_back(field);
    if (!line.empty() && line.back() == ',')
        out.push_back("");
    return out;
}

Csv readCsv(const std::string& path)
{
    Csv csv;
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    csv.header = split(line);
    while (std::getline(in, line))
        csv.rows.push_back(split(line));
    return csv;
}

double number(const std::string& text)
{
    double v = NAN;
    if (!parseMetricText(text, v))
        throw std::runtime_error("not a number: " + text);
    return v;
}

struct Result {
    int code;
    QString out, err;
};

Result runMetrics(const QStringList& args, const QString& decodedCache = {})
{
    QProcess p;
    if (!decodedCache.isEmpty()) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("ORDERLENS_CACHE_DIR", decodedCache);
        p.setProcessEnvironment(env);
    }
    p.start(ORDERLENS_BINARY, QStringList{"metrics"} + args);
    if (!p.waitForFinished(300000))
        return {-1, {}, "timed out"};
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

// A run of one network over a 10-class dataset, with no epoch yet: enough for its statistics.
void createUntrainedRun(const std::string& path, const std::string& configJson, const Dataset& ds)
{
    RunShape shape;
    shape.networks = 1;
    shape.epochs = 1;
    shape.classes = 10;
    std::vector<std::int32_t> labels(ds.size());
    for (std::size_t i = 0; i < ds.size(); ++i)
        labels[i] = ds.label(i);
    RunFile::create(path, configJson, ds, labels, shape, {});
}

}  // namespace

class TestMetricsCommand : public QObject {
    Q_OBJECT

private slots:
    void colourFolderDatasetToCsv()
    {
        QTemporaryDir dir;
        test::FixtureSpec spec;
        spec.trainCount = 12;
        spec.testCount = 6;
        spec.height = 16;
        spec.width = 20;
        spec.classes = 3;
        const QString root = dir.filePath("pngs");
        test::writeFolderDataset(root.toStdString(), spec, true);
        const QString scores = dir.filePath("difficulty.csv");
        std::ofstream(scores.toStdString()) << "train/class0/00000.png,0.25\ntest/class1/00000.png,4\n";
        const QString crisp = dir.filePath("edge_strengths.csv");
        std::ofstream(crisp.toStdString()) << "Image,EdgeStrength\n/x/pngs/train/class2/00002.png,17.5\n";
        const QString out = dir.filePath("metrics.csv");
        const QStringList args = {"--dataset", "folder:" + root, "--output", out, "--cache-dir", dir.filePath("cache"),
                                  "--import", "difficulty=" + scores, "--crisp-boundaries", crisp, "--threads", "2"};
        Result r = runMetrics(args);
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        QVERIFY(r.out.contains("computed 12 columns"));

        const Csv csv = readCsv(out.toStdString());
        const std::vector<std::string> header = {"key", "split", "label", "entropy", "dct_percent", "dct_max",
                                                 "segment_count", "sobel_edge_strength", "crisp_edge_strength",
                                                 "crisp_edge_mean", "rms_contrast", "mean_luminance",
                                                 "colourfulness", "png_bits_per_pixel", "distinct_luminance",
                                                 "difficulty", "edge_strength_crisp"};
        QCOMPARE(csv.header, header);
        const Dataset ds = loadDataset("folder:" + root.toStdString());
        QCOMPARE(csv.rows.size(), ds.size());
        // Expected values: the textbook entropy loop and mean luminance of tests/support; the segment
        // counts are checked against the authors' program in patternsMatchTheAuthorsSegmentCounts.
        for (std::size_t i = 0; i < ds.size(); ++i) {
            const auto& row = csv.rows[i];
            QCOMPARE(row.size(), header.size());
            QCOMPARE(row[0], ds.key(i));
            QCOMPARE(row[1], std::string(splitName(ds.split(i))));
            QCOMPARE(row[2], std::to_string(ds.label(i)));
            QVERIFY(std::fabs(number(row[csv.column("entropy")]) - test::referenceMeanEntropy(ds.image(i), 10)) < 1e-12);
            const std::vector<double> y = test::referenceLuminance(ds.image(i));
            const double meanY = std::accumulate(y.begin(), y.end(), 0.0) / double(y.size()) / 255.0;
            QVERIFY(std::fabs(number(row[csv.column("mean_luminance")]) - meanY) < 1e-12);
            QVERIFY(number(row[csv.column("colourfulness")]) > 0);  // colour images
            const std::string difficulty = row[csv.column("difficulty")];
            if (ds.key(i) == "train/class0/00000.png")
                QCOMPARE(difficulty, std::string("0.25"));
            else if (ds.key(i) == "test/class1/00000.png")
                QCOMPARE(difficulty, std::string("4"));
            else
                QCOMPARE(difficulty, std::string());  // missing, not 0
            QCOMPARE(row[csv.column("edge_strength_crisp")], std::string(ds.key(i) == "train/class2/00002.png" ? "17.5" : ""));
        }

        // Again: every statistic comes from the cache, the file is the same.
        const std::string first = readCsv(out.toStdString()).rows[3][5];
        r = runMetrics(args);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("read 12 columns from the metrics cache"), qPrintable(r.out));
        QCOMPARE(readCsv(out.toStdString()).rows[3][5], first);
    }

    void patternsMatchTheAuthorsSegmentCounts()
    {
        // A folder dataset of the tie-heavy patterns whose counts come from the authors' program
        // (tests/support/SegmentReference.h): the command's column must carry exactly those.
        QTemporaryDir dir;
        for (int kind = 1; kind <= 6; ++kind) {
            const test::Picture p = test::segmentPattern(kind);
            const QString folder = dir.filePath(QString("patterns/%1/class0").arg(kind <= 4 ? "train" : "test"));
            QDir().mkpath(folder);
            const cv::Mat image(p.height, p.width, p.channels == 3 ? CV_8UC3 : CV_8UC1,
                                const_cast<std::uint8_t*>(p.pixels.data()));
            cv::Mat file = image;
            if (p.channels == 3)
                cv::cvtColor(image, file, cv::COLOR_RGB2BGR);  // imwrite takes BGR
            QVERIFY(cv::imwrite(QString("%1/pattern%2.png").arg(folder).arg(kind).toStdString(), file));
        }
        const QString out = dir.filePath("segments.csv");
        const Result r = runMetrics({"--dataset", "folder:" + dir.filePath("patterns"), "--metrics", "segments",
                                     "--output", out, "--no-cache"});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        const Csv csv = readCsv(out.toStdString());
        QCOMPARE(csv.rows.size(), std::size_t(6));
        for (const auto& row : csv.rows) {
            const std::size_t at = row[0].find("pattern");
            QVERIFY(at != std::string::npos);
            const int kind = std::stoi(row[0].substr(at + 7));
            QCOMPARE(number(row[csv.column("segment_count")]), double(test::kPatternSegmentsStudy[kind - 1]));
        }
    }

    void fashionMnistToCsvAndRunFile()
    {
        if (test::fashionMnistDir().empty())
            QSKIP("dataset-fashion-mnist is not installed");
        QTemporaryDir dir;
        const Dataset ds = loadDataset("fashion-mnist", 600, 300);
        const std::string runPath = dir.filePath("run.h5").toStdString();
        createUntrainedRun(runPath, "{}", ds);

        const QString out = dir.filePath("fm.csv");
        // A run's images are its own: limits are refused beside --run.
        Result r = runMetrics({"--limit-train", "600", "--metrics", "entropy", "--run", QString::fromStdString(runPath),
                               "--no-cache"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("--limit-train") && r.err.contains("--run"), qPrintable(r.err));
        // The run's configuration ("{}") names no dataset or limits: its images are picked by key
        // from the dataset its manifest names.
        r = runMetrics({"--metrics", "entropy,dct,segments", "--output", out, "--run", QString::fromStdString(runPath),
                        "--no-cache"});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        const Csv csv = readCsv(out.toStdString());
        QCOMPARE(csv.header, (std::vector<std::string>{"key", "split", "label", "entropy", "dct_percent", "dct_max",
                                                        "segment_count"}));
        QCOMPARE(csv.rows.size(), std::size_t(900));
        QCOMPARE(csv.rows.front()[1], std::string("train"));
        QCOMPARE(csv.rows.back()[1], std::string("test"));

        RunFile run(runPath);
        QCOMPARE(run.metricNames(), (std::vector<std::string>{"dct_max", "dct_percent", "entropy", "segment_count"}));
        const std::vector<double> entropy = run.readMetric("entropy");
        const std::vector<double> segments = run.readMetric("segment_count");
        std::map<std::string, std::size_t> rowOf;
        for (std::size_t i = 0; i < csv.rows.size(); ++i)
            rowOf[csv.rows[i][0]] = i;
        for (std::size_t m = 0; m < run.manifest().keys.size(); ++m) {
            const auto& row = csv.rows.at(rowOf.at(run.manifest().keys[m]));
            QCOMPARE(entropy[m], number(row[3]));
            QCOMPARE(segments[m], number(row[6]));
        }
    }

    // `metrics --run` on a run of 1000 + 300 Fashion-MNIST images computes those 1300 images, not
    // the 70,000 of the dataset they were cut from; the desktop application's statistics of the
    // same run then come from the same cache entry without computing anything.
    void runStatisticsCoverExactlyTheRunsImages()
    {
        if (test::fashionMnistDir().empty())
            QSKIP("dataset-fashion-mnist is not installed");
        QTemporaryDir dir;
        const Dataset ds = loadDataset("fashion-mnist", 1000, 300);
        QCOMPARE(ds.size(), std::size_t(1300));
        const std::string runPath = dir.filePath("run.h5").toStdString();
        createUntrainedRun(runPath, R"({"dataset": "fashion-mnist", "limit_train": 1000, "limit_test": 300, "seed": 3})",
                           ds);

        const QString cache = dir.filePath("cache");
        const QString out = dir.filePath("run.csv");
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("ORDERLENS_METRICS_CACHE", cache);
        p.setProcessEnvironment(env);
        p.start(ORDERLENS_BINARY, {"metrics", "--run", QString::fromStdString(runPath), "--output", out, "--threads", "2"});
        QVERIFY(p.waitForFinished(300000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());

        // Counted from what was written: one CSV row per run image, in the run's order ...
        const Csv csv = readCsv(out.toStdString());
        QCOMPARE(csv.rows.size(), std::size_t(1300));
        for (std::size_t i = 0; i < csv.rows.size(); ++i)
            QCOMPARE(csv.rows[i][0], ds.key(i));
        // ... and the cache, which holds every image the engine computed: one file of 1300 rows
        // after its two header lines.
        const QStringList cached = QDir(cache).entryList({"*.csv"}, QDir::Files);
        QCOMPARE(cached.size(), 1);
        std::ifstream cacheFile(QDir(cache).filePath(cached.front()).toStdString());
        std::size_t lines = 0;
        for (std::string line; std::getline(cacheFile, line);)
            ++lines;
        QCOMPARE(lines, std::size_t(2 + 1300));
        const RunFile run(runPath);
        const std::vector<double> entropy = run.readMetric("entropy");
        QCOMPARE(std::size_t(std::count_if(entropy.begin(), entropy.end(), [](double v) { return !std::isnan(v); })),
                 std::size_t(1300));

        // What the GUI does when a training finishes: same images, same parameters, same cache.
        qputenv("ORDERLENS_METRICS_CACHE", cache.toUtf8());
        const StatisticsOutcome gui = computeRunStatistics(runPath, EngineOptions{});
        qunsetenv("ORDERLENS_METRICS_CACHE");
        QCOMPARE(gui.computed, std::vector<std::string>{});
        QVERIFY(!gui.fromCache.empty());
        QCOMPARE(RunFile(runPath).readMetric("entropy"), entropy);
    }

    void multiLabelDatasetWithItsOwnMetrics()
    {
        // Pascal VOC: labels are class sets, and the reader's object size and instance counts
        // come along as columns.
        QTemporaryDir dir;
        const std::string voc = dir.filePath("VOCdevkit").toStdString();
        test::writeVocTree(voc, test::vocFixtureImages());
        const QString out = dir.filePath("voc.csv");
        const Result r = runMetrics({"--dataset", "voc:" + QString::fromStdString(voc), "--metrics", "entropy,segments",
                                     "--output", out, "--no-cache"},
                                    dir.filePath("decoded"));
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        const Csv csv = readCsv(out.toStdString());
        QCOMPARE(csv.rows.size(), std::size_t(7));
        QVERIFY(csv.column("object_size") < csv.header.size());
        QVERIFY(csv.column("instances") < csv.header.size());
        bool seen = false;
        for (const auto& row : csv.rows)
            if (row[0].find("000005") != std::string::npos) {
                QCOMPARE(row[2], std::string("1;11"));  // bicycle and dog
                QCOMPARE(row[csv.column("instances")], std::string("2"));
                seen = true;
            }
        QVERIFY(seen);
    }

    void badInputIsOneLineAndNonZeroExit()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath("x.csv");
        Result r = runMetrics({"--metrics", "entropy,sharpness", "--output", out, "--no-cache"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("'sharpness'") && r.err.count('\n') == 1, qPrintable(r.err));
        r = runMetrics({"--metrics", "entropy"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("--output"));
        r = runMetrics({"--import", "nameonly.csv", "--output", out});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("NAME=FILE.csv"));
        r = runMetrics({"--window", "0", "--output", out});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("--window"));
        test::FixtureSpec spec;
        spec.trainCount = 4;
        spec.testCount = 2;
        test::writeFolderDataset(dir.filePath("f").toStdString(), spec, false);
        const QString npy = dir.filePath("broken.npy");
        std::ofstream(npy.toStdString()) << "not numpy";
        r = runMetrics({"--dataset", "folder:" + dir.filePath("f"), "--metrics", "none", "--cifar10h", npy, "--output", out,
                        "--no-cache"});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("CIFAR-10") && r.err.count('\n') == 1, qPrintable(r.err));
        spec.trainCount = 10;  // two records per CIFAR batch file
        test::writeCifar10(dir.filePath("c").toStdString(), spec);
        r = runMetrics({"--dataset", "cifar10:" + dir.filePath("c"), "--metrics", "none", "--cifar10h", npy, "--output", out,
                        "--no-cache"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("broken.npy") && r.err.contains("not a NumPy"), qPrintable(r.err));
        QVERIFY(!QFile::exists(out));
    }

    // --metrics crisp: columns, the seed (same seed, same text; another seed, other values),
    // --crisp-repeats, --edge-maps (files named after the keys, numbers summing to the column),
    // and the Sobel statistic's old name accepted with a note.
    void crispEdgeStrengthSeedsRepeatsAndMaps()
    {
        QTemporaryDir dir;
        test::FixtureSpec spec;
        spec.trainCount = 6;
        spec.testCount = 3;
        spec.height = 24;
        spec.width = 20;
        spec.classes = 3;
        const QString root = dir.filePath("pngs");
        test::writeFolderDataset(root.toStdString(), spec, true);
        const QString maps = dir.filePath("maps");
        auto column = [](const Csv& csv, const std::string& name) {
            std::vector<std::string> out;
            for (const auto& row : csv.rows)
                out.push_back(row[csv.column(name)]);
            return out;
        };
        const QStringList common = {"--dataset", "folder:" + root, "--no-cache", "--threads", "2"};
        Result r = runMetrics(common + QStringList{"--metrics", "crisp,edges", "--seed", "7", "--edge-maps", maps,
                                                  "--output", dir.filePath("a.csv")});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        QVERIFY(r.out.contains("note: 'edges' is now called 'sobel'"));
        const Csv a = readCsv(dir.filePath("a.csv").toStdString());
        const std::vector<std::string> header = {"key", "split", "label", "crisp_edge_strength", "crisp_edge_mean",
                                                 "sobel_edge_strength"};
        QCOMPARE(a.header, header);
        for (const auto& row : a.rows) {
            // One CSV and one PNG per image, '/' replaced by "__"; 12 x 10 map (half of 24 x 20).
            std::string stem = row[0];
            for (std::size_t at; (at = stem.find('/')) != std::string::npos;)
                stem.replace(at, 1, "__");
            std::ifstream in(maps.toStdString() + "/" + stem + ".csv");
            QVERIFY2(in, stem.c_str());
            double sum = 0;
            int lines = 0;
            for (std::string line; std::getline(in, line); ++lines) {
                std::stringstream cells(line);
                int count = 0;
                for (std::string cell; std::getline(cells, cell, ','); ++count)
                    sum += std::stod(cell);
                QCOMPARE(count, 10);
            }
            QCOMPARE(lines, 12);
            const double value = number(row[a.column("crisp_edge_strength")]);
            QVERIFY(value > 0);
            QVERIFY(std::abs(sum - value) < 1e-6 * value);
            QCOMPARE(number(row[a.column("crisp_edge_mean")]), value / 120);
            QVERIFY(QFileInfo::exists(maps + "/" + QString::fromStdString(stem) + ".png"));
        }

        r = runMetrics(common + QStringList{"--metrics", "crisp", "--seed", "7", "--output", dir.filePath("b.csv")});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        const Csv b = readCsv(dir.filePath("b.csv").toStdString());
        QCOMPARE(column(b, "crisp_edge_strength"), column(a, "crisp_edge_strength"));
        r = runMetrics(common + QStringList{"--metrics", "crisp", "--seed", "8", "--output", dir.filePath("c.csv")});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        const auto other = column(readCsv(dir.filePath("c.csv").toStdString()), "crisp_edge_strength");
        for (std::size_t i = 0; i < other.size(); ++i)
            QVERIFY(other[i] != column(a, "crisp_edge_strength")[i]);
        r = runMetrics(common + QStringList{"--metrics", "crisp", "--seed", "7", "--crisp-repeats", "3", "--output",
                                            dir.filePath("d.csv")});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        const auto averaged = column(readCsv(dir.filePath("d.csv").toStdString()), "crisp_edge_strength");
        QVERIFY(averaged != column(a, "crisp_edge_strength"));

        r = runMetrics(common + QStringList{"--metrics", "entropy", "--edge-maps", maps, "--output", dir.filePath("e.csv")});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("--edge-maps needs the crisp statistic"));
    }
};

QTEST_GUILESS_MAIN(TestMetricsCommand)
#include "tst_metricscommand.moc"
