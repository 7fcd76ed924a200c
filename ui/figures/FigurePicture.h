#pragma once

#include <QPicture>
#include <QRectF>
#include <QSize>
#include <QString>

#include <vector>

class QCustomPlot;
class QPainter;

namespace orderlens::ui {

enum class FigureFormat { Png, Svg, Pdf };

// The size of every figure file unless the user chooses another (the report, `orderlens
// analyze`, the Analysis and Explore tabs and the monitor's figures alike): a full-width paper
// figure of 640 x 440 logical pixels (6.67 x 4.58 in at Qt's 96 per inch), PNG at 300 dpi
// (2000 x 1375 pixels).
constexpr QSize kFigureLogicalSize(640, 440);
constexpr int kFigureDpi = 300;

// A figure drawn once into the painting commands of its plot. QCustomPlot is a widget, so a plot
// is built and drawn on the GUI thread; replaying its commands into an image, an SVG or a PDF
// needs only QPainter, which works on any thread. That is how the report writes its figures in
// the background (report/ReportWriter.h), and every figure file goes through here.
//
// A picture is played by one thread at a time (QPicture's playback is not reentrant on one
// picture, nor on copies that share its data).
class FigurePicture {
public:
    FigurePicture() = default;
    // Draws `plot` laid out at `logicalSize` (GUI thread). Lines are recorded non-cosmetic, so
    // they scale with the output like the text does.
    static FigurePicture record(QCustomPlot* plot, QSize logicalSize);

    QSize size() const { return size_; }
    bool isNull() const { return size_.isEmpty(); }

    // Paints the figure scaled uniformly into `target`, centred horizontally, at its top.
    void paint(QPainter& painter, const QRectF& target);
    // Writes `base`.png / .svg / .pdf. PNG is rasterised at `dpi` (the logical size is taken at
    // 96 dpi) and records the dpi; SVG and PDF are vector, one logical unit per point. Each file
    // appears complete or not at all; throws InputError naming the file that could not be written.
    void write(const QString& base, const std::vector<FigureFormat>& formats, int dpi);
    // The file `base` gets for `format` (base + ".png", ...).
    static QString fileFor(const QString& base, FigureFormat format);

private:
    QPicture picture_;
    QSize size_;
};

// Records the plot (FigurePicture::record) and writes it (FigurePicture::write).
void exportFigure(QCustomPlot* plot, const QString& base, const std::vector<FigureFormat>& formats,
                  QSize logicalSize = kFigureLogicalSize, int dpi = kFigureDpi);

}  // namespace orderlens::ui
