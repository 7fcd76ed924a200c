// orderlens import: records made elsewhere (CSV, .npz, structured .npy) become a run whose analysis
// equals the original's; every malformed file is refused naming the file and the line or row.

#include "ErrorExpectation.h"
#include "QuickTraining.h"

#include "analysis/AnalysisTables.h"
#include "analysis/RunAnalysis.h"
#include "dataset/DatasetReader.h"
#include "storage/RecordImport.h"
#include "storage/RunFile.h"
#include "training/Trainer.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <zip.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace orderlens;

namespace {

std::string readText(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> lines(const std::string& text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

void writeLines(const std::string& path, const std::vector<std::string>& rows)
{
    std::ofstream out(path, std::ios::binary);
    for (const std::string& r : rows)
        out << r << '\n';
}

std::vector<std::string> fieldsOf(const std::string& line)
{
    std::vector<std::string> f;
    std::istringstream in(line);
    for (std::string x; std::getline(in, x, ',');)
        f.push_back(x);
    return f;
}

std::string joined(const std::vector<std::string>& f)
{
    std::string s;
    for (std::size_t i = 0; i < f.size(); ++i)
        s += (i ? "," : "") + f[i];
    return s;
}

// A NumPy 1.0 header for `descr` and one dimension of `rows` (what np.save writes).
std::string npyHeader(const std::string& descr, std::size_t rows)
{
    std::string header = "{'descr': " + descr + ", 'fortran_order': False, 'shape': (" + std::to_string(rows) + ",), }";
    while ((10 + header.size() + 1) % 64 != 0)
        header += ' ';
    header += '\n';
    std::string out("\x93NUMPY\x01\x00", 8);
    out += char(header.size() & 0xff);
    out += char(header.size() >> 8);
    return out + header;
}

// One column of the long table as NumPy writes it: fixed-width unicode for text ('<U'),
// int64 or float32 for numbers.
struct Column {
    std::string name, descr;  // descr as in the header, e.g. "'<i8'"
    std::string data;         // little-endian values
    std::size_t width = 0;    // bytes per value
};

Column column(const std::string& name, const std::vector<std::vector<std::string>>& rows, std::size_t index)
{
    Column c;
    c.name = name;
    if (name == "split" || name == "key") {
        std::size_t width = 1;
        for (const auto& r : rows)
            width = std::max(width, r[index].size());
        c.descr = "'<U" + std::to_string(width) + "'";
        c.width = 4 * width;
        for (const auto& r : rows)
            for (std::size_t k = 0; k < width; ++k) {
                const std::uint32_t ch = k < r[index].size() ? std::uint8_t(r[index][k]) : 0;  // keys are ASCII
                c.data.append(reinterpret_cast<const char*>(&ch), 4);
            }
    } else if (name == "p_true" || name == "margin") {
        c.descr = "'<f4'";
        c.width = 4;
        for (const auto& r : rows) {
            const float v = r[index].empty() ? std::nanf("") : std::stof(r[index]);
            c.data.append(reinterpret_cast<const char*>(&v), 4);
        }
    } else {
        c.descr = "'<i8'";
        c.width = 8;
        for (const auto& r : rows) {
            const std::int64_t v = std::stoll(r[index]);
            c.data.append(reinterpret_cast<const char*>(&v), 8);
        }
    }
    return c;
}

std::vector<Column> columnsOfCsv(const std::string& csv)
{
    const std::vector<std::string> text = lines(readText(csv));
    const std::vector<std::string> names = fieldsOf(text.front());
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 1; i < text.size(); ++i) {
        rows.push_back(fieldsOf(text[i]));
        rows.back().resize(names.size());  // a trailing empty margin has no field after the comma
    }
    std::vector<Column> out;
    for (std::size_t k = 0; k < names.size(); ++k)
        out.push_back(column(names[k], rows, k));
    return out;
}

std::size_t rowsOf(const Column& c) { return c.data.size() / c.width; }

// np.savez: one member NAME.npy per column; even members stored, odd ones deflated (as
// np.savez_compressed writes them), so both kinds are read.
void writeNpz(const std::string& path, const std::vector<Column>& columns)
{
    int error = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
    QVERIFY(z);
    std::vector<std::string> members;
    members.reserve(columns.size());
    for (const Column& c : columns)
        members.push_back(npyHeader(c.descr, rowsOf(c)) + c.data);
    for (std::size_t k = 0; k < columns.size(); ++k) {
        zip_source_t* src = zip_source_buffer(z, members[k].data(), members[k].size(), 0);
        const zip_int64_t at = zip_file_add(z, (columns[k].name + ".npy").c_str(), src, ZIP_FL_ENC_UTF_8);
        QVERIFY(at >= 0);
        zip_set_file_compression(z, zip_uint64_t(at), k % 2 ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0);
    }
    QCOMPARE(zip_close(z), 0);
}

// np.save of a structured array: the columns interleaved row by row.
void writeStructuredNpy(const std::string& path, const std::vector<Column>& columns)
{
    std::string descr = "[";
    std::vector<std::size_t> widths;
    for (const Column& c : columns) {
        descr += (descr.size() > 1 ? ", " : "") + std::string("('") + c.name + "', " + c.descr + ")";
        widths.push_back(c.width);
    }
    descr += "]";
    const std::size_t rows = rowsOf(columns.front());
    std::string out = npyHeader(descr, rows);
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t k = 0; k < columns.size(); ++k)
            out += columns[k].data.substr(r * widths[k], widths[k]);
    std::ofstream(path, std::ios::binary) << out;
}

// The analysis tables of a run, as `orderlens analyze` writes them, keyed by file name.
std::map<std::string, std::string> analysisTables(const std::string& run, const std::string& dir)
{
    const RunFile file(run);
    AnalysisOptions options;
    options.threads = 1;
    const RunAnalysis a = analyseRun(file, options);
    std::filesystem::create_directories(dir);
    writeAgreementCsv(dir + "/agreement.csv", a);
    writeImagesCsv(dir + "/images.csv", a);
    writeMetricCurvesCsv(dir + "/metric_curves.csv", a);
    writeCorrelationsCsv(dir + "/correlations.csv", a);
    writeLabelAgreementCsv(dir + "/label_agreement.csv", a);
    std::map<std::string, std::string> tables;
    for (const char* name : {"agreement.csv", "images.csv", "metric_curves.csv", "correlations.csv", "label_agreement.csv"})
        tables[name] = readText(dir + "/" + name);
    return tables;
}

// A statistic per image that depends on its key only: the key's number modulo 7.
void addKeyMetric(const std::string& run)
{
    RunFile file(run);
    std::vector<double> values;
    for (const std::string& key : file.manifest().keys)
        values.push_back(double(std::stoi(key.substr(key.find('/') + 1)) % 7));
    file.writeMetrics({{"key_mod_7", values}});
}

}  // namespace

