#include "setup/ExperimentSetupDialog.h"

#include "common/Errors.h"
#include "dataset/DatasetReader.h"
#include "models/Architecture.h"
#include "setup/DatasetPreview.h"
#include "setup/ExperimentPresets.h"
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
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTextStream>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace orderlens::ui {

namespace {

// Learning rates, weight decays and epsilons span orders of magnitude: show them as the user
// would type them ("1e-4", "0.1") instead of with a fixed number of decimals.
class ScientificSpinBox : public QDoubleSpinBox {
public:
    explicit ScientificSpinBox(double min, double max, QWidget* parent = nullptr) : QDoubleSpinBox(parent)
    {
        setDecimals(12);
        setRange(min, max);
        setKeyboardTracking(false);
    }
    QString textFromValue(double value) const override { return QString::number(value, 'g', 6); }
    double valueFromText(const QString& text) const override { return text.trimmed().toDouble(); }
    QValidator::State validate(QString& text, int&) const override
    {
        bool ok = false;
        const double v = text.trimmed().toDouble(&ok);
        if (ok && v >= minimum() && v <= maximum())
            return QValidator::Acceptable;
        static const QRegularExpression partial(R"(^\s*[0-9]*\.?[0-9]*([eE][-+]?[0-9]*)?\s*$)");
        return partial.match(text).hasMatch() ? QValidator::Intermediate : QValidator::Invalid;
    }
    // Arrow keys multiply or divide by ten: the natural step on a log scale.
    void stepBy(int steps) override { setValue(value() * std::pow(10.0, steps)); }
};

QString friendlyFormatName(const std::string& scheme)
{
    if (scheme == "fashion-mnist")
        return ExperimentSetupDialog::tr("Fashion-MNIST (installed)");
    if (scheme == "idx")
        return ExperimentSetupDialog::tr("IDX files (MNIST layout)");
    if (scheme == "cifar10")
        return ExperimentSetupDialog::tr("CIFAR-10 (binary version)");
    if (scheme == "cifar100")
        return ExperimentSetupDialog::tr("CIFAR-100 (binary version)");
    if (scheme == "folder")
        return ExperimentSetupDialog::tr("Image folders (train/, test/)");
    return QString::fromStdString(scheme);
}

// Selects the item whose data is `value`, adding it when unknown so that a loaded
// configuration is shown as it is (and explained by validation) instead of silently changed.
void selectData(QComboBox* box, const QString& value)
{
    int i = box->findData(value);
    if (i < 0) {
        box->addItem(value, value);
        i = box->count() - 1;
    }
    box->setCurrentIndex(i);
}

QSpinBox* countBox(int min, int max, const QString& special = {})
{
    auto* box = new QSpinBox;
    box->setRange(min, max);
    box->setKeyboardTracking(false);
    box->setGroupSeparatorShown(true);
    if (!special.isEmpty())
        box->setSpecialValueText(special);
    return box;
}

QDoubleSpinBox* fractionBox(double step)
{
    auto* box = new QDoubleSpinBox;
    box->setRange(0, 1);
    box->setDecimals(3);
    box->setSingleStep(step);
    box->setKeyboardTracking(false);
    return box;
}

QFormLayout* newForm(QGroupBox* group)
{
    auto* form = new QFormLayout(group);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
    form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    return form;
}

}  // namespace

ExperimentSetupDialog::ExperimentSetupDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("New experiment"));
    buildForm();
    applyPreset(1);  // the fast demo: a first experiment that finishes while one watches
    setRunPath(defaultRunPath(config()));
    updateState();
}

