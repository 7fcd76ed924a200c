#pragma once

#include <QString>
#include <QStringList>

class QWidget;

namespace orderlens::ui {

// Where an export goes, asked the same way for every export (figures, keys CSV, contact
// sheets): a file dialog, then, when the file exists, "Replace it?" (No by default), so nothing
// is overwritten silently. Empty when the user cancels either question.
QString chooseSavePath(QWidget* parent, const QString& title, const QString& suggested, const QString& filter);
// True when `path` does not exist or the user agrees to replace it.
bool confirmReplace(QWidget* parent, const QString& path);
// The same for the files an export writes into one folder: true when none of `paths` exists or
// the user agrees to replace those that do (the question names them; No by default).
bool confirmReplace(QWidget* parent, const QStringList& paths);
// Says that `what` was written to `path`: in the status bar of the window `from` belongs to
// (for several seconds), or in a message box where that window has no status bar.
void announceSaved(QWidget* from, const QString& what, const QString& path);

}  // namespace orderlens::ui
