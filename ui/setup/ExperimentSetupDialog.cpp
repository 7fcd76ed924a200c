#include "setup/ExperimentSetupDialog.h"

#include "common/Errors.h"
#include "dataset/DatasetReader.h"
#include "experiment/ExperimentSettings.h"
#include "export/SaveTarget.h"
#include "models/Architecture.h"
#include "setup/DatasetPreview.h"
#include "setup/ExperimentPresets.h"
#include "setup/SettingEditor.h"
#include "statistics/HumanUncertainty.h"
#include "training/Trainer.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QSaveFile>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTextStream>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

namespace orderlens::ui {

namespace {
// The configuration JSON of the experiment last started from the form.
const char* const kLastExperimentKey = "setup/lastExperiment";

QFormLayout* newForm(QGroupBox* group)
{
    auto* form = new QFormLayout(group);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignTop);
    form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    return form;
}

// Which of the three columns shows a settings group: data on the left, the networks and their
// optimisation in the middle, records and execution on the right.
int columnOf(const std::string& group)
{
    if (group == "Data")
        return 0;
    if (group == "Networks" || group == "Optimisation")
        return 1;
    return 2;
}

}  // namespace

ExperimentSetupDialog::ExperimentSetupDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("New experiment"));
    buildForm();
    applyPreset(1);  // the fast demo: a first experiment that finishes while one watches
    restoreLastExperiment();
    updateRunPath();
    updateState();
}

ExperimentSetupDialog::~ExperimentSetupDialog() = default;

