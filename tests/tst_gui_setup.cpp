// The experiment form: presets, inline validation, the dataset check and JSON that the CLI reads.

#include "Fixtures.h"
#include "FormFields.h"
#include "experiment/ExperimentConfig.h"
#include "setup/DatasetPreview.h"
#include "setup/ExperimentPresets.h"
#include "setup/ExperimentSetupDialog.h"
#include "storage/RunFile.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace orderlens;
using namespace orderlens::ui;
using test::field;

namespace {
constexpr int kLoadTimeoutMs = 60000;

// A NumPy 1.0 .npy file of little-endian float64 rows x cols (what np.save writes).
void writeNpy(const QString& path, int rows, int cols)
{
    std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                         std::to_string(cols) + "), }";
    while ((10 + header.size() + 1) % 64 != 0)
        header += ' ';
    header += '\n';
    std::ofstream out(path.toStdString(), std::ios::binary);
    out.write("\x93NUMPY\x01\x00", 8);
    out.put(char(header.size() & 0xff));
    out.put(char(header.size() >> 8));
    out.write(header.data(), std::streamsize(header.size()));
    const std::vector<double> uniform(std::size_t(rows) * std::size_t(cols), 1.0 / cols);
    out.write(reinterpret_cast<const char*>(uniform.data()), std::streamsize(uniform.size() * sizeof(double)));
}

void selectData(QComboBox* box, const QString& value)
{
    const int i = box->findData(value);
    QVERIFY2(i >= 0, qPrintable("no item " + value));
    box->setCurrentIndex(i);
}
}  // namespace

class TestGuiSetup : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void demoPresetAndFashionMnistPreview();
    void invalidCombinationsDisableStart();
    void recipesKeepDatasetAndArchitecture();
    void folderDatasetIsCheckedOnTheSpot();
    void missingFolderNamesThePath();
    void humanUncertaintyOnlyForCifar10();
    void savedJsonRoundTrips();
    void badJsonIsRejectedWithTheKey();
    void cliTrainsFromTheSavedJson();
    void fusedTrainingIsAFormRow();

private:
    QTemporaryDir tmp_;
};

void TestGuiSetup::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(tmp_.isValid());
    if (test::fashionMnistDir().empty())
        QSKIP("dataset-fashion-mnist is not installed");
}

void TestGuiSetup::demoPresetAndFashionMnistPreview()
{
    ExperimentSetupDialog dialog;
    // The README's demo written out: 5 x LeNet-5 on 10,000 + 2,000 Fashion-MNIST images at 32 px,
    // batch 128, 15 epochs of SGD (lr 0.05, momentum 0.9, weight decay 5e-4) with cosine annealing
    // to 5e-4, the networks side by side; every other setting at its default.
    ExperimentConfig demo;
    demo.dataset = "fashion-mnist";
    demo.limitTrain = 10000;
    demo.limitTest = 2000;
    demo.inputSize = 32;
    demo.architecture = "lenet5";
    demo.networks = 5;
    demo.batchSize = 128;
    demo.epochs = 15;
    demo.optimizer = "sgd";
    demo.lr = 0.05;
    demo.momentum = 0.9;
    demo.weightDecay = 5e-4;
    demo.scheduler = "cosine";
    demo.etaMin = 5e-4;
    demo.parallelNetworks = true;
    QCOMPARE(dialog.config().toJson(), demo.toJson());
    QCOMPARE(field<QSpinBox>(dialog, "limit_train")->value(), 10000);
    QCOMPARE(field<QSpinBox>(dialog, "limit_test")->value(), 2000);
    QCOMPARE(field<QSpinBox>(dialog, "networks")->value(), 5);
    QCOMPARE(field<QSpinBox>(dialog, "epochs")->value(), 15);
    QCOMPARE(field<QSpinBox>(dialog, "batch_size")->value(), 128);
    QCOMPARE(field<QComboBox>(dialog, "preset")->currentIndex(), 1);

    dialog.setRunPath(tmp_.filePath("demo.h5"));
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.datasetLoading(), kLoadTimeoutMs);
    const DatasetSummary& s = field<DatasetPreview>(dialog, "dataset_preview")->summary();
    QVERIFY2(s.ok(), qPrintable(s.error));
    QCOMPARE(s.trainImages, 60000);
    QCOMPARE(s.testImages, 10000);
    QCOMPARE(s.classes, 10);
    QCOMPARE(s.height, 28);
    QCOMPARE(s.channels, 1);
    QCOMPARE(s.samples.size(), DatasetPreview::kPreviewSamples);
    QCOMPARE(s.samples.front().size(), QSize(28, 28));
    // One sample per class, in the order the classes first appear.
    QCOMPARE(QSet<QString>(s.sampleLabels.begin(), s.sampleLabels.end()).size(), 10);
    QVERIFY2(dialog.canStart(), qPrintable(dialog.problem()));
    QVERIFY(field<QPushButton>(dialog, "start")->isEnabled());
}

