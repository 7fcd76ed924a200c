#include "analysis/Correlation.h"

#include "common/Errors.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace orderlens {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// scipy.stats.kendalltau uses the exact null distribution up to this size (without ties).
constexpr std::size_t kKendallExactMaxN = 33;

struct Pairs {
    std::vector<double> x, y;
};

Pairs complete(const std::vector<double>& x, const std::vector<double>& y)
{
    if (x.size() != y.size())
        throw Error("correlation: the two columns have different lengths (" + std::to_string(x.size()) + " and " +
                    std::to_string(y.size()) + ")");
    Pairs p;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (!std::isnan(x[i]) && !std::isnan(y[i])) {
            p.x.push_back(x[i]);
            p.y.push_back(y[i]);
        }
    return p;
}

double weightedPearson(const std::vector<double>& x, const std::vector<double>& y, const std::vector<std::uint32_t>* w)
{
    double n = 0, mx = 0, my = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double wi = w ? (*w)[i] : 1.0;
        n += wi;
        mx += wi * x[i];
        my += wi * y[i];
    }
    if (n < 2)
        return kNaN;
    mx /= n;
    my /= n;
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double wi = w ? (*w)[i] : 1.0;
        const double dx = x[i] - mx, dy = y[i] - my;
        sxy += wi * dx * dy;
        sxx += wi * dx * dx;
        syy += wi * dy * dy;
    }
    if (sxx <= 0 || syy <= 0)
        return kNaN;
    return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

// Sum over tie groups of t(t-1)/2, t(t-1)(t-2) and t(t-1)(2t+5) (the tie terms of Kendall's
// variance), from a sorted sequence.
struct TieCounts {
    double pairs = 0, cubic = 0, variance = 0;
};

TieCounts tieCounts(const std::vector<double>& sorted)
{
    TieCounts t;
    for (std::size_t i = 0; i < sorted.size();) {
        std::size_t j = i + 1;
        while (j < sorted.size() && sorted[j] == sorted[i])
            ++j;
        const double c = double(j - i);
        if (c > 1) {
            t.pairs += c * (c - 1) / 2;
            t.cubic += c * (c - 1) * (c - 2);
            t.variance += c * (c - 1) * (2 * c + 5);
        }
        i = j;
    }
    return t;
}

// Merge sort that counts inversions (pairs i < j with v[i] > v[j]); equal values are not.
std::uint64_t sortCountingInversions(std::vector<double>& v, std::vector<double>& tmp, std::size_t lo, std::size_t hi)
{
    if (hi - lo < 2)
        return 0;
    const std::size_t mid = lo + (hi - lo) / 2;
    std::uint64_t inv = sortCountingInversions(v, tmp, lo, mid) + sortCountingInversions(v, tmp, mid, hi);
    std::size_t i = lo, j = mid, k = lo;
    while (i < mid && j < hi) {
        if (v[j] < v[i]) {
            inv += mid - i;
            tmp[k++] = v[j++];
        } else {
            tmp[k++] = v[i++];
        }
    }
    while (i < mid)
        tmp[k++] = v[i++];
    while (j < hi)
        tmp[k++] = v[j++];
    std::copy(tmp.begin() + std::ptrdiff_t(lo), tmp.begin() + std::ptrdiff_t(hi), v.begin() + std::ptrdiff_t(lo));
    return inv;
}

struct KendallCounts {
    double n = 0, tot = 0, xtie = 0, ytie = 0, s = 0;
    TieCounts xt, yt;
    std::uint64_t discordant = 0;
};

