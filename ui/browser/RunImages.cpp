#include "browser/RunImages.h"

#include "analysis/AnalysisPlan.h"
#include "common/Errors.h"
#include "figures/Figures.h"
#include "storage/RunDataset.h"
#include "storage/RunFile.h"

#include <QFileInfo>
#include <QObject>
#include <QStringList>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace orderlens::ui {

namespace {

// Measures whose values are whole numbers (the scatter jitters them so ties stay visible).
bool integerMeasure(const std::string& name)
{
    return name == "learned_epoch" || name == "first_agreed_epoch" || name == "forgetting_events";
}

bool allIntegers(const std::vector<double>& values)
{
    bool any = false;
    for (double v : values) {
        if (std::isnan(v))
            continue;
        if (v != std::floor(v))
            return false;
        any = true;
    }
    return any;
}

// The run's images when they can be loaded; otherwise null and `problem` says why.
std::shared_ptr<const Dataset> loadRunImages(const RunFile& run, const RunDataset& source, std::string& problem)
{
    try {
        return std::make_shared<Dataset>(source.load(run));
    } catch (const std::exception& e) {
        problem = e.what();
        return nullptr;
    }
}

}  // namespace

std::shared_ptr<const RunImages> RunImages::load(const std::string& runPath)
{
    const RunFile run(runPath);
    std::shared_ptr<RunImages> images(new RunImages());
    RunImages& r = *images;
    r.analysis_ = analyseRun(run, AnalysisPlan::forBrowsing(runPath).options());
    const RunDataset source = RunDataset::of(run);
    r.seed_ = source.seed;
    r.multiLabel_ = run.shape().multiLabel;

    const RunManifest& manifest = run.manifest();
    const std::size_t n = manifest.keys.size();
    r.table_.splits = manifest.splits;
    r.table_.labels = manifest.labels;
    r.table_.learnedEpoch.assign(n, kNeverLearned);
    r.splitSlot_.assign(n, -1);
    r.position_.assign(n, 0);

    // Measure columns over all images: each split's values land at its manifest indices.
    std::vector<ImageColumn> measures;
    for (std::size_t s = 0; s < r.analysis_.splits.size(); ++s) {
        const SplitAnalysis& split = r.analysis_.splits[s];
        const auto& indices = split.measures.manifestIndices;
        const auto columns = measureColumns(split.measures, r.analysis_.options.never);
        if (measures.empty())
            for (const auto& [name, values] : columns)
                measures.push_back({name, true, integerMeasure(name), std::vector<double>(n, std::nan(""))});
        for (std::size_t c = 0; c < columns.size(); ++c)
            for (std::size_t k = 0; k < indices.size(); ++k)
                measures[c].values[indices[k]] = columns[c].second[k];
        for (std::size_t k = 0; k < indices.size(); ++k) {
            r.table_.learnedEpoch[indices[k]] = split.measures.epochs.learnedEpoch[k];
            r.splitSlot_[indices[k]] = int(s);
            r.position_[indices[k]] = std::uint32_t(k);
        }

        r.bits_.push_back(CorrectnessBits::load(run, split.selection));
        const CorrectnessBits& bits = r.bits_.back();
        const std::size_t values = indices.size() * std::size_t(bits.networks()) * std::size_t(bits.epochs());
        const bool keepP = !run.shape().multiLabel && values <= kProbabilityBudget;
        const bool keepPredicted = values * sizeof(std::uint64_t) <= kPredictionBudget;
        std::vector<std::uint8_t> p(keepP ? values : 0);
        std::vector<std::uint64_t> predicted(keepPredicted ? values : 0);
        if (keepP || keepPredicted) {
            std::size_t row = 0;
            for (int net : split.selection.networks)
                for (int e = split.selection.firstEpoch; e < split.selection.endEpoch; ++e, ++row) {
                    const SplitRecords rec = run.readRecords(split.selection.set, net, e);
                    for (std::size_t k = 0; keepP && k < indices.size() && k < rec.pTrue.size(); ++k) {
                        const float v = rec.pTrue[k];
                        p[row * indices.size() + k] =
                            std::isnan(v) ? 0 : std::uint8_t(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
                    }
                    for (std::size_t k = 0; keepPredicted && k < indices.size() && k < rec.predicted.size(); ++k)
                        predicted[row * indices.size() + k] = std::uint64_t(rec.predicted[k]);
                }
        }
        r.predicted_.push_back(std::move(predicted));
        r.pTrue_.push_back(std::move(p));
    }
    r.table_.columns = std::move(measures);
    const std::set<std::string> distinct = run.distinctValuedMetrics();
    for (const std::string& name : run.metricNames()) {
        ImageColumn c{name, false, false, run.readMetric(name)};
        c.integer = distinct.count(name) || allIntegers(c.values);
        r.table_.columns.push_back(std::move(c));
    }
    r.dataset_ = loadRunImages(run, source, r.datasetProblem_);
    return images;
}

QString RunImages::className(std::size_t i) const
{
    const int l = label(i);
    if (l >= 0 && std::size_t(l) < analysis_.classNames.size())
        return QString::fromStdString(analysis_.classNames[std::size_t(l)]);
    return QString::number(l);
}

QString RunImages::runName() const { return QFileInfo(QString::fromStdString(analysis_.runPath)).completeBaseName(); }

const SplitAnalysis* RunImages::splitAnalysis(Split split) const
{
    for (const SplitAnalysis& s : analysis_.splits)
        if (s.selection.set != RecordSet::TrainEval && recordSetSplit(s.selection.set) == split)
            return &s;
    return nullptr;
}

std::vector<int> RunImages::networkLearnedEpochs(std::size_t i) const
{
    const int s = splitSlot_[i];
    if (s < 0)
        return {};
    std::vector<int> out;
    for (const auto& perNetwork : analysis_.splits[std::size_t(s)].measures.epochs.networkLearnedEpoch)
        out.push_back(perNetwork[position_[i]]);
    return out;
}

int RunImages::firstAgreedEpoch(std::size_t i) const
{
    const int s = splitSlot_[i];
    return s < 0 ? kNeverLearned : analysis_.splits[std::size_t(s)].measures.epochs.firstAgreedEpoch[position_[i]];
}

ImageRecords RunImages::records(std::size_t i) const
{
    ImageRecords r;
    const int s = splitSlot_[i];
    if (s < 0)
        return r;
    const SplitAnalysis& split = analysis_.splits[std::size_t(s)];
    const CorrectnessBits& bits = bits_[std::size_t(s)];
    const std::vector<std::uint8_t>& p = pTrue_[std::size_t(s)];
    const std::vector<std::uint64_t>& predicted = predicted_[std::size_t(s)];
    const std::size_t images = split.measures.manifestIndices.size();
    r.networks = split.selection.networks;
    r.firstEpoch = bits.firstEpoch();
    r.epochs = bits.epochs();
    for (int n = 0; n < bits.networks(); ++n)
        for (int e = 0; e < bits.epochs(); ++e) {
            const std::size_t at = (std::size_t(n) * std::size_t(bits.epochs()) + std::size_t(e)) * images + position_[i];
            r.correct.push_back(bits.get(n, e, position_[i]) ? 1 : 0);
            if (!p.empty())
                r.pTrue.push_back(float(p[at]) / 255.0f);
            if (!predicted.empty())
                r.predicted.push_back(predictionName(predicted[at]));
        }
    return r;
}

QString RunImages::predictionName(std::uint64_t predicted) const
{
    const auto& names = analysis_.classNames;
    auto name = [&](std::uint64_t c) {
        return c < names.size() ? QString::fromStdString(names[std::size_t(c)]) : QString::number(c);
    };
    if (!multiLabel_)
        return name(predicted);
    QStringList set;
    for (std::uint64_t c = 0; c < 64; ++c)
        if (predicted >> c & 1u)
            set << name(c);
    return set.isEmpty() ? QObject::tr("none") : set.join(QStringLiteral(", "));
}

QImage RunImages::image(std::size_t i) const
{
    if (!dataset_ || i >= dataset_->size())
        return {};
    return toQImage(dataset_->image(i));
}

std::string defaultMetric(const ImageTable& table)
{
    std::string first;
    for (const ImageColumn& c : table.columns) {
        if (c.measure)
            continue;
        if (c.name == "entropy")
            return c.name;
        if (first.empty()) {
            const auto lo = std::min_element(c.values.begin(), c.values.end(), [](double a, double b) {
                return std::isnan(b) || (!std::isnan(a) && a < b);
            });
            const auto hi = std::max_element(c.values.begin(), c.values.end(), [](double a, double b) {
                return std::isnan(a) || (!std::isnan(b) && a < b);
            });
            if (lo != c.values.end() && hi != c.values.end() && *lo < *hi)
                first = c.name;
        }
    }
    return first;
}

QString columnTitle(const ImageColumn& column)
{
    return (column.measure ? measureLabel(column.name) : metricLabel(column.name)).title;
}

QString columnAxisLabel(const ImageColumn& column)
{
    return (column.measure ? measureLabel(column.name) : metricLabel(column.name)).axis;
}

QImage toQImage(const ImageView& view)
{
    if (!view.data || view.width <= 0 || view.height <= 0)
        return {};
    const QImage::Format format = view.channels == 3 ? QImage::Format_RGB888 : QImage::Format_Grayscale8;
    QImage out(view.width, view.height, format);
    const std::size_t rowBytes = std::size_t(view.width) * std::size_t(view.channels);
    for (int y = 0; y < view.height; ++y)
        std::memcpy(out.scanLine(y), view.data + std::size_t(y) * rowBytes, rowBytes);
    return out;
}

}  // namespace orderlens::ui