void ExperimentSetupDialog::buildForm()
{
    auto* top = new QVBoxLayout(this);

    auto* presetRow = new QHBoxLayout;
    preset_ = new QComboBox;
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

    // Data
    auto* data = new QGroupBox(tr("Data"));
    auto* dataForm = newForm(data);
    format_ = new QComboBox;
    for (const auto& r : datasetReaders()) {
        format_->addItem(friendlyFormatName(r->scheme()), QString::fromStdString(r->scheme()));
        format_->setItemData(format_->count() - 1, QString::fromStdString(r->description()), Qt::ToolTipRole);
    }
    dataForm->addRow(tr("Dataset:"), format_);
    auto* locationRow = new QHBoxLayout;
    location_ = new QLineEdit;
    location_->setPlaceholderText(tr("folder with the dataset's files"));
    browseLocation_ = new QPushButton(tr("Browse..."));
    locationRow->addWidget(location_, 1);
    locationRow->addWidget(browseLocation_);
    dataForm->addRow(tr("Location:"), locationRow);
    preview_ = new DatasetPreview;
    dataForm->addRow(preview_);
    // CIFAR-10H (Peterson et al., ICCV 2019) covers the CIFAR-10 test images only.
    humanUncertaintyRow_ = new QWidget;
    auto* humanColumn = new QVBoxLayout(humanUncertaintyRow_);
    humanColumn->setContentsMargins(0, 0, 0, 0);
    auto* humanRow = new QHBoxLayout;
    humanUncertainty_ = new QLineEdit;
    humanUncertainty_->setPlaceholderText(tr("optional: cifar10h-probs.npy"));
    humanUncertainty_->setToolTip(tr("CIFAR-10H human label probabilities (10000 x 10); their entropy is stored "
                                     "as the statistic human_uncertainty of the test images (--cifar10h)."));
    auto* browseHuman = new QPushButton(tr("Browse..."));
    browseHuman->setObjectName("human_uncertainty_browse");
    humanRow->addWidget(humanUncertainty_, 1);
    humanRow->addWidget(browseHuman);
    humanColumn->addLayout(humanRow);
    humanUncertaintyError_ = new QLabel;
    humanUncertaintyError_->setObjectName("human_uncertainty_error");
    humanUncertaintyError_->setWordWrap(true);
    humanUncertaintyError_->setStyleSheet("color: #b03a00;");
    humanUncertaintyError_->hide();
    humanColumn->addWidget(humanUncertaintyError_);
    dataForm->addRow(tr("Human uncertainty (CIFAR-10H):"), humanUncertaintyRow_);
    dataForm_ = dataForm;
    connect(browseHuman, &QPushButton::clicked, this, &ExperimentSetupDialog::chooseHumanUncertainty);
    limitTrain_ = countBox(0, std::numeric_limits<int>::max(), tr("All"));
    limitTrain_->setToolTip(tr("A class-stratified subset of the training split (--limit-train); 0 = all."));
    dataForm->addRow(tr("Training images:"), limitTrain_);
    limitTest_ = countBox(0, std::numeric_limits<int>::max(), tr("All"));
    limitTest_->setToolTip(tr("A class-stratified subset of the test split (--limit-test); 0 = all."));
    dataForm->addRow(tr("Test images:"), limitTest_);
    inputSize_ = countBox(0, 1024, tr("Native"));
    inputSize_->setSuffix(tr(" px"));
    inputSize_->setToolTip(tr("Side of the square network input. Smaller images of one size are padded; "
                              "larger ones are resized and cropped (docs/DEFINITIONS.md 8)."));
    dataForm->addRow(tr("Input size:"), inputSize_);
    auto* cropRow = new QHBoxLayout;
    randomCrop_ = new QCheckBox(tr("Random crop, padding"));
    cropPadding_ = countBox(0, 64);
    cropPadding_->setSuffix(tr(" px"));
    cropRow->addWidget(randomCrop_);
    cropRow->addWidget(cropPadding_);
    cropRow->addStretch(1);
    dataForm->addRow(tr("Augmentation:"), cropRow);
    flip_ = new QCheckBox(tr("Horizontal flip"));
    dataForm->addRow(QString(), flip_);
    corrupt_ = fractionBox(0.05);
    corrupt_->setToolTip(tr("Probability that an image's label is replaced by a uniformly drawn class, "
                            "fixed for the run (docs/DEFINITIONS.md 7); 1 = random labels."));
    dataForm->addRow(tr("Label corruption:"), corrupt_);
    multiLabel_ = new QCheckBox(tr("Multi-label (exact-match correctness)"));
    dataForm->addRow(QString(), multiLabel_);
    columns->addWidget(data, 5);

    // Networks and optimisation
    auto* middle = new QVBoxLayout;
    auto* nets = new QGroupBox(tr("Networks"));
    auto* netForm = newForm(nets);
    architecture_ = new QComboBox;
    for (const auto& a : architectureInfos()) {
        architecture_->addItem(QString::fromStdString(a.name), QString::fromStdString(a.name));
        architecture_->setItemData(architecture_->count() - 1, QString::fromStdString(a.description),
                                   Qt::ToolTipRole);
    }
    netForm->addRow(tr("Architecture:"), architecture_);
    architectureInfo_ = new QLabel;
    architectureInfo_->setWordWrap(true);
    architectureInfo_->setStyleSheet("color: palette(dark);");
    netForm->addRow(QString(), architectureInfo_);
    networks_ = countBox(1, 64);
    networks_->setToolTip(tr("Independently initialised networks whose agreement is measured."));
    netForm->addRow(tr("Networks:"), networks_);
    init_ = new QComboBox;
    init_->addItem(tr("Kaiming normal"), "kaiming-normal");
    init_->addItem(tr("Kaiming uniform"), "kaiming-uniform");
    init_->addItem(tr("Xavier normal"), "xavier-normal");
    init_->addItem(tr("Xavier uniform"), "xavier-uniform");
    netForm->addRow(tr("Initialisation:"), init_);
    bnEps_ = new ScientificSpinBox(0, 1);
    netForm->addRow(tr("Batch-norm epsilon:"), bnEps_);
    middle->addWidget(nets);

    auto* optim = new QGroupBox(tr("Optimisation"));
    optimForm_ = newForm(optim);
    epochs_ = countBox(1, 100000);
    optimForm_->addRow(tr("Epochs:"), epochs_);
    batchSize_ = countBox(1, 65536);
    optimForm_->addRow(tr("Batch size:"), batchSize_);
    microBatch_ = countBox(0, 65536, tr("Whole batch"));
    microBatch_->setToolTip(tr("Split each batch into micro-batches and accumulate gradients, for batches "
                               "that do not fit in memory; the effective batch size is unchanged."));
    optimForm_->addRow(tr("Micro-batch:"), microBatch_);
    optimizer_ = new QComboBox;
    optimizer_->addItem(tr("SGD"), "sgd");
    optimizer_->addItem(tr("Adam"), "adam");
    optimForm_->addRow(tr("Optimiser:"), optimizer_);
    lr_ = new ScientificSpinBox(0, 100);
    optimForm_->addRow(tr("Learning rate:"), lr_);
    momentum_ = fractionBox(0.05);
    momentum_->setMaximum(0.999);
    optimForm_->addRow(tr("Momentum:"), momentum_);
    weightDecay_ = new ScientificSpinBox(0, 1);
    optimForm_->addRow(tr("Weight decay:"), weightDecay_);
    scheduler_ = new QComboBox;
    scheduler_->addItem(tr("Constant"), "none");
    scheduler_->addItem(tr("Cosine annealing"), "cosine");
    scheduler_->addItem(tr("Step"), "step");
    scheduler_->addItem(tr("One-cycle"), "onecycle");
    optimForm_->addRow(tr("Schedule:"), scheduler_);
    etaMin_ = new ScientificSpinBox(0, 100);
    optimForm_->addRow(tr("Final rate (eta min):"), etaMin_);
    stepSize_ = countBox(1, 100000);
    stepSize_->setSuffix(tr(" epochs"));
    optimForm_->addRow(tr("Step every:"), stepSize_);
    stepGamma_ = new ScientificSpinBox(0, 10);
    optimForm_->addRow(tr("Step factor (gamma):"), stepGamma_);
    middle->addWidget(optim);
    middle->addStretch(1);
    columns->addLayout(middle, 4);

    // Records and execution
    auto* right = new QVBoxLayout;
    auto* records = new QGroupBox(tr("Records"));
    auto* recForm = newForm(records);
    probVectors_ = new QCheckBox(tr("Save full probability vectors"));
    probVectors_->setToolTip(tr("The study's --save-prob-vector: images x classes floats per epoch."));
    recForm->addRow(probVectors_);
    evalTrain_ = new QCheckBox(tr("Extra eval-mode pass over the training split"));
    evalTrain_->setToolTip(tr("Besides the study's records from the training forward pass; costs time."));
    recForm->addRow(evalTrain_);
    keepCheckpoints_ = new QCheckBox(tr("Keep the trained networks"));
    keepCheckpoints_->setToolTip(tr("Keeps the checkpoints beside the run file (RUN.h5.ckpt/) after the run completes; "
                                    "otherwise they are removed then."));
    recForm->addRow(keepCheckpoints_);
    right->addWidget(records);

    auto* exec = new QGroupBox(tr("Execution"));
    auto* execForm = newForm(exec);
    device_ = new QComboBox;
    device_->addItem(tr("Automatic"), "auto");
    device_->addItem(tr("CPU"), "cpu");
    if (Trainer::cudaAvailable())
        device_->addItem(tr("CUDA GPU"), "cuda");
    execForm->addRow(tr("Device:"), device_);
    threads_ = countBox(0, 1024, tr("All cores"));
    execForm->addRow(tr("CPU threads:"), threads_);
    parallel_ = new QCheckBox(tr("Train the networks side by side"));
    parallel_->setToolTip(tr("Instead of one after another; faster on a GPU with memory to spare."));
    execForm->addRow(QString(), parallel_);
    fused_ = new QCheckBox(tr("Train the networks fused into one module"));
    fused_->setToolTip(tr("All networks in one pass of grouped layers, each with its own weights and data: the same "
                          "training up to float rounding. Meant for a GPU; slower than side by side on a CPU "
                          "(docs/PERFORMANCE.md). DenseNet-121 and single networks always train unfused."));
    execForm->addRow(QString(), fused_);
    seed_ = new QLineEdit;
    seed_->setValidator(new QRegularExpressionValidator(QRegularExpression("[0-9]{1,19}"), seed_));
    seed_->setToolTip(tr("Every network's initialisation and batch order derive from this seed."));
    execForm->addRow(tr("Seed:"), seed_);
    right->addWidget(exec);

    auto* output = new QGroupBox(tr("Output"));
    auto* outForm = newForm(output);
    auto* runRow = new QHBoxLayout;
    runPath_ = new QLineEdit;
    auto* browseRun = new QPushButton(tr("Browse..."));
    runRow->addWidget(runPath_, 1);
    runRow->addWidget(browseRun);
    outForm->addRow(tr("Run file:"), runRow);
    overwrite_ = new QCheckBox(tr("Replace an existing file"));
    outForm->addRow(QString(), overwrite_);
    right->addStretch(1);
    columns->addLayout(right, 4);
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
    start_->setDefault(true);
    top->addWidget(buttons);

    // Names for automation (tests, accessibility tools): the configuration key each field edits.
    const std::pair<QWidget*, const char*> named[] = {
        {preset_, "preset"},          {format_, "dataset_format"},  {location_, "dataset_location"},
        {limitTrain_, "limit_train"}, {limitTest_, "limit_test"},   {inputSize_, "input_size"},
        {randomCrop_, "random_crop"}, {cropPadding_, "crop_padding"}, {flip_, "horizontal_flip"},
        {corrupt_, "corrupt_prob"},   {multiLabel_, "multilabel"},  {architecture_, "architecture"},
        {networks_, "networks"},      {init_, "init"},              {bnEps_, "batch_norm_eps"},
        {epochs_, "epochs"},          {batchSize_, "batch_size"},   {microBatch_, "micro_batch"},
        {optimizer_, "optimizer"},    {lr_, "lr"},                  {momentum_, "momentum"},
        {weightDecay_, "weight_decay"}, {scheduler_, "scheduler"},  {etaMin_, "eta_min"},
        {stepSize_, "step_size"},     {stepGamma_, "step_gamma"},   {probVectors_, "save_prob_vector"},
        {evalTrain_, "eval_train"},   {keepCheckpoints_, "keep_checkpoints"},   {device_, "device"},          {threads_, "threads"},
        {parallel_, "parallel_networks"}, {fused_, "fuse_networks"}, {seed_, "seed"},          {runPath_, "run_path"},
        {overwrite_, "overwrite"},    {start_, "start"},            {preview_, "dataset_preview"},
        {humanUncertainty_, "human_uncertainty"}, {humanUncertaintyRow_, "human_uncertainty_row"}};
    for (const auto& [widget, name] : named)
        widget->setObjectName(name);

    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(load, &QPushButton::clicked, this, &ExperimentSetupDialog::onLoadClicked);
    connect(save, &QPushButton::clicked, this, &ExperimentSetupDialog::onSaveClicked);
    connect(browseLocation_, &QPushButton::clicked, this, &ExperimentSetupDialog::chooseLocation);
    connect(browseRun, &QPushButton::clicked, this, &ExperimentSetupDialog::chooseRunPath);
    connect(preset_, qOverload<int>(&QComboBox::activated), this, &ExperimentSetupDialog::applyPreset);
    connect(preview_, &DatasetPreview::summaryChanged, this, &ExperimentSetupDialog::updateState);

    // Any edit re-validates; edits by hand (not by a preset) make the form "Custom".
    auto changed = [this] {
        if (!applying_) {
            preset_->setCurrentIndex(0);
            presetDescription_->clear();
        }
        updateDatasetSpec();
        updateVisibility();
        updateState();
    };
    for (QComboBox* box : {format_, architecture_, init_, optimizer_, scheduler_, device_})
        connect(box, qOverload<int>(&QComboBox::currentIndexChanged), this, changed);
    for (QSpinBox* box : {limitTrain_, limitTest_, inputSize_, cropPadding_, networks_, epochs_, batchSize_,
                          microBatch_, stepSize_, threads_})
        connect(box, qOverload<int>(&QSpinBox::valueChanged), this, changed);
    for (QDoubleSpinBox* box : {corrupt_, bnEps_, lr_, momentum_, weightDecay_, etaMin_, stepGamma_})
        connect(box, qOverload<double>(&QDoubleSpinBox::valueChanged), this, changed);
    for (QCheckBox* box : {randomCrop_, flip_, multiLabel_, probVectors_, evalTrain_, keepCheckpoints_, parallel_, fused_})
        connect(box, &QCheckBox::toggled, this, changed);
    connect(overwrite_, &QCheckBox::toggled, this, &ExperimentSetupDialog::updateState);
    connect(location_, &QLineEdit::editingFinished, this, changed);
    connect(humanUncertainty_, &QLineEdit::textChanged, this, [this] {
        checkHumanUncertainty();
        updateState();
    });
    connect(seed_, &QLineEdit::textChanged, this, changed);
    connect(runPath_, &QLineEdit::textChanged, this, &ExperimentSetupDialog::updateState);
}

