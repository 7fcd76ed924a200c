#include "export/SaveTarget.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMainWindow>
#include <QMessageBox>
#include <QStatusBar>

namespace orderlens::ui {

namespace {
// How long the status bar says what was saved.
constexpr int kAnnounceMilliseconds = 10000;
}  // namespace

QString chooseSavePath(QWidget* parent, const QString& title, const QString& suggested, const QString& filter)
{
    QFileDialog dialog(parent, title, QFileInfo(suggested).absolutePath(), filter);
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    // The replace question is ours (confirmReplace), asked once whatever the platform's dialog.
    dialog.setOption(QFileDialog::DontConfirmOverwrite);
    dialog.selectFile(QFileInfo(suggested).fileName());
    if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty())
        return {};
    const QString path = dialog.selectedFiles().first();
    return confirmReplace(parent, path) ? path : QString();
}

bool confirmReplace(QWidget* parent, const QString& path)
{
    if (!QFileInfo::exists(path))
        return true;
    return QMessageBox::question(parent, QObject::tr("Replace the file?"),
                                 QObject::tr("%1 already exists. Replace it?").arg(QDir::toNativeSeparators(path)),
                                 QMessageBox::Yes | QMessageBox::No, QMessageBox::No) == QMessageBox::Yes;
}

bool confirmReplace(QWidget* parent, const QStringList& paths)
{
    QStringList existing;
    for (const QString& path : paths)
        if (QFileInfo::exists(path))
            existing << QFileInfo(path).fileName();
    if (existing.isEmpty())
        return true;
    if (existing.size() == 1 && paths.size() == 1)
        return confirmReplace(parent, paths.first());
    const QString folder = QDir::toNativeSeparators(QFileInfo(paths.first()).absolutePath());
    return QMessageBox::question(parent, QObject::tr("Replace the files?"),
                                 QObject::tr("%1 of the %2 files of this export already exist in %3: %4. Replace them?")
                                     .arg(existing.size())
                                     .arg(paths.size())
                                     .arg(folder, existing.join(QStringLiteral(", "))),
                                 QMessageBox::Yes | QMessageBox::No, QMessageBox::No) == QMessageBox::Yes;
}

void announceSaved(QWidget* from, const QString& what, const QString& path)
{
    const QString text = QObject::tr("%1 saved to %2").arg(what, QDir::toNativeSeparators(path));
    for (QWidget* w = from; w; w = w->parentWidget())
        if (auto* window = qobject_cast<QMainWindow*>(w)) {
            window->statusBar()->showMessage(text, kAnnounceMilliseconds);
            return;
        }
    auto* box = new QMessageBox(QMessageBox::Information, what, text, QMessageBox::Ok, from);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

}  // namespace orderlens::ui
