#pragma once

#include "experiment/ExperimentConfig.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace orderlens::ui {

class DatasetPreview;

// The experiment form: every field of ExperimentConfig, the study's recipes as presets, the
// dataset checked on the spot, and the first impossible combination explained before Start is
// enabled. Saved configurations are the JSON that `orderlens train --config` reads.
class ExperimentSetupDialog : public QDialog {
    Q_OBJECT
public:
    explicit ExperimentSetupDialog(QWidget* parent = nullptr);

    ExperimentConfig config() const;
    void setConfig(const ExperimentConfig& config);
    QString runPath() const;
    void setRunPath(const QString& path);
    bool overwrite() const;
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

private:
    void buildForm();
    void updateState();
    void updateDatasetSpec();
    void updateVisibility();
    void chooseLocation();
    void chooseHumanUncertainty();
    void checkHumanUncertainty();
    void chooseRunPath();
    void onLoadClicked();
    void onSaveClicked();
    QString datasetSpec() const;

    DatasetPreview* preview_ = nullptr;
    QComboBox* preset_ = nullptr;
    QLabel* presetDescription_ = nullptr;
    QComboBox* format_ = nullptr;
    QLineEdit* location_ = nullptr;
    QPushButton* browseLocation_ = nullptr;
    QSpinBox* limitTrain_ = nullptr;
    QSpinBox* limitTest_ = nullptr;
    QSpinBox* inputSize_ = nullptr;
    QCheckBox* randomCrop_ = nullptr;
    QSpinBox* cropPadding_ = nullptr;
    QCheckBox* flip_ = nullptr;
    QDoubleSpinBox* corrupt_ = nullptr;
    QCheckBox* multiLabel_ = nullptr;
    QFormLayout* dataForm_ = nullptr;
    QWidget* humanUncertaintyRow_ = nullptr;
    QLineEdit* humanUncertainty_ = nullptr;
    QLabel* humanUncertaintyError_ = nullptr;

    QComboBox* architecture_ = nullptr;
    QLabel* architectureInfo_ = nullptr;
    QSpinBox* networks_ = nullptr;
    QComboBox* init_ = nullptr;
    QDoubleSpinBox* bnEps_ = nullptr;

    QSpinBox* epochs_ = nullptr;
    QSpinBox* batchSize_ = nullptr;
    QSpinBox* microBatch_ = nullptr;
    QComboBox* optimizer_ = nullptr;
    QDoubleSpinBox* lr_ = nullptr;
    QDoubleSpinBox* momentum_ = nullptr;
    QDoubleSpinBox* weightDecay_ = nullptr;
    QComboBox* scheduler_ = nullptr;
    QDoubleSpinBox* etaMin_ = nullptr;
    QSpinBox* stepSize_ = nullptr;
    QDoubleSpinBox* stepGamma_ = nullptr;
    QFormLayout* optimForm_ = nullptr;

    QCheckBox* probVectors_ = nullptr;
    QCheckBox* keepCheckpoints_ = nullptr;
    QCheckBox* evalTrain_ = nullptr;
    QComboBox* device_ = nullptr;
    QSpinBox* threads_ = nullptr;
    QCheckBox* parallel_ = nullptr;
    QCheckBox* fused_ = nullptr;
    QLineEdit* seed_ = nullptr;
    QLineEdit* runPath_ = nullptr;
    QCheckBox* overwrite_ = nullptr;

    QLabel* problem_ = nullptr;
    QPushButton* start_ = nullptr;
    bool applying_ = false;
};

}  // namespace orderlens::ui
