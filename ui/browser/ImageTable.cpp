#include "browser/ImageTable.h"

#include "analysis/LearningMeasures.h"

#include <algorithm>
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

constexpr std::uint64_t kNeverKey = 0xffff;

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

struct Keyed {
    std::uint64_t key;
    std::uint32_t index;
};

// Stable LSD radix sort by key, 16 bits a pass, on the 32 bits below the highest bit in which the
// keys differ (two passes; small epoch numbers need no more). Keys that also differ further down
// (doubles) are then equal only in runs of a few, which a stable sort by the whole key finishes.
void radixSort(std::vector<Keyed>& items)
{
    const std::size_t n = items.size();
    if (n < 2)
        return;
    std::uint64_t varying = 0;
    for (const Keyed& k : items)
        varying |= k.key ^ items[0].key;
    if (!varying)
        return;
    const int top = 63 - __builtin_clzll(varying);
    const int low = std::max(0, top - 31);
    std::vector<Keyed> buffer(n);
    std::vector<std::uint32_t> count(1u << 16);
    for (int shift = low; shift <= top; shift += 16) {
        std::fill(count.begin(), count.end(), 0u);
        for (const Keyed& k : items)
            ++count[(k.key >> shift) & 0xffffu];
        std::uint32_t sum = 0;
        for (auto& c : count) {
            const std::uint32_t here = c;
            c = sum;
            sum += here;
        }
        for (const Keyed& k : items)
            buffer[count[(k.key >> shift) & 0xffffu]++] = k;
        items.swap(buffer);
    }
    if (low == 0)
        return;
    const std::uint64_t highMask = ~((std::uint64_t(1) << low) - 1);
    auto byKey = [](const Keyed& a, const Keyed& b) { return a.key < b.key; };
    for (std::size_t begin = 0; begin < n;) {
        std::size_t end = begin + 1;
        while (end < n && (items[end].key & highMask) == (items[begin].key & highMask))
            ++end;
        if (end - begin > 1)
            std::stable_sort(items.begin() + std::ptrdiff_t(begin), items.begin() + std::ptrdiff_t(end), byKey);
        begin = end;
    }
}

}  // namespace

std::vector<std::uint32_t> orderImages(const ImageTable& table, const ImageFilter& filter, const ImageSort& sort)
{
    const std::size_t n = table.size();
    std::vector<Keyed> items;
    std::vector<std::uint32_t> missing;
    items.reserve(n);
    const bool byEpoch = sort.column < 0;
    const std::vector<double>* column = byEpoch ? nullptr : &table.columns[std::size_t(sort.column)].values;
    for (std::size_t i = 0; i < n; ++i) {
        if (!passes(table, filter, i))
            continue;
        std::uint64_t key;
        if (byEpoch) {
            const int e = table.learnedEpoch[i];
            // Epochs are small non-negative integers; never sorts after all of them. Keeping the
            // keys within 16 bits lets the radix sort finish in one pass.
            key = e == kNeverLearned ? kNeverKey : std::uint64_t(std::min(e, int(kNeverKey) - 1));
        } else {
            const double v = (*column)[i];
            if (std::isnan(v)) {
                missing.push_back(std::uint32_t(i));
                continue;
            }
            key = orderedBits(v);
        }
        items.push_back({sort.descending ? ~key : key, std::uint32_t(i)});
    }
    radixSort(items);
    std::vector<std::uint32_t> index;
    index.reserve(items.size() + missing.size());
    for (const Keyed& k : items)
        index.push_back(k.index);
    index.insert(index.end(), missing.begin(), missing.end());
    return index;
}

}  // namespace orderlens::ui
