// Runs and folders the user chooses (dialogs, recent runs, files dropped on the window), and what
// the window says about a run file that does not open.

#include "MainWindow.h"

#include "WelcomePage.h"
#include "runs/RunsTable.h"
#include "storage/RunVerify.h"

#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QtConcurrent>

namespace orderlens::ui {

namespace {
constexpr int kMaxRecentRuns = 10;
const char* const kRecentRunsKey = "recentRuns";
// Where the last run was opened or exported: the next file dialog starts there.
const char* const kLastFolderKey = "paths/lastFolder";

// The local files among dropped URLs.
QStringList droppedFiles(const QMimeData* data)
{
    QStringList files;
    if (!data || !data->hasUrls())
        return files;
    for (const QUrl& url : data->urls())
        if (url.isLocalFile())
            files << url.toLocalFile();
    return files;
}
}  // namespace

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
    const QStringList paths = QFileDialog::getOpenFileNames(this, tr("Open runs"), lastFolder(),
                                                            tr("Run files (*.h5 *.hdf5);;All files (*)"));
    for (const QString& path : paths)
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
    const QString title = tr("Runs in %1").arg(QDir(folder).dirName());
    const int index = documents_->indexOf(runsTable_);
    if (index < 0)
        documents_->insertTab(1, runsTable_, title);
    else
        documents_->setTabText(index, title);
    documents_->setTabToolTip(documents_->indexOf(runsTable_), QDir(folder).absolutePath());
    documents_->setCurrentWidget(runsTable_);
    updateTitles();
}

// Run files dropped on the window open in tabs, as File > Open does (files that are not runs
// are refused by the run's own reading, with its error).
void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (!droppedFiles(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const QStringList files = droppedFiles(event->mimeData());
    if (files.isEmpty())
        return;
    event->acceptProposedAction();
    for (const QString& path : files) {
        if (QFileInfo(path).isDir())
            openFolder(path);
        else
            openRun(path);
    }
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

}  // namespace orderlens::ui
