// The experiment form: presets, inline validation, the dataset check and JSON that the CLI reads.

#include "DatasetFixtures.h"
#include "Fixtures.h"
#include "dataset/DatasetReader.h"
#include "FormFields.h"
#include "experiment/ExperimentConfig.h"
#include "experiment/ExperimentSettings.h"
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

#include <nlohmann/json.hpp>

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

// Replaces a field's text the way a user does: select all, type.
void selectAllAndType(QWidget* w, const QString& text)
{
    QTest::keyClick(w, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(w, text);
}

void selectData(QComboBox* box, const QString& value)
{
    const int i = box->findData(value);
    QVERIFY2(i >= 0, qPrintable("no item " + value));
    box->setCurrentIndex(i);
}

// Chooses a dataset format and types its folder, as a user does, and waits for the preview.
void chooseDatasetFolder(ExperimentSetupDialog& form, const QString& scheme, const std::string& dir)
{
    QTRY_VERIFY_WITH_TIMEOUT(!form.datasetLoading(), kLoadTimeoutMs);
    selectData(field<QComboBox>(form, "dataset_format"), scheme);
    auto* location = field<QLineEdit>(form, "dataset_location");
    QTest::keyClicks(location, QString::fromStdString(dir));
    QTest::keyClick(location, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(!form.datasetLoading(), kLoadTimeoutMs);
}

// Whether loading the whole dataset meets an image it cannot decode: what the preview must not try.
bool loadingMeetsAnUndecodableImage(const std::string& spec)
{
    try {
        loadDataset(spec);
    } catch (const InputError& e) {
        return QString(e.what()).contains("unreadable image");
    }
    return false;
}
}  // namespace

class TestGuiSetup : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void demoPresetAndFashionMnistPreview();
    void invalidCombinationsDisableStart();
    void presetsAreCompleteConfigurations();
    void everySettingIsInTheHelpTheJsonAndTheForm();
    void formAndCommandLineGiveTheSameJson();
    void nonsenseIsExplainedNotReplaced();
    void folderDatasetIsCheckedOnTheSpot();
    void missingFolderNamesThePath();
    void previewDoesNotDecodeEveryImage();
    void vocPreviewDoesNotDecodeEveryImage();
    void kthPreviewDoesNotDecodeEveryImage();
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
    QVERIFY2(dialog.problem().contains("Learning rate"), qPrintable(dialog.problem()));
    QCOMPARE(field<QLabel>(dialog, "lr_problem")->text(), dialog.problem());
    field<QDoubleSpinBox>(dialog, "lr")->setValue(0.05);

    selectData(field<QComboBox>(dialog, "scheduler"), "cosine");
    field<QDoubleSpinBox>(dialog, "eta_min")->setValue(1.0);
    // Named as the form labels it, not by its internal name (eta_min).
    QVERIFY2(dialog.problem().contains("final learning rate"), qPrintable(dialog.problem()));
    QVERIFY(!dialog.problem().contains("eta_min"));
    field<QDoubleSpinBox>(dialog, "eta_min")->setValue(5e-4);

    field<QSpinBox>(dialog, "micro_batch")->setValue(field<QSpinBox>(dialog, "batch_size")->value() + 1);
    QVERIFY2(dialog.problem().contains("Micro-batch"), qPrintable(dialog.problem()));
    field<QSpinBox>(dialog, "micro_batch")->setValue(0);

    // An architecture that cannot take 28 x 28 images at their native size.
    selectData(field<QComboBox>(dialog, "architecture"), "vgg16");
    field<QSpinBox>(dialog, "input_size")->setValue(0);
    QVERIFY(!start->isEnabled());
    QVERIFY2(dialog.problem().contains("VGG16") && dialog.problem().contains("28 px"), qPrintable(dialog.problem()));
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

// The study's CIFAR-10 recipe (docs: CIFAR-10 row of the recipes table) written out: the preset
// replaces everything, in the form as on the command line.
void TestGuiSetup::presetsAreCompleteConfigurations()
{
    ExperimentSetupDialog dialog;
    dialog.show();
    selectData(field<QComboBox>(dialog, "architecture"), "resnet18");
    field<QSpinBox>(dialog, "threads")->setValue(3);
    QCOMPARE(field<QComboBox>(dialog, "preset")->currentIndex(), 0);  // edited by hand: custom

    const auto& presets = experimentPresets();
    const auto cifar = std::find_if(presets.begin(), presets.end(), [](const auto& p) { return p.coreName == "cifar10"; });
    QVERIFY(cifar != presets.end());
    dialog.applyPreset(int(cifar - presets.begin()) + 1);
    auto* location = field<QLineEdit>(dialog, "dataset_location");
    QTest::keyClicks(location, "/data/cifar-10-batches-bin");
    QTest::keyClick(location, Qt::Key_Return);

    ExperimentConfig expected;
    expected.dataset = "cifar10:/data/cifar-10-batches-bin";
    expected.inputSize = 32;
    expected.batchSize = 128;
    expected.optimizer = "sgd";
    expected.momentum = 0.9;
    expected.lr = 0.1;
    expected.epochs = 60;
    expected.scheduler = "cosine";
    expected.etaMin = 5e-4;
    expected.weightDecay = 5e-4;
    expected.networks = 5;
    QCOMPARE(dialog.config().toJson(), expected.toJson());  // architecture and threads back to defaults

    QProcess cli;
    cli.start(ORDERLENS_BINARY, {"train", "--preset", "cifar10", "--dataset", "cifar10:/data/cifar-10-batches-bin",
                                 "--print-config"});
    QVERIFY(cli.waitForFinished(60000));
    QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
    QCOMPARE(nlohmann::json::parse(cli.readAllStandardOutput().toStdString()), expected.toJson());

    const auto random = std::find_if(presets.begin(), presets.end(),
                                     [](const auto& p) { return p.coreName == "cifar10-random-labels"; });
    dialog.applyPreset(int(random - presets.begin()) + 1);
    const ExperimentConfig c = dialog.config();
    QCOMPARE(c.corruptProb, 1.0);
    QCOMPARE(c.scheduler, std::string("step"));
    QCOMPARE(c.stepSize, 30);
    QCOMPARE(c.stepGamma, 0.3);
    QCOMPARE(c.momentum, 0.0);
    // Only the chosen schedule's parameters are shown.
    QVERIFY(!field<QDoubleSpinBox>(dialog, "eta_min")->isVisibleTo(&dialog));
    QVERIFY(field<QSpinBox>(dialog, "step_size")->isVisibleTo(&dialog));
    QVERIFY(presets.front().description().contains("10,000") || presets.front().description().contains("10000"));
}

// Walks the declaration table: every setting has an option in `orderlens train --help`, a key
// in the JSON, a row in the real form, and a value out of its range that the form explains
// beneath that row.
void TestGuiSetup::everySettingIsInTheHelpTheJsonAndTheForm()
{
    QProcess help;
    help.start(ORDERLENS_BINARY, {"train", "--help"});
    QVERIFY(help.waitForFinished(60000));
    const QString helpText = QString::fromUtf8(help.readAllStandardOutput());

    ExperimentSetupDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    for (const Setting& s : experimentSettings()) {
        const QString key = QString::fromStdString(s.key);
        const QString option = "--" + QString::fromStdString(s.option());
        QVERIFY2(helpText.contains(option + " ") || helpText.contains(option + ","), qPrintable(option));
        QVERIFY2(dialog.config().toJson().contains(s.key), qPrintable(key));

        // A starting point where the setting matters (a schedule's parameters need it chosen,
        // the crop padding the random crop): the defaults, a preset, or the defaults with a flag on.
        std::vector<ExperimentConfig> candidates{ExperimentConfig()};
        for (const auto& name : ExperimentConfig::presetNames())
            candidates.push_back(ExperimentConfig::preset(name));
        for (const Setting& flag : experimentSettings()) {
            if (flag.kind != SettingKind::Flag)
                continue;
            candidates.emplace_back();
            flag.setFlag(candidates.back(), true);
        }
        const auto found = std::find_if(candidates.begin(), candidates.end(),
                                        [&](const ExperimentConfig& c) { return s.applies(c); });
        QVERIFY2(found != candidates.end(), qPrintable(key));
        ExperimentConfig base = *found;
        if (s.kind == SettingKind::File)
            base.dataset = "cifar10:" + tmp_.path().toStdString();
        QVERIFY2(s.applies(base), qPrintable(key));
        dialog.setConfig(base);
        QWidget* editor = dialog.findChild<QWidget*>(key);
        QVERIFY2(editor, qPrintable(key));
        QVERIFY2(editor->isVisible(), qPrintable(key));
        auto* problem = field<QLabel>(dialog, (s.key + "_problem").c_str());

        switch (s.kind) {
        case SettingKind::Count:
        case SettingKind::Real: {
            // Just beyond the maximum: for whole numbers the next one, for reals ten times it.
            const QString tooLarge = s.kind == SettingKind::Count
                                         ? QString::number(qulonglong(s.max) + 1)
                                         : QString::number(s.max * 10, 'g', 6);
            selectAllAndType(editor, tooLarge);
            QVERIFY2(!problem->isHidden(), qPrintable(key + " " + tooLarge));
            QVERIFY2(problem->text().startsWith(QString::fromStdString(s.label) + " must be from"),
                     qPrintable(key + ": " + problem->text()));
            break;
        }
        case SettingKind::Choice: {
            const QString path = tmp_.filePath("unknown-" + key + ".json");
            nlohmann::json json = base.toJson();
            json[s.key] = "no-such-" + s.key;
            std::ofstream(path.toStdString()) << json.dump();
            QString error;
            QVERIFY2(dialog.loadConfig(path, &error), qPrintable(error));
            QVERIFY2(!problem->isHidden(), qPrintable(key));
            QVERIFY2(problem->text().contains(QString::fromStdString(s.label) + " 'no-such-" + key + "'"),
                     qPrintable(problem->text()));
            break;
        }
        case SettingKind::Flag: {
            // Both values are valid: the box is the flag, both ways.
            auto* box = qobject_cast<QCheckBox*>(editor);
            QVERIFY2(box, qPrintable(key));
            const bool before = s.flag(dialog.config());
            QTest::mouseClick(box, Qt::LeftButton, {}, QPoint(8, box->height() / 2));
            QCOMPARE(s.flag(dialog.config()), !before);
            break;
        }
        case SettingKind::Dataset: {
            QComboBox* format = field<QComboBox>(dialog, "dataset_format");
            QVERIFY(editor->isAncestorOf(format));
            selectData(format, "folder");  // a format that needs a folder, and none given
            QVERIFY2(!problem->isHidden() && problem->text().contains("folder"), qPrintable(problem->text()));
            break;
        }
        case SettingKind::File:
            QTest::keyClicks(editor, tmp_.filePath("missing.npy"));
            QVERIFY2(!problem->isHidden() && problem->text().contains("missing.npy"), qPrintable(problem->text()));
            break;
        }
        QVERIFY2(!field<QPushButton>(dialog, "start")->isEnabled(), qPrintable(key));
    }
}

// The same experiment typed into the form and given as options produces the same JSON. The
// form starts from the demo preset, so the command line does too.
void TestGuiSetup::formAndCommandLineGiveTheSameJson()
{
    test::FixtureSpec spec;
    spec.trainCount = 24;
    spec.testCount = 12;
    const QString data = tmp_.filePath("same-json");
    test::writeIdxDataset(data.toStdString(), spec, false);

    ExperimentSetupDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto type = [&](const char* name, const QString& text) { selectAllAndType(field<QWidget>(dialog, name), text); };
    QTest::keyClicks(field<QComboBox>(dialog, "dataset_format"), "IDX");
    QTest::keyClicks(field<QLineEdit>(dialog, "dataset_location"), data);
    QTest::keyClick(field<QLineEdit>(dialog, "dataset_location"), Qt::Key_Return);
    type("limit_train", "20");
    type("limit_test", "10");
    QTest::keyClicks(field<QComboBox>(dialog, "architecture"), "ResNet18");
    type("networks", "3");
    type("epochs", "4");
    type("lr", "0.02");
    QTest::keyClicks(field<QComboBox>(dialog, "scheduler"), "Step");
    type("step_size", "2");
    type("batch_norm_eps", "0.0001");
    auto* crop = field<QCheckBox>(dialog, "random_crop");
    QTest::mouseClick(crop, Qt::LeftButton, {}, QPoint(8, crop->height() / 2));
    type("seed", "42");

    QProcess cli;
    cli.start(ORDERLENS_BINARY, {"train", "--preset", "demo", "--dataset", "idx:" + data, "--limit-train", "20",
                                 "--limit-test", "10", "--architecture", "ResNet18", "--networks", "3", "--epochs", "4",
                                 "--lr", "0.02", "--scheduler", "step", "--step-size", "2", "--bn-eps", "1e-4",
                                 "--random-crop", "--seed", "42", "--print-config"});
    QVERIFY(cli.waitForFinished(60000));
    QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
    const nlohmann::json fromCli = nlohmann::json::parse(cli.readAllStandardOutput().toStdString());
    QCOMPARE(QString::fromStdString(dialog.config().toJson().dump(1)), QString::fromStdString(fromCli.dump(1)));
    QCOMPARE(fromCli.at("architecture").get<std::string>(), std::string("resnet18"));
    QCOMPARE(fromCli.at("batch_norm_eps").get<double>(), 1e-4);
}

// Issue reports, each typed by hand: 70,000 training images of a 60,000-image set, a learning
// rate of 99 and 0 networks stay in their boxes and are explained.
void TestGuiSetup::nonsenseIsExplainedNotReplaced()
{
    ExperimentSetupDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    dialog.setRunPath(tmp_.filePath("nonsense.h5"));
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.datasetLoading(), kLoadTimeoutMs);
    auto type = [&](const char* name, const QString& text) { selectAllAndType(field<QWidget>(dialog, name), text); };
    type("limit_train", "70000");
    QCOMPARE(field<QLabel>(dialog, "limit_train_problem")->text(),
             QString("Training images: 70,000 asked for, but Fashion-MNIST (installed) has 60,000."));
    QVERIFY(!field<QPushButton>(dialog, "start")->isEnabled());
    type("limit_train", "60000");
    QVERIFY(field<QLabel>(dialog, "limit_train_problem")->isHidden());

    type("lr", "99");
    QCOMPARE(field<QDoubleSpinBox>(dialog, "lr")->value(), 99.0);
    QCOMPARE(field<QLabel>(dialog, "lr_problem")->text(), QString("Learning rate must be from 1e-08 to 10; it is 99."));
    type("lr", "0.05");

    type("networks", "0");
    QCOMPARE(field<QSpinBox>(dialog, "networks")->value(), 0);
    QCOMPARE(field<QLabel>(dialog, "networks_problem")->text(), QString("Networks must be from 1 to 100; it is 0."));
    QVERIFY(!field<QPushButton>(dialog, "start")->isEnabled());
    type("networks", "5");
    QVERIFY2(dialog.canStart(), qPrintable(dialog.problem()));
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
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.datasetLoading(), kLoadTimeoutMs);
    selectData(field<QComboBox>(dialog, "dataset_format"), "folder");
    // Until the folder is given, nothing of Fashion-MNIST stays on show, and the message says
    // what to do in the form's words.
    auto* preview = field<DatasetPreview>(dialog, "dataset_preview");
    QVERIFY(!preview->summary().ok());
    QCOMPARE(preview->findChildren<QLabel*>().size(), 1);  // the status line, no thumbnails
    QVERIFY2(field<QLabel>(dialog, "dataset_problem")->text().contains("Image folders"),
             qPrintable(field<QLabel>(dialog, "dataset_problem")->text()));
    QVERIFY(!dialog.problem().contains("folder:DIR"));
    QVERIFY2(dialog.runPath().contains("/folder-lenet5-"), qPrintable(dialog.runPath()));
    auto* location = field<QLineEdit>(dialog, "dataset_location");
    QVERIFY(location->isEnabled());
    QTest::keyClicks(location, dir);
    QTest::keyClick(location, Qt::Key_Return);
    QCOMPARE(dialog.config().dataset, "folder:" + dir.toStdString());
    // The demo's 10,000 training images are more than these folders hold: all of them, then.
    selectAllAndType(field<QSpinBox>(dialog, "limit_train"), "0");
    selectAllAndType(field<QSpinBox>(dialog, "limit_test"), "0");
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

