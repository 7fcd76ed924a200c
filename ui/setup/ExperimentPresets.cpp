#include "setup/ExperimentPresets.h"

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

void ExperimentPreset::apply(ExperimentConfig& config) const
{
    const ExperimentConfig p = ExperimentConfig::preset(coreName);
    if (replacesAll) {
        config = p;
        return;
    }
    config.inputSize = p.inputSize;
    config.batchSize = p.batchSize;
    config.optimizer = p.optimizer;
    config.momentum = p.momentum;
    config.lr = p.lr;
    config.epochs = p.epochs;
    config.scheduler = p.scheduler;
    config.etaMin = p.etaMin;
    config.stepSize = p.stepSize;
    config.stepGamma = p.stepGamma;
    config.weightDecay = p.weightDecay;
    config.networks = p.networks;
    config.multiLabel = p.multiLabel;
    config.corruptProb = p.corruptProb;
}

QString ExperimentPreset::description() const
{
    const ExperimentConfig c = ExperimentConfig::preset(coreName);
    const QLocale locale;
    QString text;
    if (replacesAll)
        text = tr("%1 x %2 on %3 training / %4 test images of %5, ")
                   .arg(c.networks)
                   .arg(QString::fromStdString(c.architecture))
                   .arg(locale.toString(qulonglong(c.limitTrain)), locale.toString(qulonglong(c.limitTest)),
                        QString::fromStdString(c.dataset));
    else
        text = tr("%1 networks, ").arg(c.networks);
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
    static const std::vector<ExperimentPreset> presets = {
        {"demo", tr("Fashion-MNIST demo (fast)"), true},
        {"cifar10", tr("CIFAR-10 recipe (study)"), false},
        {"cifar10-random-labels", tr("CIFAR-10 random labels (study)"), false},
        {"voc", tr("Pascal VOC recipe (study)"), false},
        {"kth", tr("KTH-TIPS2-b recipe (study)"), false},
    };
    return presets;
}

ExperimentConfig demoExperiment() { return ExperimentConfig::preset("demo"); }

}  // namespace orderlens::ui
