// computeRunStatistics: what the GUI stores in a run when a training finishes, including the
// CIFAR-10H human uncertainty named by the run's configuration.

#include "Fixtures.h"
#include "common/Errors.h"
#include "dataset/DatasetReader.h"
#include "experiment/ExperimentConfig.h"
#include "statistics/HumanUncertainty.h"
#include "statistics/RunStatistics.h"
#include "storage/RunFile.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

using namespace orderlens;

namespace {

// A NumPy 1.0 .npy file of little-endian float64, C order (what np.save writes).
void writeNpy(const std::string& path, std::size_t rows, std::size_t cols, const std::vector<double>& values)
{
    std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                         std::to_string(cols) + "), }";
    const std::size_t preamble = 10;  // magic (6), version (2), header length (2)
    while ((preamble + header.size() + 1) % 64 != 0)
        header += ' ';
    header += '\n';
    std::ofstream out(path, std::ios::binary);
    out.write("\x93NUMPY\x01\x00", 8);
    const std::uint16_t length = std::uint16_t(header.size());
    out.put(char(length & 0xff));
    out.put(char(length >> 8));
    out.write(header.data(), std::streamsize(header.size()));
    out.write(reinterpret_cast<const char*>(values.data()), std::streamsize(values.size() * sizeof(double)));
}

// Row r of the fixture's CIFAR-10H file: sure (one class), torn between two classes, or
// uniform, so the expected entropies are 0, 1 and log2(10) bits.
std::vector<double> cifar10hRows()
{
    std::vector<double> p(10000 * 10, 0.0);
    for (std::size_t r = 0; r < 10000; ++r) {
        double* row = &p[r * 10];
        switch (r % 3) {
        case 0: row[r % 10] = 1.0; break;
        case 1: row[0] = row[1] = 0.5; break;
        default:
            for (int c = 0; c < 10; ++c)
                row[c] = 0.1;
        }
    }
    return p;
}

double expectedBits(std::size_t row)
{
    switch (row % 3) {
    case 0: return 0.0;
    case 1: return 1.0;
    default: return std::log2(10.0);
    }
}

}  // namespace

class TestRunMetrics : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void humanUncertaintyForTheTestImages();
    void noHumanUncertaintyWithoutTheFile();
    void wrongShapeNamesTheFile();

private:
    std::string makeRun(const std::string& name, const ExperimentConfig& config);
    QTemporaryDir tmp_;
    std::string cifar_, npy_;
    test::FixtureSpec spec_;
};

void TestRunMetrics::initTestCase()
{
    QVERIFY(tmp_.isValid());
    // Keep the user's metrics cache out of the test.
    qputenv("ORDERLENS_METRICS_CACHE", tmp_.filePath("cache").toUtf8());
    spec_.trainCount = 20;
    spec_.testCount = 12;
    spec_.classes = 10;
    cifar_ = tmp_.filePath("cifar").toStdString();
    test::writeCifar10(cifar_, spec_);
    npy_ = tmp_.filePath("cifar10h-probs.npy").toStdString();
    writeNpy(npy_, 10000, 10, cifar10hRows());
}

std::string TestRunMetrics::makeRun(const std::string& name, const ExperimentConfig& config)
{
    const Dataset dataset = loadDataset(config.dataset);
    std::vector<std::int32_t> labels(dataset.size());
    for (std::size_t i = 0; i < dataset.size(); ++i)
        labels[i] = dataset.label(i);
    RunShape shape;
    shape.networks = 1;
    shape.epochs = 1;
    shape.classes = int(dataset.classNames.size());
    const std::string path = tmp_.filePath(QString::fromStdString(name)).toStdString();
    RunFile::create(path, config.toJson().dump(), dataset, labels, shape, {});
    return path;
}

void TestRunMetrics::humanUncertaintyForTheTestImages()
{
    ExperimentConfig config;
    config.dataset = "cifar10:" + cifar_;
    config.humanUncertainty = npy_;
    config.validate();
    const std::string path = makeRun("with-h.h5", config);
    computeRunStatistics(path, EngineOptions{});

    RunFile run(path);
    const std::vector<std::string> names = run.metricNames();
    QVERIFY(std::find(names.begin(), names.end(), "human_uncertainty") != names.end());
    // The built-in statistics are still there.
    QVERIFY(names.size() > 1);
    const std::vector<double> h = run.readMetric("human_uncertainty");
    const RunManifest& m = run.manifest();
    QCOMPARE(h.size(), m.keys.size());
    int tested = 0;
    for (std::size_t i = 0; i < m.keys.size(); ++i) {
        if (m.splits[i] == Split::Train) {
            QVERIFY2(std::isnan(h[i]), m.keys[i].c_str());
            continue;
        }
        const std::size_t row = std::stoul(m.keys[i].substr(m.keys[i].find('/') + 1));
        QVERIFY2(std::abs(h[i] - expectedBits(row)) < 1e-9,
                 qPrintable(QString("%1: %2").arg(m.keys[i].c_str()).arg(h[i])));
        ++tested;
    }
    QCOMPARE(tested, spec_.testCount);
}

void TestRunMetrics::noHumanUncertaintyWithoutTheFile()
{
    ExperimentConfig config;
    config.dataset = "cifar10:" + cifar_;
    const std::string path = makeRun("without-h.h5", config);
    computeRunStatistics(path, EngineOptions{});
    RunFile run(path);
    const std::vector<std::string> names = run.metricNames();
    QVERIFY(!names.empty());
    QVERIFY(std::find(names.begin(), names.end(), "human_uncertainty") == names.end());
}

void TestRunMetrics::wrongShapeNamesTheFile()
{
    const std::string bad = tmp_.filePath("short.npy").toStdString();
    writeNpy(bad, 5, 10, std::vector<double>(50, 0.1));
    ExperimentConfig config;
    config.dataset = "cifar10:" + cifar_;
    config.humanUncertainty = bad;
    const std::string path = makeRun("bad-h.h5", config);
    try {
        computeRunStatistics(path, EngineOptions{});
        QFAIL("a 5 x 10 file was accepted");
    } catch (const InputError& e) {
        QVERIFY2(std::strstr(e.what(), "short.npy") && std::strstr(e.what(), "(5, 10)"), e.what());
    }
    // The form's check gives the same verdict, and reads the file again once it changed.
    try {
        checkCifar10h(bad);
        QFAIL("a 5 x 10 file was accepted by the check");
    } catch (const InputError& e) {
        QVERIFY2(std::strstr(e.what(), "short.npy") && std::strstr(e.what(), "(5, 10)"), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(InputError, checkCifar10h(bad));
    writeNpy(bad, 10000, 10, cifar10hRows());
    checkCifar10h(bad);
    checkCifar10h(npy_);
    QVERIFY_THROWS_EXCEPTION(InputError, checkCifar10h(tmp_.filePath("missing.npy").toStdString()));
    // Validation refuses the file for another dataset and a file that is not there.
    config.dataset = "fashion-mnist";
    QVERIFY_THROWS_EXCEPTION(ConfigError, config.validate());
    config.dataset = "cifar10:" + cifar_;
    config.humanUncertainty = tmp_.filePath("missing.npy").toStdString();
    QVERIFY_THROWS_EXCEPTION(ConfigError, config.validate());
}

QTEST_GUILESS_MAIN(TestRunMetrics)
#include "tst_runmetrics.moc"
