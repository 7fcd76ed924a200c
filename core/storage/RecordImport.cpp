#include "storage/RecordImport.h"

#include "common/Errors.h"
#include "common/Numbering.h"
#include "io/AtomicFile.h"
#include "io/CsvText.h"
#include "io/NumpyColumns.h"
#include "storage/RunFile.h"

#include <nlohmann/json.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <memory>
#include <tuple>
#include <unordered_map>

namespace fs = std::filesystem;

namespace orderlens {

namespace {

// Bounds that no real training reaches; they keep a mistyped number from allocating terabytes.
constexpr long long kMaxNetworks = 1024;
constexpr long long kMaxEpochs = 100000;

constexpr const char* kColumns[] = {"network", "epoch", "split", "key", "correct", "predicted", "p_true", "margin"};
constexpr std::size_t kRequiredColumns = 6;  // p_true and margin may be left out

// One row of the records table, as read.
struct RawRecord {
    long long network = 0, epoch = 0;
    std::string split, key;
    long long correct = 0;
    std::int64_t predicted = 0;
    float pTrue = std::numeric_limits<float>::quiet_NaN();
    float margin = std::numeric_limits<float>::quiet_NaN();
};

// Rows of a records file, one at a time; where() names the row just read for messages.
class RecordSource {
public:
    virtual ~RecordSource() = default;
    virtual bool next(RawRecord& record) = 0;
    virtual std::string where() const = 0;
    std::vector<std::string> ignoredColumns;

protected:
    static bool isRecordColumn(const std::string& name)
    {
        for (const char* c : kColumns)
            if (name == c)
                return true;
        return false;
    }
};

std::string columnList()
{
    std::string s;
    for (const char* c : kColumns)
        s += (s.empty() ? "" : ", ") + std::string(c);
    return s;
}

class CsvRecords : public RecordSource {
public:
    explicit CsvRecords(const std::string& path) : path_(path), in_(path)
    {
        if (!in_)
            throw InputError(path, "cannot open the file");
        std::string header;
        if (!std::getline(in_, header))
            throw InputError(path, "is empty (expected a header line: " + columnList() + ")");
        line_ = 1;
        std::vector<std::string> names;
        if (!splitCsvLine(header, names))
            throw InputError(path, "line 1: a quoted column name is not closed");
        index_.fill(-1);
        for (std::size_t i = 0; i < names.size(); ++i) {
            bool known = false;
            for (std::size_t c = 0; c < std::size(kColumns); ++c)
                if (names[i] == kColumns[c]) {
                    if (index_[c] >= 0)
                        throw InputError(path, "line 1: column '" + names[i] + "' appears twice");
                    index_[c] = int(i);
                    known = true;
                }
            if (!known)
                ignoredColumns.push_back(names[i]);
        }
        for (std::size_t c = 0; c < kRequiredColumns; ++c)
            if (index_[c] < 0)
                throw InputError(path, "line 1: the header has no column '" + std::string(kColumns[c]) +
                                           "' (expected " + columnList() + "; p_true and margin may be left out)");
    }

    bool next(RawRecord& r) override
    {
        std::string text;
        do {
            if (!std::getline(in_, text))
                return false;
            ++line_;
        } while (text.empty() || text == "\r");
        if (!splitCsvLine(text, fields_))
            throw InputError(path_, where() + ": a quoted field is not closed");
        for (std::size_t c = 0; c < std::size(kColumns); ++c)
            if (index_[c] >= int(fields_.size()))
                throw InputError(path_, where() + ": has " + std::to_string(fields_.size()) +
                                            " fields, too few for the header's columns");
        r.network = integer(0);
        r.epoch = integer(1);
        r.split = fields_[std::size_t(index_[2])];
        r.key = fields_[std::size_t(index_[3])];
        const std::string& correct = fields_[std::size_t(index_[4])];
        r.correct = correct == "True" || correct == "true" ? 1 : correct == "False" || correct == "false" ? 0 : integer(4);
        r.predicted = integer(5);
        r.pTrue = index_[6] >= 0 ? real(6) : std::numeric_limits<float>::quiet_NaN();
        r.margin = index_[7] >= 0 ? real(7) : std::numeric_limits<float>::quiet_NaN();
        return true;
    }