void TestGuiSetup::invalidCombinationsDisableStart()
{
    ExperimentSetupDialog dialog;
    dialog.setRunPath(tmp_.filePath("invalid.h5"));
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.datasetLoading(), kLoadTimeoutMs);
    QVERIFY2(dialog.canStart(), qPrintable(dialog.problem()));
    auto* start = field<QPushButton>(dialog, "start");

    // Fashion-MNIST has one label per image.
    field<QCheckBox>(dialog, "multilabel")->setChecked(true);
    QVERIFY(!start->isEnabled());
    QVERIFY2(dialog.problem().contains("multi-label", Qt::CaseInsensitive), qPrintable(dialog.problem()));
    QVERIFY(field<QLabel>(dialog, "problem")->text() == dialog.problem());
    field<QCheckBox>(dialog, "multilabel")->setChecked(false);
    QVERIFY(start->isEnabled());

    // Core's validation, shown inline.
    field<QDoubleSpinBox>(dialog, "lr")->setValue(0);
    QVERIFY(!start->isEnabled());
    QVERIFY2(dialog.problem().contains("learning rate"), qPrintable(dialog.problem()));
    field<QDoubleSpinBox>(dialog, "lr")->setValue(0.05);

    selectData(field<QComboBox>(dialog, "scheduler"), "cosine");
    field<QDoubleSpinBox>(dialog, "eta_min")->setValue(1.0);
    QVERIFY2(dialog.problem().contains("eta_min"), qPrintable(dialog.problem()));
    field<QDoubleSpinBox>(dialog, "eta_min")->setValue(5e-4);

    field<QSpinBox>(dialog, "micro_batch")->setValue(field<QSpinBox>(dialog, "batch_size")->value() + 1);
    QVERIFY2(dialog.problem().contains("micro-batch"), qPrintable(dialog.problem()));
    field<QSpinBox>(dialog, "micro_batch")->setValue(0);

    // An architecture that cannot take 28 x 28 images at their native size.
    selectData(field<QComboBox>(dialog, "architecture"), "vgg16");
    field<QSpinBox>(dialog, "input_size")->setValue(0);
    QVERIFY(!start->isEnabled());
    QVERIFY2(dialog.problem().contains("vgg16") && dialog.problem().contains("28 px"), qPrintable(dialog.problem()));
    field<QSpinBox>(dialog, "input_size")->setValue(32);
    QVERIFY2(dialog.canStart(), qPrintable(dialog.problem()));

    // An existing run file is replaced only when asked to.
    const QString existing = tmp_.filePath("existing.h5");
    QFile(existing).open(QIODevice::WriteOnly);
    field<QLineEdit>(dialog, "run_path")->setText(existing);
    QVERIFY2(dialog.problem().contains("exists"), qPrintable(dialog.problem()));
    field<QCheckBox>(dialog, "overwrite")->setChecked(true);
    QVERIFY(start->isEnabled());
    field<QLineEdit>(dialog, "run_path")->setText(tmp_.filePath("no/such/folder/run.h5"));
    QVERIFY2(dialog.problem().contains("does not exist"), qPrintable(dialog.problem()));
}

