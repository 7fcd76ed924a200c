#pragma once

// Clicking a tab the way a user does, for the GUI tests of the window's tabs.

#include <QTabBar>
#include <QTabWidget>
#include <QtTest>

namespace orderlens::test {

// Clicks the tab whose page is `view` or holds it (a page may wrap its view, e.g. in a scroll
// area).
inline void clickTab(QTabWidget* tabs, QWidget* view)
{
    int index = tabs->indexOf(view);
    for (int i = 0; i < tabs->count() && index < 0; ++i)
        if (tabs->widget(i)->isAncestorOf(view))
            index = i;
    QTabBar* bar = tabs->tabBar();
    QTest::mouseClick(bar, Qt::LeftButton, {}, bar->tabRect(index).center());
}

// Clicks the tab titled `title` on the tab widget's bar.
inline void clickTab(QTabWidget* tabs, const QString& title)
{
    for (int t = 0; t < tabs->count(); ++t)
        if (tabs->tabText(t) == title)
            QTest::mouseClick(tabs->tabBar(), Qt::LeftButton, {}, tabs->tabBar()->tabRect(t).center());
}

}  // namespace orderlens::test
