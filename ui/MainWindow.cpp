#include "MainWindow.h"

#include "ApplicationIcons.h"
#include "WelcomePage.h"
#include "analysis/AnalysisPage.h"
#include "explorer/ExplorationView.h"
#include "monitor/LiveMonitor.h"
#include "monitor/ProgressPanel.h"
#include "plot/InteractivePlot.h"
#include "runs/RunsTable.h"
#include "setup/ExperimentPresets.h"
#include "setup/ExperimentSetupDialog.h"
#include "storage/RunVerify.h"

#include "common/Errors.h"
#include "common/LibraryVersions.h"
#include "common/ThreadBudget.h"
#include "training/Trainer.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QEventLoop>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QThreadPool>
#include <QTimer>
#include <QToolBar>
#include <QTreeWidget>
#include <QtConcurrent>

#include <nlohmann/json.hpp>

namespace orderlens::ui {

namespace {
constexpr int kMaxRecentRuns = 10;
const char* const kRecentRunsKey = "recentRuns";
const char* const kGeometryKey = "window/geometry";
const char* const kStateKey = "window/state";
// Where the last run was opened or exported: the next file dialog starts there.
const char* const kLastFolderKey = "paths/lastFolder";
// Bumped when docks or toolbars are added or renamed, so an old saved layout is not applied.
constexpr int kLayoutVersion = 2;
// A run trained by another process is re-read this often: well inside the run file's promise
// that readers see an epoch within two seconds of its completion.
constexpr int kFollowIntervalMs = 1000;

// "5, 5, 3 of 30 epochs": per network, because networks may train one after another.
QString epochsDoneText(const RunSnapshot& s)
{
    QStringList done;
    for (int e : s.epochsDone)
        done << QString::number(e);
    return MainWindow::tr("%1 of %2 epochs").arg(done.join(", ")).arg(s.shape.epochs);
}

QString outcomeText(TrainingSession::Outcome outcome)
{
    switch (outcome) {
    case TrainingSession::Outcome::Completed:
        return MainWindow::tr("Training finished.");
    case TrainingSession::Outcome::Cancelled:
        return MainWindow::tr("Training cancelled; completed epochs are kept and the run can be resumed.");
    case TrainingSession::Outcome::Failed:
        return MainWindow::tr("Training failed.");
    }
    return {};
}
}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle("OrderLens");
    setWindowIcon(applicationIcon());
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
    pages_ = new QStackedWidget(this);
    welcome_ = new WelcomePage(pages_);
    runTabs_ = new QTabWidget(pages_);
    runTabs_->setDocumentMode(true);
    monitor_ = new LiveMonitor(runTabs_);
    analysis_ = new AnalysisPage(runTabs_);
    runTabs_->addTab(monitor_, tr("Training"));
    runTabs_->addTab(analysis_, tr("Analysis"));
    // Image browser, correlation explorer, curves and run comparison, loaded once the run's
    // analysis succeeded (so a run still being written is never browsed half-done).
    explore_ = new ExplorationView(runTabs_);
    runTabs_->addTab(explore_, tr("Explore"));
    connect(analysis_, &AnalysisPage::analysed, this, [this](const QString& path, const QString& error) {
        if (error.isEmpty())
            explore_->openRun(path);
    });
    runsTable_ = new RunsTable(pages_);
    connect(runsTable_, &RunsTable::runActivated, this, [this](const QString& p) { openRun(p); });
    pages_->addWidget(welcome_);
    pages_->addWidget(runTabs_);
    pages_->addWidget(runsTable_);
    setCentralWidget(pages_);

    buildDocks();
    buildMenus();

    statusState_ = new QLabel(this);
    statusBar()->addPermanentWidget(statusState_);
    statusBar()->showMessage(tr("Ready"));

    connect(welcome_, &WelcomePage::newExperimentRequested, this, &MainWindow::newExperiment);
    connect(welcome_, &WelcomePage::openRunRequested, this, &MainWindow::chooseRunToOpen);
    connect(welcome_, &WelcomePage::demoRequested, this, &MainWindow::startDemo);
    connect(welcome_, &WelcomePage::recentRunRequested, this, [this](const QString& p) { openRun(p); });
    connect(monitor_, &LiveMonitor::snapshotShown, this, &MainWindow::onSnapshot);
    followTimer_ = new QTimer(this);
    followTimer_->setInterval(kFollowIntervalMs);
    connect(followTimer_, &QTimer::timeout, this, [this] {
        if (!followedPath_.isEmpty() && !monitor_->snapshotPending())
            monitor_->requestSnapshot(followedPath_);
    });
    connect(progress_, &ProgressPanel::cancelRequested, this, &MainWindow::cancelTraining);