ExperimentConfig ExperimentSetupDialog::config() const
{
    ExperimentConfig c;
    c.dataset = datasetSpec().toStdString();
    c.limitTrain = std::uint64_t(limitTrain_->value());
    c.limitTest = std::uint64_t(limitTest_->value());
    c.inputSize = inputSize_->value();
    c.randomCrop = randomCrop_->isChecked();
    c.cropPadding = cropPadding_->value();
    c.horizontalFlip = flip_->isChecked();
    c.corruptProb = corrupt_->value();
    c.multiLabel = multiLabel_->isChecked();
    if (format_->currentData().toString() == "cifar10")
        c.humanUncertainty = humanUncertainty_->text().trimmed().toStdString();
    c.architecture = architecture_->currentData().toString().toStdString();
    c.networks = networks_->value();
    c.init = init_->currentData().toString().toStdString();
    c.batchNormEps = bnEps_->value();
    c.epochs = epochs_->value();
    c.batchSize = batchSize_->value();
    c.microBatch = microBatch_->value();
    c.optimizer = optimizer_->currentData().toString().toStdString();
    c.lr = lr_->value();
    c.momentum = momentum_->value();
    c.weightDecay = weightDecay_->value();
    c.scheduler = scheduler_->currentData().toString().toStdString();
    c.etaMin = etaMin_->value();
    c.stepSize = stepSize_->value();
    c.stepGamma = stepGamma_->value();
    c.saveProbVector = probVectors_->isChecked();
    c.evalTrain = evalTrain_->isChecked();
    c.keepCheckpoints = keepCheckpoints_->isChecked();
    c.device = device_->currentData().toString().toStdString();
    c.threads = threads_->value();
    c.parallelNetworks = parallel_->isChecked();
    c.fuseNetworks = fused_->isChecked();
    c.seed = seed_->text().toULongLong();
    return c;
}

