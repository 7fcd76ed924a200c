#include "DatasetFixtures.h"

#include <opencv2/imgcodecs.hpp>

#include <QProcess>
#include <QStringList>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace orderlens::test {

std::uint8_t gradientPixel(std::uint32_t seed, int x, int y, int c)
{
    return std::uint8_t((x * 3 + y * 5 + c * 60 + int(seed % 97) * 7) & 0xff);
}

void writeGradientImage(const std::string& path, int height, int width, std::uint32_t seed, bool grey)
{
    cv::Mat img(height, width, grey ? CV_8UC1 : CV_8UC3);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            if (grey) {
                img.at<std::uint8_t>(y, x) = gradientPixel(seed, x, y, 0);
                continue;
            }
            auto& p = img.at<cv::Vec3b>(y, x);  // OpenCV stores BGR
            p[0] = gradientPixel(seed, x, y, 2);
            p[1] = gradientPixel(seed, x, y, 1);
            p[2] = gradientPixel(seed, x, y, 0);
        }
    fs::create_directories(fs::path(path).parent_path());
    if (!cv::imwrite(path, img))
        throw std::runtime_error("cannot write " + path);
}

void writeUndecodableImage(const std::string& path, int height, int width)
{
    const std::string extension = fs::path(path).extension().string();
    const cv::Mat img(height, width, CV_8UC3, cv::Scalar(40, 120, 200));
    std::vector<std::uint8_t> encoded;
    if (!cv::imencode(extension, img, encoded))
        throw std::runtime_error("cannot encode a " + extension + " image");
    std::size_t headerBytes = 0;
    if (extension == ".png") {
        headerBytes = 33;  // signature (8) and IHDR (4 length, 4 type, 13 data, 4 CRC)
    } else if (extension == ".jpg" || extension == ".jpeg") {
        const std::uint8_t startOfScan[2] = {0xff, 0xda};
        headerBytes = std::size_t(std::search(encoded.begin(), encoded.end(), startOfScan, startOfScan + 2) -
                                  encoded.begin());
    }
    if (headerBytes == 0 || headerBytes >= encoded.size())
        throw std::runtime_error("no header to keep for " + path);
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(encoded.data()), std::streamsize(headerBytes));
    out << "these are not the image's compressed pixels";
    if (!out)
        throw std::runtime_error("cannot write " + path);
}

std::string vocAnnotationXml(const VocImageSpec& image)
{
    std::ostringstream x;
    x << "<annotation>\n"
      << "\t<folder>" << image.year << "</folder>\n"
      << "\t<filename>" << image.id << ".jpg</filename>\n"
      << "\t<source>\n\t\t<database>The " << image.year << " Database</database>\n\t</source>\n"
      << "\t<size>\n\t\t<width>" << image.width << "</width>\n\t\t<height>" << image.height
      << "</height>\n\t\t<depth>3</depth>\n\t</size>\n"
      << "\t<segmented>0</segmented>\n";
    for (const auto& o : image.objects) {
        x << "\t<object>\n"
          << "\t\t<name>" << o.name << "</name>\n"
          << "\t\t<pose>Unspecified</pose>\n"
          << "\t\t<truncated>0</truncated>\n"
          << "\t\t<difficult>" << (o.difficult ? 1 : 0) << "</difficult>\n"
          << "\t\t<bndbox>\n"
          << "\t\t\t<xmin>" << o.xmin << "</xmin>\n\t\t\t<ymin>" << o.ymin << "</ymin>\n"
          << "\t\t\t<xmax>" << o.xmax << "</xmax>\n\t\t\t<ymax>" << o.ymax << "</ymax>\n"
          << "\t\t</bndbox>\n"
          << "\t</object>\n";
    }
    x << "</annotation>\n";
    return x.str();
}