KendallCounts kendallCounts(const Pairs& p)
{
    KendallCounts k;
    const std::size_t n = p.x.size();
    k.n = double(n);
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return p.x[a] != p.x[b] ? p.x[a] < p.x[b] : p.y[a] < p.y[b];
    });
    std::vector<double> xs(n), ys(n);
    for (std::size_t i = 0; i < n; ++i) {
        xs[i] = p.x[order[i]];
        ys[i] = p.y[order[i]];
    }
    double jointTies = 0;
    for (std::size_t i = 0; i < n;) {
        std::size_t j = i + 1;
        while (j < n && xs[j] == xs[i] && ys[j] == ys[i])
            ++j;
        jointTies += double(j - i) * double(j - i - 1) / 2;
        i = j;
    }
    k.xt = tieCounts(xs);
    std::vector<double> tmp(n);
    k.discordant = sortCountingInversions(ys, tmp, 0, n);
    k.yt = tieCounts(ys);
    k.tot = k.n * (k.n - 1) / 2;
    k.xtie = k.xt.pairs;
    k.ytie = k.yt.pairs;
    k.s = k.tot - k.xtie - k.ytie + jointTies - 2 * double(k.discordant);
    return k;
}

double tauFromCounts(double s, double tot, double xtie, double ytie)
{
    const double denom = (tot - xtie) * (tot - ytie);
    if (denom <= 0)
        return kNaN;
    return std::clamp(s / std::sqrt(denom), -1.0, 1.0);
}

double tTestP(double r, double n)
{
    if (std::isnan(r) || n < 3)
        return kNaN;
    if (std::abs(r) >= 1)
        return 0.0;
    const double df = n - 2;
    return studentTTwoSidedP(r * std::sqrt(df / ((1 - r) * (1 + r))), df);
}

double kendallP(const KendallCounts& k, double tau)
{
    if (std::isnan(tau))
        return kNaN;
    const std::size_t n = std::size_t(k.n);
    if (k.xtie == 0 && k.ytie == 0 && n <= kKendallExactMaxN)
        return kendallExactP(n, k.discordant);
    const double m = k.n * (k.n - 1);
    const double var = (m * (2 * k.n + 5) - k.xt.variance - k.yt.variance) / 18 + (2 * k.xtie * k.ytie) / m +
                       k.xt.cubic * k.yt.cubic / (9 * m * (k.n - 2));
    if (var <= 0)
        return kNaN;
    return normalTwoSidedP(k.s / std::sqrt(var));
}

// Continued fraction of the incomplete beta function (modified Lentz's method).
double betaContinuedFraction(double a, double b, double x)
{
    constexpr int kMaxIterations = 500;
    constexpr double kEps = 1e-15, kTiny = 1e-300;
    const double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1, d = 1 - qab * x / qap;
    if (std::abs(d) < kTiny)
        d = kTiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= kMaxIterations; ++m) {
        const double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (std::abs(d) < kTiny)
            d = kTiny;
        c = 1 + aa / c;
        if (std::abs(c) < kTiny)
            c = kTiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (std::abs(d) < kTiny)
            d = kTiny;
        c = 1 + aa / c;
        if (std::abs(c) < kTiny)
            c = kTiny;
        d = 1 / d;
        const double del = d * c;
        h *= del;
        if (std::abs(del - 1) < kEps)
            break;
    }
    return h;
}

// Data prepared once for the bootstrap, laid out in (x, y) order with dense ranks and tie groups,
// so that a resample is a vector of multiplicities (how often each pair was drawn) and every
// coefficient of it is one or two sequential passes, with no sorting. All three coefficients are
// symmetric in x and y, so the side with fewer distinct values is put second: it indexes the
// Fenwick tree of the Kendall count, which then stays small.
struct BootstrapData {
    std::size_t n = 0;
    std::vector<double> x, y;
    std::vector<std::uint32_t> xRank, yRank;
    std::size_t xRanks = 0, yRanks = 0;

    static std::size_t denseRanks(const std::vector<double>& v, std::vector<std::uint32_t>& rank)
    {
        std::vector<std::size_t> order(v.size());
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
        rank.assign(v.size(), 0);
        std::size_t r = 0;
        for (std::size_t k = 0; k < order.size(); ++k) {
            if (k > 0 && v[order[k]] != v[order[k - 1]])
                ++r;
            rank[order[k]] = std::uint32_t(r);
        }
        return v.empty() ? 0 : r + 1;
    }