void TestGuiSetup::recipesKeepDatasetAndArchitecture()
{
    ExperimentSetupDialog dialog;
    selectData(field<QComboBox>(dialog, "architecture"), "resnet18");
    field<QSpinBox>(dialog, "threads")->setValue(3);
    QCOMPARE(field<QComboBox>(dialog, "preset")->currentIndex(), 0);  // edited by hand: custom

    const auto& presets = experimentPresets();
    const auto cifar = std::find_if(presets.begin(), presets.end(), [](const auto& p) { return p.coreName == "cifar10"; });
    QVERIFY(cifar != presets.end());
    dialog.applyPreset(int(cifar - presets.begin()) + 1);
    ExperimentConfig c = dialog.config();
    QCOMPARE(c.lr, 0.1);
    QCOMPARE(c.momentum, 0.9);
    QCOMPARE(c.scheduler, std::string("cosine"));
    QCOMPARE(c.etaMin, 5e-4);
    QCOMPARE(c.weightDecay, 5e-4);
    QCOMPARE(c.epochs, 60);
    QCOMPARE(c.batchSize, 128);
    QCOMPARE(c.networks, 5);
    QCOMPARE(c.architecture, std::string("resnet18"));
    QCOMPARE(c.dataset, std::string("fashion-mnist"));
    QCOMPARE(c.threads, 3);

    const auto random = std::find_if(presets.begin(), presets.end(),
                                     [](const auto& p) { return p.coreName == "cifar10-random-labels"; });
    dialog.applyPreset(int(random - presets.begin()) + 1);
    c = dialog.config();
    QCOMPARE(c.corruptProb, 1.0);
    QCOMPARE(c.scheduler, std::string("step"));
    QCOMPARE(c.stepSize, 30);
    QCOMPARE(c.stepGamma, 0.3);
    // Only the chosen schedule's parameters are shown.
    QVERIFY(!field<QDoubleSpinBox>(dialog, "eta_min")->isVisibleTo(&dialog));
    QVERIFY(field<QSpinBox>(dialog, "step_size")->isVisibleTo(&dialog));
    QVERIFY(presets.front().description().contains("10,000") || presets.front().description().contains("10000"));
}

void TestGuiSetup::folderDatasetIsCheckedOnTheSpot()
{
    test::FixtureSpec spec;
    spec.trainCount = 24;
    spec.testCount = 12;
    spec.height = 12;
    spec.width = 12;
    spec.classes = 3;
    const QString dir = tmp_.filePath("folders");
    test::writeFolderDataset(dir.toStdString(), spec, true);

    ExperimentSetupDialog dialog;
    selectData(field<QComboBox>(dialog, "dataset_format"), "folder");
    auto* location = field<QLineEdit>(dialog, "dataset_location");
    QVERIFY(location->isEnabled());
    location->setText(dir);
    emit location->editingFinished();
    QCOMPARE(dialog.config().dataset, "folder:" + dir.toStdString());
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.datasetLoading(), kLoadTimeoutMs);
    const DatasetSummary& s = field<DatasetPreview>(dialog, "dataset_preview")->summary();
    QVERIFY2(s.ok(), qPrintable(s.error));
    QCOMPARE(s.trainImages, 24);
    QCOMPARE(s.testImages, 12);
    QCOMPARE(s.classes, 3);
    QCOMPARE(s.channels, 3);
    QCOMPARE(s.samples.size(), 3);
    // LeNet-5 at the demo's input size of 32 takes these 12 x 12 images (padded).
    dialog.setRunPath(tmp_.filePath("folders.h5"));
    QVERIFY2(dialog.canStart(), qPrintable(dialog.problem()));
}

void TestGuiSetup::missingFolderNamesThePath()
{
    ExperimentSetupDialog dialog;
    selectData(field<QComboBox>(dialog, "dataset_format"), "cifar10");
    QVERIFY(!dialog.canStart());  // no folder yet
    auto* location = field<QLineEdit>(dialog, "dataset_location");
    const QString missing = tmp_.filePath("no-cifar-here");
    location->setText(missing);
    emit location->editingFinished();
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.datasetLoading(), kLoadTimeoutMs);
    QVERIFY(!dialog.canStart());
    QVERIFY2(dialog.problem().contains(missing), qPrintable(dialog.problem()));
    QVERIFY(!field<QPushButton>(dialog, "start")->isEnabled());
}

