#include "statistics/EdgeStrength.h"

#include "statistics/Luminance.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace orderlens {

void EdgeStrength::compute(const ImageView& image, double* values, std::string&) const
{
    thread_local std::vector<double> y;
    luminance(image, y);
    for (double& v : y)
        v /= 255.0;
    const cv::Mat lum(image.height, image.width, CV_64F, y.data());
    thread_local cv::Mat gx, gy;
    cv::Sobel(lum, gx, CV_64F, 1, 0, 3, 1.0, 0.0, cv::BORDER_REFLECT_101);
    cv::Sobel(lum, gy, CV_64F, 0, 1, 3, 1.0, 0.0, cv::BORDER_REFLECT_101);
    double sum = 0;
    for (int r = 0; r < image.height; ++r) {
        const double* dx = gx.ptr<double>(r);
        const double* dy = gy.ptr<double>(r);
        for (int c = 0; c < image.width; ++c)
            sum += std::sqrt(dx[c] * dx[c] + dy[c] * dy[c]);
    }
    values[0] = sum;
}

}  // namespace orderlens