    explicit BootstrapData(const Pairs& p) : n(p.x.size())
    {
        std::vector<std::uint32_t> rx, ry;
        std::size_t kx = denseRanks(p.x, rx), ky = denseRanks(p.y, ry);
        const bool swap = ky > kx;
        const std::vector<double>& a = swap ? p.y : p.x;
        const std::vector<double>& b = swap ? p.x : p.y;
        if (swap) {
            std::swap(rx, ry);
            std::swap(kx, ky);
        }
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(),
                  [&](std::size_t i, std::size_t j) { return rx[i] != rx[j] ? rx[i] < rx[j] : ry[i] < ry[j]; });
        x.resize(n);
        y.resize(n);
        xRank.resize(n);
        yRank.resize(n);
        for (std::size_t k = 0; k < n; ++k) {
            x[k] = a[order[k]];
            y[k] = b[order[k]];
            xRank[k] = rx[order[k]];
            yRank[k] = ry[order[k]];
        }
        xRanks = kx;
        yRanks = ky;
    }

    // Scratch space for one resample.
    struct Work {
        std::vector<double> xWeight, yWeight, xMid, yMid, tree, addedAt;
    };

    void prepare(Work& s) const
    {
        s.xWeight.assign(xRanks, 0);
        s.yWeight.assign(yRanks, 0);
        s.xMid.resize(xRanks);
        s.yMid.resize(yRanks);
        s.tree.resize(yRanks);
        s.addedAt.resize(yRanks);
    }

    // The three coefficients of the resample with multiplicities w, in kCorrelationMethods order.
    std::array<double, 3> coefficients(const std::vector<std::uint32_t>& w, Work& s) const
    {
        std::fill(s.xWeight.begin(), s.xWeight.end(), 0.0);
        std::fill(s.yWeight.begin(), s.yWeight.end(), 0.0);
        for (std::size_t k = 0; k < n; ++k) {
            s.xWeight[xRank[k]] += w[k];
            s.yWeight[yRank[k]] += w[k];
        }
        // Average ranks of the resample: a tie group of total weight W after `before` items
        // ranks before + (W + 1) / 2.
        auto midRanks = [](const std::vector<double>& weight, std::vector<double>& mid) {
            double before = 0;
            for (std::size_t g = 0; g < weight.size(); ++g) {
                mid[g] = before + (weight[g] + 1) / 2;
                before += weight[g];
            }
        };
        midRanks(s.xWeight, s.xMid);
        midRanks(s.yWeight, s.yMid);
        double total = 0, sx = 0, sy = 0;
        for (std::size_t k = 0; k < n; ++k) {
            total += w[k];
            sx += w[k] * s.xMid[xRank[k]];
            sy += w[k] * s.yMid[yRank[k]];
        }
        const double mx = sx / total, my = sy / total;
        double sxy = 0, sxx = 0, syy = 0;
        for (std::size_t k = 0; k < n; ++k) {
            if (!w[k])
                continue;
            const double dx = s.xMid[xRank[k]] - mx, dy = s.yMid[yRank[k]] - my;
            sxy += w[k] * dx * dy;
            sxx += w[k] * dx * dx;
            syy += w[k] * dy * dy;
        }
        const double rho = sxx > 0 && syy > 0 ? std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0) : kNaN;

        // Kendall: walk the x groups in order; for each pair, the Fenwick tree holds the y ranks
        // of every earlier x group (Knight's counts, with multiplicities).
        std::fill(s.tree.begin(), s.tree.end(), 0.0);
        std::fill(s.addedAt.begin(), s.addedAt.end(), 0.0);
        const std::size_t size = s.tree.size();
        double con = 0, dis = 0, added = 0, xtie = 0;
        for (std::size_t i = 0; i < n;) {
            std::size_t j = i;
            double group = 0;
            for (; j < n && xRank[j] == xRank[i]; ++j) {
                if (!w[j])
                    continue;
                double below = 0;
                for (std::size_t r = yRank[j]; r > 0; r &= r - 1)
                    below += s.tree[r - 1];
                con += w[j] * below;
                dis += w[j] * (added - below - s.addedAt[yRank[j]]);
                group += w[j];
            }
            for (std::size_t k = i; k < j; ++k) {
                if (!w[k])
                    continue;
                for (std::size_t r = yRank[k] + 1; r <= size; r += r & (~r + 1))
                    s.tree[r - 1] += w[k];
                s.addedAt[yRank[k]] += w[k];
            }
            added += group;
            xtie += group * (group - 1) / 2;
            i = j;
        }
        double ytie = 0;
        for (double g : s.yWeight)
            ytie += g * (g - 1) / 2;
        const double tau = tauFromCounts(con - dis, total * (total - 1) / 2, xtie, ytie);
        return {rho, tau, weightedPearson(x, y, &w)};
    }
};

