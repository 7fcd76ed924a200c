// The spectral half of crisp boundary detection (CrispBoundaries.h): from pair affinities to the
// boundary map, as the 'speedy' preset does it (spectralPb_fast_custom, borderSuppress, getE).
#include "statistics/CrispBoundaries.h"

#include <Eigen/Dense>
#include <Eigen/Sparse>
#include <Spectra/MatOp/SparseSymMatProd.h>
#include <Spectra/MatOp/SymShiftInvert.h>
#include <Spectra/SymGEigsShiftSolver.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <random>

namespace orderlens::crisp {

namespace {

using SparseMatrix = Eigen::SparseMatrix<double>;

// The filter sigma, support and the sampling rates of the BSR toolbox's oeFilter, which the
// authors' spectralPb_fast_custom calls as oeFilter_custom(1, 3, theta, 1, 0).
constexpr double kFilterSigma = 1;
constexpr int kFilterSupport = 3;
constexpr int kFilterRate = 10;         // min(maxrate 10, floor(maxsamples 1000 / size))
constexpr int kFunctionOversampling = 10;
// Shift of the shift-and-invert Lanczos iteration, just below the spectrum (eigenvalues of the
// normalised cut lie in [0, 2], the smallest near 1e-10): at 0 the shifted matrix would be
// singular to rounding. The shift changes only how fast the iteration converges, not the answer.
constexpr double kShift = -1e-3;

// oeFilter(sigma 1, support 3, theta, first derivative): a 7 x 7 filter whose entry (a, b) sums a
// Gaussian times its derivative across the rotated axis, sampled on a 10x finer grid of points whose
// rounded x coordinate is a - 3 and y coordinate b - 3, then made zero-mean with unit L1 norm.
// MATLAB linspace endpoints and round-half-away-from-zero are kept so that the bins match.
std::array<double, 49> orientedFilter(double theta)
{
    constexpr int half = kFilterSupport * int(kFilterSigma);
    constexpr int size = 2 * half + 1;
    constexpr int samples = size * kFilterRate;
    const double r = double(size / 2) + 0.5 * (1.0 - 1.0 / kFilterRate);
    auto linspace = [](double lo, double hi, int n, int i) {
        return i == n - 1 ? hi : lo + double(i) * ((hi - lo) / double(n - 1));
    };
    const double R = r * std::sqrt(2.0) * 1.01;
    int fsamples = int(std::ceil(R * kFilterRate * kFunctionOversampling));
    fsamples += (fsamples + 1) % 2;
    const double gap = 2 * R / double(fsamples - 1);
    std::vector<double> fx(static_cast<std::size_t>(fsamples)), fy(static_cast<std::size_t>(fsamples));
    for (int i = 0; i < fsamples; ++i) {
        const double t = linspace(-R, R, fsamples, i);
        fx[std::size_t(i)] = std::exp(-t * t / (2 * kFilterSigma * kFilterSigma));
        fy[std::size_t(i)] = fx[std::size_t(i)] * (-t / (kFilterSigma * kFilterSigma));
    }
    std::array<double, 49> f{};
    const double s = std::sin(theta), c = std::cos(theta);
    for (int i = 0; i < samples; ++i) {      // sy: the grid row
        for (int j = 0; j < samples; ++j) {  // sx: the grid column
            const double sx = linspace(-r, r, samples, j), sy = linspace(-r, r, samples, i);
            const int mx = int(std::round(sx)), my = int(std::round(sy));
            const double su = sx * s + sy * c, sv = sx * c - sy * s;
            const int xi = int(std::round(su / gap)) + fsamples / 2;
            const int yi = int(std::round(sv / gap)) + fsamples / 2;
            f[std::size_t((mx + half) + (my + half) * size)] += fx[std::size_t(xi)] * fy[std::size_t(yi)];
        }
    }
    // The bins were filled column-major (MATLAB's reshape): entry (row a, column b) is f[a + 7 b].
    double mean = 0;
    for (double v : f)
        mean += v;
    mean /= double(f.size());
    double l1 = 0;
    for (double& v : f) {
        v -= mean;
        l1 += std::abs(v);
    }
    if (l1 > 0)
        for (double& v : f)
            v /= l1;
    return f;
}

// conv2(padReflect(im, 3), f, 'same') cropped back: a true convolution (OpenCV's filter2D
// correlates, so with the flipped filter) with mirrored borders (BORDER_REFLECT repeats the edge
// pixel, as padReflect does); |response| * scale is added to `sum`.
void addFilterMagnitude(const cv::Mat& image, const cv::Mat& flippedFilter, double scale, cv::Mat& response,
                        cv::Mat& sum)
{
    cv::filter2D(image, response, CV_64F, flippedFilter, cv::Point(-1, -1), 0, cv::BORDER_REFLECT);
    sum += cv::abs(response) * scale;
}

// One step of ncuts_downsample3: keep the pixels at odd row and column (from 0), A_down =
// A(:, keep)' * B with B = A(:, keep) ./ (row sums + eps).
struct Decimation {
    SparseMatrix interpolation;  // B: all pixels x kept pixels
    SparseMatrix coarse;         // A_down
    int height = 0, width = 0;   // of the kept grid
};

Decimation decimate(const SparseMatrix& A, int height, int width)
{
    Decimation out;
    out.height = height / 2;
    out.width = width / 2;
    const Eigen::Index kept = Eigen::Index(out.height) * out.width;
    std::vector<Eigen::Triplet<double>> select;
    select.reserve(std::size_t(kept));
    for (int r = 0; r < out.height; ++r)
        for (int c = 0; c < out.width; ++c)
            select.emplace_back((2 * r + 1) * width + 2 * c + 1, r * out.width + c, 1.0);
    SparseMatrix S(A.rows(), kept);
    S.setFromTriplets(select.begin(), select.end());
    const SparseMatrix keepColumns = A * S;
    Eigen::VectorXd d = Eigen::VectorXd::Zero(A.rows());
    for (Eigen::Index k = 0; k < keepColumns.outerSize(); ++k)
        for (SparseMatrix::InnerIterator it(keepColumns, k); it; ++it)
            d[it.row()] += it.value();
    d.array() += std::numeric_limits<double>::epsilon();
    out.interpolation = d.cwiseInverse().asDiagonal() * keepColumns;
    out.coarse = SparseMatrix(keepColumns.transpose()) * out.interpolation;
    return out;
}

// ncuts2: the smallest generalized eigenpairs of ((D - A) + 1e-10 I) v = lambda D v, D the column
// sums of A, in increasing order of eigenvalue. Small problems (2 nvec >= n, where Octave's eigs
// also switches to a dense solver) are solved densely; large ones with Spectra's shift-and-invert
// Lanczos, whose eigenvectors are D-normalised as ARPACK's are.
void smallestEigenpairs(const SparseMatrix& A, int count, Eigen::VectorXd& values, Eigen::MatrixXd& vectors)
{
    const Eigen::Index n = A.rows();
    Eigen::VectorXd degree = Eigen::VectorXd::Zero(n);
    for (Eigen::Index k = 0; k < A.outerSize(); ++k)
        for (SparseMatrix::InnerIterator it(A, k); it; ++it)
            degree[it.col()] += it.value();
    if (2 * Eigen::Index(count) >= n) {
        Eigen::MatrixXd L = -Eigen::MatrixXd(A);
        L.diagonal() += degree + Eigen::VectorXd::Constant(n, kEigenRegulariser);
        const Eigen::MatrixXd D = degree.asDiagonal();
        const Eigen::GeneralizedSelfAdjointEigenSolver<Eigen::MatrixXd> solver(L, D);
        values = solver.eigenvalues().head(count);
        vectors = solver.eigenvectors().leftCols(count);
        // On this path Octave's eigs calls eig(A, B); A_down is symmetric only to rounding, so eig
        // takes LAPACK's general solver (dggev), which scales each eigenvector to a largest
        // component of magnitude 1. The whitening that follows is not scale-invariant, so the
        // scaling is reproduced.
        for (Eigen::Index k = 0; k < vectors.cols(); ++k) {
            const double largest = vectors.col(k).cwiseAbs().maxCoeff();
            if (largest > 0)
                vectors.col(k) /= largest;
        }
        return;
    }
    SparseMatrix L = -A;
    SparseMatrix identity(n, n);
    identity.setIdentity();
    SparseMatrix D(n, n);
    std::vector<Eigen::Triplet<double>> diagonal;
    for (Eigen::Index i = 0; i < n; ++i)
        diagonal.emplace_back(i, i, degree[i]);
    D.setFromTriplets(diagonal.begin(), diagonal.end());
    L += D + kEigenRegulariser * identity;
    using OpType = Spectra::SymShiftInvert<double, Eigen::Sparse, Eigen::Sparse>;
    using BOpType = Spectra::SparseSymMatProd<double>;
    OpType op(L, D);
    BOpType bop(D);
    const Eigen::Index ncv = std::min<Eigen::Index>(n, std::max<Eigen::Index>(2 * count + 1, 20));
    Spectra::SymGEigsShiftSolver<OpType, BOpType, Spectra::GEigsMode::ShiftInvert> solver(op, bop, count, ncv, kShift);
    solver.init();
    solver.compute(Spectra::SortRule::LargestMagn, 1000, 1e-10, Spectra::SortRule::SmallestAlge);
    values = solver.eigenvalues();
    vectors = solver.eigenvectors();
}

}  // namespace

std::vector<double> boundaryMap(int height, int width, const PixelPairs& pairs, const std::vector<double>& affinity,
                                std::uint64_t seed)
{
    const Eigen::Index n = Eigen::Index(height) * width;
    std::vector<Eigen::Triplet<double>> entries;
    entries.reserve(2 * pairs.size());
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        entries.emplace_back(pairs.first[i], pairs.second[i], affinity[i]);
        entries.emplace_back(pairs.second[i], pairs.first[i], affinity[i]);
    }
    SparseMatrix A(n, n);
    A.setFromTriplets(entries.begin(), entries.end());