void ExperimentSetupDialog::setConfig(const ExperimentConfig& c)
{
    applying_ = true;
    DatasetSpec spec;
    try {
        spec = DatasetSpec::parse(c.dataset);
    } catch (const ConfigError&) {
        // Shown as it is; validation names the problem.
        const auto colon = c.dataset.find(':');
        spec.scheme = c.dataset.substr(0, colon);
        spec.location = colon == std::string::npos ? std::string() : c.dataset.substr(colon + 1);
    }
    selectData(format_, QString::fromStdString(spec.scheme));
    location_->setText(QString::fromStdString(spec.location));
    auto clampInt = [](std::uint64_t v) { return int(std::min<std::uint64_t>(v, std::numeric_limits<int>::max())); };
    limitTrain_->setValue(clampInt(c.limitTrain));
    limitTest_->setValue(clampInt(c.limitTest));
    inputSize_->setValue(c.inputSize);
    randomCrop_->setChecked(c.randomCrop);
    cropPadding_->setValue(c.cropPadding);
    flip_->setChecked(c.horizontalFlip);
    corrupt_->setValue(c.corruptProb);
    multiLabel_->setChecked(c.multiLabel);
    humanUncertainty_->setText(QString::fromStdString(c.humanUncertainty));
    selectData(architecture_, QString::fromStdString(c.architecture));
    networks_->setValue(c.networks);
    selectData(init_, QString::fromStdString(c.init));
    bnEps_->setValue(c.batchNormEps);
    epochs_->setValue(c.epochs);
    batchSize_->setValue(c.batchSize);
    microBatch_->setValue(c.microBatch);
    selectData(optimizer_, QString::fromStdString(c.optimizer));
    lr_->setValue(c.lr);
    momentum_->setValue(c.momentum);
    weightDecay_->setValue(c.weightDecay);
    selectData(scheduler_, QString::fromStdString(c.scheduler));
    etaMin_->setValue(c.etaMin);
    stepSize_->setValue(c.stepSize);
    stepGamma_->setValue(c.stepGamma);
    probVectors_->setChecked(c.saveProbVector);
    evalTrain_->setChecked(c.evalTrain);
    keepCheckpoints_->setChecked(c.keepCheckpoints);
    selectData(device_, QString::fromStdString(c.device));
    threads_->setValue(c.threads);
    parallel_->setChecked(c.parallelNetworks);
    fused_->setChecked(c.fuseNetworks);
    seed_->setText(QString::number(c.seed));
    applying_ = false;
    updateDatasetSpec();
    updateVisibility();
    updateState();
}