// A uniform index below n from a 64-bit draw (Lemire's multiply-shift): the same sequence on
// every platform, unlike std::uniform_int_distribution.
std::size_t drawIndex(std::mt19937_64& rng, std::size_t n)
{
    return std::size_t((static_cast<unsigned __int128>(rng()) * n) >> 64);
}

// numpy.percentile's default (linear interpolation between closest ranks).
double percentile(std::vector<double>& sorted, double q)
{
    if (sorted.empty())
        return kNaN;
    const double pos = q * double(sorted.size() - 1);
    const std::size_t lo = std::size_t(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (pos - double(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

const char* correlationMethodName(CorrelationMethod method)
{
    switch (method) {
    case CorrelationMethod::Spearman: return "spearman";
    case CorrelationMethod::Kendall: return "kendall";
    case CorrelationMethod::Pearson: return "pearson";
    }
    return "?";
}

std::vector<double> averageRanks(const std::vector<double>& values)
{
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
    std::vector<double> ranks(values.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i + 1;
        while (j < order.size() && values[order[j]] == values[order[i]])
            ++j;
        const double rank = (double(i + 1) + double(j)) / 2;
        for (std::size_t k = i; k < j; ++k)
            ranks[order[k]] = rank;
        i = j;
    }
    return ranks;
}

double pearsonR(const std::vector<double>& x, const std::vector<double>& y)
{
    const Pairs p = complete(x, y);
    return p.x.size() < 3 ? kNaN : weightedPearson(p.x, p.y, nullptr);
}

double spearmanRho(const std::vector<double>& x, const std::vector<double>& y)
{
    const Pairs p = complete(x, y);
    return p.x.size() < 3 ? kNaN : weightedPearson(averageRanks(p.x), averageRanks(p.y), nullptr);
}

double kendallTauB(const std::vector<double>& x, const std::vector<double>& y)
{
    const Pairs p = complete(x, y);
    if (p.x.size() < 3)
        return kNaN;
    const KendallCounts k = kendallCounts(p);
    return tauFromCounts(k.s, k.tot, k.xtie, k.ytie);
}

std::array<Correlation, 3> correlate(const std::vector<double>& x, const std::vector<double>& y,
                                     const CorrelationOptions& options)
{
    if (!(options.confidenceLevel > 0 && options.confidenceLevel < 1))
        throw ConfigError("the confidence level must be between 0 and 1");
    if (options.bootstrapResamples < 0)
        throw ConfigError("the number of bootstrap resamples cannot be negative");
    const Pairs p = complete(x, y);
    std::array<Correlation, 3> out;
    const std::size_t n = p.x.size();
    for (Correlation& c : out)
        c.n = n;
    if (n < 3)
        return out;

    const double rho = weightedPearson(averageRanks(p.x), averageRanks(p.y), nullptr);
    const KendallCounts k = kendallCounts(p);
    const double tau = tauFromCounts(k.s, k.tot, k.xtie, k.ytie);
    const double r = weightedPearson(p.x, p.y, nullptr);
    out[0].coefficient = rho;
    out[0].pValue = tTestP(rho, double(n));
    out[1].coefficient = tau;
    out[1].pValue = kendallP(k, tau);
    out[2].coefficient = r;
    out[2].pValue = tTestP(r, double(n));

    if (options.bootstrapResamples == 0 || (std::isnan(rho) && std::isnan(tau) && std::isnan(r)))
        return out;
    const BootstrapData data(p);
    BootstrapData::Work work;
    data.prepare(work);
    std::mt19937_64 rng(options.seed);
    std::vector<std::uint32_t> w(n);
    std::array<std::vector<double>, 3> samples;
    for (int b = 0; b < options.bootstrapResamples; ++b) {
        std::fill(w.begin(), w.end(), 0);
        for (std::size_t i = 0; i < n; ++i)
            ++w[drawIndex(rng, n)];
        const std::array<double, 3> values = data.coefficients(w, work);
        for (std::size_t m = 0; m < 3; ++m)
            if (!std::isnan(values[m]))
                samples[m].push_back(values[m]);
    }
    const double alpha = 1 - options.confidenceLevel;
    for (std::size_t m = 0; m < 3; ++m) {
        if (std::isnan(out[m].coefficient))
            continue;
        std::sort(samples[m].begin(), samples[m].end());
        out[m].ciLow = percentile(samples[m], alpha / 2);
        out[m].ciHigh = percentile(samples[m], 1 - alpha / 2);
    }
    return out;
}

Correlation correlate(CorrelationMethod method, const std::vector<double>& x, const std::vector<double>& y,
                      const CorrelationOptions& options)
{
    const auto all = correlate(x, y, options);
    return all[std::size_t(method)];
}

double regularizedIncompleteBeta(double a, double b, double x)
{
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    const double lnFront = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
    const double front = std::exp(lnFront);
    // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use symmetry otherwise.
    if (x < (a + 1) / (a + b + 2))
        return front * betaContinuedFraction(a, b, x) / a;
    return 1 - front * betaContinuedFraction(b, a, 1 - x) / b;
}

double studentTTwoSidedP(double t, double df)
{
    if (std::isnan(t) || !(df > 0))
        return kNaN;
    if (std::isinf(t))
        return 0;
    return std::clamp(regularizedIncompleteBeta(df / 2, 0.5, df / (df + t * t)), 0.0, 1.0);
}

double normalTwoSidedP(double z)
{
    if (std::isnan(z))
        return kNaN;
    return std::erfc(std::abs(z) / std::sqrt(2.0));
}

double kendallExactP(std::size_t n, std::uint64_t discordant)
{
    if (n < 2)
        return 1.0;
    const std::uint64_t pairs = std::uint64_t(n) * (n - 1) / 2;
    const std::uint64_t c = std::min(discordant, pairs - std::min(discordant, pairs));
    if (c <= 1) {
        // One permutation has no inversion, n - 1 have exactly one.
        const double count = c == 0 ? 1.0 : double(n);
        return std::min(1.0, 2 * std::exp(std::log(count) - std::lgamma(double(n) + 1)));
    }
    if (n > kKendallExactMaxN)
        throw Error("kendallExactP: exact distribution only up to n = 33");
    // Probability of k inversions in a random permutation (Mahonian numbers / n!), built up one
    // element at a time; only k <= c is needed.
    std::vector<double> prob(c + 1, 0.0), next(c + 1);
    prob[0] = 1;
    for (std::size_t m = 2; m <= n; ++m) {
        double window = 0;
        for (std::uint64_t k = 0; k <= c; ++k) {
            window += prob[k];
            if (k >= m)
                window -= prob[k - m];
            next[k] = window / double(m);
        }
        prob.swap(next);
    }
    double cumulative = 0;
    for (double v : prob)
        cumulative += v;
    return std::min(1.0, 2 * cumulative);
}

}  // namespace orderlens