void ExperimentSetupDialog::buildForm()
{
    auto* top = new QVBoxLayout(this);

    auto* presetRow = new QHBoxLayout;
    preset_ = new QComboBox;
    preset_->setObjectName("preset");
    preset_->addItem(tr("Custom"));
    for (const auto& p : experimentPresets())
        preset_->addItem(p.title);
    presetDescription_ = new QLabel;
    presetDescription_->setWordWrap(true);
    presetDescription_->setStyleSheet("color: palette(dark);");
    auto* presetLabel = new QLabel(tr("Start from:"));
    presetLabel->setBuddy(preset_);
    presetRow->addWidget(presetLabel);
    presetRow->addWidget(preset_);
    presetRow->addWidget(presetDescription_, 1);
    top->addLayout(presetRow);

    auto* columns = new QHBoxLayout;
    columns->setSpacing(12);
    top->addLayout(columns, 1);
    QVBoxLayout* column[3];
    for (int i = 0; i < 3; ++i) {
        column[i] = new QVBoxLayout;
        columns->addLayout(column[i], i == 0 ? 5 : 4);
    }

    std::map<std::string, QFormLayout*> groups;
    for (const auto& setting : experimentSettings()) {
        QFormLayout*& form = groups[setting.group];
        if (!form) {
            auto* box = new QGroupBox(tr(setting.group.c_str()));
            form = newForm(box);
            column[columnOf(setting.group)]->addWidget(box);
        }
        auto* e = new SettingEditor(setting, this);
        editors_.push_back(e);
        forms_[e] = form;
        if (setting.kind == SettingKind::Flag)
            form->addRow(QString(), e->row());
        else
            form->addRow(tr(setting.label.c_str()) + ":", e->row());
        connect(e, &SettingEditor::edited, this, &ExperimentSetupDialog::onEdited);

        if (setting.kind == SettingKind::Dataset) {
            preview_ = new DatasetPreview;
            preview_->setObjectName("dataset_preview");
            form->addRow(preview_);
        }
        if (setting.key == "architecture") {
            architectureInfo_ = new QLabel;
            architectureInfo_->setWordWrap(true);
            architectureInfo_->setStyleSheet("color: palette(dark);");
            form->addRow(QString(), architectureInfo_);
        }
    }
    for (auto* c : column)
        c->addStretch(1);

    auto* output = new QGroupBox(tr("Output"));
    auto* outForm = newForm(output);
    auto* runRow = new QHBoxLayout;
    runPath_ = new QLineEdit;
    runPath_->setObjectName("run_path");
    auto* browseRun = new QPushButton(tr("Browse..."));
    browseRun->setAutoDefault(false);
    runRow->addWidget(runPath_, 1);
    runRow->addWidget(browseRun);
    outForm->addRow(tr("Run file:"), runRow);
    overwrite_ = new QCheckBox(tr("Replace an existing file"));
    overwrite_->setObjectName("overwrite");
    outForm->addRow(QString(), overwrite_);
    top->addWidget(output);

    problem_ = new QLabel;
    problem_->setWordWrap(true);
    problem_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    problem_->setObjectName("problem");
    top->addWidget(problem_);

    auto* buttons = new QDialogButtonBox;
    auto* load = buttons->addButton(tr("Load configuration..."), QDialogButtonBox::ResetRole);
    auto* save = buttons->addButton(tr("Save configuration..."), QDialogButtonBox::ResetRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    start_ = buttons->addButton(tr("Start training"), QDialogButtonBox::AcceptRole);
    start_->setObjectName("start");
    // Return confirms a typed folder or number; starting hours of training takes a click.
    for (QPushButton* b : buttons->findChildren<QPushButton*>())
        b->setAutoDefault(false);
    top->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(load, &QPushButton::clicked, this, &ExperimentSetupDialog::onLoadClicked);
    connect(save, &QPushButton::clicked, this, &ExperimentSetupDialog::onSaveClicked);
    connect(browseRun, &QPushButton::clicked, this, &ExperimentSetupDialog::chooseRunPath);
    connect(preset_, qOverload<int>(&QComboBox::activated), this, &ExperimentSetupDialog::applyPreset);
    connect(preview_, &DatasetPreview::summaryChanged, this, &ExperimentSetupDialog::updateState);
    connect(overwrite_, &QCheckBox::toggled, this, &ExperimentSetupDialog::updateState);
    connect(runPath_, &QLineEdit::textChanged, this, &ExperimentSetupDialog::updateState);
}

SettingEditor* ExperimentSetupDialog::editor(const std::string& key) const
{
    for (SettingEditor* e : editors_)
        if (e->setting().key == key)
            return e;
    throw ConfigError("the setup form has no row for '" + key + "'");
}

// Any edit re-validates; edits by hand (not by a preset) make the form "Custom".
void ExperimentSetupDialog::onEdited()
{
    if (applying_)
        return;
    preset_->setCurrentIndex(0);
    presetDescription_->clear();
    updateDatasetSpec();
    updateVisibility();
    updateRunPath();
    updateState();
}

ExperimentConfig ExperimentSetupDialog::config() const
{
    ExperimentConfig c;
    for (SettingEditor* e : editors_) {
        e->read(c);
        // A hidden file row (CIFAR-10H beside another dataset) is not part of the experiment.
        if (e->setting().kind == SettingKind::File && !e->setting().applies(c))
            e->setting().parse(c, "");
    }
    return c;
}

void ExperimentSetupDialog::setConfig(const ExperimentConfig& c)
{
    applying_ = true;
    for (SettingEditor* e : editors_)
        e->write(c);
    applying_ = false;
    updateDatasetSpec();
    updateVisibility();
    updateRunPath();
    updateState();
}

QString ExperimentSetupDialog::runPath() const { return runPath_->text().trimmed(); }
void ExperimentSetupDialog::setRunPath(const QString& path) { runPath_->setText(path); }
bool ExperimentSetupDialog::overwrite() const { return overwrite_->isChecked(); }
bool ExperimentSetupDialog::datasetLoading() const { return preview_->isLoading(); }

void ExperimentSetupDialog::applyPreset(int index)
{
    const auto& presets = experimentPresets();
    if (index <= 0 || index > int(presets.size()))
        return;
    const ExperimentPreset& preset = presets[std::size_t(index - 1)];
    setConfig(ExperimentConfig::preset(preset.coreName));
    preset_->setCurrentIndex(index);
    presetDescription_->setText(preset.description());
}

void ExperimentSetupDialog::updateDatasetSpec()
{
    const ExperimentConfig c = config();
    const DatasetReader* reader = findDatasetReader(c.dataset);
    if (reader && reader->needsLocation() && c.dataset.find(':') == std::string::npos) {
        // Nothing to read yet: the counts and images of the previous dataset would mislead.
        preview_->clear(tr("Choose the folder that holds the %1 files.").arg(QString::fromStdString(reader->title())));
        return;
    }
    preview_->setSpec(QString::fromStdString(c.dataset));
}

void ExperimentSetupDialog::updateVisibility()
{
    const ExperimentConfig c = config();
    for (SettingEditor* e : editors_)
        forms_.at(e)->setRowVisible(e->row(), e->setting().applies(c));
    for (const auto& a : architectureInfos())
        if (a.name == c.architecture)
            architectureInfo_->setText(
                tr("%1 (input at least %2 px)").arg(QString::fromStdString(a.description)).arg(a.minimumInput));
}

// The form names the run file after the dataset and architecture until the user picks a name.
void ExperimentSetupDialog::updateRunPath()
{
    if (!chosenRunPath_.isEmpty() && runPath() != chosenRunPath_)
        return;
    const ExperimentConfig c = config();
    const QString prefix = QFileInfo(chosenRunPath_).fileName().section('-', 0, -3);
    const QString fresh = defaultRunPath(c);
    if (chosenRunPath_.isEmpty() || QFileInfo(fresh).fileName().section('-', 0, -3) != prefix) {
        chosenRunPath_ = fresh;
        runPath_->setText(fresh);
    }
}

std::map<std::string, QString> ExperimentSetupDialog::rowProblems() const
{
    std::map<std::string, QString> problems;
    ExperimentConfig c;
    for (SettingEditor* e : editors_) {
        const QString unreadable = e->read(c);
        if (!unreadable.isEmpty())
            problems.emplace(e->setting().key, unreadable);
    }
    c = config();

    const DatasetSummary& data = preview_->summary();
    DatasetFacts facts;
    const bool known = !preview_->isLoading() && data.ok() && data.spec == QString::fromStdString(c.dataset);
    if (known) {
        const DatasetReader* reader = findDatasetReader(c.dataset);
        facts.name = reader ? reader->title() : c.dataset;
        facts.trainImages = std::size_t(data.trainImages);
        facts.testImages = std::size_t(data.testImages);
        facts.multiLabel = data.multiLabel;
        facts.height = data.height;
        facts.width = data.width;
    } else if (preview_->isLoading()) {
        problems.emplace("dataset", tr("Reading the dataset ..."));
    } else if (!data.error.isEmpty() && data.spec == QString::fromStdString(c.dataset)) {
        problems.emplace("dataset", data.error);
    }
    for (const auto& p : findProblems(c, known ? &facts : nullptr))
        problems.emplace(p.key, QString::fromStdString(p.message));
    if (c.device == "cuda" && !Trainer::cudaAvailable())
        problems.emplace("device", tr("No CUDA device is usable by this build: choose CPU or Automatic."));
    if (!c.humanUncertainty.empty() && !humanUncertaintyError_.isEmpty())
        problems.emplace("human_uncertainty", humanUncertaintyError_);
    return problems;
}

QString ExperimentSetupDialog::problem() const
{
    const auto problems = rowProblems();
    for (SettingEditor* e : editors_) {
        auto it = problems.find(e->setting().key);
        if (it != problems.end())
            return it->second;
    }
    const QString path = runPath();
    if (path.isEmpty())
        return tr("Choose where to write the run file.");
    const QFileInfo info(path);
    if (!info.absoluteDir().exists())
        return tr("The folder %1 does not exist.").arg(info.absolutePath());
    if (info.exists() && !overwrite_->isChecked())
        return tr("%1 exists: choose another run file or tick \"Replace an existing file\".").arg(path);
    return {};
}

bool ExperimentSetupDialog::canStart() const { return problem().isEmpty(); }

void ExperimentSetupDialog::updateState()
{
    checkHumanUncertainty();
    const auto problems = rowProblems();
    for (SettingEditor* e : editors_) {
        auto it = problems.find(e->setting().key);
        // "Reading" is the preview's own status, not a problem of the row.
        const bool reading = e->setting().kind == SettingKind::Dataset && preview_->isLoading();
        e->showProblem(it == problems.end() || reading ? QString() : it->second);
    }
    const QString p = problem();
    const bool waiting = preview_->isLoading();
    const ExperimentConfig c = config();
    problem_->setText(p.isEmpty() ? tr("Ready: %1 x %2, %3 epochs.")
                                        .arg(c.networks)
                                        .arg(QString::fromStdString(architectureInfo(c.architecture).title))
                                        .arg(c.epochs)
                                  : p);
    problem_->setStyleSheet(p.isEmpty() ? "color: #007a56;" : waiting ? "color: palette(dark);"
                                                                      : "color: #b03a00; font-weight: bold;");
    start_->setEnabled(p.isEmpty());
}

// Reads the whole file (800 kB at most for CIFAR-10H) so that a wrong file is named before
// a training of hours ends without its statistic; once per version of the file, not per keystroke.
void ExperimentSetupDialog::checkHumanUncertainty()
{
    const QString path = QString::fromStdString(config().humanUncertainty);
    humanUncertaintyError_.clear();
    if (path.isEmpty() || !QFileInfo(path).isFile())
        return;  // findProblems says that it does not exist
    try {
        checkCifar10h(path.toStdString());
    } catch (const Error& e) {
        humanUncertaintyError_ = QString::fromStdString(e.what());
    }
}

void ExperimentSetupDialog::chooseRunPath()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Run file"), runPath(), tr("Run files (*.h5)"));
    if (path.isEmpty())
        return;
    runPath_->setText(path.endsWith(".h5") ? path : path + ".h5");
    if (QFileInfo::exists(runPath()))
        overwrite_->setChecked(true);  // the file dialog already asked
}

