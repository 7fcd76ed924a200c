// The window at 1024 x 700 (a laptop screen with a panel): every control of the Explore
// toolbars is reachable (bars wrap instead of cutting), labels fit their text, the thumbnail size
// slider keeps its length, the detail panel and its table header fit, and the monitor's legends
// keep the network numbers. Checked on the real window with a Fashion-MNIST run open.

#include "FashionRun.h"
#include "Fixtures.h"
#include "TabClick.h"

#include "MainWindow.h"
#include "analysis/AnalysisPage.h"
#include "browser/DetailPanel.h"
#include "browser/ImageBrowser.h"
#include "browser/ImageBrowserModel.h"
#include "explorer/CorrelationExplorer.h"
#include "explorer/ExplorationView.h"
#include "explorer/TrainingCurvesView.h"
#include "monitor/LiveMonitor.h"
#include "workspace/RunWorkspace.h"

#include <qcustomplot.h>

#include <QAbstractButton>
#include <QComboBox>
#include <QDir>
#include <QHeaderView>
#include <QLabel>
#include <QListView>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace orderlens;
using namespace orderlens::ui;

using orderlens::test::clickTab;

namespace {

// With ORDERLENS_SCREENSHOT_DIR set, saves the window as it is (for looking at, not a check).
void saveScreenshot(QWidget& window, const QString& name)
{
    const QDir out(qEnvironmentVariable("ORDERLENS_SCREENSHOT_DIR"));
    if (out.path() != ".")
        window.grab().save(out.filePath(name + ".png"));
}

// The part of `w` that is on screen inside `page` (clipped by every parent up to it).
QRect visibleRect(const QWidget* w, const QWidget* page)
{
    QRect r = w->rect();
    for (const QWidget* p = w; p && p != page; p = p->parentWidget()) {
        r = r.intersected(p->rect());
        r.translate(p->pos());
    }
    return r.intersected(page->rect());
}

// Problems with the controls of `page` as shown: a visible button, label, combo box or slider
// that is cut by its parents, a label or button narrower than its text, a slider shorter than
// `minimumSlider` pixels.
QStringList layoutProblems(const QWidget* page, int minimumSlider)
{
    QStringList problems;
    for (const QWidget* w : page->findChildren<QWidget*>()) {
        if (!w->isVisibleTo(page) || w->isWindow())
            continue;
        const bool control = qobject_cast<const QAbstractButton*>(w) || qobject_cast<const QComboBox*>(w) ||
                             qobject_cast<const QSlider*>(w) || qobject_cast<const QLabel*>(w);
        if (!control || w->inherits("QCustomPlot") || w->parentWidget()->inherits("QAbstractScrollArea") ||
            w->parentWidget()->inherits("QTabBar"))
            continue;
        // Widgets inside scroll areas (the detail panel) are reachable by scrolling.
        bool scrolled = false;
        for (const QWidget* p = w->parentWidget(); p && p != page; p = p->parentWidget())
            scrolled |= p->inherits("QScrollArea") || p->inherits("QAbstractItemView");
        if (scrolled)
            continue;
        const QString name = QStringLiteral("%1 '%2'").arg(w->metaObject()->className(),
                                                           qobject_cast<const QLabel*>(w) ? static_cast<const QLabel*>(w)->text()
                                                           : qobject_cast<const QAbstractButton*>(w)
                                                               ? static_cast<const QAbstractButton*>(w)->text()
                                                               : w->toolTip());
        if (visibleRect(w, page).size() != w->size())
            problems << name + " is cut";
        const auto* label = qobject_cast<const QLabel*>(w);
        if (label && !label->wordWrap() && !label->text().isEmpty() && label->pixmap().isNull() &&
            label->width() < label->sizeHint().width())
            problems << name + QStringLiteral(" is %1 px wide for %2 px of text").arg(label->width()).arg(label->sizeHint().width());
        const auto* button = qobject_cast<const QAbstractButton*>(w);
        if (button && !button->text().isEmpty() && button->width() < button->sizeHint().width())
            problems << name + QStringLiteral(" is %1 px wide for %2 px of text").arg(button->width()).arg(button->sizeHint().width());
        const auto* combo = qobject_cast<const QComboBox*>(w);
        if (combo && combo->width() < combo->minimumSizeHint().width())
            problems << name + QStringLiteral(" is %1 px wide, needs %2").arg(combo->width()).arg(combo->minimumSizeHint().width());
        const auto* slider = qobject_cast<const QSlider*>(w);
        if (slider && slider->orientation() == Qt::Horizontal && slider->width() < minimumSlider)
            problems << name + QStringLiteral(" is %1 px long").arg(slider->width());
    }
    return problems;
}

}  // namespace

