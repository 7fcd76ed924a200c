#include "CrispReference.h"

#include "common/Errors.h"
#include "dataset/DatasetReader.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>

namespace orderlens::test {

CrispReferenceImages::CrispReferenceImages() : fashion_(loadDataset("fashion-mnist")), testIndex_(10000)
{
    for (std::size_t i = 0; i < fashion_.size(); ++i) {
        const std::string& key = fashion_.key(i);
        if (key.rfind("test/", 0) == 0)
            testIndex_[std::stoul(key.substr(5))] = i;
    }
}

std::uint8_t CrispReferenceImages::padded(std::size_t k, int r, int c) const
{
    if (r < 2 || r >= 30 || c < 2 || c >= 30)
        return 0;
    return fashion_.image(testIndex_[k]).data[(r - 2) * 28 + (c - 2)];
}

std::vector<std::uint8_t> CrispReferenceImages::image(int side, std::size_t k) const
{
    std::vector<std::uint8_t> rgb(std::size_t(side) * std::size_t(side) * 3);
    const std::size_t index = side == 64 ? k + 500 : k;
    const int repeat = side / 32;
    for (int r = 0; r < side; ++r)
        for (int c = 0; c < side; ++c)
            for (int ch = 0; ch < 3; ++ch) {
                const std::size_t source = index % 2 == 0 ? index : index + 1000 * std::size_t(ch);
                rgb[(std::size_t(r) * side + c) * 3 + ch] = padded(source, r / repeat, c / repeat);
            }
    return rgb;
}

std::string crispReferenceDirectory() { return std::string(ORDERLENS_SOURCE_DIR) + "/tests/reference/crisp/data/"; }

std::vector<std::vector<double>> readNumberCsv(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw InputError(path, "missing reference file");
    std::vector<std::vector<double>> rows;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || !(std::isdigit(static_cast<unsigned char>(line[0])) || line[0] == '-'))
            continue;
        std::vector<double> row;
        std::stringstream s(line);
        std::string cell;
        while (std::getline(s, cell, ','))
            row.push_back(std::stod(cell));
        rows.push_back(row);
    }
    return rows;
}

namespace {

std::vector<double> ranks(const std::vector<double>& v)
{
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]])
            ++j;
        for (std::size_t k = i; k <= j; ++k)
            r[order[k]] = double(i + j) / 2.0;
        i = j + 1;
    }
    return r;
}

}  // namespace

double spearman(const std::vector<double>& a, const std::vector<double>& b)
{
    const std::vector<double> x = ranks(a), y = ranks(b);
    const double mx = std::accumulate(x.begin(), x.end(), 0.0) / double(x.size());
    const double my = std::accumulate(y.begin(), y.end(), 0.0) / double(y.size());
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / std::sqrt(sxx * syy);
}

}  // namespace orderlens::test
