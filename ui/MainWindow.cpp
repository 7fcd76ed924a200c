#include "MainWindow.h"

#include <QLabel>
#include <QMenuBar>
#include <QStatusBar>

namespace orderlens::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle("OrderLens");
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    auto* welcome = new QLabel(tr("<h1>OrderLens</h1><p>In which order do deep networks learn your images?</p>"));
    welcome->setAlignment(Qt::AlignCenter);
    setCentralWidget(welcome);
    statusBar()->showMessage(tr("Ready"));
    resize(1280, 800);
}

}  // namespace orderlens::ui
