#include "setup/ExperimentPresets.h"

#include "dataset/DatasetReader.h"
#include "experiment/ExperimentSettings.h"
#include "models/Architecture.h"

#include <QCoreApplication>
#include <QLocale>

namespace orderlens::ui {

namespace {

QString tr(const char* text) { return QCoreApplication::translate("ExperimentPresets", text); }

QString optimiserText(const ExperimentConfig& c)
{
    if (c.optimizer == "adam")
        return tr("Adam");
    return c.momentum > 0 ? tr("SGD momentum %1").arg(c.momentum) : tr("SGD");
}

QString scheduleText(const ExperimentConfig& c)
{
    if (c.scheduler == "cosine")
        return tr("cosine annealing to %1").arg(c.etaMin, 0, 'g', 3);
    if (c.scheduler == "step")
        return tr("step x %1 every %2 epochs").arg(c.stepGamma, 0, 'g', 3).arg(c.stepSize);
    if (c.scheduler == "onecycle")
        return tr("one-cycle");
    return tr("constant rate");
}

}  // namespace

QString ExperimentPreset::description() const
{
    const ExperimentConfig c = ExperimentConfig::preset(coreName);
    const QLocale locale;
    const DatasetReader* reader = findDatasetReader(c.dataset);
    const QString dataset = QString::fromStdString(reader ? reader->title() : c.dataset);
    const QString images = c.limitTrain == 0 && c.limitTest == 0
                               ? tr("all images of %1").arg(dataset)
                               : tr("%1 training / %2 test images of %3")
                                     .arg(c.limitTrain ? locale.toString(qulonglong(c.limitTrain)) : tr("all"),
                                          c.limitTest ? locale.toString(qulonglong(c.limitTest)) : tr("all"), dataset);
    QString text = tr("%1 x %2 on %3, ")
                       .arg(c.networks)
                       .arg(QString::fromStdString(architectureInfo(c.architecture).title), images);
    if (c.corruptProb >= 1)
        text += tr("random labels, ");
    if (c.multiLabel)
        text += tr("multi-label, ");
    text += tr("input %1 px, batch %2, %3, lr %4, %5 epochs, %6, weight decay %7.")
                .arg(c.inputSize)
                .arg(c.batchSize)
                .arg(optimiserText(c))
                .arg(c.lr, 0, 'g', 3)
                .arg(c.epochs)
                .arg(scheduleText(c))
                .arg(c.weightDecay, 0, 'g', 3);
    return text;
}

const std::vector<ExperimentPreset>& experimentPresets()
{
    static const std::vector<ExperimentPreset> presets = [] {
        std::vector<ExperimentPreset> out;
        for (const auto& info : experimentPresetInfos())
            out.push_back({info.name, QString::fromStdString(info.title)});
        return out;
    }();
    return presets;
}

ExperimentConfig demoExperiment() { return ExperimentConfig::preset("demo"); }

}  // namespace orderlens::ui
