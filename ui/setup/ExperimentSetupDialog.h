#pragma once

#include "experiment/ExperimentConfig.h"

#include <QDialog>

#include <map>
#include <string>
#include <vector>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;

namespace orderlens::ui {

class DatasetPreview;
class SettingEditor;

// The experiment form: one row per declared setting (experimentSettings(), so the form, the
// CLI and the JSON cannot drift apart), the presets as complete configurations, the dataset
// checked on the spot, and every problem shown beneath its row before Start is enabled.
// Saved configurations are the JSON that `orderlens train --config` reads.
class ExperimentSetupDialog : public QDialog {
    Q_OBJECT
public:
    explicit ExperimentSetupDialog(QWidget* parent = nullptr);
    ~ExperimentSetupDialog() override;

    ExperimentConfig config() const;
    void setConfig(const ExperimentConfig& config);
    QString runPath() const;
    void setRunPath(const QString& path);
    bool overwrite() const;
    // 1.. are experimentPresetInfos() in order; 0 is "Custom".
    void applyPreset(int index);

    // The first reason the experiment cannot start (empty when it can). While the dataset is
    // still being read, says so.
    QString problem() const;
    bool canStart() const;
    bool datasetLoading() const;

    bool saveConfig(const QString& path, QString* error = nullptr) const;
    bool loadConfig(const QString& path, QString* error = nullptr);

    // A fresh run file name under the user's run folder.
    static QString defaultRunPath(const ExperimentConfig& config);

    // Start remembers the experiment (in the user's settings); the next form opens with it.
    void done(int result) override;

private:
    void buildForm();
    void onEdited();
    void updateState();
    void updateDatasetSpec();
    void updateVisibility();
    void updateRunPath();
    void checkHumanUncertainty();
    void chooseRunPath();
    void onLoadClicked();
    void onSaveClicked();
    // The experiment started last, if one was and it still reads; else the form keeps its preset.
    void restoreLastExperiment();
    // Every row's problem, by setting key (the dialog's own, then core's findProblems).
    std::map<std::string, QString> rowProblems() const;
    SettingEditor* editor(const std::string& key) const;

    std::vector<SettingEditor*> editors_;
    std::map<SettingEditor*, QFormLayout*> forms_;
    DatasetPreview* preview_ = nullptr;
    QComboBox* preset_ = nullptr;
    QLabel* presetDescription_ = nullptr;
    QLabel* architectureInfo_ = nullptr;
    QLineEdit* runPath_ = nullptr;
    QCheckBox* overwrite_ = nullptr;
    QLabel* problem_ = nullptr;
    QPushButton* start_ = nullptr;
    bool applying_ = false;
    // The run file name the form chose itself (follows the dataset and architecture until the
    // user edits it).
    QString chosenRunPath_;
    // What is wrong with the CIFAR-10H file named, if anything.
    QString humanUncertaintyError_;
};

}  // namespace orderlens::ui
