// Damaged variable-length strings of layout-1 run files. Layout 1 keeps its strings in HDF5's
// global heap, without checksums, and HDF5 1.10 copies a heap object trusting both the string's
// reference and the heap: the damaged copies made here crashed `orderlens verify` (an object
// running past its collection: "free(): invalid pointer"), made it loop forever (a free space of
// size 0), or silently read other strings or bytes out of bounds (AddressSanitizer reports).
// Each must now be refused with an error naming the file, by the command line and in process.
//
// The copies are made from the committed layout-1 fixture (tests/data/run-v1) by finding its
// heap collections and references with this test's own reading of the HDF5 file format
// specification (global heap collection: "GCOL", version, 3 reserved bytes, size (8); objects:
// index (2), reference count (2), reserved (4), size (8), bytes padded to 8; a string's
// reference: length (4), collection address (8), object index (4)), then changing one field.

#include "common/Errors.h"
#include "storage/RunFile.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <functional>

using namespace orderlens;

namespace {

const QString kFixture = QStringLiteral(ORDERLENS_SOURCE_DIR "/tests/data/run-v1/run-v1.h5");

struct HeapObject {
    qsizetype header = 0;  // file offset of the object's header
    quint64 index = 0;
    quint64 size = 0;
};

quint64 little(const QByteArray& bytes, qsizetype at, int n)
{
    quint64 v = 0;
    for (int i = n - 1; i >= 0; --i)
        v = (v << 8) | quint8(bytes[at + i]);
    return v;
}

void putLittle(QByteArray& bytes, qsizetype at, int n, quint64 v)
{
    for (int i = 0; i < n; ++i)
        bytes[at + i] = char((v >> (8 * i)) & 0xff);
}

// The objects of the collection at `collection`, index 0 (free space) included.
std::vector<HeapObject> heapObjects(const QByteArray& bytes, qsizetype collection)
{
    std::vector<HeapObject> out;
    const quint64 size = little(bytes, collection + 8, 8);
    quint64 at = 16;
    while (size - at >= 16) {
        HeapObject o{collection + qsizetype(at), little(bytes, collection + qsizetype(at), 2),
                     little(bytes, collection + qsizetype(at) + 8, 8)};
        out.push_back(o);
        at += o.index == 0 ? o.size : 16 + (o.size + 7) / 8 * 8;
    }
    return out;
}

// The collection holding `text` and its object.
std::pair<qsizetype, HeapObject> findObject(const QByteArray& bytes, const QByteArray& text)
{
    for (qsizetype c = bytes.indexOf("GCOL"); c >= 0; c = bytes.indexOf("GCOL", c + 4))
        for (const HeapObject& o : heapObjects(bytes, c))
            if (o.index != 0 && bytes.mid(o.header + 16, qsizetype(o.size)) == text)
                return {c, o};
    return {-1, {}};
}

// The file offset of the one reference to that object.
qsizetype findReference(const QByteArray& bytes, qsizetype collection, const HeapObject& o)
{
    QByteArray reference(16, '\0');
    putLittle(reference, 0, 4, o.size);
    putLittle(reference, 4, 8, quint64(collection));
    putLittle(reference, 12, 4, o.index);
    const qsizetype at = bytes.indexOf(reference);
    return at >= 0 && bytes.indexOf(reference, at + 1) < 0 ? at : -1;
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

struct Outcome {
    bool crashed = false;
    int exitCode = 0;
    QByteArray output;
};

Outcome runCli(const QStringList& args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(ORDERLENS_BINARY, args);
    // A copy that sends HDF5 into an endless loop must fail the test, not hang it.
    const bool finished = p.waitForFinished(120000);
    if (!finished)
        p.kill(), p.waitForFinished();
    return {!finished || p.exitStatus() != QProcess::NormalExit || p.exitCode() >= 128, p.exitCode(), p.readAll()};
}

using Damage = std::function<void(QByteArray&)>;

}  // namespace

Q_DECLARE_METATYPE(Damage)

class TestLayout1Strings : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        pristine_ = readAll(kFixture);
        QVERIFY(pristine_.startsWith("\x89HDF\r\n\x1a\n"));
        // The fields the damage below changes, found in the fixture (tests/data/run-v1/README.md).
        QVERIFY(findObject(pristine_, "orderlens-run").first > 0);
        QVERIFY(findObject(pristine_, "test/003856").first > 0);
        QVERIFY(findObject(pristine_, "train/047047").first > 0);
        const auto [collection, config] = findObject(pristine_, configText());
        QVERIFY2(collection > 0, "the configuration JSON is not in the fixture's global heap");
        QVERIFY(findReference(pristine_, collection, config) > 0);
    }

    void pristineCopyIsRead()
    {
        const QString copy = dir_.filePath("pristine.h5");
        QVERIFY(QFile::copy(kFixture, copy));
        const Outcome verify = runCli({"verify", "--run", copy});
        QVERIFY2(!verify.crashed && verify.exitCode == 0, verify.output.constData());
        const RunFile run(copy.toStdString());
        QCOMPARE(run.shape().networks, 2);
    }

    void damagedStringIsRefused_data()
    {
        QTest::addColumn<Damage>("damage");
        // Found by the run-file fuzzer (docs/RELIABILITY.md): "free(): invalid pointer" in verify.
        QTest::newRow("an object runs past its collection") << Damage([this](QByteArray& b) {
            const auto [c, o] = findObject(b, configText());
            putLittle(b, o.header + 8, 8, 5000);
        });
        QTest::newRow("the configuration refers to an empty heap slot") << Damage([this](QByteArray& b) {
            const auto [c, o] = findObject(b, configText());
            putLittle(b, findReference(b, c, o) + 12, 4, 300);
        });
        QTest::newRow("the format attribute is shorter than its object") << Damage([](QByteArray& b) {
            const auto [c, o] = findObject(b, "orderlens-run");
            putLittle(b, findReference(b, c, o), 4, 2);
        });
        // The keys are a deflated, chunked dataset: the heap object changes instead.
        QTest::newRow("an image key's object is longer than its reference") << Damage([](QByteArray& b) {
            const auto [c, o] = findObject(b, "train/047047");
            putLittle(b, o.header + 8, 8, o.size + 1);
        });
        QTest::newRow("a free space of size 0 (HDF5 loops forever)") << Damage([](QByteArray& b) {
            const auto [c, o] = findObject(b, "test/003856");
            for (const HeapObject& free : heapObjects(b, c))
                if (free.index == 0)
                    putLittle(b, free.header + 8, 8, 0);
        });
        QTest::newRow("two objects with one index") << Damage([](QByteArray& b) {
            const auto [c, o] = findObject(b, "test/003856");
            putLittle(b, o.header, 2, o.index + 4);
        });
    }

    void damagedStringIsRefused()
    {
        QFETCH(Damage, damage);
        QByteArray bytes = pristine_;
        damage(bytes);
        QVERIFY(bytes != pristine_);
        const QString copy = dir_.filePath(QString("damaged-%1.h5").arg(++copies_));
        {
            QFile out(copy);
            QVERIFY(out.open(QIODevice::WriteOnly));
            QCOMPARE(out.write(bytes), bytes.size());
        }

        const Outcome verify = runCli({"verify", "--run", copy});
        QVERIFY2(!verify.crashed, verify.output.constData());
        QCOMPARE(verify.exitCode, 1);
        QVERIFY2(verify.output.contains("DAMAGED") && verify.output.contains("global heap"), verify.output.constData());
        const Outcome exported = runCli({"export", "--run", copy, "--records", dir_.filePath("records.csv")});
        QVERIFY2(!exported.crashed, exported.output.constData());
        QCOMPARE(exported.exitCode, 1);
        QVERIFY2(exported.output.contains(copy.toLocal8Bit()) && exported.output.contains("global heap"),
                 exported.output.constData());

        // In process, the loader and every string: a crash ends the test.
        try {
            const RunFile run(copy.toStdString());
            QFAIL("a layout-1 file with a damaged string was opened");
        } catch (const Error& e) {
            const QString message = e.what();
            QVERIFY2(message.contains(copy) && message.contains("global heap"), e.what());
        }
    }

private:
    // The configuration JSON as the fixture's layout-1 program stored it (the object that starts
    // with the architecture key).
    QByteArray configText() const
    {
        for (qsizetype c = pristine_.indexOf("GCOL"); c >= 0; c = pristine_.indexOf("GCOL", c + 4))
            for (const HeapObject& o : heapObjects(pristine_, c))
                if (o.index != 0 && pristine_.mid(o.header + 16, 16) == "{\"architecture\":")
                    return pristine_.mid(o.header + 16, qsizetype(o.size));
        return {};
    }

    QTemporaryDir dir_;
    QByteArray pristine_;
    int copies_ = 0;
};

QTEST_GUILESS_MAIN(TestLayout1Strings)
#include "tst_layout1strings.moc"
