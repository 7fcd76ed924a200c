// Damaged layout-1 run files. Layout 1 keeps its metadata without checksums (superblock 0,
// version-1 object headers, group indexes, local heaps) and its strings in HDF5's global heap,
// also without checksums, and HDF5 1.10 trusts both. Each damaged copy made here once crashed
// `orderlens verify`, made it loop forever, asked malloc for terabytes (an AddressSanitizer
// abort), or silently read out of bounds; the run-file fuzzer found most of them
// (docs/RELIABILITY.md). Each must now be refused with an error naming the file and the damaged
// part, by the command line and in process.
//
// The copies are made from the committed layout-1 fixture (tests/data/run-v1) by finding its
// structures with this test's own reading of the HDF5 file format specification, then changing
// one field:
// - superblock 0: the root group's object header address at byte 64, the group leaf node K (2
//   bytes) at byte 16;
// - version-1 object header: version 1, reserved, message count (2), reference count (4), first
//   chunk size (4), padding (4); messages: type (2), size (2), flags (1), reserved (3), data; a
//   continuation message (type 0x10) holds the next chunk's address and length (8 each);
// - attribute message (type 0x0C), version 1: version, reserved, sizes of name (with its NUL),
//   datatype and dataspace (2 each), then those three padded to 8 bytes, then the value; a
//   datatype starts with class and version (1), class bits (3) and the value's size (4), a
//   variable-length string's then holds its base type (a datatype of its own);
// - local heap: "HEAP", version, 3 reserved bytes, data segment size (8), offset of the first
//   free block (8), data segment address (8); a free block: offset of the next (8), size (8);
// - symbol table node: "SNOD", version, reserved, entry count (2);
// - global heap collection: "GCOL", version, 3 reserved bytes, size (8); objects: index (2),
//   reference count (2), reserved (4), size (8), bytes padded to 8; a string's reference: length
//   (4), collection address (8), object index (4).
// h5debug (Debian's hdf5-tools) shows the same structures: `h5debug run-v1.h5 96` (the root
// group's header), `h5debug run-v1.h5 680` (its local heap).

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

// The data of the version-1 attribute message called `name` (its message header holds type 0x0C).
qsizetype findAttribute(const QByteArray& bytes, const QByteArray& name)
{
    const QByteArray stored = name + '\0';
    for (qsizetype at = bytes.indexOf(stored); at >= 16; at = bytes.indexOf(stored, at + 1)) {
        const qsizetype data = at - 8;
        if (quint8(bytes[data]) == 1 && little(bytes, data + 2, 2) == quint64(stored.size()) &&
            little(bytes, data - 8, 2) == 0x0C)
            return data;
    }
    return -1;
}