// A large folder dataset is previewed from its file list and the images' headers: only the
// thumbnails are decoded. Every image but the first of each class is a PNG whose header is
// whole and whose pixels are garbage, so decoding any of them would fail (as loading does).
void TestGuiSetup::previewDoesNotDecodeEveryImage()
{
    const std::string dir = tmp_.filePath("undecodable").toStdString();
    const int classes = 3, trainPerClass = 700, testPerClass = 200;
    for (const char* split : {"train", "test"})
        for (int c = 0; c < classes; ++c) {
            const std::string folder = dir + "/" + split + "/class" + std::to_string(c);
            const int count = std::string(split) == "train" ? trainPerClass : testPerClass;
            for (int i = 0; i < count; ++i) {
                char name[32];
                std::snprintf(name, sizeof name, "/%05d.png", i);
                if (i == 0)
                    test::writeGradientImage(folder + name, 10, 14, std::uint32_t(c));
                else
                    test::writeUndecodableImage(folder + name, 10, 14);
            }
        }
    QVERIFY(loadingMeetsAnUndecodableImage("folder:" + dir));

    ExperimentSetupDialog dialog;
    chooseDatasetFolder(dialog, "folder", dir);
    QVERIFY(!dialog.datasetLoading());
    const DatasetSummary& s = field<DatasetPreview>(dialog, "dataset_preview")->summary();
    QVERIFY2(s.ok(), qPrintable(s.error));
    QCOMPARE(s.trainImages, classes * trainPerClass);
    QCOMPARE(s.testImages, classes * testPerClass);
    QCOMPARE(s.classes, classes);
    QCOMPARE(s.height, 10);
    QCOMPARE(s.width, 14);
    QCOMPARE(s.channels, 3);
    QCOMPARE(s.smallestSide, 10);
    QCOMPARE(s.samples.size(), classes);
    QCOMPARE(s.samples.front().size(), QSize(14, 10));
    QCOMPARE(s.sampleLabels, (QStringList{"class0", "class1", "class2"}));
}

