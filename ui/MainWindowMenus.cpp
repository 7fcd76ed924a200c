// The window's menus and toolbar, the help boxes, and the exports of the current run.

#include "MainWindow.h"

#include "ApplicationIcons.h"
#include "WelcomePage.h"
#include "explorer/ExplorationView.h"
#include "monitor/LiveMonitor.h"
#include "plot/InteractivePlot.h"
#include "runs/RunsTable.h"

#include "common/LibraryVersions.h"
#include "export/SaveTarget.h"

#include <QAction>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <QSaveFile>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>

#include <nlohmann/json.hpp>

namespace orderlens::ui {

void MainWindow::buildMenus()
{
    auto* file = menuBar()->addMenu(tr("&File"));
    QAction* newAction = file->addAction(actionIcon("document-new", "new-experiment"), tr("&New experiment..."),
                                         QKeySequence::New, this, &MainWindow::newExperiment);
    QAction* openAction = file->addAction(actionIcon("document-open", "open-run"), tr("&Open run..."),
                                          QKeySequence::Open, this, &MainWindow::chooseRunToOpen);
    file->addAction(actionIcon("folder-open", "open-run"), tr("Open &folder of runs..."), QKeySequence(tr("Ctrl+Shift+O")),
                    this, &MainWindow::chooseFolderToOpen);
    recentMenu_ = file->addMenu(tr("Recent &runs"));
    file->addSeparator();
    auto* exportMenu = file->addMenu(tr("&Export"));
    exportFiguresAction_ = exportMenu->addAction(actionIcon("document-export", "export-figures"),
                                                 tr("&Figures (PDF, SVG, PNG)..."), QKeySequence(tr("Ctrl+E")), this,
                                                 &MainWindow::exportFigures);
    exportConfigAction_ =
        exportMenu->addAction(tr("&Configuration (JSON)..."), this, &MainWindow::exportConfiguration);
    exportReportAction_ = exportMenu->addAction(actionIcon("x-office-document", "export-report"),
                                                tr("Analysis &report (PDF and figures)..."), this, [this] {
                                                    if (ExplorationView* explore = exploration())
                                                        explore->chooseReportFolder();
                                                });
    file->addSeparator();
    file->addAction(QIcon::fromTheme("application-exit"), tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    auto* training = menuBar()->addMenu(tr("&Training"));
    QAction* demoAction = training->addAction(actionIcon("media-playback-start", "run-demo"),
                                              tr("Run the Fashion-MNIST &demo"), QKeySequence(tr("Ctrl+D")), this,
                                              &MainWindow::confirmDemo);
    cancelAction_ = training->addAction(actionIcon("process-stop", "cancel-training"), tr("&Cancel training"),
                                        QKeySequence(tr("Ctrl+.")), this, &MainWindow::cancelTraining);
    resumeAction_ = training->addAction(actionIcon("media-playback-start", "run-demo"), tr("&Resume training"),
                                        QKeySequence(tr("Ctrl+R")), this, [this] {
                                            if (RunWorkspace* w = currentWorkspace())
                                                w->resume();
                                        });
    backgroundMenu_ = training->addMenu(tr("Trainings in the &background"));

    auto* toolBar = addToolBar(tr("Main toolbar"));
    toolBar->setObjectName("mainToolBar");
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->addActions({newAction, openAction, demoAction, cancelAction_, exportFiguresAction_});

    viewMenu_ = menuBar()->addMenu(tr("&View"));
    viewMenu_->addAction(tr("&Welcome page"), QKeySequence(tr("Ctrl+1")), this,
                         [this] { documents_->setCurrentWidget(welcome_); });
    viewMenu_->addAction(tr("&Training monitor"), QKeySequence(tr("Ctrl+2")), this, [this] { showView(0); });
    viewMenu_->addAction(tr("&Analysis"), QKeySequence(tr("Ctrl+3")), this, [this] { showView(1); });
    viewMenu_->addAction(tr("&Explore images and correlations"), QKeySequence(tr("Ctrl+4")), this,
                         [this] { showView(2); });
    viewMenu_->addAction(tr("&Runs in the folder"), QKeySequence(tr("Ctrl+5")), this, [this] {
        if (runsTable_->folder().isEmpty())
            return;
        if (documents_->indexOf(runsTable_) < 0)
            documents_->insertTab(1, runsTable_, tr("Runs in %1").arg(QDir(runsTable_->folder()).dirName()));
        documents_->setCurrentWidget(runsTable_);
    });
    viewMenu_->addSeparator();
    viewMenu_->addAction(toolBar->toggleViewAction());
    for (QDockWidget* dock : {progressDock_, runDock_, logDock_})
        viewMenu_->addAction(dock->toggleViewAction());
    viewMenu_->addSeparator();
    viewMenu_->addAction(tr("Reset &plot views"), QKeySequence(tr("Ctrl+0")), this, [this] {
        if (LiveMonitor* m = monitor())
            for (InteractivePlot* p : m->plots()) {
                p->resetView();
                p->replot();
            }
    });
    viewMenu_->addAction(tr("Reset panel &layout"), this, [this, toolBar] {
        restoreState(defaultState_, kLayoutVersion);
        for (QDockWidget* dock : {progressDock_, runDock_, logDock_})
            dock->show();
        toolBar->show();
    });

    auto* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keyboard and mouse shortcuts"), QKeySequence::HelpContents, this, &MainWindow::showShortcuts);
    help->addAction(applicationIcon(), tr("&About OrderLens"), this, &MainWindow::showAbout);
}

// View > Training monitor / Analysis / Explore: that view of the current run, or of the run last
// current when the welcome page or the runs table is shown.
void MainWindow::showView(int view)
{
    RunWorkspace* w = currentWorkspace();
    if (!w && lastWorkspace_ && workspaces_.contains(lastWorkspace_.data()))
        w = lastWorkspace_;
    if (!w)
        return;
    showWorkspace(w);
    w->views()->setCurrentIndex(view);
}

void MainWindow::exportFigures()
{
    LiveMonitor* figures = monitor();
    if (!figures)
        return;
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export figures to"), lastFolder());
    if (dir.isEmpty())
        return;
    rememberFolder(dir);
    if (!confirmReplace(this, LiveMonitor::figureFiles(dir)))
        return;
    QString error;
    const QStringList written = figures->exportFigures(dir, &error);
    if (!error.isEmpty())
        showError(tr("Export failed"), error);
    else
        announceSaved(this, tr("%1 figure files (PDF, SVG, PNG)").arg(written.size()), dir);
}

void MainWindow::exportConfiguration()
{
    RunWorkspace* w = currentWorkspace();
    if (!w)
        return;
    const std::string configJson = w->configJson();
    const QString path = chooseSavePath(this, tr("Export configuration"), lastFolder() + "/experiment.json",
                                        tr("Experiment configurations (*.json)"));
    if (path.isEmpty())
        return;
    rememberFolder(path);
    const nlohmann::json config = nlohmann::json::parse(configJson, nullptr, false);
    if (config.is_discarded()) {
        showError(tr("Export failed"), tr("The run's stored configuration is not valid JSON."));
        return;
    }
    // Written whole or not at all: a failed write leaves an existing file as it was.
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(QByteArray::fromStdString(config.dump(2) + "\n")) < 0 || !f.commit()) {
        showError(tr("Export failed"), tr("%1: %2").arg(path, f.errorString()));
        return;
    }
    announceSaved(this, tr("Configuration (orderlens train --config reads it)"), path);
}

void MainWindow::showShortcuts()
{
    QMessageBox::information(
        this, tr("Keyboard and mouse shortcuts"),
        tr("<table cellspacing='6'>"
           "<tr><td><b>Ctrl+N</b></td><td>New experiment</td></tr>"
           "<tr><td><b>Ctrl+O</b></td><td>Open run (in a tab of its own)</td></tr>"
           "<tr><td><b>Ctrl+Shift+O</b></td><td>Open a folder of runs (the runs table)</td></tr>"
           "<tr><td><b>Ctrl+D</b></td><td>Run the Fashion-MNIST demo</td></tr>"
           "<tr><td><b>Ctrl+.</b></td><td>Cancel the current run's training (after the current batch)</td></tr>"
           "<tr><td><b>Ctrl+R</b></td><td>Resume the current run's training where it stopped</td></tr>"
           "<tr><td><b>Ctrl+E</b></td><td>Export the current run's figures</td></tr>"
           "<tr><td><b>Ctrl+1</b></td><td>Welcome page</td></tr>"
           "<tr><td><b>Ctrl+2 / 3 / 4</b></td><td>The current run's training monitor / analysis / "
           "explore images and correlations</td></tr>"
           "<tr><td><b>Ctrl+5</b></td><td>The runs table of the folder opened last</td></tr>"
           "<tr><td><b>Ctrl+0</b></td><td>Reset every plot's view</td></tr>"
           "<tr><td><b>Ctrl+Q</b></td><td>Quit</td></tr>"
           "<tr><td colspan='2'><br><b>In a plot</b></td></tr>"
           "<tr><td>Drag</td><td>Pan</td></tr>"
           "<tr><td>Wheel</td><td>Zoom</td></tr>"
           "<tr><td>Double-click</td><td>Reset the view</td></tr>"
           "<tr><td>Hover</td><td>Show the value under the cursor</td></tr>"
           "</table>"));
}

void MainWindow::showAbout()
{
    const LibraryVersions v = libraryVersions();
    // Not QMessageBox::about(): a box the window owns can be looked at (and closed) by tests.
    auto* box = new QMessageBox(this);
    box->setObjectName("aboutBox");
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowTitle(tr("About OrderLens"));
    box->setIconPixmap(applicationIcon().pixmap(96, 96));
    box->setTextFormat(Qt::RichText);
    box->setText(
        tr("<h3>OrderLens %1</h3>"
           "<p>Trains several networks on one dataset, records per image and per epoch whether each network "
           "classified it correctly, and measures their agreement and learning order against image "
           "statistics.</p>"
           "<p>Builds on the study of Pliushch, Mundt, Lupp and Ramesh: <i>When Deep Classifiers Agree: Analyzing "
           "Correlations between Learning Order and Image Statistics</i>, ECCV 2022.</p>"
           "<p>Licence: GNU General Public License, version 3 or (at your option) any later version "
           "(GPL-3.0-or-later). OrderLens comes with no warranty.</p>"
           "<p>Runs with LibTorch %2, Qt %3, OpenCV %4, HDF5 %5 and QCustomPlot.</p>")
            .arg(ORDERLENS_VERSION, QString::fromStdString(v.libtorch), qVersion(),
                 QString::fromStdString(v.opencv), QString::fromStdString(v.hdf5)));
    box->open();
}

}  // namespace orderlens::ui
