#pragma once

// Answering the modal dialogs (file dialogs, "Replace?" questions) that the code under test opens
// and waits in, the way a user does, and clicking through the menu bar, for the GUI tests.

#include <QAbstractButton>
#include <QApplication>
#include <QFileDialog>
#include <QLineEdit>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QTimer>
#include <QtTest>

#include <functional>

namespace orderlens::test {

// Runs `act` on the next modal dialog that it accepts (returns true for), polling while the
// code under test waits in the dialog's event loop.
inline void whenModal(std::function<bool(QWidget*)> act)
{
    auto* timer = new QTimer(qApp);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, act] {
        QWidget* modal = QApplication::activeModalWidget();
        if (modal && modal->isVisible() && act(modal)) {
            timer->stop();
            timer->deleteLater();
        }
    });
    timer->start(30);
}

// Types `path` (a file, or a folder for a folder dialog) into the file dialog's name field and
// presses Return.
inline void answerFileDialog(const QString& path)
{
    whenModal([path](QWidget* w) {
        auto* dialog = qobject_cast<QFileDialog*>(w);
        if (!dialog)
            return false;
        auto* name = dialog->findChild<QLineEdit*>("fileNameEdit");
        if (!name)
            return false;
        // Set rather than typed: typing an existing file's name opens the completer's popup,
        // which would take the Return.
        name->setText(path);
        QTest::keyClick(name, Qt::Key_Return);
        return true;
    });
}

// Clicks Yes or No in the "Replace the file(s)?" question; `text` receives the question (so
// that a test knows it came and what it named).
inline void answerReplace(bool replace, QString* text)
{
    whenModal([replace, text](QWidget* w) {
        auto* box = qobject_cast<QMessageBox*>(w);
        if (!box || !box->text().contains("already exist"))
            return false;
        *text = box->text();
        QTest::mouseClick(box->button(replace ? QMessageBox::Yes : QMessageBox::No), Qt::LeftButton);
        return true;
    });
}

inline QAction* findAction(const QList<QAction*>& actions, const QString& text)
{
    for (QAction* a : actions)
        if (QString(a->text()).remove('&') == text)
            return a;
    return nullptr;
}

inline QStringList entryTexts(QMenu* menu)
{
    QStringList texts;
    for (QAction* a : menu->actions())
        if (!a->isSeparator())
            texts << QString(a->text()).remove('&');
    return texts;
}

// Clicks through the menu bar as a user does: the top menu, then each entry of `path` (entries
// with a submenu open it). Check QTest::currentTestFailed() after the call.
inline void clickMenuPath(QMainWindow& window, const QStringList& path)
{
    QMenuBar* bar = window.menuBar();
    QAction* top = findAction(bar->actions(), path.first());
    QVERIFY2(top, qPrintable("no menu " + path.first()));
    QTest::mouseClick(bar, Qt::LeftButton, {}, bar->actionGeometry(top).center());
    QMenu* menu = top->menu();
    QTRY_VERIFY(menu->isVisible());
    for (const QString& entry : path.mid(1)) {
        QAction* a = findAction(menu->actions(), entry);
        QVERIFY2(a, qPrintable(QString("no entry %1 in %2").arg(entry, entryTexts(menu).join(", "))));
        QVERIFY2(a->isEnabled(), qPrintable(entry + " is disabled"));
        // Taken before the click: an entry may rebuild its menu (and delete itself) when chosen.
        QMenu* submenu = a->menu();
        QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(a).center());
        if (submenu) {
            menu = submenu;
            QTRY_VERIFY(menu->isVisible());
        }
    }
}

}  // namespace orderlens::test