    std::string where() const override { return "line " + std::to_string(line_); }

private:
    long long integer(std::size_t column) const
    {
        const std::string& f = fields_[std::size_t(index_[column])];
        long long v = 0;
        const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
        if (f.empty() || ec != std::errc() || end != f.data() + f.size())
            throw InputError(path_, where() + ": " + kColumns[column] + " '" + f + "' is not a whole number");
        return v;
    }
    float real(std::size_t column) const
    {
        const std::string& f = fields_[std::size_t(index_[column])];
        if (f.empty() || f == "nan" || f == "NaN")
            return std::numeric_limits<float>::quiet_NaN();
        float v = 0;
        const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
        if (ec != std::errc() || end != f.data() + f.size())
            throw InputError(path_, where() + ": " + kColumns[column] + " '" + f + "' is not a number");
        return v;
    }

    std::string path_;
    std::ifstream in_;
    std::size_t line_ = 0;
    std::array<int, std::size(kColumns)> index_{};
    std::vector<std::string> fields_;
};

class NumpyRecords : public RecordSource {
public:
    explicit NumpyRecords(const std::string& path) : path_(path), columns_(readNumpyColumns(path))
    {
        for (const NumpyColumn& c : columns_) {
            bool known = false;
            for (std::size_t k = 0; k < std::size(kColumns); ++k)
                if (c.name() == kColumns[k]) {
                    column_[k] = &c;
                    known = true;
                }
            if (!known)
                ignoredColumns.push_back(c.name());
        }
        for (std::size_t k = 0; k < std::size(kColumns); ++k) {
            const NumpyColumn* c = column_[k];
            if (!c) {
                if (k < kRequiredColumns)
                    throw InputError(path, "has no array '" + std::string(kColumns[k]) + "' (expected " +
                                               columnList() + "; p_true and margin may be left out)");
                continue;
            }
            const bool text = k == 2 || k == 3;
            const bool real = k >= kRequiredColumns;
            if (text ? !c->isText() : real ? c->isText() : !c->isInteger())
                throw InputError(path, "array '" + c->name() + "' has type " + c->type() + "; expected " +
                                           (text ? "strings (dtype=str)" : real ? "numbers" : "integers"));
            if (c->size() != column_[0]->size())
                throw InputError(path, "array '" + c->name() + "' has " + std::to_string(c->size()) +
                                           " values but 'network' has " + std::to_string(column_[0]->size()) +
                                           " (one value per record in every array)");
        }
    }

    bool next(RawRecord& r) override
    {
        if (next_ >= column_[0]->size())
            return false;
        row_ = next_++;
        r.network = column_[0]->integer(row_);
        r.epoch = column_[1]->integer(row_);
        r.split = column_[2]->text(row_);
        r.key = column_[3]->text(row_);
        r.correct = column_[4]->integer(row_);
        r.predicted = column_[5]->integer(row_);
        r.pTrue = column_[6] ? float(column_[6]->number(row_)) : std::numeric_limits<float>::quiet_NaN();
        r.margin = column_[7] ? float(column_[7]->number(row_)) : std::numeric_limits<float>::quiet_NaN();
        return true;
    }

