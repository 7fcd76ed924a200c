#pragma once

#include <QApplication>

namespace orderlens::ui {

// The desktop application's QApplication. An exception that leaves a slot or an event handler
// (a file that cannot be parsed, a run that changed under a view) would otherwise unwind
// through Qt's event loop and end the process; here every one is caught where Qt delivers the
// event and shown to the user as an error message, and the application goes on.
class Application : public QApplication {
    Q_OBJECT
public:
    Application(int& argc, char** argv);
    bool notify(QObject* receiver, QEvent* event) override;

signals:
    // An exception was caught; its message is also shown in a dialog.
    void errorReported(const QString& message);

private:
    void report(const QString& message);
};

}  // namespace orderlens::ui
