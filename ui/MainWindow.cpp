#include "MainWindow.h"

#include "ApplicationIcons.h"
#include "WelcomePage.h"
#include "monitor/ProgressPanel.h"
#include "runs/RunsTable.h"
#include "setup/ExperimentPresets.h"
#include "setup/ExperimentSetupDialog.h"
#include "workspace/RunWorkspace.h"

#include "common/ThreadBudget.h"

#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QThreadPool>
#include <QTreeWidget>

#include <algorithm>

namespace orderlens::ui {

namespace {
const char* const kGeometryKey = "window/geometry";
const char* const kStateKey = "window/state";

// Two names of one run file (relative or absolute, through links).
bool sameFile(const QString& a, const QString& b)
{
    const QFileInfo fa(a), fb(b);
    if (fa.exists() && fb.exists())
        return fa.canonicalFilePath() == fb.canonicalFilePath();
    return fa.absoluteFilePath() == fb.absoluteFilePath();
}

QLabel* placeholder(const QString& text)
{
    auto* label = new QLabel(text);
    label->setWordWrap(true);
    label->setAlignment(Qt::AlignCenter);
    label->setStyleSheet("color: #707070;");
    return label;
}
}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle("OrderLens");
    setWindowIcon(applicationIcon());
    setAcceptDrops(true);
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
    documents_ = new QTabWidget(this);
    documents_->setObjectName("documents");
    documents_->setDocumentMode(true);
    documents_->setTabsClosable(true);
    documents_->setMovable(true);
    welcome_ = new WelcomePage;
    documents_->addTab(welcome_, tr("Welcome"));
    // The welcome page stays: it is where runs are started and opened.
    for (QTabBar::ButtonPosition side : {QTabBar::LeftSide, QTabBar::RightSide})
        documents_->tabBar()->setTabButton(0, side, nullptr);
    runsTable_ = new RunsTable(this);
    runsTable_->hide();
    connect(runsTable_, &RunsTable::runActivated, this, [this](const QString& p) { openRun(p); });
    setCentralWidget(documents_);
    connect(documents_, &QTabWidget::tabCloseRequested, this, &MainWindow::closeDocument);
    connect(documents_, &QTabWidget::currentChanged, this, &MainWindow::onCurrentDocumentChanged);

    buildDocks();
    buildMenus();

    statusState_ = new QLabel(this);
    statusBar()->addPermanentWidget(statusState_);
    statusBar()->showMessage(tr("Ready"));

    connect(welcome_, &WelcomePage::newExperimentRequested, this, &MainWindow::newExperiment);
    connect(welcome_, &WelcomePage::openRunRequested, this, &MainWindow::chooseRunToOpen);
    connect(welcome_, &WelcomePage::demoRequested, this, &MainWindow::startDemo);
    connect(welcome_, &WelcomePage::recentRunRequested, this, [this](const QString& p) { openRun(p); });

    resize(1500, 920);
    defaultState_ = saveState(kLayoutVersion);
    QSettings settings;
    restoreGeometry(settings.value(kGeometryKey).toByteArray());
    restoreState(settings.value(kStateKey).toByteArray(), kLayoutVersion);
    updateRecentMenu();
    updateBackgroundMenu();
    updateActions();
}

MainWindow::~MainWindow()
{
    // Each run cancels and waits for its training; their signals must not reach a half-destroyed
    // window.
    // Tabs go with their runs: no current-tab bookkeeping on a window being destroyed.
    documents_->disconnect(this);
    const QList<RunWorkspace*> open = workspaces_;
    workspaces_.clear();
    for (RunWorkspace* w : open) {
        w->disconnect(this);
        delete w;
    }
}

void MainWindow::buildDocks()
{
    progressStack_ = new QStackedWidget;
    progressStack_->addWidget(placeholder(tr("No run open: the progress of a training shows here.")));
    progressDock_ = new QDockWidget(tr("Progress"), this);
    progressDock_->setObjectName("progressDock");
    progressDock_->setWidget(progressStack_);
    addDockWidget(Qt::RightDockWidgetArea, progressDock_);
    resizeDocks({progressDock_}, {330}, Qt::Horizontal);

    runInfoStack_ = new QStackedWidget;
    runInfoStack_->addWidget(placeholder(tr("No run open: its configuration shows here.")));
    runDock_ = new QDockWidget(tr("Experiment"), this);
    runDock_->setObjectName("experimentDock");
    runDock_->setWidget(runInfoStack_);
    addDockWidget(Qt::RightDockWidgetArea, runDock_);

    log_ = new QPlainTextEdit;
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(5000);
    log_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    logDock_ = new QDockWidget(tr("Log"), this);
    logDock_->setObjectName("logDock");
    logDock_->setWidget(log_);
    addDockWidget(Qt::RightDockWidgetArea, logDock_);
    tabifyDockWidget(runDock_, logDock_);
    runDock_->raise();
}