QString ExperimentSetupDialog::defaultRunPath(const ExperimentConfig& config)
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/runs";
    QDir().mkpath(dir);
    QString name = QString::fromStdString(config.dataset.substr(0, config.dataset.find(':')));
    name += "-" + QString::fromStdString(config.architecture) + "-" +
            QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss") + ".h5";
    return dir + "/" + name;
}

bool ExperimentSetupDialog::saveConfig(const QString& path, QString* error) const
{
    // Written whole or not at all: a failed write leaves an existing file as it was.
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Text) ||
        f.write(QByteArray::fromStdString(config().toJson().dump(2) + "\n")) < 0 || !f.commit()) {
        if (error)
            *error = tr("%1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

bool ExperimentSetupDialog::loadConfig(const QString& path, QString* error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("%1: %2").arg(path, f.errorString());
        return false;
    }
    try {
        const auto json = nlohmann::json::parse(f.readAll().toStdString());
        setConfig(ExperimentConfig::fromJson(json));
    } catch (const nlohmann::json::exception& e) {
        if (error)
            *error = tr("%1: not valid JSON (%2)").arg(path, QString::fromStdString(e.what()));
        return false;
    } catch (const Error& e) {
        if (error)
            *error = tr("%1: %2").arg(path, QString::fromStdString(e.what()));
        return false;
    }
    preset_->setCurrentIndex(0);
    presetDescription_->setText(tr("Loaded from %1").arg(QFileInfo(path).fileName()));
    return true;
}

void ExperimentSetupDialog::onLoadClicked()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Load configuration"), QString(),
                                                      tr("Experiment configurations (*.json)"));
    QString error;
    if (!path.isEmpty() && !loadConfig(path, &error))
        QMessageBox::warning(this, tr("Cannot load the configuration"), error);
}

