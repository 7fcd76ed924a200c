// The hashes whose values are stored (dataset fingerprints, cache names) or decide random
// streams (seeds): pinned against published test vectors, so a refactoring cannot change them.

#include "numeric/Hashing.h"

#include <QtTest>

#include <string>

using namespace orderlens;

class TestHashing : public QObject {
    Q_OBJECT

private slots:
    // FNV-1a 64 test vectors from the authors' reference table (Fowler, Noll, Vo:
    // "test_fnv.c", the FNV1a_64 column): "" -> offset basis, "a", "foobar".
    void fnv1aMatchesTheReferenceVectors()
    {
        QCOMPARE(Fnv1a64().value(), 0xcbf29ce484222325ULL);
        Fnv1a64 a;
        a.add(std::string("a"));
        QCOMPARE(a.value(), 0xaf63dc4c8601ec8cULL);
        Fnv1a64 foobar;
        foobar.add(std::string("foobar"));
        QCOMPARE(foobar.value(), 0x85944171f73967e8ULL);
    }

    void fnv1aFedInPiecesEqualsFedAtOnce()
    {
        Fnv1a64 pieces;
        pieces.add(std::string("foo"));
        pieces.add(std::string("bar"));
        QCOMPARE(pieces.value(), 0x85944171f73967e8ULL);
    }

    // SplitMix64 (Vigna's splitmix64.c) seeded with 0 yields 0xe220a8397b1dcdaf, then
    // 0x6e789e6aa1b965f4 (state advanced by one golden-ratio increment, i.e. input 0x9e37...).
    void splitMix64MatchesTheReferenceSequence()
    {
        QCOMPARE(splitMix64(0), 0xe220a8397b1dcdafULL);
        QCOMPARE(splitMix64(0x9e3779b97f4a7c15ULL), 0x6e789e6aa1b965f4ULL);
    }
};

QTEST_GUILESS_MAIN(TestHashing)
#include "tst_hashing.moc"