    resize(1500, 920);
    defaultState_ = saveState(kLayoutVersion);
    QSettings settings;
    restoreGeometry(settings.value(kGeometryKey).toByteArray());
    restoreState(settings.value(kStateKey).toByteArray(), kLayoutVersion);
    updateRecentMenu();
    updateActions();
}

MainWindow::~MainWindow()
{
    // The session's destructor cancels and waits; its signals must not reach a half-destroyed
    // window.
    if (session_)
        session_->disconnect(this);
}

void MainWindow::buildDocks()
{
    progress_ = new ProgressPanel;
    progressDock_ = new QDockWidget(tr("Progress"), this);
    progressDock_->setObjectName("progressDock");
    progressDock_->setWidget(progress_);
    progressDock_->setMinimumWidth(330);
    addDockWidget(Qt::RightDockWidgetArea, progressDock_);

    runInfo_ = new QTreeWidget;
    runInfo_->setColumnCount(2);
    runInfo_->setHeaderLabels({tr("Setting"), tr("Value")});
    runInfo_->setRootIsDecorated(false);
    runInfo_->setAlternatingRowColors(true);
    runInfo_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    runDock_ = new QDockWidget(tr("Experiment"), this);
    runDock_->setObjectName("experimentDock");
    runDock_->setWidget(runInfo_);
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
    exportReportAction_ =
        exportMenu->addAction(actionIcon("x-office-document", "export-report"),
                              tr("Analysis &report (PDF and figures)..."), explore_, &ExplorationView::chooseReportFolder);
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
                                            if (!runPath_.isEmpty())
                                                resumeRun(runPath_);
                                        });

    auto* toolBar = addToolBar(tr("Main toolbar"));
    toolBar->setObjectName("mainToolBar");
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->addActions({newAction, openAction, demoAction, cancelAction_, exportFiguresAction_});

    viewMenu_ = menuBar()->addMenu(tr("&View"));
    viewMenu_->addAction(tr("&Welcome page"), QKeySequence(tr("Ctrl+1")), this,
                         [this] { pages_->setCurrentWidget(welcome_); });
    viewMenu_->addAction(tr("&Training monitor"), QKeySequence(tr("Ctrl+2")), this, [this] {
        showRunViews();
        runTabs_->setCurrentWidget(monitor_);
    });
    viewMenu_->addAction(tr("&Analysis"), QKeySequence(tr("Ctrl+3")), this, [this] {
        showRunViews();
        runTabs_->setCurrentWidget(analysis_);
    });
    viewMenu_->addAction(tr("&Explore images and correlations"), QKeySequence(tr("Ctrl+4")), this, [this] {
        showRunViews();
        runTabs_->setCurrentWidget(explore_);
    });
    viewMenu_->addAction(tr("&Runs in the folder"), QKeySequence(tr("Ctrl+5")), this,
                         [this] { pages_->setCurrentWidget(runsTable_); });
    viewMenu_->addSeparator();
    viewMenu_->addAction(toolBar->toggleViewAction());
    for (QDockWidget* dock : {progressDock_, runDock_, logDock_})
        viewMenu_->addAction(dock->toggleViewAction());
    viewMenu_->addSeparator();
    viewMenu_->addAction(tr("Reset &plot views"), QKeySequence(tr("Ctrl+0")), this, [this] {
        for (InteractivePlot* p : monitor_->plots()) {
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

ExperimentSetupDialog* MainWindow::newExperiment()
{
    if (!setup_) {
        setup_ = new ExperimentSetupDialog(this);
        setup_->setAttribute(Qt::WA_DeleteOnClose);
        connect(setup_, &QDialog::accepted, this, [this] {
            startTraining(setup_->config(), setup_->runPath(), setup_->overwrite());
        });
    }
    setup_->resize(setup_->sizeHint().expandedTo(QSize(1240, 0)));
    setup_->open();
    return setup_;
}

TrainingSession* MainWindow::startTraining(const ExperimentConfig& config, const QString& runPath, bool overwrite)
{
    if (session_) {
        showError(tr("Training is running"), tr("Cancel the current training before starting another one."));
        return nullptr;
    }
    // The experiment's threads setting is the application's budget: the training, and the
    // statistics, analyses and background jobs (Qt's pool) that follow it.
    if (config.threads > 0)
        setThreadBudget(unsigned(config.threads));
    QThreadPool::globalInstance()->setMaxThreadCount(int(threadBudget()));
    runConfigJson_ = config.toJson().dump();
    showRunInfo(runConfigJson_);
    log(tr("Starting %1 x %2 on %3, %4 epochs -> %5")
            .arg(config.networks)
            .arg(QString::fromStdString(config.architecture), QString::fromStdString(config.dataset))
            .arg(config.epochs)
            .arg(runPath));
    return launch(new TrainingSession(config, runPath, overwrite, this), config.networks, config.epochs);
}

void MainWindow::confirmDemo()
{
    // Five networks train for minutes: say what is about to happen before it starts.
    const ExperimentConfig demo = demoExperiment();
    auto* box = new QMessageBox(
        QMessageBox::Question, tr("Run the Fashion-MNIST demo?"),
        tr("Trains %1 %2 networks for %3 epochs on %4 training and %5 test images of Fashion-MNIST, "
           "into %6. That takes a few minutes on a laptop (about 3 on two cores); the training "
           "monitor shows it live and other runs can be opened meanwhile.")
            .arg(demo.networks)
            .arg(QString::fromStdString(demo.architecture))
            .arg(demo.epochs)
            .arg(QLocale().toString(qulonglong(demo.limitTrain)), QLocale().toString(qulonglong(demo.limitTest)),
                 ExperimentSetupDialog::defaultRunPath(demo)),
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
    if (session_) {
        showError(tr("Training is running"), tr("Cancel the current training before resuming another run."));
        return nullptr;
    }
    log(tr("Resuming %1").arg(path));
    // Read before the trainer starts: while it runs, only its own thread may read the file.
    const RunSnapshot known = RunSnapshot::read(path);
    if (!known.ok()) {
        showError(tr("Cannot resume the run"), known.error);
        return nullptr;
    }
    TrainingSession* session = launch(TrainingSession::resume(path, this), known.shape.networks, known.shape.epochs);
    monitor_->showSnapshot(known);
    progress_->setEpochsDone(known.epochsDone);
    return session;
}

TrainingSession* MainWindow::launch(TrainingSession* session, int networks, int epochs)
{
    session_ = session;
    runPath_ = session->runPath();
    openingPath_.clear();
    stopFollowing();
    setWindowTitle(tr("OrderLens - %1").arg(QFileInfo(runPath_).fileName()));
    // Readers of the run file must be done before the trainer rewrites it: HDF5 cannot open a file
    // for writing that this process has open for reading.
    analysis_->stop();
    if (QFileInfo::exists(session->runPath()) && explore_->loading()) {
        QEventLoop loaded;
        connect(explore_, &ExplorationView::loaded, &loaded, &QEventLoop::quit);
        connect(explore_, &ExplorationView::failed, &loaded, &QEventLoop::quit);
        if (explore_->loading())
            loaded.exec(QEventLoop::ExcludeUserInputEvents);
    }
    monitor_->reset(networks, epochs);
    runTabs_->setCurrentWidget(monitor_);
    progress_->reset(networks, epochs);
    progress_->setRunning(true);
    progress_->setStatus(tr("Reading the dataset and preparing %1 networks ...").arg(networks));
    showRunViews();
    connect(session, &TrainingSession::started, this, &MainWindow::onStarted);
    connect(session, &TrainingSession::batchDone, this, &MainWindow::onBatch);
    connect(session, &TrainingSession::epochDone, this, &MainWindow::onEpoch);
    connect(session, &TrainingSession::snapshotReady, monitor_, &LiveMonitor::showSnapshot);
    connect(session, &TrainingSession::message, this, &MainWindow::log);
    connect(session, &TrainingSession::finished, this, &MainWindow::onFinished);
    session->start();
    statusBar()->showMessage(tr("Training started"), 3000);
    updateActions();
    return session;
}

void MainWindow::onStarted(const QString& configJson)
{
    runConfigJson_ = configJson.toStdString();
    showRunInfo(runConfigJson_);
    addRecentRun(runPath_);
    progress_->setStatus(tr("Training: %1").arg(QFileInfo(runPath_).fileName()));
}

void MainWindow::onBatch(const BatchProgress& p)
{
    monitor_->addBatch(p);
    progress_->addBatch(p);
    statusState_->setText(tr("network %1, epoch %2, batch %3/%4  |  %5 images/s  |  %6 left")
                              .arg(p.network + 1)
                              .arg(p.epoch + 1)
                              .arg(p.batch + 1)
                              .arg(p.batches)
                              .arg(p.imagesPerSecond, 0, 'f', 0)
                              .arg(ProgressPanel::formatDuration(p.etaSeconds)));
}

void MainWindow::onEpoch(const EpochProgress& p)
{
    progress_->addEpoch(p);
    log(tr("network %1 epoch %2: train accuracy %3 %, test accuracy %4 %, loss %5, lr %6, %7 s")
            .arg(p.network + 1)
            .arg(p.epoch + 1)
            .arg(100 * p.summary.trainAccuracy, 0, 'f', 2)
            .arg(100 * p.summary.testAccuracy, 0, 'f', 2)
            .arg(p.summary.trainLoss, 0, 'f', 4)
            .arg(p.summary.learningRate, 0, 'g', 4)
            .arg(p.summary.seconds, 0, 'f', 1));
}

void MainWindow::onFinished(TrainingSession::Outcome outcome, const QString& error)
{
    lastOutcome_ = outcome;
    lastError_ = error;
    progress_->setRunning(false);
    runInterrupted_ = outcome != TrainingSession::Outcome::Completed && QFileInfo::exists(runPath_);
    progress_->setStatus(outcome == TrainingSession::Outcome::Failed ? tr("Training failed: %1").arg(error)
                                                                     : outcomeText(outcome));
    statusState_->clear();
    statusBar()->showMessage(outcomeText(outcome), 10000);
    log(outcomeText(outcome) + (error.isEmpty() ? QString() : " " + error));
    if (session_)
        session_->deleteLater();
    session_ = nullptr;
    updateActions();
    if (outcome == TrainingSession::Outcome::Failed)
        showError(tr("Training failed"), error);
    if (QFileInfo::exists(runPath_)) {
        lastSnapshotPending_ = true;
        monitor_->requestSnapshot(runPath_);
        analysis_->analyse(runPath_);
    } else {
        emit trainingFinished(outcome, error);
    }
}

void MainWindow::onSnapshot(const RunSnapshot& s)
{
    if (s.path == followedPath_ && s.path != openingPath_) {
        onFollowedSnapshot(s);
        return;
    }
    if (s.path == openingPath_ && !monitor_->snapshotPending()) {
        openingPath_.clear();
        statusBar()->clearMessage();
        if (!s.ok()) {
            offerVerify(s.path, s.error);
            emit runOpened(s);
            return;
        }
        runPath_ = s.path;
        runInterrupted_ = s.interrupted() && !s.trainedElsewhere();
        runConfigJson_ = s.configJson;
        showRunInfo(s.configJson);
        progress_->reset(s.shape.networks, s.shape.epochs);
        progress_->setEpochsDone(s.epochsDone);
        progress_->setStatus(s.interrupted()
                                 ? tr("This run stopped early; its networks completed %1.").arg(epochsDoneText(s))
                                 : tr("Finished run: %1 networks, %2 epochs.").arg(s.shape.networks).arg(s.shape.epochs));
        statusBar()->clearMessage();
        setWindowTitle(tr("OrderLens - %1").arg(QFileInfo(s.path).fileName()));
        showRunViews();
        addRecentRun(s.path);
        updateActions();
        emit runOpened(s);
        if (s.trainedElsewhere())
            followRun(s);
        else if (s.interrupted())
            offerResume(s);
        else
            analysis_->analyse(s.path);
        return;
    }
    if (s.path == runPath_ && s.ok() && !session_)
        progress_->setEpochsDone(s.epochsDone);
    if (lastSnapshotPending_ && s.path == runPath_ && !monitor_->snapshotPending()) {
        lastSnapshotPending_ = false;
        emit trainingFinished(lastOutcome_, lastError_);
    }
}

void MainWindow::followRun(const RunSnapshot& s)
{
    followedPath_ = s.path;
    runTabs_->setCurrentWidget(monitor_);
    onFollowedSnapshot(s);
    followTimer_->start();
    log(tr("%1 is being trained by %2: following it live")
            .arg(QFileInfo(s.path).fileName(), QString::fromStdString(s.writer.describe())));
}

void MainWindow::onFollowedSnapshot(const RunSnapshot& s)
{
    if (!s.ok()) {
        // A read between two writes can fail on a network file system: the next one retries.
        statusBar()->showMessage(tr("Could not read %1 (%2); retrying").arg(s.path, s.error), 3000);
        return;
    }
    progress_->setEpochsDone(s.epochsDone);
    if (s.writerLive) {
        int done = 0;
        for (int d : s.epochsDone)
            done += d;
        progress_->setStatus(tr("Being trained by %1: %2 of %3 network-epochs recorded. Following it live.")
                                 .arg(QString::fromStdString(s.writer.describe()))
                                 .arg(done)
                                 .arg(s.shape.networks * s.shape.epochs));
        return;
    }
    // Its writer is gone: finished, or stopped early.
    stopFollowing();
    if (s.interrupted()) {
        progress_->setStatus(tr("This run stopped early; its networks completed %1.").arg(epochsDoneText(s)));
        runInterrupted_ = true;
        updateActions();
        offerResume(s);
    } else {
        progress_->setStatus(tr("Finished run: %1 networks, %2 epochs.").arg(s.shape.networks).arg(s.shape.epochs));
        log(tr("%1 finished training").arg(QFileInfo(s.path).fileName()));
        analysis_->analyse(s.path);
    }
}

void MainWindow::stopFollowing()
{
    followedPath_.clear();
    followTimer_->stop();
}

void MainWindow::openRun(const QString& path, ResumeChoice resume)
{
    if (session_) {
        showRunViews();
        if (QFileInfo(path) != QFileInfo(runPath_))
            showError(tr("Training is running"),
                      tr("The monitor shows the running training. Cancel it (Ctrl+.) or wait for it to finish "
                         "before opening %1.")
                          .arg(path));
        return;
    }
    stopFollowing();
    openingPath_ = path;
    openingResume_ = resume;
    statusBar()->showMessage(tr("Reading %1 ...").arg(path));
    monitor_->requestSnapshot(path);
}

void MainWindow::offerResume(const RunSnapshot& s)
{
    if (openingResume_ == ResumeChoice::Resume) {
        resumeRun(s.path);
        return;
    }
    // The analysis waits for the answer: a resumed run is written by the trainer.
    if (openingResume_ == ResumeChoice::DontResume || session_) {
        analysis_->analyse(s.path);
        return;
    }
    auto* box = new QMessageBox(QMessageBox::Question, tr("Resume training?"),
                                tr("%1 stopped early (cancelled or interrupted): its networks completed %2.\n\n"
                                   "Resume training where it stopped? Completed epochs are kept.")
                                    .arg(QFileInfo(s.path).fileName(), epochsDoneText(s)),
                                QMessageBox::Yes | QMessageBox::No, this);
    box->button(QMessageBox::Yes)->setText(tr("Resume"));
    box->button(QMessageBox::No)->setText(tr("Just look"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    const QString path = s.path;
    connect(box, &QMessageBox::finished, this, [this, path](int result) {
        if (result == QMessageBox::Yes)
            resumeRun(path);
        else
            analysis_->analyse(path);
    });
    box->open();
}

void MainWindow::showRunViews() { pages_->setCurrentWidget(runTabs_); }

void MainWindow::cancelTraining()
{
    if (!session_)
        return;
    session_->cancel();
    progress_->setStatus(tr("Cancelling after the current batch ..."));
    log(tr("Cancel requested"));
    updateActions();
}

void MainWindow::showRunInfo(const std::string& configJson)
{
    runInfo_->clear();
    auto* path = new QTreeWidgetItem(runInfo_, {tr("run file"), runPath_.isEmpty() ? openingPath_ : runPath_});
    path->setToolTip(1, path->text(1));
    try {
        const auto json = nlohmann::json::parse(configJson);
        for (auto it = json.begin(); it != json.end(); ++it) {
            const QString value = it->is_string() ? QString::fromStdString(it->get<std::string>())
                                                  : QString::fromStdString(it->dump());
            new QTreeWidgetItem(runInfo_, {QString::fromStdString(it.key()), value});
        }
        new QTreeWidgetItem(runInfo_, {tr("training"), QString::fromStdString(Trainer::trainingPath(
                                                           ExperimentConfig::fromStoredJson(json)))});
    } catch (const ConfigError&) {
        new QTreeWidgetItem(runInfo_, {tr("configuration"), tr("(not of this version)")});
    } catch (const nlohmann::json::exception&) {
        new QTreeWidgetItem(runInfo_, {tr("configuration"), tr("(unreadable)")});
    }
}

QStringList MainWindow::recentRuns() const { return QSettings().value(kRecentRunsKey).toStringList(); }

void MainWindow::addRecentRun(const QString& path)
{
    QStringList runs = recentRuns();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    runs.removeAll(absolute);
    runs.prepend(absolute);
    while (runs.size() > kMaxRecentRuns)
        runs.removeLast();
    QSettings().setValue(kRecentRunsKey, runs);
    rememberFolder(absolute);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    recentMenu_->clear();
    const QStringList runs = recentRuns();
    for (int i = 0; i < runs.size(); ++i) {
        const QString path = runs[i];
        recentMenu_->addAction(QString("&%1  %2").arg(i + 1).arg(QFileInfo(path).fileName()), this,
                               [this, path] { openRun(path); })
            ->setToolTip(path);
    }
    recentMenu_->setEnabled(!runs.isEmpty());
    if (!runs.isEmpty()) {
        recentMenu_->addSeparator();
        recentMenu_->addAction(tr("Clear list"), this, [this] {
            QSettings().remove(kRecentRunsKey);
            updateRecentMenu();
        });
    }
    welcome_->setRecentRuns(runs);
}

QString MainWindow::lastFolder() const
{
    const QString folder = QSettings().value(kLastFolderKey).toString();
    return !folder.isEmpty() && QFileInfo(folder).isDir() ? folder : QDir::homePath();
}

void MainWindow::rememberFolder(const QString& path)
{
    const QFileInfo info(path);
    QSettings().setValue(kLastFolderKey, info.isDir() ? info.absoluteFilePath() : info.absolutePath());
}

void MainWindow::chooseRunToOpen()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open run"), lastFolder(),
                                                      tr("Run files (*.h5 *.hdf5);;All files (*)"));
    if (!path.isEmpty())
        openRun(path);
}

void MainWindow::chooseFolderToOpen()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open folder of runs"), lastFolder());
    if (!dir.isEmpty())
        openFolder(dir);
}

void MainWindow::openFolder(const QString& folder)
{
    rememberFolder(folder);
    runsTable_->openFolder(folder);
    pages_->setCurrentWidget(runsTable_);
    setWindowTitle(tr("OrderLens - %1").arg(QDir(folder).dirName()));
}

void MainWindow::exportFigures()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export figures to"), lastFolder());
    if (dir.isEmpty())
        return;
    rememberFolder(dir);
    QString error;
    const QStringList written = monitor_->exportFigures(dir, &error);
    if (!error.isEmpty())
        showError(tr("Export failed"), error);
    else
        statusBar()->showMessage(tr("%1 figure files written to %2").arg(written.size()).arg(dir), 8000);
}

void MainWindow::exportConfiguration()
{
    QString path = QFileDialog::getSaveFileName(this, tr("Export configuration"), lastFolder() + "/experiment.json",
                                                tr("Experiment configurations (*.json)"));
    if (path.isEmpty())
        return;
    rememberFolder(path);
    const nlohmann::json config = nlohmann::json::parse(runConfigJson_, nullptr, false);
    if (config.is_discarded()) {
        showError(tr("Export failed"), tr("The run's stored configuration is not valid JSON."));
        return;
    }
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        showError(tr("Export failed"), tr("%1: %2").arg(path, f.errorString()));
        return;
    }
    f.write(QByteArray::fromStdString(config.dump(2) + "\n"));
    statusBar()->showMessage(tr("Configuration written to %1 (orderlens train --config reads it)").arg(path), 8000);
}

void MainWindow::showShortcuts()
{
    QMessageBox::information(
        this, tr("Keyboard and mouse shortcuts"),
        tr("<table cellspacing='6'>"
           "<tr><td><b>Ctrl+N</b></td><td>New experiment</td></tr>"
           "<tr><td><b>Ctrl+O</b></td><td>Open run</td></tr>"
           "<tr><td><b>Ctrl+Shift+O</b></td><td>Open a folder of runs (the runs table)</td></tr>"
           "<tr><td><b>Ctrl+D</b></td><td>Run the Fashion-MNIST demo</td></tr>"
           "<tr><td><b>Ctrl+.</b></td><td>Cancel training (after the current batch)</td></tr>"
           "<tr><td><b>Ctrl+R</b></td><td>Resume the open run's training where it stopped</td></tr>"
           "<tr><td><b>Ctrl+E</b></td><td>Export figures</td></tr>"
           "<tr><td><b>Ctrl+1 / 2 / 3 / 4</b></td><td>Welcome page / training monitor / analysis / "
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

void MainWindow::showError(const QString& title, const QString& text)
{
    log(title + ": " + text);
    // Not exec(): the window (and any training) keeps running while the message is shown.
    auto* box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::offerVerify(const QString& path, const QString& error)
{
    log(tr("Cannot open the run: %1").arg(error));
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Cannot open the run"), error, QMessageBox::Close, this);
    box->setObjectName("openFailed");
    QPushButton* check = QFileInfo::exists(path) ? box->addButton(tr("Check the file"), QMessageBox::ActionRole) : nullptr;
    box->setAttribute(Qt::WA_DeleteOnClose);
    if (check) {
        check->setObjectName("verify");
        // The check reads every byte: off the GUI thread, its report shown when it is done.
        connect(check, &QPushButton::clicked, this, [this, path] {
            statusBar()->showMessage(tr("Checking %1 ...").arg(path));
            auto* watcher = new QFutureWatcher<RunVerification>(this);
            connect(watcher, &QFutureWatcher<RunVerification>::finished, this, [this, watcher] {
                const RunVerification v = watcher->result();
                watcher->deleteLater();
                statusBar()->clearMessage();
                QString text = v.intact() ? tr("%1 is intact: every checksum is correct.").arg(QString::fromStdString(v.path))
                                          : tr("%1 is damaged:").arg(QString::fromStdString(v.path));
                for (const std::string& d : v.damage)
                    text += "\n\u2022 " + QString::fromStdString(d);
                if (!v.intact() && v.layoutVersion > 0)
                    text += tr("\n\nEverything else in the file is intact; the damaged epochs can be trained again "
                               "by resuming from a copy that stops before them.");
                auto* report = new QMessageBox(v.intact() ? QMessageBox::Information : QMessageBox::Warning,
                                               tr("Run file check"), text, QMessageBox::Ok, this);
                report->setObjectName("verifyReport");
                report->setAttribute(Qt::WA_DeleteOnClose);
                report->open();
                log(text);
            });
            watcher->setFuture(QtConcurrent::run([path] { return verifyRun(path.toStdString()); }));
        });
    }
    box->open();
}

void MainWindow::log(const QString& text)
{
    log_->appendPlainText(QDateTime::currentDateTime().toString("HH:mm:ss  ") + text);
}

void MainWindow::updateActions()
{
    cancelAction_->setEnabled(session_ && !session_->isCancelling());
    const bool haveRun = !runPath_.isEmpty();
    exportFiguresAction_->setEnabled(haveRun);
    exportReportAction_->setEnabled(haveRun);
    resumeAction_->setEnabled(haveRun && runInterrupted_ && !session_);
    exportConfigAction_->setEnabled(haveRun && !runConfigJson_.empty());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (session_) {
        const auto answer = QMessageBox::question(
            this, tr("Training is running"),
            tr("Stop the training and quit? Completed epochs are kept and the run can be resumed later."));
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        session_->disconnect(this);
        session_->cancel();
    }
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState(kLayoutVersion));
    QMainWindow::closeEvent(event);
}

}  // namespace orderlens::ui
