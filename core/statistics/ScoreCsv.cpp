#include "statistics/ScoreCsv.h"

#include "common/Errors.h"
#include "io/CsvText.h"
#include "statistics/MetricTable.h"

#include <fstream>
#include <limits>
#include <unordered_map>

namespace orderlens {

namespace {

constexpr std::size_t kAmbiguous = std::numeric_limits<std::size_t>::max();

std::string fileName(const std::string& path)
{
    const std::size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string fileStem(const std::string& path)
{
    const std::string name = fileName(path);
    const std::size_t dot = name.find_last_of('.');
    return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

// Image names to dataset indices, by every rule the header documents.
class ImageNameIndex {
public:
    explicit ImageNameIndex(const Dataset& dataset)
    {
        for (std::size_t i = 0; i < dataset.size(); ++i) {
            keys_.emplace(dataset.key(i), i);
            note(names_, fileName(dataset.key(i)), i);
            note(stems_, fileStem(dataset.key(i)), i);
        }
    }

    // The image index, kAmbiguous when several images fit equally, or size_t(-2) for none.
    std::size_t find(std::string name) const
    {
        for (char& c : name)
            if (c == '\\')
                c = '/';
        if (auto it = keys_.find(name); it != keys_.end())
            return it->second;
        for (std::size_t slash = name.find('/'); slash != std::string::npos; slash = name.find('/', slash + 1))
            if (auto it = keys_.find(name.substr(slash + 1)); it != keys_.end())
                return it->second;
        if (auto it = names_.find(fileName(name)); it != names_.end())
            return it->second;
        if (auto it = stems_.find(fileStem(name)); it != stems_.end())
            return it->second;
        return kNone;
    }
    static constexpr std::size_t kNone = kAmbiguous - 1;

private:
    static void note(std::unordered_map<std::string, std::size_t>& map, const std::string& name, std::size_t i)
    {
        auto [it, inserted] = map.emplace(name, i);
        if (!inserted)
            it->second = kAmbiguous;
    }
    std::unordered_map<std::string, std::size_t> keys_, names_, stems_;
};

std::size_t columnIndex(const std::vector<std::string>& header, const std::string& name, const std::string& path)
{
    for (std::size_t c = 0; c < header.size(); ++c)
        if (header[c] == name)
            return c;
    throw InputError(path, "has no column '" + name + "' in its header");
}

}  // namespace

ScoreImport importScoreCsv(const std::string& path, const Dataset& dataset, const std::string& imageColumn,
                           const std::string& valueColumn)
{
    std::ifstream in(path);
    if (!in)
        throw InputError(path, "cannot open the file");
    ScoreImport out;
    out.values.assign(dataset.size(), std::numeric_limits<double>::quiet_NaN());
    const ImageNameIndex index(dataset);

    std::size_t nameAt = 0, valueAt = 1;
    const bool named = !imageColumn.empty() || !valueColumn.empty();
    std::string line;
    std::vector<std::string> fields;
    std::size_t lineNumber = 0;
    bool first = true;
    std::size_t unmatched = 0, ambiguous = 0, duplicates = 0;
    std::string firstUnmatched, firstAmbiguous, firstDuplicate;
    std::vector<bool> seen(dataset.size(), false);
    while (std::getline(in, line)) {
        ++lineNumber;
        if (line.empty() || line == "\r")
            continue;
        const std::string where = path + ":" + std::to_string(lineNumber);
        if (!splitCsvLine(line, fields))
            throw InputError(where, "a quoted field is not closed");
        if (first) {
            first = false;
            if (lineNumber == 1 && fields.size() && fields[0].rfind("\xEF\xBB\xBF", 0) == 0)
                fields[0].erase(0, 3);  // a UTF-8 byte order mark, as Excel writes
            if (named) {
                nameAt = columnIndex(fields, imageColumn.empty() ? fields.at(0) : imageColumn, path);
                valueAt = columnIndex(fields, valueColumn.empty() ? fields.at(fields.size() > 1 ? 1 : 0) : valueColumn,
                                      path);
                continue;
            }
            double probe;
            if (fields.size() >= 2 && !fields[1].empty() && !parseMetricText(fields[1], probe))
                continue;  // a header row
        }
        if (fields.size() <= std::max(nameAt, valueAt))
            throw InputError(where, "has " + std::to_string(fields.size()) + " columns, expected at least " +
                                        std::to_string(std::max(nameAt, valueAt) + 1) + " (image, value)");
        double value;
        if (!parseMetricText(fields[valueAt], value))
            throw InputError(where, "value '" + fields[valueAt] + "' is not a number");
        ++out.rows;
        const std::size_t i = index.find(fields[nameAt]);
        if (i == ImageNameIndex::kNone) {
            if (unmatched++ == 0)
                firstUnmatched = fields[nameAt];
            continue;
        }
        if (i == kAmbiguous) {
            if (ambiguous++ == 0)
                firstAmbiguous = fields[nameAt];
            continue;
        }
        if (seen[i] && duplicates++ == 0)
            firstDuplicate = fields[nameAt];
        seen[i] = true;
        out.values[i] = value;
        ++out.matched;
    }
    if (out.rows == 0)
        throw InputError(path, "has no data rows");
    if (unmatched)
        out.warnings.push_back(path + ": " + std::to_string(unmatched) + " of " + std::to_string(out.rows) +
                               " rows name no image of the dataset (e.g. '" + firstUnmatched + "')");
    if (ambiguous)
        out.warnings.push_back(path + ": " + std::to_string(ambiguous) + " rows name several images (e.g. '" +
                               firstAmbiguous + "'); give the image key or a longer path");
    if (duplicates)
        out.warnings.push_back(path + ": " + std::to_string(duplicates) + " images appear more than once (e.g. '" +
                               firstDuplicate + "'); the last value is kept");
    return out;
}

}  // namespace orderlens
