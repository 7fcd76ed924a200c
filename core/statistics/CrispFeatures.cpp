// Crisp boundaries' features (getFeatures.m of the study's code): per pixel, CIELAB colour and the
// local standard deviation of the principal components, at half resolution, decorrelated and
// scaled to [0, 1].

#include "statistics/CrispBoundaries.h"

#include <Eigen/Dense>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace orderlens::crisp {

namespace {

// MATLAB's mat2gray over the whole array: (v - min) / (max - min); a constant array is only
// clamped to [0, 1], as MATLAB does.
void scaleToUnit(std::vector<double>& v)
{
    if (v.empty())
        return;
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    const double a = *lo, b = *hi;
    if (b > a) {
        for (double& x : v)
            x = (x - a) / (b - a);
    } else {
        for (double& x : v)
            x = std::clamp(x, 0.0, 1.0);
    }
}

// MATLAB's princomp scores of an n x 3 pixel-major array (centred data on the principal axes, in
// order of decreasing variance), with its sign rule: the largest-magnitude element of each axis
// is positive.
void principalComponents(std::vector<double>& v)
{
    const std::size_t n = v.size() / 3;
    if (n == 0)
        return;
    Eigen::Vector3d mean = Eigen::Vector3d::Zero();
    for (std::size_t p = 0; p < n; ++p)
        for (int k = 0; k < 3; ++k)
            mean[k] += v[3 * p + k];
    mean /= double(n);
    Eigen::Matrix3d cov = Eigen::Matrix3d::Zero();
    for (std::size_t p = 0; p < n; ++p) {
        const Eigen::Vector3d x(v[3 * p] - mean[0], v[3 * p + 1] - mean[1], v[3 * p + 2] - mean[2]);
        cov += x * x.transpose();
    }
    const Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> solver(cov);
    Eigen::Matrix3d axes;
    for (int k = 0; k < 3; ++k)
        axes.col(k) = solver.eigenvectors().col(2 - k);  // decreasing variance
    for (int k = 0; k < 3; ++k) {
        int largest = 0;
        for (int i = 1; i < 3; ++i)
            if (std::abs(axes(i, k)) > std::abs(axes(largest, k)))
                largest = i;
        if (axes(largest, k) < 0)
            axes.col(k) = -axes.col(k);
    }
    for (std::size_t p = 0; p < n; ++p) {
        const Eigen::RowVector3d x(v[3 * p] - mean[0], v[3 * p + 1] - mean[1], v[3 * p + 2] - mean[2]);
        const Eigen::RowVector3d score = x * axes;
        for (int k = 0; k < 3; ++k)
            v[3 * p + k] = score[k];
    }
}

// Index i (any integer) of a line of n pixels mirrored with the edge pixel repeated
// (MATLAB's 'symmetric' padding: ...cba|abc...xyz|zyx...).
int mirrored(int i, int n)
{
    const int period = 2 * n;
    i %= period;
    if (i < 0)
        i += period;
    return i < n ? i : period - 1 - i;
}

// MATLAB's cubic interpolation kernel (a = -0.5).
double cubic(double x)
{
    const double a = std::abs(x);
    if (a <= 1)
        return 1.5 * a * a * a - 2.5 * a * a + 1;
    if (a <= 2)
        return -0.5 * a * a * a + 2.5 * a * a - 4 * a + 2;
    return 0;
}

// MATLAB's imresize(im, scale) with its defaults (bicubic; when shrinking the kernel is stretched
// by 1 / scale, which antialiases) along one dimension of an H x W x 3 map. OpenCV's resize has
// no antialiasing bicubic, so it cannot stand in.
FeatureMap resizeDimension(const FeatureMap& in, bool alongRows, double scale)
{
    const int n = alongRows ? in.height : in.width;
    const int m = int(std::ceil(double(n) * scale));
    const double width = scale < 1 ? 4.0 / scale : 4.0;
    const int taps = int(std::ceil(width)) + 2;
    std::vector<int> index(std::size_t(m) * taps);
    std::vector<double> weight(std::size_t(m) * taps);
    for (int x = 0; x < m; ++x) {
        const double u = double(x + 1) / scale + 0.5 * (1 - 1 / scale);
        const double left = std::floor(u - width / 2);
        double sum = 0;
        for (int t = 0; t < taps; ++t) {
            const double at = left + t;
            const double w = scale < 1 ? scale * cubic(scale * (u - at)) : cubic(u - at);
            weight[std::size_t(x) * taps + t] = w;
            index[std::size_t(x) * taps + t] = mirrored(int(at) - 1, n);
            sum += w;
        }
        for (int t = 0; t < taps; ++t)
            weight[std::size_t(x) * taps + t] /= sum;
    }
    FeatureMap out;
    out.height = alongRows ? m : in.height;
    out.width = alongRows ? in.width : m;
    out.values.assign(out.pixels() * 3, 0.0);
    for (int r = 0; r < out.height; ++r)
        for (int c = 0; c < out.width; ++c) {
            const int x = alongRows ? r : c;
            double* dst = &out.values[(std::size_t(r) * out.width + c) * 3];
            for (int t = 0; t < taps; ++t) {
                const double w = weight[std::size_t(x) * taps + t];
                const int i = index[std::size_t(x) * taps + t];
                const double* src = in.at(alongRows ? std::size_t(i) * in.width + c : std::size_t(r) * in.width + i);
                for (int k = 0; k < 3; ++k)
                    dst[k] += w * src[k];
            }
        }
    return out;
}

FeatureMap halfResolution(const FeatureMap& map)
{
    // MATLAB resizes the rows first when both scales are equal.
    return resizeDimension(resizeDimension(map, true, 0.5), false, 0.5);
}

// What getFeatures does after building a feature set: half resolution, PCA, mat2gray.
FeatureMap decorrelatedHalf(const FeatureMap& full)
{
    FeatureMap half = halfResolution(full);
    principalComponents(half.values);
    scaleToUnit(half.values);
    return half;
}

// CIELAB as MATLAB's applycform(im, makecform('srgb2lab')) computes it: the sRGB curve, the
// D50-adapted (Bradford) sRGB-to-XYZ matrix of the ICC sRGB profile and the D50 white. OpenCV's
// Lab uses the D65 white and would give other features.
void srgbToLab(const double* rgb, double* lab)
{
    static constexpr double kMatrix[3][3] = {{0.4360747, 0.3850649, 0.1430804},
                                             {0.2225045, 0.7168786, 0.0606169},
                                             {0.0139322, 0.0971045, 0.7141733}};
    static constexpr double kWhite[3] = {0.9642, 1.0, 0.8251};
    double linear[3];
    for (int k = 0; k < 3; ++k)
        linear[k] = rgb[k] > 0.04045 ? std::pow((rgb[k] + 0.055) / 1.055, 2.4) : rgb[k] / 12.92;
    double f[3];
    for (int k = 0; k < 3; ++k) {
        const double t =
            (kMatrix[k][0] * linear[0] + kMatrix[k][1] * linear[1] + kMatrix[k][2] * linear[2]) / kWhite[k];
        f[k] = t > 0.008856 ? std::cbrt(t) : 7.787 * t + 16.0 / 116.0;
    }
    lab[0] = 116 * f[1] - 16;
    lab[1] = 500 * (f[0] - f[1]);
    lab[2] = 200 * (f[1] - f[2]);
}

// MATLAB's stdfilt on each channel: sample standard deviation (n - 1) over the disk of radius 2
// (strel('disk', 2, 0): the 13 offsets with dy^2 + dx^2 <= 4), borders mirrored. Two passes, so a
// flat window gives exactly 0.
void localStandardDeviation(const FeatureMap& in, FeatureMap& out)
{
    std::vector<std::array<int, 2>> disk;
    for (int dy = -kVarianceDiskRadius; dy <= kVarianceDiskRadius; ++dy)
        for (int dx = -kVarianceDiskRadius; dx <= kVarianceDiskRadius; ++dx)
            if (dy * dy + dx * dx <= kVarianceDiskRadius * kVarianceDiskRadius)
                disk.push_back({dy, dx});
    const double n = double(disk.size());
    out.height = in.height;
    out.width = in.width;
    out.values.assign(in.values.size(), 0.0);
    std::vector<std::size_t> neighbours(disk.size());
    for (int r = 0; r < in.height; ++r)
        for (int c = 0; c < in.width; ++c) {
            for (std::size_t i = 0; i < disk.size(); ++i)
                neighbours[i] = std::size_t(mirrored(r + disk[i][0], in.height)) * in.width +
                                std::size_t(mirrored(c + disk[i][1], in.width));
            for (int k = 0; k < 3; ++k) {
                double sum = 0;
                for (std::size_t p : neighbours)
                    sum += in.values[3 * p + k];
                const double mean = sum / n;
                double squares = 0;
                for (std::size_t p : neighbours) {
                    const double d = in.values[3 * p + k] - mean;
                    squares += d * d;
                }
                out.values[(std::size_t(r) * in.width + c) * 3 + k] = std::sqrt(squares / (n - 1));
            }
        }
}

}  // namespace

Features features(const ImageView& image)
{
    FeatureMap rgb;
    rgb.height = image.height;
    rgb.width = image.width;
    rgb.values.resize(rgb.pixels() * 3);
    for (std::size_t p = 0; p < rgb.pixels(); ++p)
        for (int k = 0; k < 3; ++k)
            rgb.values[3 * p + k] = double(image.data[p * image.channels + (image.channels == 3 ? k : 0)]) / 255.0;

    Features out;
    FeatureMap lab = rgb;
    for (std::size_t p = 0; p < rgb.pixels(); ++p)
        srgbToLab(rgb.at(p), &lab.values[3 * p]);
    scaleToUnit(lab.values);
    out.colour = decorrelatedHalf(lab);

    FeatureMap pca = rgb;
    principalComponents(pca.values);
    FeatureMap deviation;
    localStandardDeviation(pca, deviation);
    for (double& v : deviation.values)
        v = std::sqrt(v);
    scaleToUnit(deviation.values);
    out.variance = decorrelatedHalf(deviation);
    return out;
}

}  // namespace orderlens::crisp