class TestGuiSmallWindow : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    test::FashionRun spec_;

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        if (test::fashionMnistDir().empty())
            QSKIP("dataset-fashion-mnist is not installed");
        spec_.train = 200;
        spec_.test = 60;
        test::writeFashionRun(dir_.filePath("run.h5").toStdString(), spec_);
    }

    void exploreHoldsAt1024x700()
    {
        MainWindow window;
        window.resize(1024, 700);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        RunWorkspace* workspace = window.openRun(dir_.filePath("run.h5"), MainWindow::ResumeChoice::DontResume);
        QVERIFY(workspace);
        QSignalSpy loaded(workspace->exploration(), &ExplorationView::loaded);
        QVERIFY(loaded.wait(120000));
        QCOMPARE(window.size(), QSize(1024, 700));

        clickTab(workspace->views(), "Explore");
        ExplorationView* explore = workspace->exploration();
        QTest::qWait(50);
        ImageBrowser* browser = explore->browser();
        const QModelIndex index = browser->model()->index(3);
        QTest::mouseClick(browser->view()->viewport(), Qt::LeftButton, {}, browser->view()->visualRect(index).center());
        QCOMPARE(browser->currentImage(), int(browser->model()->imageAt(3)));
        QTest::qWait(50);
        saveScreenshot(window, "small-explore-images");
        QStringList problems = layoutProblems(browser, 80);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join("\n")));
        // The thumbnails keep most of the width; the detail panel what it needs.
        QVERIFY2(browser->view()->width() >= browser->width() / 2,
                 qPrintable(QStringLiteral("grid %1 of %2 px").arg(browser->view()->width()).arg(browser->width())));
        // The detail panel's value table: its header's titles fit their sections.
        auto* values = browser->detail()->findChildren<QTableWidget*>().last();
        for (int c = 0; c < values->columnCount(); ++c) {
            const QString title = values->horizontalHeaderItem(c)->text();
            const int needed = values->horizontalHeader()->fontMetrics().horizontalAdvance(title) + 12;
            QVERIFY2(values->horizontalHeader()->sectionSize(c) >= needed,
                     qPrintable(QStringLiteral("'%1' has %2 px, needs %3").arg(title).arg(values->horizontalHeader()->sectionSize(c)).arg(needed)));
        }
        QVERIFY(values->viewport()->width() >= values->horizontalHeader()->length());

        for (const QString tab : {"Easy vs hard", "Correlations", "Along training", "Compare runs"}) {
            clickTab(explore->tabs(), tab);
            QTest::qWait(50);
            saveScreenshot(window, "small-explore-" + QString(tab).replace(' ', '-').toLower());
            problems = layoutProblems(explore->tabs()->currentWidget(), 80);
            QVERIFY2(problems.isEmpty(), qPrintable(tab + ":\n" + problems.join("\n")));
        }
    }

    void monitorAndAnalysisAt1024x700()
    {
        MainWindow window;
        window.resize(1024, 700);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        RunWorkspace* workspace = window.openRun(dir_.filePath("run.h5"), MainWindow::ResumeChoice::DontResume);
        QSignalSpy analysed(workspace->analysis(), &AnalysisPage::analysed);
        QVERIFY(analysed.wait(120000));
        clickTab(workspace->views(), "Training");
        QTest::qWait(100);
        saveScreenshot(window, "small-training");
        // Every network keeps its number in the loss and accuracy legends.
        for (QCustomPlot* plot : workspace->monitor()->findChildren<QCustomPlot*>()) {
            if (!plot->isVisible())
                continue;
            for (int k = 0; k < plot->legend->itemCount(); ++k) {
                auto* item = qobject_cast<QCPPlottableLegendItem*>(plot->legend->item(k));
                if (!item)
                    continue;
                const QRect shown = item->outerRect();
                const QString text = item->plottable()->name();
                const int needed = QFontMetrics(plot->legend->font()).horizontalAdvance(text) + plot->legend->iconSize().width();
                QVERIFY2(shown.width() >= needed && plot->rect().contains(shown),
                         qPrintable(QStringLiteral("'%1': %2 px of %3").arg(text).arg(shown.width()).arg(needed)));
            }
        }
        // One colour per quantity on the Training and Analysis tabs (Okabe-Ito blue, vermillion,
        // bluish green, by their published RGB values), and the note on agreement vs accuracy.
        const QColor blue(0, 114, 178), vermillion(213, 94, 0), green(0, 158, 115);
        auto colourOf = [](QCustomPlot* plot, const QString& name) {
            for (int g = 0; g < plot->graphCount(); ++g)
                if (plot->graph(g)->name() == name)
                    return plot->graph(g)->pen().color();
            return QColor();
        };
        QCustomPlot* monitorAgreement = workspace->monitor()->findChildren<QCustomPlot*>().first();
        QCOMPARE(colourOf(monitorAgreement, "true-positive agreement"), blue);
        QCOMPARE(colourOf(monitorAgreement, QStringLiteral("mean accuracy \u00b1 std")), vermillion);
        QCOMPARE(colourOf(monitorAgreement, "lower bound"), green);
        auto* note = workspace->monitor()->findChild<QLabel*>("agreementNote");
        QVERIFY(note && note->isVisible());
        QVERIFY(note->text().contains("can exceed the mean accuracy"));

        clickTab(workspace->views(), "Analysis");
        QTest::qWait(100);
        saveScreenshot(window, "small-analysis");
        QCustomPlot* figure = workspace->analysis()->plot();
        QCOMPARE(colourOf(figure, "Agreement (true positive)"), blue);
        QCOMPARE(colourOf(figure, "Mean accuracy"), vermillion);
        QCOMPARE(colourOf(figure, "Lower bound"), green);
        const QStringList problems = layoutProblems(workspace->analysis(), 80);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join("\n")));
    }
};

QTEST_MAIN(TestGuiSmallWindow)
#include "tst_gui_smallwindow.moc"
