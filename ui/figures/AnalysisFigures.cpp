#include "figures/AnalysisFigures.h"

#include <qcustomplot.h>

#include <cmath>

namespace orderlens::ui {

namespace {

QString splitTitle(const SplitAnalysis& s)
{
    switch (s.selection.set) {
    case RecordSet::Train: return QStringLiteral("train split");
    case RecordSet::Test: return QStringLiteral("test split");
    case RecordSet::TrainEval: return QStringLiteral("train split, eval-mode pass");
    }
    return {};
}

// A file-name-safe version of a metric name.
QString stemPart(const std::string& name)
{
    QString out;
    for (QChar c : QString::fromStdString(name))
        out += (c.isLetterOrNumber() || c == '_' || c == '-') ? c : QChar('_');
    return out;
}

// "Mean local entropy" -> "mean local entropy" inside a sentence; acronyms ("DCT ...") stay.
QString inSentence(const QString& title)
{
    if (title.size() > 1 && title[0].isUpper() && title[1].isLower())
        return title[0].toLower() + title.mid(1);
    return title;
}

// A caption's sentence on what the display thresholds hide of this run's curve (empty: nothing).
QString hiddenNote(const std::string& sentence) { return sentence.empty() ? QString() : " " + QString::fromStdString(sentence); }

std::array<Correlation, 3> correlationsOf(const SplitAnalysis& s, const std::string& metric, const std::string& measure)
{
    std::array<Correlation, 3> out;
    for (const CorrelationRow& r : s.correlations)
        if (r.metric == metric && r.measure == measure)
            out[std::size_t(r.method)] = r.result;
    return out;
}

}  // namespace

std::vector<FigureSpec> analysisFigures(const RunAnalysis& a)
{
    std::vector<FigureSpec> specs;
    const QString networks = QString::number(a.networks.size());
    for (const SplitAnalysis& s : a.splits) {
        const SplitAnalysis* split = &s;
        const QString set = QString::fromUtf8(recordSetName(s.selection.set));
        const QString where = splitTitle(s);
        specs.push_back(
            {"agreement_" + set, "Agreement, " + where,
             "True-positive agreement on the " + where + ": the share of the images that all " + networks +
                 " networks classify correctly among those that at least one does (blue). Mean accuracy over the "
                 "networks with a band of one population standard deviation (vermillion) and the lower bound "
                 "that networks of these accuracies must reach (green, dotted); hatched: agreement above the bound.",
             [split](QCustomPlot* p, const QString& t, const FigureStyle& st) { plotAgreement(p, split->agreement, t, st); }});
        specs.push_back({"label_agreement_" + set, "Label agreement, " + where,
                         "Class composition of the agreed images on the " + where +
                             " per epoch: each column is the class histogram of the images all networks classify "
                             "correctly, normalised to sum 1.",
                         [split, &a](QCustomPlot* p, const QString& t, const FigureStyle& st) {
                             plotLabelAgreement(p, split->labels, a.classNames, t, st);
                         }});
        for (const SplitMetric& m : s.metrics) {
            if (m.constant)
                continue;  // nothing to plot or correlate
            const SplitMetric* metric = &m;
            const MetricLabel label = metricLabel(m.name);
            const QString stem = stemPart(m.name) + "_" + set;
            specs.push_back(
                {"metric_" + stem, label.title + " of agreed images, " + where,
                 label.title + " averaged over the images all networks classify correctly (orange, right axis; "
                               "missing values ignored), next to the agreement curves. Following the study, the curve "
                               "is hidden where agreement is below " +
                     QString::number(a.options.agreementThreshold) + " % and for the first " +
                     QString::number(a.options.epochThreshold) + " epochs." +
                     hiddenNote(describeHiddenEpochs(hiddenEpochs(s.agreement, m.curve, a.options.agreementThreshold,
                                                                  a.options.epochThreshold),
                                                     "Here the curve", a.options.agreementThreshold,
                                                     a.options.epochThreshold)),
                 [split, metric](QCustomPlot* p, const QString& t, const FigureStyle& st) {
                     plotMetricCurve(p, split->agreement, metric->name, metric->shownCurve, t, st);
                 }});
            if (m.distinct)
                specs.push_back({"distinct_" + stem, label.title + " values among agreed images, " + where,
                                 "For each value of " + inSentence(label.title) +
                                     ": the percentage of the images with that value that all networks classify "
                                     "correctly (right axis), hidden where agreement is below " +
                                     QString::number(a.options.agreementThreshold) + " %.",
                                 [split, metric, &a](QCustomPlot* p, const QString& t, const FigureStyle& st) {
                                     plotDistinctMetric(p, split->agreement, metric->name, metric->distinctCurves,
                                                        a.options.agreementThreshold, t, st);
                                 }});
            specs.push_back({"histogram_" + stem, label.title + ", " + where,
                             "Distribution of " + inSentence(label.title) + " over the images of the " + where + ".",
                             [metric](QCustomPlot* p, const QString& t, const FigureStyle& st) {
                                 plotMetricHistogram(p, metric->values, metric->name, 50, t, st);
                             }});
            const bool atEnd = a.options.never == NeverLearnedPolicy::AfterLastEpoch;
            specs.push_back(
                {"scatter_" + stem, label.title + " against the learned-by-all epoch, " + where,
                 label.title + " of each image against the epoch from which all networks classify it correctly "
                               "(points jittered horizontally; vermillion: mean per epoch). " +
                     (atEnd ? QStringLiteral("Images never learned sit at \"never\" and enter the correlations as "
                                             "the end of the epoch range.")
                            : QStringLiteral("Images never learned are excluded.")) +
                     " Coefficients with bootstrap 95 % intervals and two-sided p-values.",
                 [split, metric, &a](QCustomPlot* p, const QString& t, const FigureStyle& st) {
                     const auto columns = measureColumns(split->measures, a.options.never);
                     const bool atEnd = a.options.never == NeverLearnedPolicy::AfterLastEpoch;
                     plotMeasureScatter(p, columns[0].second, columns[0].first, metric->values, metric->name,
                                        correlationsOf(*split, metric->name, "learned_epoch"),
                                        atEnd ? split->selection.endEpoch : -1, t, st);
                 }});
        }
        bool hasDynamics = false;
        for (double c : s.measures.dynamics.confidence)
            if (!std::isnan(c)) {
                hasDynamics = true;
                break;
            }
        if (hasDynamics)
            specs.push_back({"data_map_" + set, "Data map, " + where,
                             "Data map (Swayamdipta et al., 2020) of the " + where +
                                 ": mean and population standard deviation over epochs of the probability given to "
                                 "the label, averaged over the networks, coloured by the fraction of (network, epoch) "
                                 "pairs that classify the image correctly.",
                             [split](QCustomPlot* p, const QString& t, const FigureStyle& st) {
                                 plotDataMap(p, split->measures.dynamics, split->measures.epochs.correctness, t, st);
                             }});
    }
    specs.push_back({"accuracy", "Accuracy per network",
                     "Accuracy of each network per epoch on the train split (solid; measured during the training pass, "
                     "as the study records it) and on the test split (dashed).",
                     [&a](QCustomPlot* p, const QString& t, const FigureStyle& st) { plotTrainingCurves(p, a, false, t, st); }});
    specs.push_back({"loss", "Loss per network",
                     "Mean loss per image of each network per epoch on the train split (solid) and the test split "
                     "(dashed).",
                     [&a](QCustomPlot* p, const QString& t, const FigureStyle& st) { plotTrainingCurves(p, a, true, t, st); }});
    return specs;
}

}  // namespace orderlens::ui
