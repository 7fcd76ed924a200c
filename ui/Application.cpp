#include "Application.h"

#include <QMessageBox>
#include <QWidget>

#include <cstdio>
#include <exception>

namespace orderlens::ui {

Application::Application(int& argc, char** argv) : QApplication(argc, argv) {}

bool Application::notify(QObject* receiver, QEvent* event)
{
    try {
        return QApplication::notify(receiver, event);
    } catch (const std::exception& e) {
        report(QString::fromUtf8(e.what()));
    } catch (...) {
        report(tr("an unexpected error (not a standard exception)"));
    }
    return false;
}

void Application::report(const QString& message)
{
    std::fprintf(stderr, "orderlens: %s\n", message.toUtf8().constData());
    emit errorReported(message);
    // Shown after the event that failed has unwound, without a nested event loop.
    QMetaObject::invokeMethod(
        this,
        [message] {
            auto* box = new QMessageBox(QMessageBox::Critical, tr("OrderLens"),
                                        tr("The last action failed:\n%1").arg(message), QMessageBox::Ok,
                                        QApplication::activeWindow());
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->setObjectName("errorReport");
            box->open();
        },
        Qt::QueuedConnection);
}

}  // namespace orderlens::ui