void TestGuiSetup::humanUncertaintyOnlyForCifar10()
{
    test::FixtureSpec spec;
    spec.trainCount = 20;
    spec.testCount = 10;
    spec.classes = 10;
    const QString dir = tmp_.filePath("cifar10h-dataset");
    test::writeCifar10(dir.toStdString(), spec);
    const QString good = tmp_.filePath("cifar10h-probs.npy");
    writeNpy(good, 10000, 10);
    const QString bad = tmp_.filePath("cifar10h-short.npy");
    writeNpy(bad, 100, 10);

    ExperimentSetupDialog dialog;
    auto* row = field<QWidget>(dialog, "human_uncertainty_row");
    QVERIFY(row->isHidden());  // the demo is Fashion-MNIST
    selectData(field<QComboBox>(dialog, "dataset_format"), "cifar10");
    QVERIFY(!row->isHidden());
    auto* location = field<QLineEdit>(dialog, "dataset_location");
    location->setText(dir);
    emit location->editingFinished();
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.datasetLoading(), kLoadTimeoutMs);
    dialog.setRunPath(tmp_.filePath("cifar10h.h5"));
    QVERIFY2(dialog.canStart(), qPrintable(dialog.problem()));
    QCOMPARE(dialog.config().humanUncertainty, std::string());

    auto* path = field<QLineEdit>(dialog, "human_uncertainty");
    auto* error = field<QLabel>(dialog, "human_uncertainty_error");
    auto* start = field<QPushButton>(dialog, "start");
    path->setText(bad);
    QVERIFY(!error->isHidden());
    QVERIFY2(error->text().contains("cifar10h-short.npy") && error->text().contains("(100, 10)"),
             qPrintable(error->text()));
    QVERIFY(!start->isEnabled());
    QCOMPARE(dialog.problem(), error->text());

    path->setText(good);
    QVERIFY(error->isHidden());
    QVERIFY2(start->isEnabled(), qPrintable(dialog.problem()));
    QCOMPARE(dialog.config().toJson().at("human_uncertainty").get<std::string>(), good.toStdString());

    // Another dataset hides the row and leaves the file out of the configuration.
    selectData(field<QComboBox>(dialog, "dataset_format"), "fashion-mnist");
    QVERIFY(row->isHidden());
    QCOMPARE(dialog.config().humanUncertainty, std::string());

    // A loaded configuration brings the file back.
    ExperimentConfig c = dialog.config();
    c.dataset = "cifar10:" + dir.toStdString();
    c.humanUncertainty = good.toStdString();
    ExperimentSetupDialog other;
    other.setConfig(c);
    QVERIFY(!field<QWidget>(other, "human_uncertainty_row")->isHidden());
    QCOMPARE(field<QLineEdit>(other, "human_uncertainty")->text(), good);
    QCOMPARE(other.config().humanUncertainty, good.toStdString());
}