QString ExperimentSetupDialog::runPath() const { return runPath_->text().trimmed(); }
void ExperimentSetupDialog::setRunPath(const QString& path) { runPath_->setText(path); }
bool ExperimentSetupDialog::overwrite() const { return overwrite_->isChecked(); }
bool ExperimentSetupDialog::datasetLoading() const { return preview_->isLoading(); }

void ExperimentSetupDialog::applyPreset(int index)
{
    if (index <= 0 || index > int(experimentPresets().size()))
        return;
    const ExperimentPreset& preset = experimentPresets()[std::size_t(index - 1)];
    ExperimentConfig c = config();
    preset.apply(c);
    applying_ = true;
    setConfig(c);
    applying_ = false;
    preset_->setCurrentIndex(index);
    presetDescription_->setText(preset.description());
}

QString ExperimentSetupDialog::datasetSpec() const
{
    const QString scheme = format_->currentData().toString();
    const QString location = location_->text().trimmed();
    return location.isEmpty() ? scheme : scheme + ":" + location;
}

void ExperimentSetupDialog::updateDatasetSpec()
{
    const std::string scheme = format_->currentData().toString().toStdString();
    bool needsLocation = true;
    for (const auto& r : datasetReaders())
        if (r->scheme() == scheme)
            needsLocation = r->needsLocation();
    location_->setEnabled(needsLocation);
    browseLocation_->setEnabled(needsLocation);
    if (!needsLocation && !location_->text().isEmpty() && !applying_)
        location_->clear();
    if (needsLocation && location_->text().trimmed().isEmpty())
        return;  // nothing to read yet; problem() asks for the folder
    preview_->setSpec(datasetSpec());
}