    std::vector<SparseMatrix> interpolations;
    int h = height, w = width;
    for (int level = 0; level < kDownsamplings; ++level) {
        Decimation step = decimate(A, h, w);
        interpolations.push_back(std::move(step.interpolation));
        A = std::move(step.coarse);
        h = step.height;
        w = step.width;
    }
    if (A.rows() < 2)
        return {};
    const int count = int(std::min<Eigen::Index>(kEigenvectors, A.rows()));
    Eigen::VectorXd lambda;
    Eigen::MatrixXd vectors;
    smallestEigenpairs(A, count, lambda, vectors);
    for (auto it = interpolations.rbegin(); it != interpolations.rend(); ++it)
        vectors = (*it) * vectors;

    // whiten(EV, 1, 0): centred, then X C^(-1/2) with C the covariance of (at most kWhitenRows
    // random) rows. The first eigenvector (the constant one, lambda ~ 0) never reaches E; it is left
    // out here, since whitening its rounding noise to unit variance only adds noise of 1e-10.
    const Eigen::Index used = count - 1;
    if (used < 1)
        return std::vector<double>(std::size_t(n), 0.0);
    Eigen::MatrixXd X = vectors.rightCols(used);
    X.rowwise() -= X.colwise().mean();
    Eigen::MatrixXd C;
    if (std::size_t(n) <= kWhitenRows) {
        C = X.transpose() * X / double(n);
    } else {
        std::mt19937_64 engine(seed);
        std::vector<Eigen::Index> rows;
        for (Eigen::Index i = 0; i < n; ++i)
            if (double(engine() >> 11) * 0x1.0p-53 <= double(kWhitenRows) / double(n))
                rows.push_back(i);
        Eigen::MatrixXd sub(Eigen::Index(rows.size()), used);
        for (std::size_t i = 0; i < rows.size(); ++i)
            sub.row(Eigen::Index(i)) = X.row(rows[i]);
        C = sub.transpose() * sub / double(std::max<std::size_t>(1, rows.size()));
    }
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> whitening(C);
    const Eigen::VectorXd inverseRoot = whitening.eigenvalues().cwiseMax(0).cwiseSqrt().cwiseInverse();
    const Eigen::MatrixXd map = whitening.eigenvectors() * inverseRoot.asDiagonal() * whitening.eigenvectors().transpose();
    const Eigen::MatrixXd white = X * map;