// Pascal VOC is previewed from its image lists and annotations (parsed: they are small) and the
// JPEG headers. Every image but the first training image of five classes has a whole header and
// garbage for pixels, so decoding any of them would fail (as loading does).
void TestGuiSetup::vocPreviewDoesNotDecodeEveryImage()
{
    const std::string dir = tmp_.filePath("voc-undecodable").toStdString();
    // Training image i shows class i % 5 (aeroplane .. bottle), every third one a person too; test
    // images a dog. Sizes cycle through heights 20, 24, 28 and widths 30, 24.
    const char* trainClasses[] = {"aeroplane", "bicycle", "bird", "boat", "bottle"};
    const int voc2007Train = 30, voc2012Train = 20, voc2007Test = 15;
    std::vector<test::VocImageSpec> images;
    auto add = [&](const std::string& year, const std::string& id, const std::string& set, int i,
                   std::vector<test::VocObjectSpec> objects) {
        images.push_back({year, id, set, 20 + (i % 3) * 4, 30 - (i % 2) * 6, std::move(objects)});
    };
    for (int i = 0; i < voc2007Train + voc2012Train; ++i) {
        std::vector<test::VocObjectSpec> objects = {{trainClasses[i % 5], 1, 1, 10, 10}};
        if (i % 3 == 0)
            objects.push_back({"person", 2, 2, 12, 18});
        char id[16];
        std::snprintf(id, sizeof id, i < voc2007Train ? "%06d" : "2008_%06d", 100 + i);
        add(i < voc2007Train ? "VOC2007" : "VOC2012", id, "trainval", i, objects);
    }
    for (int i = 0; i < voc2007Test; ++i)
        add("VOC2007", std::to_string(200000 + i), "test", i, {{"dog", 0, 0, 8, 8}});
    test::writeVocTree(dir, images);
    for (std::size_t i = 5; i < images.size(); ++i)
        test::writeUndecodableImage(dir + "/" + images[i].year + "/JPEGImages/" + images[i].id + ".jpg",
                                    images[i].height, images[i].width);
    QVERIFY(loadingMeetsAnUndecodableImage("voc:" + dir + "?cache=off"));

    ExperimentSetupDialog dialog;
    chooseDatasetFolder(dialog, "voc", dir);
    QVERIFY(!dialog.datasetLoading());
    const DatasetSummary& s = field<DatasetPreview>(dialog, "dataset_preview")->summary();
    QVERIFY2(s.ok(), qPrintable(s.error));
    QCOMPARE(s.trainImages, voc2007Train + voc2012Train);
    QCOMPARE(s.testImages, voc2007Test);
    QCOMPARE(s.classes, 20);
    QVERIFY(s.multiLabel);
    QCOMPARE(s.height, 0);  // the sizes differ
    QCOMPARE(s.channels, 3);
    QCOMPARE(s.smallestSide, 20);
    QCOMPARE(s.sampleLabels, (QStringList{"aeroplane", "bicycle", "bird", "boat", "bottle"}));
    QCOMPARE(s.samples.front().size(), QSize(30, 20));  // training image 0: 20 x 30
    QCOMPARE(s.samples.back().size(), QSize(30, 24));   // training image 4: 24 x 30
}