RunWorkspace* MainWindow::currentWorkspace() const { return qobject_cast<RunWorkspace*>(documents_->currentWidget()); }

RunWorkspace* MainWindow::workspaceOf(const QString& path) const
{
    for (RunWorkspace* w : workspaces_)
        if (!w->path().isEmpty() && sameFile(w->path(), path))
            return w;
    return nullptr;
}

TrainingSession* MainWindow::session() const
{
    RunWorkspace* w = currentWorkspace();
    return w ? w->session() : nullptr;
}

LiveMonitor* MainWindow::monitor() const
{
    RunWorkspace* w = currentWorkspace();
    return w ? w->monitor() : nullptr;
}

AnalysisPage* MainWindow::analysis() const
{
    RunWorkspace* w = currentWorkspace();
    return w ? w->analysis() : nullptr;
}

ExplorationView* MainWindow::exploration() const
{
    RunWorkspace* w = currentWorkspace();
    return w ? w->exploration() : nullptr;
}

QTabWidget* MainWindow::runTabs() const
{
    RunWorkspace* w = currentWorkspace();
    return w ? w->views() : nullptr;
}

ProgressPanel* MainWindow::progress() const
{
    RunWorkspace* w = currentWorkspace();
    return w ? w->progress() : nullptr;
}

QString MainWindow::currentRun() const
{
    RunWorkspace* w = currentWorkspace();
    return w ? w->path() : QString();
}

RunWorkspace* MainWindow::addWorkspace()
{
    auto* w = new RunWorkspace;
    workspaces_ << w;
    progressStack_->addWidget(w->progress());
    runInfoStack_->addWidget(w->runInfo());
    connect(w, &RunWorkspace::titleChanged, this, [this] {
        updateTitles();
        updateBackgroundMenu();
    });
    connect(w, &RunWorkspace::opened, this, &MainWindow::runOpened);
    connect(w, &RunWorkspace::openFailed, this, [this, w](const QString& path, const QString& error) {
        closeWorkspace(w);
        offerVerify(path, error);
    });
    connect(w, &RunWorkspace::trainingFinished, this,
            [this, w](TrainingSession::Outcome outcome, const QString& error) {
                // A training whose tab was closed: nothing shows it any more.
                if (documents_->indexOf(w) < 0) {
                    const QString text = tr("%1 stopped training in the background (now %2); File > Recent runs opens it.")
                                             .arg(w->fileName(), RunWorkspace::stateText(w->state()));
                    log(text);
                    statusBar()->showMessage(text, 15000);
                    closeWorkspace(w);
                }
                emit trainingFinished(outcome, error);
            });
    connect(w, &RunWorkspace::batchStatusChanged, this, [this, w](const QString& text) {
        if (w == currentWorkspace())
            statusState_->setText(text);
    });
    connect(w, &RunWorkspace::actionsChanged, this, &MainWindow::updateActions);
    connect(w, &RunWorkspace::runFileUsed, this, &MainWindow::addRecentRun);
    connect(w, &RunWorkspace::logged, this, [this, w](const QString& text) { log(w->fileName() + ": " + text); });
    connect(w, &RunWorkspace::statusMessage, this, [this](const QString& text, int timeoutMs) {
        if (text.isEmpty())
            statusBar()->clearMessage();
        else
            statusBar()->showMessage(text, timeoutMs);
    });
    connect(w, &RunWorkspace::problem, this, &MainWindow::showError);
    return w;
}

void MainWindow::showWorkspace(RunWorkspace* w)
{
    if (documents_->indexOf(w) < 0) {
        w->setTabClosed(false);
        documents_->addTab(w, w->title());
        updateBackgroundMenu();
    }
    documents_->setCurrentWidget(w);
    updateTitles();
}