void ExperimentSetupDialog::updateVisibility()
{
    const QString scheduler = scheduler_->currentData().toString();
    dataForm_->setRowVisible(humanUncertaintyRow_, format_->currentData().toString() == "cifar10");
    optimForm_->setRowVisible(etaMin_, scheduler == "cosine");
    optimForm_->setRowVisible(stepSize_, scheduler == "step");
    optimForm_->setRowVisible(stepGamma_, scheduler == "step");
    momentum_->setEnabled(optimizer_->currentData().toString() == "sgd");
    cropPadding_->setEnabled(randomCrop_->isChecked());
    threads_->setEnabled(device_->currentData().toString() != "cuda");

    const std::string arch = architecture_->currentData().toString().toStdString();
    for (const auto& a : architectureInfos())
        if (a.name == arch)
            architectureInfo_->setText(
                tr("%1 (input at least %2 px)").arg(QString::fromStdString(a.description)).arg(a.minimumInput));
}

QString ExperimentSetupDialog::problem() const
{
    const ExperimentConfig c = config();
    if (!c.humanUncertainty.empty() && !humanUncertaintyError_->text().isEmpty())
        return humanUncertaintyError_->text();
    try {
        c.validate();
    } catch (const ConfigError& e) {
        return QString::fromStdString(e.what());
    }
    try {
        DatasetSpec::parse(c.dataset);
    } catch (const ConfigError& e) {
        return QString::fromStdString(e.what());
    }
    if (c.device == "cuda" && !Trainer::cudaAvailable())
        return tr("No CUDA device is usable by this build: choose CPU or Automatic.");

    const DatasetSummary& data = preview_->summary();
    const bool datasetKnown = !preview_->isLoading() && data.spec == datasetSpec();
    if (preview_->isLoading())
        return tr("Reading the dataset ...");
    if (datasetKnown && !data.ok())
        return data.error;
    if (datasetKnown) {
        if (c.multiLabel && !data.multiLabel)
            return tr("Multi-label training needs a multi-label dataset (e.g. Pascal VOC); this one has one "
                      "label per image.");
        if (!c.multiLabel && data.multiLabel)
            return tr("This dataset is multi-label: tick \"Multi-label\" to train with exact-match correctness.");
        const int side = c.inputSize > 0 ? c.inputSize : data.smallestSide;
        for (const auto& a : architectureInfos())
            if (a.name == c.architecture && side < a.minimumInput)
                return tr("%1 needs inputs of at least %2 px but the images are %3 px: set the input size to %2 "
                          "or more.")
                    .arg(QString::fromStdString(a.name))
                    .arg(a.minimumInput)
                    .arg(side);
        if (c.inputSize == 0 && data.height == 0)
            return tr("The images differ in size: choose an input size so they can be batched.");
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
    const QString p = problem();
    const bool waiting = preview_->isLoading();
    problem_->setText(p.isEmpty() ? tr("Ready: %1 x %2, %3 epochs.")
                                        .arg(networks_->value())
                                        .arg(architecture_->currentText())
                                        .arg(epochs_->value())
                                  : p);
    problem_->setStyleSheet(p.isEmpty() ? "color: #007a56;" : waiting ? "color: palette(dark);"
                                                                      : "color: #b03a00; font-weight: bold;");
    start_->setEnabled(p.isEmpty());
}

void ExperimentSetupDialog::chooseLocation()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Dataset folder"), location_->text());
    if (dir.isEmpty())
        return;
    location_->setText(dir);
    emit location_->editingFinished();
}