class TestRecordImport : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    ExperimentConfig config_;
    std::string original_, csv_;
    std::unique_ptr<Dataset> dataset_;

    std::string path(const std::string& name) const { return dir_.filePath(QString::fromStdString(name)).toStdString(); }

    RecordImportResult importFile(const std::string& records, const std::string& run)
    {
        RecordImport import;
        import.recordsPath = records;
        import.runPath = run;
        import.architecture = "lenet5";
        return importRecords(import, *dataset_, config_.dataset);
    }

    void compareWithOriginal(const std::string& imported)
    {
        addKeyMetric(imported);
        const RunFile a(original_), b(imported);
        QCOMPARE(b.manifest().keys, a.manifest().keys);
        QCOMPARE(b.manifest().labels, a.manifest().labels);
        QCOMPARE(b.manifest().fingerprint, a.manifest().fingerprint);
        QCOMPARE(b.epochsDone(), a.epochsDone());
        for (RecordSet set : {RecordSet::Train, RecordSet::Test})
            for (int n = 0; n < a.shape().networks; ++n)
                for (int e = 0; e < a.epochsDone()[std::size_t(n)]; ++e) {
                    const SplitRecords ra = a.readRecords(set, n, e), rb = b.readRecords(set, n, e);
                    QCOMPARE(rb.correct, ra.correct);
                    QCOMPARE(rb.predicted, ra.predicted);
                    QCOMPARE(rb.pTrue, ra.pTrue);
                    QCOMPARE(rb.margin, ra.margin);
                }
        const auto expected = analysisTables(original_, path("analysis-original"));
        const auto got = analysisTables(imported, path("analysis-" + std::filesystem::path(imported).stem().string()));
        for (const auto& [name, text] : expected) {
            QVERIFY2(lines(text).size() > 1, name.c_str());
            QVERIFY2(got.at(name) == text, ("analysis table differs: " + name).c_str());
        }
    }

    // The exported CSV with `edit` applied to its lines; returns the file.
    std::string edited(const std::string& name, const std::function<void(std::vector<std::string>&)>& edit)
    {
        std::vector<std::string> rows = lines(readText(csv_));
        edit(rows);
        const std::string file = path(name);
        writeLines(file, rows);
        return file;
    }

    // The exported CSV with field `column` of row `row` (0 = the header) set to `value`.
    std::string withField(const std::string& name, std::size_t row, std::size_t column, const std::string& value)
    {
        return edited(name, [&](std::vector<std::string>& rows) {
            auto f = fieldsOf(rows[row]);
            f[column] = value;
            rows[row] = joined(f);
        });
    }

    // Line number (1-based, header = 1) of the first row with this network, epoch and split.
    static std::size_t firstLine(const std::vector<std::string>& rows, int network, int epoch, const std::string& split)
    {
        for (std::size_t i = 1; i < rows.size(); ++i) {
            const auto f = fieldsOf(rows[i]);
            if (std::stoi(f[0]) == network && std::stoi(f[1]) == epoch && f[2] == split)
                return i + 1;
        }
        return 0;
    }

    void expectImportError(const std::string& file, const std::vector<std::string>& fragments)
    {
        const std::string run = path("refused.h5");
        std::vector<std::string> all = fragments;
        all.push_back(file);
        test::expectError([&] { importFile(file, run); }, all);
        QVERIFY(!std::filesystem::exists(run));
        QVERIFY(!std::filesystem::exists(run + ".importing"));
    }

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        // A trained run on a class-stratified subset: real probabilities and margins, and the
        // import must find the subset's images by key.
        config_ = test::quickFixtureConfig(dir_);
        config_.limitTrain = 64;
        config_.limitTest = 24;
        original_ = path("original.h5");
        test::trainRun(config_, original_);
        addKeyMetric(original_);
        csv_ = path("records.csv");
        writeRecordsCsv(csv_, RunFile(original_));
        dataset_ = std::make_unique<Dataset>(loadDataset(config_.dataset));
        QCOMPARE(dataset_->count(Split::Train), std::size_t(96));
    }

    void csvExportThenImportReproducesTheAnalysis()
    {
        const RecordImportResult r = importFile(csv_, path("from-csv.h5"));
        QCOMPARE(r.rows, std::size_t(2 * 2 * (64 + 24)));  // networks x epochs x images
        QCOMPARE(r.networks, 2);
        QCOMPARE(r.epochs, 2);
        QCOMPARE(r.trainImages, std::size_t(64));
        compareWithOriginal(path("from-csv.h5"));
        const RunFile b(path("from-csv.h5"));
        QCOMPARE(b.provenance().at("training"), std::string("imported"));
        // Accuracy of network 1, epoch 1 on the test split from the records themselves.
        const SplitRecords t = b.readRecords(RecordSet::Test, 1, 1);
        double correct = 0;
        for (std::uint8_t c : t.correct)
            correct += c;
        QCOMPARE(b.readSummary(1, 1).testAccuracy, correct / 24.0);
    }

    void rowsInAnyOrderWithColumnsInAnyOrder()
    {
        // Reversed rows, columns p_true and key swapped, an extra column: the same run.
        const std::string file = edited("shuffled.csv", [](std::vector<std::string>& rows) {
            std::reverse(rows.begin() + 1, rows.end());
            for (std::string& r : rows) {
                auto f = fieldsOf(r);
                f.resize(8);
                std::swap(f[3], f[6]);
                f.push_back(&r == &rows.front() ? "loss" : "0.5");
                r = joined(f);
            }
        });
        const RecordImportResult r = importFile(file, path("shuffled.h5"));
        QCOMPARE(r.ignoredColumns, std::vector<std::string>{"loss"});
        compareWithOriginal(path("shuffled.h5"));
    }

    void npzAndStructuredNpyGiveTheSameRun()
    {
        writeNpz(path("records.npz"), columnsOfCsv(csv_));
        importFile(path("records.npz"), path("from-npz.h5"));
        compareWithOriginal(path("from-npz.h5"));
        writeStructuredNpy(path("records.npy"), columnsOfCsv(csv_));
        importFile(path("records.npy"), path("from-npy.h5"));
        compareWithOriginal(path("from-npy.h5"));
    }

    void withoutProbabilitiesAndMargins()
    {
        const std::string file = edited("short.csv", [](std::vector<std::string>& rows) {
            for (std::string& r : rows) {
                auto f = fieldsOf(r);
                f.resize(6);
                r = joined(f);
            }
        });
        importFile(file, path("short.h5"));
        const RunFile b(path("short.h5"));
        const RunFile a(original_);
        QCOMPARE(b.readRecords(RecordSet::Train, 0, 1).correct, a.readRecords(RecordSet::Train, 0, 1).correct);
        QVERIFY(std::isnan(b.readRecords(RecordSet::Train, 0, 1).pTrue[0]));
        QVERIFY(std::isnan(b.readRecords(RecordSet::Train, 0, 1).margin[3]));
    }

    void unknownKey()
    {
        expectImportError(withField("unknown-key.csv", 4, 3, "train/999999"), {"line 5:", "'train/999999' is not an image of the dataset"});
    }

    void keyOfTheOtherSplit()
    {
        expectImportError(withField("other-split.csv", 7, 3, "test/000001"), {"line 8:", "'test/000001' is a test image"});
    }

    void duplicateRow()
    {
        std::size_t last = 0;
        const std::string file = edited("duplicate.csv", [&](std::vector<std::string>& rows) {
            rows.push_back(rows[10]);
            last = rows.size();
        });
        expectImportError(file, {"line " + std::to_string(last) + ":", "duplicate record"});
    }

    void missingEpoch()
    {
        // Network 1 loses its epoch 0 (every split): epoch 1 is then the first it has.
        std::size_t line = 0;
        const std::string file = edited("missing-epoch.csv", [&](std::vector<std::string>& rows) {
            rows.erase(std::remove_if(rows.begin() + 1, rows.end(),
                                      [](const std::string& r) {
                                          const auto f = fieldsOf(r);
                                          return f[0] == "1" && f[1] == "0";
                                      }),
                       rows.end());
            line = firstLine(rows, 1, 1, "train");
        });
        QVERIFY(line > 0);
        expectImportError(file, {"line " + std::to_string(line) + ":", "network 2 (index 1) has train records of epoch 1 but none of epoch 0"});
    }

    void missingNetwork()
    {
        const std::string file = edited("missing-network.csv", [](std::vector<std::string>& rows) {
            rows.erase(std::remove_if(rows.begin() + 1, rows.end(),
                                      [](const std::string& r) { return fieldsOf(r)[0] == "0"; }),
                       rows.end());
        });
        expectImportError(file, {"no records of network 1 (index 0)"});
    }

    void imageMissingFromOneEpoch()
    {
        std::string key;
        std::size_t line = 0;
        const std::string file = edited("missing-image.csv", [&](std::vector<std::string>& rows) {
            line = firstLine(rows, 0, 1, "test");
            key = fieldsOf(rows[line])[3];  // the epoch's second row
            rows.erase(rows.begin() + std::ptrdiff_t(line));
        });
        expectImportError(file, {"network 1 (index 0), epoch 1, test (from line " + std::to_string(line) + ")",
                                 "no record of key '" + key + "'", "1 missing"});
    }

    void predictedClassOutOfRange()
    {
        const std::string file = edited("class-range.csv", [](std::vector<std::string>& rows) {
            auto f = fieldsOf(rows[3]);
            f[4] = "0";
            f[5] = "4";  // the fixture has four classes, 0-3
            rows[3] = joined(f);
        });
        expectImportError(file, {"line 4:", "predicted class 4 is out of range", "4 classes"});
    }

    void correctnessContradictingTheLabel()
    {
        const std::string file = edited("contradiction.csv", [&](std::vector<std::string>& rows) {
            auto f = fieldsOf(rows[6]);
            f[4] = f[4] == "1" ? "0" : "1";
            rows[6] = joined(f);
        });
        expectImportError(file, {"line 7:", "the label"});
    }

    void malformedFields()
    {
        expectImportError(withField("bad-epoch.csv", 2, 1, "one"), {"line 3:", "epoch 'one' is not a whole number"});
        expectImportError(withField("bad-split.csv", 2, 2, "validation"),
                          {"line 3:", "split 'validation' is not train, test or train_eval"});
        expectImportError(withField("bad-correct.csv", 2, 4, "2"), {"line 3:", "correct is 2"});
        expectImportError(withField("bad-p.csv", 2, 6, "1.5"), {"line 3:", "is not a probability"});
        expectImportError(edited("no-key-column.csv", [](std::vector<std::string>& rows) { rows[0] = "network,epoch,split,image,correct,predicted"; }),
                          {"line 1:", "no column 'key'"});
        expectImportError(edited("empty.csv", [](std::vector<std::string>& rows) { rows.resize(1); }),
                          {"holds no records"});
    }

    void malformedNumpy()
    {
        std::vector<Column> columns = columnsOfCsv(csv_);
        // A key column of Python objects, as np.save writes a list of str without dtype=str.
        std::vector<Column> objects = columns;
        objects[3].descr = "'|O'";
        writeNpz(path("objects.npz"), objects);
        expectImportError(path("objects.npz"), {"(key.npy): 'key' is an array of Python objects"});

        std::vector<Column> shorter = columns;
        shorter[1].data.resize(shorter[1].data.size() - 8);
        writeNpz(path("shorter.npz"), shorter);
        expectImportError(path("shorter.npz"), {"array 'epoch' has", "values but 'network' has"});

        std::vector<Column> noCorrect = columns;
        noCorrect.erase(noCorrect.begin() + 4);
        writeNpz(path("no-correct.npz"), noCorrect);
        expectImportError(path("no-correct.npz"), {"no array 'correct'"});

        // A bad value names its row, counting from 0 as NumPy does.
        std::vector<Column> badClass = columns;
        const std::int64_t nine = 9;
        std::memcpy(badClass[5].data.data() + 8 * 12, &nine, 8);
        writeStructuredNpy(path("bad-class.npy"), badClass);
        expectImportError(path("bad-class.npy"), {"row 12 (counting from 0)", "predicted class 9 is out of range"});

        std::ofstream(path("not-a-zip.npz")) << "network,epoch\n";
        expectImportError(path("not-a-zip.npz"), {"cannot read it as a .npz (zip) archive"});
    }

    void commandLine()
    {
        // The command prints the file and line of a bad record and exits non-zero.
        const std::string bad = withField("cli-bad.csv", 2, 3, "nowhere");
        QProcess p;
        p.start(ORDERLENS_BINARY, {"import", "--records", QString::fromStdString(bad), "--dataset",
                                   QString::fromStdString(config_.dataset), "--run", QString::fromStdString(path("cli.h5"))});
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitCode(), 1);
        const QString err = p.readAllStandardError();
        QVERIFY2(err.contains(QString::fromStdString(bad) + ": line 3: key 'nowhere'"), qPrintable(err));
        QVERIFY(!std::filesystem::exists(path("cli.h5")));

        p.start(ORDERLENS_BINARY, {"import", "--records", QString::fromStdString(csv_), "--dataset",
                                   QString::fromStdString(config_.dataset), "--run", QString::fromStdString(path("cli.h5")),
                                   "--architecture", "resnet18", "--epochs", "5"});
        QVERIFY(p.waitForFinished(120000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const RunFile run(path("cli.h5"));
        QCOMPARE(run.shape().epochs, 5);
        QCOMPARE(run.epochsDone(), (std::vector<int>{2, 2}));
        QVERIFY(run.configJson().find("\"resnet18\"") != std::string::npos);
        // Stopped before its planned epochs, but there are no networks to continue with.
        test::expectError([&] { Trainer::resume(path("cli.h5")); }, {path("cli.h5"), "imported from another program"});
    }
};

QTEST_GUILESS_MAIN(TestRecordImport)
#include "tst_recordimport.moc"
