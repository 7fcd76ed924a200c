// Imported per-image scores: the NumPy .npy reader (good and broken files), CIFAR-10H human
// uncertainty, and CSVs of (image, value) matched to keys, crisp-boundaries CSVs included.

#include "ErrorExpectation.h"
#include "Fixtures.h"

#include "common/Errors.h"
#include "dataset/DatasetReader.h"
#include "io/NpyFile.h"
#include "statistics/HumanUncertainty.h"
#include "statistics/ScoreCsv.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <vector>

using namespace orderlens;
using test::expectError;

namespace {

// A .npy file as NumPy writes it: magic, version, header length, a dict padded with spaces
// to a multiple of 64 bytes and ending in a newline, then the raw data.
void writeNpy(const std::string& path, int major, const std::string& dict, const std::string& data)
{
    const std::size_t prefix = major == 1 ? 10 : 12;
    std::string header = dict;
    while ((prefix + header.size() + 1) % 64 != 0)
        header += ' ';
    header += '\n';
    std::string bytes = std::string("\x93NUMPY", 6) + char(major) + char(0);
    const std::size_t len = header.size();
    for (std::size_t i = 0; i < (major == 1 ? 2u : 4u); ++i)
        bytes += char((len >> (8 * i)) & 0xff);
    std::ofstream(path, std::ios::binary) << bytes << header << data;
}

template <typename T>
std::string raw(const std::vector<T>& v)
{
    return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

std::string dict(const std::string& descr, const std::string& shape, bool fortran = false)
{
    return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
}

void writeText(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

}  // namespace

class TestImports : public QObject {
    Q_OBJECT

private slots:
    void readsNpyVersionsAndTypes()
    {
        QTemporaryDir dir;
        const std::string p = dir.filePath("a.npy").toStdString();
        writeNpy(p, 1, dict("<f8", "(3, 2)"), raw(std::vector<double>{1, 2, 3, 4, 5, 6.5}));
        NpyMatrix m = readNpyMatrix(p);
        QCOMPARE(m.rows, std::size_t(3));
        QCOMPARE(m.cols, std::size_t(2));
        QVERIFY(!m.singlePrecision);
        QCOMPARE(m.values, (std::vector<double>{1, 2, 3, 4, 5, 6.5}));

        writeNpy(p, 2, dict("<f4", "(2, 3)"), raw(std::vector<float>{0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}));
        m = readNpyMatrix(p);
        QVERIFY(m.singlePrecision);
        QCOMPARE(m.rows, std::size_t(2));
        QCOMPARE(m.values[4], double(0.5f));
        QCOMPARE(m.values[0], double(0.1f));

        // Fortran order: the data are column-major and read back row-major.
        writeNpy(p, 1, dict("<f8", "(2, 3)", true), raw(std::vector<double>{1, 4, 2, 5, 3, 6}));
        m = readNpyMatrix(p);
        QCOMPARE(m.values, (std::vector<double>{1, 2, 3, 4, 5, 6}));
    }

    void brokenNpyFilesAreClearErrors()
    {
        QTemporaryDir dir;
        const std::string p = dir.filePath("bad.npy").toStdString();
        expectError([&] { readNpyMatrix(dir.filePath("missing.npy").toStdString()); }, {"missing.npy", "cannot open"});
        writeText(p, "PK\x03\x04 this is a zip");
        expectError([&] { readNpyMatrix(p); }, {p, "not a NumPy .npy file"});
        writeNpy(p, 3, dict("<f8", "(1, 1)"), raw(std::vector<double>{1}));
        expectError([&] { readNpyMatrix(p); }, {p, "version 3.0", "1.0 or 2.0"});
        writeNpy(p, 1, dict("<i8", "(1, 1)"), raw(std::vector<std::int64_t>{1}));
        expectError([&] { readNpyMatrix(p); }, {p, "'<i8'", "float32"});
        writeNpy(p, 1, dict(">f8", "(1, 1)"), raw(std::vector<double>{1}));
        expectError([&] { readNpyMatrix(p); }, {p, "'>f8'"});
        writeNpy(p, 1, dict("<f8", "(2, 2, 2)"), raw(std::vector<double>(8)));
        expectError([&] { readNpyMatrix(p); }, {p, "(2, 2, 2)", "two-dimensional"});
        writeNpy(p, 1, dict("<f8", "(10,)"), raw(std::vector<double>(10)));
        expectError([&] { readNpyMatrix(p); }, {p, "two-dimensional"});
        writeNpy(p, 1, dict("<f8", "(4, 10)"), raw(std::vector<double>(39)));
        expectError([&] { readNpyMatrix(p); }, {p, "312 data bytes", "needs 40 values of 8 bytes", "truncated"});
        // Found by fuzz_npy: a dimension beyond 64 bits escaped as std::out_of_range.
        writeNpy(p, 1, dict("<f8", "(1, 99999999999999999999999)"), raw(std::vector<double>(1)));
        expectError([&] { readNpyMatrix(p); }, {p, "(1, 99999999999999999999999)", "too large a dimension"});
        // 2^61 values of 8 bytes are 2^64 bytes, 0 when multiplied in 64 bits: no data must not match.
        writeNpy(p, 1, dict("<f8", "(2305843009213693952, 1)"), "");
        expectError([&] { readNpyMatrix(p); }, {p, "0 data bytes", "truncated"});
        writeText(p, std::string("\x93NUMPY\x01\x00\xff\x00{'descr'", 16));
        expectError([&] { readNpyMatrix(p); }, {p, "truncated NumPy header"});
    }

    void humanUncertaintyIsPredictiveEntropyInBits()
    {
        NpyMatrix m;
        m.rows = 4;
        m.cols = 10;
        m.values.assign(40, 0.0);
        for (int c = 0; c < 10; ++c)
            m.values[std::size_t(c)] = 0.1;  // uniform
        m.values[10 + 3] = 1.0;              // one-hot
        m.values[20 + 0] = m.values[20 + 9] = 0.5;
        m.values[30 + 1] = 0.25;
        m.values[30 + 2] = 0.75;
        // -sum 0.1 log2(0.1 + 1e-11) = log2(10) up to the epsilon.
        QVERIFY(std::fabs(humanUncertainty(m, 0) - std::log2(10.0)) < 1e-9);
        QCOMPARE(humanUncertainty(m, 1), 0.0);  // min(1 + 1e-11, 1) = 1, zeros add 0 * log2(1e-11)
        QVERIFY(std::fabs(humanUncertainty(m, 2) - 1.0) < 1e-9);
        QVERIFY(std::fabs(humanUncertainty(m, 3) - (-0.25 * std::log2(0.25) - 0.75 * std::log2(0.75))) < 1e-9);
        // In float32 the file's precision is kept: 0.1f rows are not exactly log2(10).
        m.singlePrecision = true;
        for (double& v : m.values)
            v = double(float(v));
        QVERIFY(std::fabs(humanUncertainty(m, 0) - std::log2(10.0)) < 1e-5);
    }

    void cifar10hGoesToTheTestSplitInCifarOrder()
    {
        QTemporaryDir dir;
        test::FixtureSpec spec;
        spec.trainCount = 10;
        spec.testCount = 12;
        spec.classes = 10;
        test::writeCifar10(dir.filePath("cifar").toStdString(), spec);
        const Dataset ds = loadDataset("cifar10:" + dir.filePath("cifar").toStdString());
        std::vector<double> probs(kCifar10hRows * 10, 0.0);
        for (std::size_t r = 0; r < kCifar10hRows; ++r) {
            if (r % 2)
                probs[r * 10 + r % 10] = 1.0;  // odd rows certain
            else
                probs[r * 10] = probs[r * 10 + 1] = 0.5;  // even rows one bit
        }
        const std::string npy = dir.filePath("cifar10h-probs.npy").toStdString();
        writeNpy(npy, 1, dict("<f8", "(10000, 10)"), raw(probs));
        const std::vector<double> hu = importCifar10h(npy, ds);
        QCOMPARE(hu.size(), ds.size());
        for (std::size_t i = 0; i < ds.size(); ++i) {
            if (ds.split(i) == Split::Train) {
                QVERIFY2(std::isnan(hu[i]), ds.key(i).c_str());  // missing, not 0
                continue;
            }
            const int row = std::stoi(ds.key(i).substr(5));
            QVERIFY(std::fabs(hu[i] - (row % 2 ? 0.0 : 1.0)) < 1e-9);
        }

        writeNpy(npy, 1, dict("<f8", "(100, 10)"), raw(std::vector<double>(1000, 0.1)));
        expectError([&] { importCifar10h(npy, ds); }, {npy, "(100, 10)", "(10000, 10)"});
        if (!test::fashionMnistDir().empty())
            QVERIFY_THROWS_EXCEPTION(ConfigError, importCifar10h(npy, loadDataset("fashion-mnist", 10, 10)));
    }

    void csvScoresMatchKeysPathsNamesAndStems()
    {
        QTemporaryDir dir;
        test::FixtureSpec spec;
        spec.trainCount = 6;
        spec.testCount = 4;
        spec.classes = 2;
        const std::string root = dir.filePath("folder").toStdString();
        test::writeFolderDataset(root, spec, true);
        const Dataset ds = loadDataset("folder:" + root);
        auto indexOf = [&](const std::string& key) {
            for (std::size_t i = 0; i < ds.size(); ++i)
                if (ds.key(i) == key)
                    return i;
            return ds.size();
        };
        // Headerless: a key, a longer path ending in a key, a quoted key, an unknown image,
        // an ambiguous file name (00000.png is in every class folder) and a missing value.
        const std::string csv = dir.filePath("scores.csv").toStdString();
        writeText(csv, "train/class0/00000.png,1.5\n" + root + "/train/class1/00001.png,2.5\r\n"
                       "\"test/class1/00000.png\",-3\nnot/there.png,9\n00000.png,7\ntrain/class0/00002.png,\n");
        ScoreImport s = importScoreCsv(csv, ds);
        QCOMPARE(s.rows, std::size_t(6));
        QCOMPARE(s.matched, std::size_t(4));
        QCOMPARE(s.values[indexOf("train/class0/00000.png")], 1.5);
        QCOMPARE(s.values[indexOf("train/class1/00001.png")], 2.5);
        QCOMPARE(s.values[indexOf("test/class1/00000.png")], -3.0);
        QVERIFY(std::isnan(s.values[indexOf("train/class0/00002.png")]));
        QVERIFY(std::isnan(s.values[indexOf("train/class0/00004.png")]));  // not in the file
        QCOMPARE(s.warnings.size(), std::size_t(2));
        QVERIFY(s.warnings[0].find("1 of 6 rows name no image") != std::string::npos);
        QVERIFY(s.warnings[0].find("not/there.png") != std::string::npos);
        QVERIFY(s.warnings[1].find("several images") != std::string::npos);

        // The crisp-boundaries layout: a header naming Image and EdgeStrength, paths under
        // the study's folders; a unique file stem matches too.
        writeText(csv, "Image,EdgeStrength\n/data/crisp/folder/train/class1/00003.png,12.25\n");
        s = importScoreCsv(csv, ds, kCrispImageColumn, kCrispValueColumn);
        QCOMPARE(s.matched, std::size_t(1));
        QCOMPARE(s.values[indexOf("train/class1/00003.png")], 12.25);
        writeText(csv, "name,score,extra\n00005,0.5,x\n");  // a header found by its non-numeric value
        s = importScoreCsv(csv, ds);
        QCOMPARE(s.values[indexOf("train/class1/00005.png")], 0.5);
    }

    void brokenCsvFilesAreClearErrors()
    {
        QTemporaryDir dir;
        test::FixtureSpec spec;
        spec.trainCount = 4;
        spec.testCount = 2;
        const std::string root = dir.filePath("folder").toStdString();
        test::writeFolderDataset(root, spec, false);
        const Dataset ds = loadDataset("folder:" + root);
        const std::string csv = dir.filePath("s.csv").toStdString();
        expectError([&] { importScoreCsv(dir.filePath("none.csv").toStdString(), ds); }, {"none.csv", "cannot open"});
        writeText(csv, "train/class0/00000.png,1\ntrain/class1/00001.png,high\n");
        expectError([&] { importScoreCsv(csv, ds); }, {csv + ":2", "'high' is not a number"});
        writeText(csv, "train/class0/00000.png\n");
        expectError([&] { importScoreCsv(csv, ds); }, {csv + ":1", "expected at least 2"});
        writeText(csv, "Image,Strength\nx.png,1\n");
        expectError([&] { importScoreCsv(csv, ds, kCrispImageColumn, kCrispValueColumn); }, {csv, "no column 'EdgeStrength'"});
        writeText(csv, "\"train/class0/00000.png,1\n");
        expectError([&] { importScoreCsv(csv, ds); }, {csv + ":1", "not closed"});
        writeText(csv, "image,value\n");
        expectError([&] { importScoreCsv(csv, ds); }, {csv, "no data rows"});
    }
};

QTEST_GUILESS_MAIN(TestImports)
#include "tst_imports.moc"
