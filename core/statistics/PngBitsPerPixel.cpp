#include "statistics/PngBitsPerPixel.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace orderlens {

std::string PngBitsPerPixel::parameterTag() const
{
    return "level=" + std::to_string(kPngCompressionLevel) + ";opencv=" + CV_VERSION;
}

void PngBitsPerPixel::compute(const ImageView& image, double* values, std::string&) const
{
    const cv::Mat view(image.height, image.width, image.channels == 1 ? CV_8UC1 : CV_8UC3,
                       const_cast<std::uint8_t*>(image.data));
    thread_local cv::Mat bgr;
    const cv::Mat* toWrite = &view;
    if (image.channels == 3) {
        cv::cvtColor(view, bgr, cv::COLOR_RGB2BGR);  // OpenCV writes BGR; keep the file's colours right
        toWrite = &bgr;
    }
    thread_local std::vector<uchar> png;
    cv::imencode(".png", *toWrite, png, {cv::IMWRITE_PNG_COMPRESSION, kPngCompressionLevel});
    values[0] = 8.0 * double(png.size()) / (double(image.height) * image.width);
}

}  // namespace orderlens
