#pragma once

#include <QMainWindow>

namespace orderlens::ui {

// The application's main window: menus, the welcome page and the dockable views.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
};

}  // namespace orderlens::ui