void MainWindow::closeDocument(int index)
{
    QWidget* page = documents_->widget(index);
    if (page == welcome_)
        return;
    if (page == runsTable_) {
        documents_->removeTab(index);
        return;
    }
    auto* w = qobject_cast<RunWorkspace*>(page);
    if (!w)
        return;
    if (!w->isTraining()) {
        closeWorkspace(w);
        return;
    }
    auto* box = new QMessageBox(QMessageBox::Question, tr("Close a run that is training?"),
                                tr("%1 is training.\n\nCancel training: it stops after the current batch; completed "
                                   "epochs stay in the file and the run can be resumed later.\n\nKeep training: it "
                                   "goes on in the background; Training > Trainings in the background (or opening "
                                   "the run again) shows its tab again.")
                                    .arg(w->fileName()),
                                QMessageBox::Cancel, this);
    box->setObjectName("closeTraining");
    QPushButton* cancel = box->addButton(tr("Cancel training"), QMessageBox::DestructiveRole);
    cancel->setObjectName("cancelTraining");
    QPushButton* keep = box->addButton(tr("Keep training"), QMessageBox::AcceptRole);
    keep->setObjectName("keepTraining");
    box->button(QMessageBox::Cancel)->setText(tr("Don't close"));
    box->button(QMessageBox::Cancel)->setObjectName("dontClose");
    box->setDefaultButton(keep);
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPointer<RunWorkspace> run = w;
    connect(box, &QMessageBox::finished, this, [this, box, cancel, keep, run] {
        if (!run)
            return;
        if (box->clickedButton() == keep) {
            keepInBackground(run);
        } else if (box->clickedButton() == cancel) {
            // The tab goes now; the run's document goes when its trainer has stopped.
            run->cancelTraining();
            if (run->isTraining())
                keepInBackground(run);
            else
                closeWorkspace(run);
        }
    });
    box->open();
}

void MainWindow::keepInBackground(RunWorkspace* w)
{
    const int index = documents_->indexOf(w);
    if (index >= 0)
        documents_->removeTab(index);
    w->hide();
    w->setTabClosed(true);
    if (!w->session()->isCancelling())
        log(tr("%1 keeps training in the background (Training > Trainings in the background shows it).")
                .arg(w->fileName()));
    updateBackgroundMenu();
    updateActions();
}

void MainWindow::closeWorkspace(RunWorkspace* w)
{
    workspaces_.removeAll(w);
    if (lastWorkspace_ == w)
        lastWorkspace_ = nullptr;
    const int index = documents_->indexOf(w);
    if (index >= 0)
        documents_->removeTab(index);
    w->disconnect(this);
    w->hide();
    w->deleteLater();
    updateBackgroundMenu();
    updateActions();
}

void MainWindow::onCurrentDocumentChanged()
{
    RunWorkspace* w = currentWorkspace();
    if (w)
        lastWorkspace_ = w;
    // The panels follow the current run, or the run last current while the welcome page or the
    // runs table is shown.
    RunWorkspace* shown = w ? w : lastWorkspace_.data();
    progressStack_->setCurrentIndex(shown ? progressStack_->indexOf(shown->progress()) : 0);
    runInfoStack_->setCurrentIndex(shown ? runInfoStack_->indexOf(shown->runInfo()) : 0);
    statusState_->setText(w ? w->batchStatus() : QString());
    updateTitles();
    updateActions();
}

void MainWindow::updateTitles()
{
    for (RunWorkspace* w : workspaces_) {
        const int index = documents_->indexOf(w);
        if (index < 0)
            continue;
        documents_->setTabText(index, w->title());
        documents_->setTabToolTip(index, w->path());
        documents_->setTabIcon(index, w->isTraining() ? actionIcon("media-playback-start", "run-demo") : QIcon());
    }
    if (RunWorkspace* w = currentWorkspace())
        setWindowTitle(tr("OrderLens - %1").arg(w->fileName()));
    else if (documents_->currentWidget() == runsTable_)
        setWindowTitle(tr("OrderLens - %1").arg(QDir(runsTable_->folder()).dirName()));
    else
        setWindowTitle("OrderLens");
}

// Training > Trainings in the background: the runs kept training with their tab closed.
void MainWindow::updateBackgroundMenu()
{
    backgroundMenu_->clear();
    for (RunWorkspace* w : workspaces_) {
        if (documents_->indexOf(w) >= 0 || !w->isTraining())
            continue;
        QAction* a = backgroundMenu_->addAction(tr("Show %1").arg(w->fileName()), this, [this, w] { showWorkspace(w); });
        a->setToolTip(w->path());
    }
    backgroundMenu_->setEnabled(!backgroundMenu_->isEmpty());
}

TrainingSession* MainWindow::startTraining(const ExperimentConfig& config, const QString& runPath, bool overwrite)
{
    RunWorkspace* w = workspaceOf(runPath);
    if (w && w->isTraining()) {
        showWorkspace(w);
        showError(tr("Training is running"),
                  tr("%1 is being trained in this window; cancel that training before starting another one into "
                     "the same file.")
                      .arg(runPath));
        return nullptr;
    }
    // The experiment's threads setting is the application's budget: the training, and the
    // statistics, analyses and background jobs (Qt's pool) that follow it.
    if (config.threads > 0)
        setThreadBudget(unsigned(config.threads));
    QThreadPool::globalInstance()->setMaxThreadCount(int(threadBudget()));
    if (!w)
        w = addWorkspace();
    showWorkspace(w);
    return w->train(config, runPath, overwrite);
}

