#pragma once

// Compares a dataset's outline (what the setup form previews without decoding every image) with
// the outline of the same dataset loaded whole (DatasetOutline::of): the loaded dataset is the
// independent reference, since it decodes every image.

#include "dataset/DatasetReader.h"

#include <QtTest>

namespace orderlens::test {

inline void compareWithLoadedOutline(const DatasetOutline& outline, const DatasetOutline& loaded)
{
    QCOMPARE(outline.name, loaded.name);
    QCOMPARE(outline.classNames, loaded.classNames);
    QCOMPARE(outline.multiLabel, loaded.multiLabel);
    QCOMPARE(outline.trainImages, loaded.trainImages);
    QCOMPARE(outline.testImages, loaded.testImages);
    QCOMPARE(outline.height, loaded.height);
    QCOMPARE(outline.width, loaded.width);
    QCOMPARE(outline.channels, loaded.channels);
    QCOMPARE(outline.smallestSide, loaded.smallestSide);
    QCOMPARE(outline.samples.size(), loaded.samples.size());
    for (std::size_t i = 0; i < outline.samples.size(); ++i) {
        const DatasetOutline::Sample& a = outline.samples[i];
        const DatasetOutline::Sample& b = loaded.samples[i];
        QCOMPARE(a.key, b.key);
        QCOMPARE(a.label, b.label);
        QCOMPARE(a.height, b.height);
        QCOMPARE(a.width, b.width);
        QCOMPARE(a.channels, b.channels);
        QVERIFY2(a.pixels == b.pixels, a.key.c_str());
    }
}

}  // namespace orderlens::test