// The datatype of the attribute message whose data is at `data` (name padded to 8 bytes).
qsizetype attributeType(const QByteArray& bytes, qsizetype data)
{
    return data + 8 + qsizetype((little(bytes, data + 2, 2) + 7) / 8 * 8);
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

class TestLayout1Damage : public QObject {
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
        QVERIFY(findAttribute(pristine_, "device") > 0);
        QCOMPARE(quint8(pristine_[attributeType(pristine_, findAttribute(pristine_, "format"))]) & 0x0f, 9);
        QCOMPARE(quint8(pristine_[attributeType(pristine_, findAttribute(pristine_, "layout_version"))]) & 0x0f, 0);
        QCOMPARE(little(pristine_, qsizetype(little(pristine_, 64, 8)) + 16, 2), quint64(0x10));
        QVERIFY(pristine_.indexOf("HEAP") > 0 && pristine_.indexOf("SNOD") > 0);
        QVERIFY(little(pristine_, pristine_.indexOf("HEAP") + 16, 8) != 1);  // a free block to damage
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
        refuses(damage, "global heap");
    }

    void damagedMetadataIsRefused_data()
    {
        QTest::addColumn<Damage>("damage");
        QTest::addColumn<QString>("named");
        // Found by the run-file fuzzer: HDF5 fails to decode the message while building its table
        // of the group's attributes, then closes the entries it never filled (SEGV in H5A__close).
        QTest::newRow("a provenance attribute's name is not as long as stated")
            << Damage([](QByteArray& b) {
                   const qsizetype data = findAttribute(b, "device");
                   putLittle(b, data + 2, 2, little(b, data + 2, 2) + 1);
               })
            << "attribute message of '/provenance' is damaged";
        // Found by the fuzzer: HDF5 allocates the stated length of a header's next chunk.
        QTest::newRow("the root group's continuation chunk is 24 PB long")
            << Damage([](QByteArray& b) {
                   const qsizetype root = qsizetype(little(b, 64, 8));
                   putLittle(b, root + 16 + 8 + 8, 8, 0x540000000000a0);
               })
            << "has a chunk of 23643898043695264 bytes at 800, outside the file";
        // Found by the fuzzer: HDF5 converts the string through a buffer of its length times its
        // base type's size (Release: a minute-long loop; AddressSanitizer: out of memory).
        QTest::newRow("the format string's base type is 1.8 GB")
            << Damage([](QByteArray& b) {
                   const qsizetype type = attributeType(b, findAttribute(b, "format"));
                   putLittle(b, type + 8 + 4, 4, 0x6e727300);
               })
            << "the strings of 'format' have a damaged datatype";
        // Found by the fuzzer: HDF5 copies an attribute's values without bounds.
        QTest::newRow("the layout version's values overrun their message")
            << Damage([](QByteArray& b) {
                   const qsizetype type = attributeType(b, findAttribute(b, "layout_version"));
                   putLittle(b, type + 4, 4, 0x4000);
               })
            << "an attribute message of the root group is damaged: its values overrun it";
        // HDF5 allocates a local heap's stated data size.
        QTest::newRow("the root group's names take 8.6 EB")
            << Damage([](QByteArray& b) { putLittle(b, b.indexOf("HEAP") + 8, 8, 0x7774656e000000a0); })
            << "the local heap of the root group is damaged";
        // HDF5 decodes the stated number of entries into an array sized for 2 K of them.
        QTest::newRow("a symbol table node holds more entries than it can")
            << Damage([](QByteArray& b) { putLittle(b, b.indexOf("SNOD") + 6, 2, 2 * little(b, 16, 2) + 1); })
            << "a symbol table node of '/' is damaged";
        // HDF5 walks a local heap's free list without end.
        QTest::newRow("the root group's free names go round in a circle")
            << Damage([](QByteArray& b) {
                   const qsizetype heap = b.indexOf("HEAP");
                   const quint64 free = little(b, heap + 16, 8);
                   putLittle(b, qsizetype(little(b, heap + 24, 8) + free), 8, free);
               })
            << "its free list runs outside it or in a circle";
    }

    void damagedMetadataIsRefused()
    {
        QFETCH(Damage, damage);
        QFETCH(QString, named);
        refuses(damage, named.toUtf8());
    }

private:
    // A copy damaged by `damage` is refused by `verify`, `export` and the loader, naming the file
    // and `named`; a crash or a hang fails.
    void refuses(const Damage& damage, const QByteArray& named)
    {
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
        QVERIFY2(verify.output.contains("DAMAGED") && verify.output.contains(named), verify.output.constData());
        const Outcome exported = runCli({"export", "--run", copy, "--records", dir_.filePath("records.csv")});
        QVERIFY2(!exported.crashed, exported.output.constData());
        QCOMPARE(exported.exitCode, 1);
        QVERIFY2(exported.output.contains(copy.toLocal8Bit()) && exported.output.contains(named),
                 exported.output.constData());

        // In process, the loader and every string: a crash ends the test.
        try {
            const RunFile run(copy.toStdString());
            QFAIL("a damaged layout-1 file was opened");
        } catch (const Error& e) {
            const QString message = e.what();
            QVERIFY2(message.contains(copy) && message.contains(QString::fromUtf8(named)), e.what());
        }
    }

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

QTEST_GUILESS_MAIN(TestLayout1Damage)
#include "tst_layout1damage.moc"