    std::string where() const override { return "row " + std::to_string(row_) + " (counting from 0)"; }

private:
    std::string path_;
    std::vector<NumpyColumn> columns_;
    std::array<const NumpyColumn*, std::size(kColumns)> column_{};
    std::size_t row_ = 0, next_ = 0;
};

std::unique_ptr<RecordSource> openRecords(const std::string& path)
{
    const std::string ext = fs::path(path).extension().string();
    if (ext == ".npz" || ext == ".npy")
        return std::make_unique<NumpyRecords>(path);
    return std::make_unique<CsvRecords>(path);
}

std::optional<RecordSet> recordSetNamed(const std::string& name)
{
    for (RecordSet set : {RecordSet::Train, RecordSet::Test, RecordSet::TrainEval})
        if (name == recordSetName(set))
            return set;
    return std::nullopt;
}

// The records of one (network, epoch, record set), indexed by the image's position in its
// dataset split until the run's images are known.
struct EpochRecords {
    SplitRecords records;
    std::vector<bool> present;
    std::size_t count = 0;
    std::string firstRow;
};

using GroupKey = std::tuple<int, int, RecordSet>;  // network, epoch, set

std::string epochRange(const std::map<int, std::string>& epochs)
{
    if (epochs.empty())
        return "none";
    return std::to_string(epochs.begin()->first) + "-" + std::to_string(epochs.rbegin()->first);
}

}  // namespace

RecordImportResult importRecords(const RecordImport& import, const Dataset& dataset, const std::string& datasetSpec)
{
    const std::string& path = import.recordsPath;
    if (import.runPath.empty())
        throw ConfigError("a run file is required");
    if (fs::exists(import.runPath) && !import.overwrite)
        throw ConfigError(import.runPath + " exists; choose another run file or allow overwriting (--force)");
    if (import.plannedEpochs < 0 || import.plannedEpochs > kMaxEpochs)
        throw ConfigError("planned epochs must be from 0 to " + std::to_string(kMaxEpochs));
    const int classes = int(dataset.classNames.size());
    const bool multiLabel = dataset.multiLabel;

    std::unordered_map<std::string, std::size_t> imageOfKey;
    imageOfKey.reserve(dataset.size());
    std::vector<std::size_t> positionInSplit(dataset.size());
    std::size_t splitSize[2] = {0, 0};
    for (std::size_t i = 0; i < dataset.size(); ++i) {
        imageOfKey.emplace(dataset.key(i), i);
        positionInSplit[i] = splitSize[int(dataset.split(i))]++;
    }

    std::unique_ptr<RecordSource> source = openRecords(path);
    std::map<GroupKey, EpochRecords> groups;
    RecordImportResult result;
    RawRecord r;
    auto fail = [&](const std::string& problem) { throw InputError(path, source->where() + ": " + problem); };
    while (source->next(r)) {
        ++result.rows;
        if (r.network < 0 || r.network >= kMaxNetworks)
            fail("network index " + std::to_string(r.network) + " is out of range (0 to " + std::to_string(kMaxNetworks - 1) +
                 ", counting from 0)");
        if (r.epoch < 0 || r.epoch >= kMaxEpochs)
            fail("epoch " + std::to_string(r.epoch) + " is out of range (0 to " + std::to_string(kMaxEpochs - 1) +
                 ", counting from 0)");
        const std::optional<RecordSet> set = recordSetNamed(r.split);
        if (!set)
            fail("split '" + r.split + "' is not train, test or train_eval");
        const auto found = imageOfKey.find(r.key);
        if (found == imageOfKey.end())
            fail("key '" + r.key + "' is not an image of the dataset " + datasetSpec);
        const std::size_t image = found->second;
        const Split split = recordSetSplit(*set);
        if (dataset.split(image) != split)
            fail("key '" + r.key + "' is a " + std::string(dataset.split(image) == Split::Train ? "train" : "test") +
                 " image, but the row's split is " + r.split);
        if (r.correct != 0 && r.correct != 1)
            fail("correct is " + std::to_string(r.correct) + " (expected 0 or 1)");
        if (multiLabel) {
            if (r.predicted < 0 || (classes < 64 && std::uint64_t(r.predicted) >> classes != 0))
                fail("predicted label bits " + std::to_string(r.predicted) + " name a class beyond the dataset's " +
                     std::to_string(classes));
        } else {
            if (r.predicted < 0 || r.predicted >= classes)
                fail("predicted class " + std::to_string(r.predicted) + " is out of range (the dataset has " +
                     std::to_string(classes) + " classes, 0 to " + std::to_string(classes - 1) + ")");
            const bool agrees = r.predicted == dataset.label(image);
            if (bool(r.correct) != agrees)
                fail("correct is " + std::to_string(r.correct) + " but the predicted class " +
                     std::to_string(r.predicted) + (agrees ? " is" : " is not") + " the label " +
                     std::to_string(dataset.label(image)) + " of '" + r.key +
                     "' (records are checked against the dataset's own labels)");
        }
        if (!std::isnan(r.pTrue) && !(r.pTrue >= 0 && r.pTrue <= 1))
            fail("p_true " + std::to_string(r.pTrue) + " is not a probability (0 to 1)");

        EpochRecords& g = groups[{int(r.network), int(r.epoch), *set}];
        const std::size_t size = splitSize[int(split)];
        if (g.present.empty()) {
            g.present.assign(size, false);
            g.records.correct.assign(size, 0);
            g.records.predicted.assign(size, 0);
            g.records.pTrue.assign(size, std::numeric_limits<float>::quiet_NaN());
            g.records.margin.assign(size, std::numeric_limits<float>::quiet_NaN());
            g.firstRow = source->where();
        }
        const std::size_t at = positionInSplit[image];
        if (g.present[at])
            fail("duplicate record: " + networkIndexText(r.network) + ", epoch " + std::to_string(r.epoch) + ", " +
                 r.split + ", key '" + r.key + "' has a record already");
        g.present[at] = true;
        ++g.count;
        g.records.correct[at] = std::uint8_t(r.correct);
        g.records.predicted[at] = r.predicted;
        g.records.pTrue[at] = r.pTrue;
        g.records.margin[at] = r.margin;
    }
    if (groups.empty())
        throw InputError(path, "holds no records");
    result.ignoredColumns = source->ignoredColumns;

    // Networks 0..N-1, each with epochs 0..E_n-1 in the train and test sets (and train_eval when
    // the records have it), every epoch of a set with the same images.
    std::map<int, std::map<RecordSet, std::map<int, std::string>>> epochsOf;  // -> first row
    bool evalTrain = false;
    for (const auto& [key, g] : groups) {
        epochsOf[std::get<0>(key)][std::get<2>(key)][std::get<1>(key)] = g.firstRow;
        evalTrain = evalTrain || std::get<2>(key) == RecordSet::TrainEval;
    }
    const int networks = epochsOf.rbegin()->first + 1;
    std::vector<RecordSet> sets = {RecordSet::Train, RecordSet::Test};
    if (evalTrain)
        sets.push_back(RecordSet::TrainEval);
    std::vector<int> epochsDone(std::size_t(networks), 0);
    for (int n = 0; n < networks; ++n) {
        if (!epochsOf.count(n))
            throw InputError(path, "has no records of " + networkIndexText(n) + " but some of " +
                                       networkIndexText(networks - 1));
        for (RecordSet set : sets) {
            const std::map<int, std::string>& epochs = epochsOf[n][set];
            int expected = 0;
            for (const auto& [epoch, firstRow] : epochs) {
                if (epoch != expected)
                    throw InputError(path, firstRow + ": " + networkIndexText(n) + " has " + recordSetName(set) +
                                               " records of epoch " + std::to_string(epoch) + " but none of epoch " +
                                               std::to_string(expected) + " (epochs count from 0)");
                ++expected;
            }
            if (set == RecordSet::Train)
                epochsDone[std::size_t(n)] = expected;
            else if (expected != epochsDone[std::size_t(n)])
                throw InputError(path, networkIndexText(n) + " has train records of epochs " +
                                           epochRange(epochsOf[n][RecordSet::Train]) + " but " + recordSetName(set) +
                                           " records of epochs " + epochRange(epochs) +
                                           " (every epoch needs the records of each split)");
        }
    }

    // The run's images: those with records, in dataset order.
    std::vector<bool> used[2] = {std::vector<bool>(splitSize[0], false), std::vector<bool>(splitSize[1], false)};
    for (const auto& [key, g] : groups) {
        std::vector<bool>& u = used[int(recordSetSplit(std::get<2>(key)))];
        for (std::size_t p = 0; p < g.present.size(); ++p)
            if (g.present[p])
                u[p] = true;
    }
    std::vector<std::size_t> positions[2];
    for (int s = 0; s < 2; ++s)
        for (std::size_t p = 0; p < splitSize[s]; ++p)
            if (used[s][p])
                positions[s].push_back(p);
    for (const auto& [key, g] : groups) {
        const int s = int(recordSetSplit(std::get<2>(key)));
        if (g.count == positions[s].size())
            continue;
        std::size_t missing = 0;
        while (g.present[positions[s][missing]])
            ++missing;
        std::size_t image = 0;
        for (std::size_t i = 0; i < dataset.size(); ++i)
            if (int(dataset.split(i)) == s && positionInSplit[i] == positions[s][missing])
                image = i;
        throw InputError(path, networkIndexText(std::get<0>(key)) + ", epoch " +
                                   std::to_string(std::get<1>(key)) + ", " + recordSetName(std::get<2>(key)) +
                                   " (from " + g.firstRow + "): no record of key '" + dataset.key(image) +
                                   "', which other epochs have (" + std::to_string(positions[s].size() - g.count) +
                                   " missing)");
    }
    if (positions[int(Split::Train)].empty() || positions[int(Split::Test)].empty())
        throw InputError(path, std::string("has no ") + (positions[int(Split::Train)].empty() ? "train" : "test") +
                                   " records (a run needs both splits)");

    std::vector<std::size_t> images;
    for (std::size_t i = 0; i < dataset.size(); ++i)
        if (used[int(dataset.split(i))][positionInSplit[i]])
            images.push_back(i);
    Dataset runImages = images.size() == dataset.size() ? dataset : dataset.select(images);
    runImages.source = dataset.source;
    std::vector<std::int32_t> labels(runImages.size());
    for (std::size_t i = 0; i < runImages.size(); ++i)
        labels[i] = runImages.label(i);

    int epochs = 0;
    for (int e : epochsDone)
        epochs = std::max(epochs, e);
    result.networks = networks;
    result.epochs = epochs;
    result.trainImages = positions[int(Split::Train)].size();
    result.testImages = positions[int(Split::Test)].size();

    // Only what is known about the training; the rest of a configuration would be made up.
    nlohmann::json config = {
        {"dataset", datasetSpec},
        {"limit_train", result.trainImages < splitSize[int(Split::Train)] ? result.trainImages : 0},
        {"limit_test", result.testImages < splitSize[int(Split::Test)] ? result.testImages : 0},
        {"multilabel", multiLabel},
        {"architecture", import.architecture},
        {"networks", networks},
        {"epochs", std::max(epochs, import.plannedEpochs)},
        {"eval_train", evalTrain},
    };
    RunShape shape;
    shape.networks = networks;
    shape.epochs = std::max(epochs, import.plannedEpochs);
    shape.classes = classes;
    shape.multiLabel = multiLabel;
    shape.evalTrain = evalTrain;
    std::map<std::string, std::string> provenance;
    provenance["program"] = std::string("OrderLens ") + ORDERLENS_VERSION;
    provenance["training"] = "imported";
    provenance["imported_from"] = fs::absolute(path).string();

    // One epoch's records of the run's images, in the run's order, and its accuracies.
    auto epochRecords = [&](int n, int e, EpochSummary& summary) {
        std::map<RecordSet, SplitRecords> records;
        summary.trainLoss = summary.testLoss = summary.learningRate = std::numeric_limits<double>::quiet_NaN();
        for (RecordSet set : sets) {
            const SplitRecords& all = groups.at({n, e, set}).records;
            const std::vector<std::size_t>& pos = positions[int(recordSetSplit(set))];
            SplitRecords& out = records[set];
            std::size_t correct = 0;
            for (std::size_t p : pos) {
                out.correct.push_back(all.correct[p]);
                out.predicted.push_back(all.predicted[p]);
                out.pTrue.push_back(all.pTrue[p]);
                out.margin.push_back(all.margin[p]);
                correct += all.correct[p];
            }
            const double accuracy = double(correct) / double(pos.size());
            if (set == RecordSet::Train)
                summary.trainAccuracy = accuracy;
            else if (set == RecordSet::Test)
                summary.testAccuracy = accuracy;
        }
        return records;
    };
    // Written beside the target and renamed into place, so a failure leaves no half-imported run.
    replaceFile(
        import.runPath,
        [&](const std::string& tmp) {
            std::error_code ec;
            try {
                RunFile::create(tmp, config.dump(), runImages, labels, shape, provenance);
                RunWriter writer(tmp);
                for (int n = 0; n < networks; ++n)
                    for (int e = 0; e < epochsDone[std::size_t(n)]; ++e) {
                        EpochSummary summary;
                        const std::map<RecordSet, SplitRecords> records = epochRecords(n, e, summary);
                        for (RecordSet set : sets)
                            groups.erase({n, e, set});
                        writer.appendEpoch(n, e, records, summary);
                    }
            } catch (...) {
                fs::remove(RunFile::statisticsPathFor(tmp), ec);
                throw;
            }
            // Statistics beside the run this import replaces describe other records.
            fs::remove(RunFile::statisticsPathFor(import.runPath), ec);
        },
        ".importing");
    return result;
}

}  // namespace orderlens