void ExperimentSetupDialog::chooseHumanUncertainty()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("CIFAR-10H probabilities"), humanUncertainty_->text(),
                                                      tr("NumPy arrays (*.npy)"));
    if (path.isEmpty())
        return;
    humanUncertainty_->setText(path);
}

// Reads the whole file (800 kB at most for CIFAR-10H) so that a wrong file is named before
// a training of hours ends without its statistic; once per version of the file, not per keystroke.
void ExperimentSetupDialog::checkHumanUncertainty()
{
    QString error;
    const QString path = humanUncertainty_->text().trimmed();
    if (!path.isEmpty()) {
        try {
            checkCifar10h(path.toStdString());
        } catch (const Error& e) {
            error = QString::fromStdString(e.what());
        }
    }
    humanUncertaintyError_->setText(error);
    humanUncertaintyError_->setVisible(!error.isEmpty());
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
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
        if (error)
            *error = tr("%1: %2").arg(path, f.errorString());
        return false;
    }
    f.write(QByteArray::fromStdString(config().toJson().dump(2) + "\n"));
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
    QString path = QFileDialog::getSaveFileName(this, tr("Save configuration"), "experiment.json",
                                                tr("Experiment configurations (*.json)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(".json"))
        path += ".json";
    QString error;
    if (!saveConfig(path, &error))
        QMessageBox::warning(this, tr("Cannot save the configuration"), error);
}

}  // namespace orderlens::ui