void TestGuiSetup::savedJsonRoundTrips()
{
    ExperimentSetupDialog dialog;
    field<QSpinBox>(dialog, "limit_train")->setValue(1234);
    field<QSpinBox>(dialog, "epochs")->setValue(7);
    selectData(field<QComboBox>(dialog, "optimizer"), "adam");
    field<QDoubleSpinBox>(dialog, "lr")->setValue(3e-4);
    selectData(field<QComboBox>(dialog, "scheduler"), "step");
    field<QSpinBox>(dialog, "step_size")->setValue(3);
    field<QDoubleSpinBox>(dialog, "step_gamma")->setValue(0.5);
    selectData(field<QComboBox>(dialog, "init"), "xavier-uniform");
    field<QCheckBox>(dialog, "horizontal_flip")->setChecked(true);
    field<QCheckBox>(dialog, "eval_train")->setChecked(true);
    field<QLineEdit>(dialog, "seed")->setText("12345678901234");

    const QString path = tmp_.filePath("saved.json");
    QString error;
    QVERIFY2(dialog.saveConfig(path, &error), qPrintable(error));
    std::ifstream in(path.toStdString());
    const ExperimentConfig saved = ExperimentConfig::fromJson(nlohmann::json::parse(in));
    QCOMPARE(saved.toJson(), dialog.config().toJson());
    QCOMPARE(saved.limitTrain, std::uint64_t(1234));
    QCOMPARE(saved.optimizer, std::string("adam"));
    QCOMPARE(saved.lr, 3e-4);
    QCOMPARE(saved.stepSize, 3);
    QCOMPARE(saved.init, std::string("xavier-uniform"));
    QCOMPARE(saved.seed, std::uint64_t(12345678901234ull));
    QVERIFY(saved.horizontalFlip && saved.evalTrain);

    ExperimentSetupDialog other;
    QVERIFY2(other.loadConfig(path, &error), qPrintable(error));
    QCOMPARE(other.config().toJson(), saved.toJson());
    QCOMPARE(field<QComboBox>(other, "optimizer")->currentData().toString(), QString("adam"));
    QCOMPARE(field<QComboBox>(other, "preset")->currentIndex(), 0);
}

void TestGuiSetup::badJsonIsRejectedWithTheKey()
{
    const QString path = tmp_.filePath("bad.json");
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"epochs": 3, "learning_rate": 0.1})");
    }
    ExperimentSetupDialog dialog;
    const std::string before = dialog.config().toJson().dump();
    QString error;
    QVERIFY(!dialog.loadConfig(path, &error));
    QVERIFY2(error.contains("learning_rate") && error.contains(path), qPrintable(error));
    QCOMPARE(dialog.config().toJson().dump(), before);

    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("{ not json");
    }
    QVERIFY(!dialog.loadConfig(path, &error));
    QVERIFY2(error.contains("JSON"), qPrintable(error));
}

void TestGuiSetup::cliTrainsFromTheSavedJson()
{
    ExperimentSetupDialog dialog;
    field<QSpinBox>(dialog, "limit_train")->setValue(60);
    field<QSpinBox>(dialog, "limit_test")->setValue(20);
    field<QSpinBox>(dialog, "networks")->setValue(1);
    field<QSpinBox>(dialog, "epochs")->setValue(1);
    field<QSpinBox>(dialog, "batch_size")->setValue(32);
    field<QSpinBox>(dialog, "threads")->setValue(1);
    const QString json = tmp_.filePath("cli.json");
    QVERIFY(dialog.saveConfig(json));
    const QString run = tmp_.filePath("cli.h5");

    QProcess cli;
    cli.start(ORDERLENS_BINARY, {"train", "--config", json, "--run", run});
    QVERIFY(cli.waitForFinished(120000));
    QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
    const RunFile file(run.toStdString());
    QCOMPARE(ExperimentConfig::fromJson(nlohmann::json::parse(file.configJson())).toJson(),
             dialog.config().toJson());
    QCOMPARE(file.completeEpochs(), 1);
}

// The execution group's "fused" box is the configuration's fuse_networks, both ways.
void TestGuiSetup::fusedTrainingIsAFormRow()
{
    ExperimentSetupDialog dialog;
    dialog.show();
    auto* fused = field<QCheckBox>(dialog, "fuse_networks");
    QVERIFY(fused->isVisible());
    QCOMPARE(fused->isChecked(), ExperimentConfig().fuseNetworks);
    const bool before = fused->isChecked();
    QTest::mouseClick(fused, Qt::LeftButton, {}, QPoint(8, fused->height() / 2));
    QCOMPARE(fused->isChecked(), !before);
    QCOMPARE(dialog.config().fuseNetworks, !before);
    QCOMPARE(dialog.config().toJson().at("fuse_networks").get<bool>(), !before);

    ExperimentConfig c = dialog.config();
    c.fuseNetworks = before;
    ExperimentSetupDialog other;
    other.setConfig(c);
    QCOMPARE(field<QCheckBox>(other, "fuse_networks")->isChecked(), before);
}

QTEST_MAIN(TestGuiSetup)
#include "tst_gui_setup.moc"
