#include "statistics/HumanUncertainty.h"

#include "common/Errors.h"
#include "dataset/NumberedKeys.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <unordered_map>

namespace orderlens {

namespace {

// NumPy's sum over a short contiguous row: eight partial sums combined pairwise, then the
// rest in order (numpy's pairwise_sum); shorter rows in order.
template <typename T>
T numpyRowSum(const T* v, std::size_t n)
{
    if (n < 8) {
        T s = 0;
        for (std::size_t i = 0; i < n; ++i)
            s += v[i];
        return s;
    }
    T r[8];
    for (int j = 0; j < 8; ++j)
        r[j] = v[j];
    std::size_t i = 8;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; ++j)
            r[j] += v[i + std::size_t(j)];
    T s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i)
        s += v[i];
    return s;
}

template <typename T>
double rowEntropy(const NpyMatrix& m, std::size_t row)
{
    std::vector<T> terms(m.cols);
    const T eps = T(kHumanUncertaintyEpsilon);
    for (std::size_t c = 0; c < m.cols; ++c) {
        const T p = T(m.values[row * m.cols + c]);
        terms[c] = p * std::log2(std::min(T(p + eps), T(1)));
    }
    return -double(numpyRowSum(terms.data(), terms.size()));
}

}  // namespace

double humanUncertainty(const NpyMatrix& probabilities, std::size_t row)
{
    return probabilities.singlePrecision ? rowEntropy<float>(probabilities, row)
                                         : rowEntropy<double>(probabilities, row);
}

NpyMatrix readCifar10h(const std::string& npyPath)
{
    NpyMatrix m = readNpyMatrix(npyPath);
    if (m.rows != kCifar10hRows || m.cols != kCifar10hClasses)
        throw InputError(npyPath, "has shape (" + std::to_string(m.rows) + ", " + std::to_string(m.cols) +
                                      "); CIFAR-10H probabilities are (10000, 10)");
    return m;
}

void checkCifar10h(const std::string& npyPath)
{
    struct Verdict {
        std::uintmax_t size = 0;
        std::filesystem::file_time_type modified;
        std::exception_ptr failure;  // null: a good file
    };
    static std::mutex mutex;
    static std::map<std::string, Verdict> verdicts;
    std::error_code sizeError, timeError;
    const std::uintmax_t size = std::filesystem::file_size(npyPath, sizeError);
    const auto modified = std::filesystem::last_write_time(npyPath, timeError);
    if (sizeError || timeError) {
        readCifar10h(npyPath);  // names what is wrong with the path
        return;
    }
    {
        const std::lock_guard<std::mutex> lock(mutex);
        const auto it = verdicts.find(npyPath);
        if (it != verdicts.end() && it->second.size == size && it->second.modified == modified) {
            if (it->second.failure)
                std::rethrow_exception(it->second.failure);
            return;
        }
    }
    Verdict verdict{size, modified, nullptr};
    try {
        readCifar10h(npyPath);
    } catch (const Error&) {
        verdict.failure = std::current_exception();
    }
    {
        const std::lock_guard<std::mutex> lock(mutex);
        verdicts[npyPath] = verdict;
    }
    if (verdict.failure)
        std::rethrow_exception(verdict.failure);
}

std::vector<double> importCifar10h(const std::string& npyPath, const Dataset& dataset)
{
    if (dataset.name != "cifar10")
        throw ConfigError("CIFAR-10H human uncertainty applies to the CIFAR-10 test set, not to dataset '" +
                          dataset.name + "' (" + dataset.source + ")");
    const NpyMatrix m = readCifar10h(npyPath);
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < dataset.size(); ++i)
        if (dataset.split(i) == Split::Test)
            index.emplace(dataset.key(i), i);
    std::vector<double> out(dataset.size(), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t row = 0; row < m.rows; ++row) {
        const auto it = index.find(numberedKey(Split::Test, row));
        if (it != index.end())
            out[it->second] = humanUncertainty(m, row);
    }
    return out;
}

}  // namespace orderlens
