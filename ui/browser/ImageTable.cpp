#include "browser/ImageTable.h"

#include "analysis/LearningMeasures.h"

#include <array>
#include <cmath>
#include <cstring>

namespace orderlens::ui {

int ImageTable::columnIndex(const std::string& name) const
{
    for (std::size_t c = 0; c < columns.size(); ++c)
        if (columns[c].name == name)
            return int(c);
    return -1;
}

double sortValue(const ImageTable& table, const ImageSort& sort, std::size_t image)
{
    if (sort.column < 0) {
        const int e = table.learnedEpoch[image];
        return e == kNeverLearned ? std::numeric_limits<double>::infinity() : double(e);
    }
    return table.columns[std::size_t(sort.column)].values[image];
}

namespace {

bool passes(const ImageTable& table, const ImageFilter& f, std::size_t i)
{
    if (!f.only.empty() && (i >= f.only.size() || !f.only[i]))
        return false;
    if (!f.anySplit && table.splits[i] != f.split)
        return false;
    if (f.label >= 0 && table.labels[i] != f.label)
        return false;
    const int e = table.learnedEpoch[i];
    const bool never = e == kNeverLearned;
    if (f.learned == ImageFilter::Learned::Learned && never)
        return false;
    if (f.learned == ImageFilter::Learned::Never && !never)
        return false;
    if (f.epochRangeSet() && (never || e < f.minEpoch || e > f.maxEpoch))
        return false;
    if (f.column >= 0) {
        const double v = table.columns[std::size_t(f.column)].values[i];
        if (!(v >= f.minValue && v <= f.maxValue))  // NaN fails both
            return false;
    }
    return true;
}

// Maps a double to an unsigned integer with the same order (IEEE 754: flip every bit of a
// negative number, only the sign bit of a positive one).
std::uint64_t orderedBits(double v)
{
    if (v == 0)
        v = 0;  // -0 and +0 are equal keys
    std::uint64_t b;
    std::memcpy(&b, &v, sizeof b);
    return (b & 0x8000000000000000ull) ? ~b : (b | 0x8000000000000000ull);
}

// Stable LSD radix sort of `index` by `keys`, 16 bits a pass; passes whose digit is the same for
// every key (e.g. the high bits of small epoch numbers) are skipped.
void radixSort(std::vector<std::uint64_t>& keys, std::vector<std::uint32_t>& index)
{
    const std::size_t n = keys.size();
    std::vector<std::uint64_t> keys2(n);
    std::vector<std::uint32_t> index2(n);
    std::vector<std::uint32_t> count(1u << 16);
    for (int shift = 0; shift < 64; shift += 16) {
        std::fill(count.begin(), count.end(), 0u);
        for (std::uint64_t k : keys)
            ++count[(k >> shift) & 0xffffu];
        if (n == 0 || count[(keys[0] >> shift) & 0xffffu] == n)
            continue;
        std::uint32_t sum = 0;
        for (auto& c : count) {
            const std::uint32_t here = c;
            c = sum;
            sum += here;
        }
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint32_t to = count[(keys[i] >> shift) & 0xffffu]++;
            keys2[to] = keys[i];
            index2[to] = index[i];
        }
        keys.swap(keys2);
        index.swap(index2);
    }
}

}  // namespace

std::vector<std::uint32_t> orderImages(const ImageTable& table, const ImageFilter& filter, const ImageSort& sort)
{
    const std::size_t n = table.size();
    std::vector<std::uint32_t> index;
    std::vector<std::uint64_t> keys;
    std::vector<std::uint32_t> missing;
    index.reserve(n);
    keys.reserve(n);
    const bool byEpoch = sort.column < 0;
    const std::vector<double>* column = byEpoch ? nullptr : &table.columns[std::size_t(sort.column)].values;
    for (std::size_t i = 0; i < n; ++i) {
        if (!passes(table, filter, i))
            continue;
        std::uint64_t key;
        if (byEpoch) {
            const int e = table.learnedEpoch[i];
            // Epochs are small non-negative integers; never sorts after all of them.
            key = e == kNeverLearned ? std::numeric_limits<std::uint32_t>::max() : std::uint64_t(std::uint32_t(e));
        } else {
            const double v = (*column)[i];
            if (std::isnan(v)) {
                missing.push_back(std::uint32_t(i));
                continue;
            }
            key = orderedBits(v);
        }
        keys.push_back(sort.descending ? ~key : key);
        index.push_back(std::uint32_t(i));
    }
    radixSort(keys, index);
    index.insert(index.end(), missing.begin(), missing.end());
    return index;
}

}  // namespace orderlens::ui