void ExperimentSetupDialog::onSaveClicked()
{
    QString path = chooseSavePath(this, tr("Save configuration"), QDir::current().filePath("experiment.json"),
                                  tr("Experiment configurations (*.json)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(".json")) {
        path += ".json";
        if (!confirmReplace(this, path))
            return;
    }
    QString error;
    if (!saveConfig(path, &error))
        QMessageBox::warning(this, tr("Cannot save the configuration"), error);
    else
        announceSaved(this, tr("Configuration"), path);
}

void ExperimentSetupDialog::restoreLastExperiment()
{
    const QString stored = QSettings().value(kLastExperimentKey).toString();
    if (stored.isEmpty())
        return;
    try {
        const ExperimentConfig last = ExperimentConfig::fromJson(nlohmann::json::parse(stored.toStdString()));
        setConfig(last);
    } catch (const nlohmann::json::exception&) {
        return;  // settings from another version: the preset stays
    } catch (const Error&) {
        return;
    }
    // The same experiment as a preset is shown as that preset; anything else as the last one.
    const std::string json = config().toJson().dump();
    const auto& presets = experimentPresets();
    for (std::size_t i = 0; i < presets.size(); ++i)
        if (ExperimentConfig::preset(presets[i].coreName).toJson().dump() == json) {
            preset_->setCurrentIndex(int(i) + 1);
            presetDescription_->setText(presets[i].description());
            return;
        }
    preset_->setCurrentIndex(0);
    presetDescription_->setText(tr("The experiment you started last. Choose a preset to start over from it."));
}

void ExperimentSetupDialog::done(int result)
{
    if (result == QDialog::Accepted)
        QSettings().setValue(kLastExperimentKey, QString::fromStdString(config().toJson().dump()));
    QDialog::done(result);
}

}  // namespace orderlens::ui
