#pragma once

#include "experiment/ExperimentSettings.h"

#include <QObject>
#include <QString>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QWidget;

namespace orderlens::ui {

// The setup form's editor of one Setting, made from its declaration: a spin box for numbers, a
// check box for flags, a list for choices, a path with Browse for files, the format list and
// location for the dataset. The editing widget is named after the setting's key; beneath it a
// label (KEY_problem) shows the setting's problem.
//
// Number editors take values beyond the setting's range on purpose: a learning rate of 99 or 0
// networks typed by hand stays in the box and its problem is explained, instead of being
// silently replaced.
class SettingEditor : public QObject {
    Q_OBJECT
public:
    SettingEditor(const Setting& setting, QObject* parent);

    const Setting& setting() const { return setting_; }
    // The row: the editor with its problem label beneath (named KEY_row).
    QWidget* row() const { return row_; }
    QWidget* editor() const { return editor_; }

    // Stores the shown value into `c`; returns the problem when the text is no value of the
    // setting's kind (a seed that is too long), empty otherwise.
    QString read(ExperimentConfig& c) const;
    void write(const ExperimentConfig& c);
    void showProblem(const QString& problem);

    // Dataset editors: the format list and the location field.
    QComboBox* datasetFormat() const { return format_; }
    QLineEdit* location() const { return location_; }

signals:
    void edited();

private:
    void build();
    void buildDataset();
    void buildFile();
    void updateLocation();

    const Setting& setting_;
    QWidget* row_ = nullptr;
    QWidget* editor_ = nullptr;
    QLabel* problem_ = nullptr;
    QComboBox* format_ = nullptr;
    QLineEdit* location_ = nullptr;
    QPushButton* browse_ = nullptr;
};

}  // namespace orderlens::ui