    // The filters do not depend on the image: built once (a thread-safe static).
    static const std::vector<cv::Mat> filters = [] {
        std::vector<cv::Mat> out;
        for (int o = 1; o <= kOrientations; ++o) {
            const std::array<double, 49> f = orientedFilter(M_PI / kOrientations * o);
            cv::Mat flipped(7, 7, CV_64F);
            for (int a = 0; a < 7; ++a)
                for (int b = 0; b < 7; ++b)
                    flipped.at<double>(6 - a, 6 - b) = f[std::size_t(a + 7 * b)];
            out.push_back(flipped);
        }
        return out;
    }();
    std::vector<cv::Mat> oriented(kOrientations);
    for (cv::Mat& m : oriented)
        m = cv::Mat::zeros(height, width, CV_64F);
    cv::Mat vec(height, width, CV_64F), response;
    for (Eigen::Index v = 0; v < used; ++v) {
        const double eigenvalue = lambda[v + 1];
        const double lo = white.col(v).minCoeff(), hi = white.col(v).maxCoeff();
        // A constant vector (a flat image) has no boundaries; MATLAB would divide 0 by 0 here.
        if (!(eigenvalue > 0) || !(hi > lo) || !std::isfinite(hi - lo))
            continue;
        double* dst = vec.ptr<double>(0);
        for (Eigen::Index i = 0; i < n; ++i)
            dst[i] = (white(i, v) - lo) / (hi - lo);
        for (int o = 0; o < kOrientations; ++o)
            addFilterMagnitude(vec, filters[std::size_t(o)], 1 / std::sqrt(eigenvalue), response,
                               oriented[std::size_t(o)]);
    }