void MainWindow::confirmDemo()
{
    // Five networks train for minutes: say what is about to happen before it starts.
    auto* box = new QMessageBox(QMessageBox::Question, tr("Run the Fashion-MNIST demo?"),
                                tr("%1\n\nThe run is written to %2; other runs can be opened meanwhile.")
                                    .arg(WelcomePage::demoPlan(), ExperimentSetupDialog::defaultRunPath(demoExperiment())),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName("demoConfirmation");
    box->button(QMessageBox::Yes)->setText(tr("Start the demo"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box] {
        if (box->clickedButton() == box->button(QMessageBox::Yes))
            startDemo();
    });
    box->open();
}

TrainingSession* MainWindow::startDemo()
{
    const ExperimentConfig demo = demoExperiment();
    return startTraining(demo, ExperimentSetupDialog::defaultRunPath(demo), false);
}

TrainingSession* MainWindow::resumeRun(const QString& path)
{
    if (RunWorkspace* w = workspaceOf(path)) {
        showWorkspace(w);
        return w->resume();
    }
    // Not open: opened first, then resumed once its file is read.
    openRun(path, ResumeChoice::Resume);
    return nullptr;
}

void MainWindow::cancelTraining()
{
    if (RunWorkspace* w = currentWorkspace())
        w->cancelTraining();
}

RunWorkspace* MainWindow::openRun(const QString& path, ResumeChoice resume)
{
    if (RunWorkspace* w = workspaceOf(path)) {
        showWorkspace(w);
        addRecentRun(w->path());
        return w;
    }
    RunWorkspace* w = addWorkspace();
    w->open(path, resume);
    showWorkspace(w);
    return w;
}

ExperimentSetupDialog* MainWindow::setupDialog() const { return setup_; }

ExperimentSetupDialog* MainWindow::newExperiment()
{
    if (!setup_) {
        auto* dialog = new ExperimentSetupDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QDialog::accepted, this, [this, dialog] {
            startTraining(dialog->config(), dialog->runPath(), dialog->overwrite());
        });
        // A closed form is on its way out: the next New experiment makes a new one (which starts
        // from the experiment started last).
        connect(dialog, &QDialog::finished, this, [this, dialog] {
            if (setup_ == dialog)
                setup_ = nullptr;
        });
        setup_ = dialog;
    }
    setup_->resize(setup_->sizeHint().expandedTo(QSize(1240, 0)));
    setup_->open();
    return setup_;
}

void MainWindow::updateActions()
{
    RunWorkspace* w = currentWorkspace();
    cancelAction_->setEnabled(w && w->session() && !w->session()->isCancelling());
    const bool haveRun =
        w && w->state() != RunWorkspace::State::Opening && w->state() != RunWorkspace::State::Failed;
    exportFiguresAction_->setEnabled(haveRun);
    exportReportAction_->setEnabled(haveRun);
    resumeAction_->setEnabled(w && w->canResume());
    exportConfigAction_->setEnabled(haveRun && !w->configJson().empty());
}

void MainWindow::log(const QString& text)
{
    log_->appendPlainText(QDateTime::currentDateTime().toString("HH:mm:ss  ") + text);
}

void MainWindow::showError(const QString& title, const QString& text)
{
    log(title + ": " + text);
    // Not exec(): the window (and any training) keeps running while the message is shown.
    auto* box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::resizeEvent(QResizeEvent* event)
{
    QMainWindow::resizeEvent(event);
    // The side panels give way in a small window: at most a quarter of its width (not below
    // 220 px), so the run's views keep the rest.
    const int share = std::max(220, width() / 4);
    if (progressDock_ && !progressDock_->isHidden() && !progressDock_->isFloating() && progressDock_->width() > share)
        resizeDocks({progressDock_}, {share}, Qt::Horizontal);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    QStringList training;
    for (RunWorkspace* w : workspaces_)
        if (w->isTraining())
            training << w->fileName();
    if (!training.isEmpty()) {
        const auto answer = QMessageBox::question(
            this, tr("Training is running"),
            tr("Stop the training of %1 and quit? Completed epochs are kept and the run can be resumed later.")
                .arg(training.join(", ")));
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        for (RunWorkspace* w : workspaces_) {
            w->disconnect(this);
            w->cancelTraining();
        }
    }
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState(kLayoutVersion));
    QMainWindow::closeEvent(event);
}

}  // namespace orderlens::ui
