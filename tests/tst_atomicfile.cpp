// Files written for others to read appear complete or not at all (core/io/AtomicFile): the
// old file survives a failed write, no temporary file is left, and errors name the file.

#include "common/Errors.h"
#include "io/AtomicFile.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

using namespace orderlens;
namespace fs = std::filesystem;

namespace {

std::string contents(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

class TestAtomicFile : public QObject {
    Q_OBJECT

private slots:
    void writesAndReplaces()
    {
        QTemporaryDir dir;
        const std::string target = dir.filePath("table.csv").toStdString();
        writeFileAtomically(target, [](std::ostream& out) { out << "a,b\n1,2\n"; });
        QCOMPARE(contents(target), std::string("a,b\n1,2\n"));
        writeFileAtomically(target, [](std::ostream& out) { out << "c\n"; });
        QCOMPARE(contents(target), std::string("c\n"));
        QCOMPARE(std::distance(fs::directory_iterator(dir.path().toStdString()), fs::directory_iterator()), 1);
    }

    void aFailedWriteKeepsTheOldFileAndLeavesNoTemporary()
    {
        QTemporaryDir dir;
        const std::string target = dir.filePath("table.csv").toStdString();
        writeFileAtomically(target, [](std::ostream& out) { out << "old\n"; });
        bool thrown = false;
        try {
            writeFileAtomically(target, [](std::ostream& out) {
                out << "half of a new ";
                throw std::runtime_error("the producer failed");
            });
        } catch (const std::runtime_error& e) {
            thrown = std::string(e.what()) == "the producer failed";
        }
        QVERIFY(thrown);
        QCOMPARE(contents(target), std::string("old\n"));
        QVERIFY(!fs::exists(target + ".writing"));
    }

    void replaceFileUsesTheGivenTemporaryName()
    {
        QTemporaryDir dir;
        const std::string target = dir.filePath("run.h5").toStdString();
        std::string seen;
        replaceFile(
            target,
            [&](const std::string& tmp) {
                seen = tmp;
                std::ofstream(tmp) << "x";
                QVERIFY(!fs::exists(target));
            },
            ".creating");
        QCOMPARE(seen, target + ".creating");
        QCOMPARE(contents(target), std::string("x"));
        QVERIFY(!fs::exists(seen));
    }

    void aMissingFolderIsNamed()
    {
        QTemporaryDir dir;
        const std::string target = dir.filePath("no/such/folder/table.csv").toStdString();
        try {
            writeFileAtomically(target, [](std::ostream& out) { out << "x"; });
            QFAIL("no error for a missing folder");
        } catch (const InputError& e) {
            QCOMPARE(e.path(), target);
            QVERIFY2(std::string(e.what()).find("No such file or directory") != std::string::npos, e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestAtomicFile)
#include "tst_atomicfile.moc"