    // borderSuppress.m: responses parallel to a border and within 3 % of the height from it fade out.
    const int radius = int(std::ceil(0.03 * height));
    const double aspect = double(width) / double(height);
    auto m1 = [&](int r, int c) { return double(c + 1) > aspect * double(r + 1); };
    auto m2 = [&](int r, int c) { return m1(r, width - 1 - c); };
    auto squaredRatio = [&](int d) { return std::min((double(d) / radius) * (double(d) / radius), 1.0); };
    auto vertical = [&](int r, int c) { return !m1(r, c) && m2(r, c) ? squaredRatio(c) : 1.0; };
    auto horizontal = [&](int r, int c) { return m1(r, c) && m2(r, c) ? squaredRatio(r) : 1.0; };
    std::array<double, kOrientations> cosine{}, sine{};
    for (int o = 0; o < kOrientations; ++o) {
        const double theta = M_PI / kOrientations * (o + 1);
        cosine[std::size_t(o)] = std::abs(std::cos(theta));
        sine[std::size_t(o)] = std::abs(std::sin(theta));
    }
    std::vector<double> E(std::size_t(n), 0.0);
    for (int r = 0; r < height; ++r)
        for (int c = 0; c < width; ++c) {
            const double vert = 1 - vertical(r, c) * vertical(r, width - 1 - c);
            const double hort = 1 - horizontal(r, c) * horizontal(height - 1 - r, c);
            double best = 0;
            for (std::size_t o = 0; o < std::size_t(kOrientations); ++o) {
                const double keep = 1 - (cosine[o] * hort + sine[o] * vert);
                best = std::max(best, keep * oriented[o].at<double>(r, c));
            }
            E[std::size_t(r) * width + c] = best;
        }
    return E;
}

}  // namespace orderlens::crisp