void writeVocTree(const std::string& dir, const std::vector<VocImageSpec>& images)
{
    std::map<fs::path, std::string> lists;
    std::uint32_t seed = 0;
    for (const auto& image : images) {
        const fs::path year = fs::path(dir) / image.year;
        fs::create_directories(year / "Annotations");
        fs::create_directories(year / "ImageSets" / "Main");
        std::ofstream(year / "Annotations" / (image.id + ".xml")) << vocAnnotationXml(image);
        writeGradientImage((year / "JPEGImages" / (image.id + ".jpg")).string(), image.height, image.width, ++seed);
        lists[year / "ImageSets" / "Main" / (image.set + ".txt")] += image.id + "\n";
    }
    for (const auto& [path, text] : lists)
        std::ofstream(path) << text;
}

std::vector<VocImageSpec> vocFixtureImages()
{
    // Classes by index: 1 bicycle, 6 car, 11 dog, 12 horse, 14 person, 19 tvmonitor.
    return {
        {"VOC2007", "000005", "trainval", 20, 40, {{"bicycle", 0, 0, 10, 10}, {"dog", 10, 5, 30, 15}}},
        {"VOC2007", "000007", "trainval", 30, 30, {{"car", 1, 1, 16, 11, true}}},
        {"VOC2007", "000009", "trainval", 25, 20, {{"person", 2, 3, 12, 8}, {"person", 4, 4, 6, 24}}},
        {"VOC2012", "2008_000008", "trainval", 24, 32, {{"horse", 0, 0, 32, 24}}},
        {"VOC2012", "2008_000015", "trainval", 16, 16, {{"tvmonitor", 2.5, 2, 6.5, 10}}},
        {"VOC2007", "000001", "test", 20, 20, {{"dog", 0, 0, 10, 10}, {"person", 5, 5, 10, 15, true}}},
        {"VOC2007", "000002", "test", 40, 20, {{"car", 0, 0, 20, 20}, {"car", 0, 20, 10, 40}}},
    };
}

std::string kthFileName(int classNo, char sample, int scale, int index)
{
    return std::to_string(classNo) + sample + "-scale_" + std::to_string(scale) + "_im_" + std::to_string(index) +
           "_col.png";
}

void writeKthTree(const std::string& dir, const std::vector<std::string>& classes,
                  const std::vector<std::pair<int, int>>& scaleIndex, int side)
{
    std::uint32_t seed = 0;
    for (std::size_t c = 0; c < classes.size(); ++c)
        for (char sample : {'a', 'b', 'c', 'd'})
            for (const auto& [scale, index] : scaleIndex) {
                const fs::path file = fs::path(dir) / classes[c] / (std::string("sample_") + sample) /
                                      kthFileName(int(c) + 1, sample, scale, index);
                writeGradientImage(file.string(), side, side, ++seed);
            }
}

void writeImageTree(const std::string& dir, const std::vector<FolderImageSpec>& images)
{
    std::uint32_t seed = 0;
    for (const auto& image : images)
        writeGradientImage((fs::path(dir) / image.path).string(), image.height, image.width, ++seed, image.grey);
}

CommandResult runCommand(const std::string& program, const std::vector<std::string>& args, int timeoutMs)
{
    QStringList list;
    for (const auto& a : args)
        list << QString::fromStdString(a);
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QString::fromStdString(program), list);
    CommandResult out;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        out.output = "timed out or failed to start: " + program;
        return out;
    }
    out.output = process.readAll().toStdString();
    out.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return out;
}

std::vector<std::string> tinyTrainingArgs(const std::string& datasetSpec, const std::string& runPath)
{
    return {"train",    "--dataset", datasetSpec, "--architecture", "net",   "--networks", "2",   "--epochs",
            "2",        "--input-size", "16",     "--batch-size",   "8",     "--lr",       "0.01", "--device",
            "cpu",      "--threads", "1",         "--seed",         "3",     "--run",      runPath, "--force"};
}

}  // namespace orderlens::test
