// An exception thrown in a slot (here a button's, clicked as a user does) is caught by the
// desktop application, shown in an error dialog with its message, and the application goes on.

#include "Application.h"
#include "common/Errors.h"

#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

using namespace orderlens;
using namespace orderlens::ui;

class TestGuiSlotFailures : public QObject {
    Q_OBJECT

private slots:
    void exceptionInASlotIsShownNotFatal()
    {
        auto* app = qobject_cast<Application*>(QCoreApplication::instance());
        QVERIFY(app);
        QSignalSpy reported(app, &Application::errorReported);
        QPushButton button("Export");
        int clicks = 0;
        QObject::connect(&button, &QPushButton::clicked, [&clicks] {
            ++clicks;
            throw InputError("experiment.json", "not valid JSON");
        });
        button.show();
        QVERIFY(QTest::qWaitForWindowExposed(&button));
        QTest::mouseClick(&button, Qt::LeftButton);
        QCOMPARE(clicks, 1);
        QCOMPARE(reported.size(), 1);
        QCOMPARE(reported.first().at(0).toString(), QString("experiment.json: not valid JSON"));
        // The dialog comes once the failed event has unwound.
        auto errorBox = [] {
            for (QWidget* w : QApplication::topLevelWidgets())
                if (auto* box = qobject_cast<QMessageBox*>(w); box && box->objectName() == "errorReport" && box->isVisible())
                    return box;
            return static_cast<QMessageBox*>(nullptr);
        };
        QTRY_VERIFY(errorBox());
        QMessageBox* box = errorBox();
        QVERIFY(box->text().contains("experiment.json: not valid JSON"));
        box->close();
        // Still running: the same button works again.
        QTest::mouseClick(&button, Qt::LeftButton);
        QCOMPARE(clicks, 2);
        QCOMPARE(reported.size(), 2);
    }
};

int main(int argc, char** argv)
{
    Application app(argc, argv);
    TestGuiSlotFailures test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_gui_slotfailures.moc"