// KTH-TIPS2-b is previewed from its folders, file names and PNG headers. Every image but the
// first of each class's sample_a has a whole header and garbage for pixels.
void TestGuiSetup::kthPreviewDoesNotDecodeEveryImage()
{
    const std::string dir = tmp_.filePath("kth-undecodable").toStdString() + "/KTH-TIPS2-b";
    const std::vector<std::string> classes = {"wool", "cork", "lettuce_leaf"};
    std::vector<std::pair<int, int>> grid;  // scale 2, image indices 1..9: sorted by index
    for (int index = 1; index <= 9; ++index)
        grid.push_back({2, index});
    const int side = 20;
    test::writeKthTree(dir, classes, grid, side);
    for (std::size_t c = 0; c < classes.size(); ++c)
        for (char sample : {'a', 'b', 'c', 'd'})
            for (const auto& [scale, index] : grid)
                if (sample != 'a' || index != 1)
                    test::writeUndecodableImage(dir + "/" + classes[c] + "/sample_" + sample + "/" +
                                                    test::kthFileName(int(c) + 1, sample, scale, index),
                                                side, side);
    QVERIFY(loadingMeetsAnUndecodableImage("kth-tips2b:" + dir + "?cache=off"));

    ExperimentSetupDialog dialog;
    chooseDatasetFolder(dialog, "kth-tips2b", dir);
    QVERIFY(!dialog.datasetLoading());
    const DatasetSummary& s = field<DatasetPreview>(dialog, "dataset_preview")->summary();
    QVERIFY2(s.ok(), qPrintable(s.error));
    const int perSample = int(grid.size());
    QCOMPARE(s.trainImages, int(classes.size()) * 3 * perSample);  // sample_a, _b, _d
    QCOMPARE(s.testImages, int(classes.size()) * perSample);       // sample_c
    QCOMPARE(s.classes, 3);
    QVERIFY(!s.multiLabel);
    QCOMPARE(s.height, side);
    QCOMPARE(s.width, side);
    QCOMPARE(s.channels, 3);
    QCOMPARE(s.smallestSide, side);
    QCOMPARE(s.sampleLabels, (QStringList{"cork", "lettuce_leaf", "wool"}));  // sorted folder order
    QCOMPARE(s.samples.front().size(), QSize(side, side));
}

void TestGuiSetup::missingFolderNamesThePath()
{
    ExperimentSetupDialog dialog;
    selectData(field<QComboBox>(dialog, "dataset_format"), "cifar10");
    QVERIFY(!dialog.canStart());  // no folder yet
    auto* location = field<QLineEdit>(dialog, "dataset_location");
    const QString missing = tmp_.filePath("no-cifar-here");
    QTest::keyClicks(location, missing);
    QTest::keyClick(location, Qt::Key_Return);
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
    QTest::keyClicks(location, dir);
    QTest::keyClick(location, Qt::Key_Return);
    selectAllAndType(field<QSpinBox>(dialog, "limit_train"), "0");
    selectAllAndType(field<QSpinBox>(dialog, "limit_test"), "0");
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.datasetLoading(), kLoadTimeoutMs);
    dialog.setRunPath(tmp_.filePath("cifar10h.h5"));
    QVERIFY2(dialog.canStart(), qPrintable(dialog.problem()));
    QCOMPARE(dialog.config().humanUncertainty, std::string());

    auto* path = field<QLineEdit>(dialog, "human_uncertainty");
    auto* error = field<QLabel>(dialog, "human_uncertainty_problem");
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
