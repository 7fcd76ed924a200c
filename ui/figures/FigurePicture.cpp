#include "figures/FigurePicture.h"

#include "common/Errors.h"
#include "io/AtomicFile.h"

#include <QFileInfo>
#include <QImage>
#include <QImageWriter>
#include <QPageLayout>
#include <QPageSize>
#include <QPdfWriter>
#include <QStorageInfo>
#include <QSvgGenerator>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace orderlens::ui {

namespace {

// Qt lays widgets out at 96 logical pixels per inch; PNG resolutions are given against it.
constexpr double kLogicalDpi = 96.0;

// Below this much free space, a failed write is put down to the full disk.
constexpr qint64 kNearlyFullBytes = 1 << 20;

// Qt's image and PDF writers report a failed write without the system's reason; the one users
// can fix without guessing, a full disk, is named from the free space left.
void ensureWritten(const QString& written, bool ok, const QString& figure)
{
    if (ok && QFileInfo(written).size() > 0)
        return;
    const QStorageInfo disk(QFileInfo(figure).absolutePath());
    if (disk.isValid() && disk.bytesAvailable() < kNearlyFullBytes)
        throw InputError(figure.toStdString(), "could not write the figure: no space left on the device (" +
                                                   std::to_string(disk.bytesAvailable() / 1024) + " kB free)");
    throw InputError(figure.toStdString(), "could not write the figure (folder missing? permissions?)");
}

void setResolution(QImage& image, int dpi)
{
    const int dotsPerMeter = int(std::lround(dpi / 0.0254));
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
}

}  // namespace

FigurePicture FigurePicture::record(QCustomPlot* plot, QSize logicalSize)
{
    FigurePicture f;
    f.size_ = logicalSize;
    QCPPainter painter;
    if (!painter.begin(&f.picture_))
        throw InputError("figure", "could not record the figure's drawing");
    // Not pmVectorized: in that mode a colour map draws through a QPixmap, which could not be
    // replayed off the GUI thread; its map image is recorded as a QImage instead.
    painter.setMode(QCPPainter::pmNoCaching);
    painter.setMode(QCPPainter::pmNonCosmetic);
    plot->toPainter(&painter, logicalSize.width(), logicalSize.height());
    painter.end();
    return f;
}

void FigurePicture::paint(QPainter& painter, const QRectF& target)
{
    if (isNull())
        return;
    const double scale = std::min(target.width() / size_.width(), target.height() / size_.height());
    painter.save();
    painter.translate(target.topLeft() + QPointF((target.width() - size_.width() * scale) / 2, 0));
    painter.scale(scale, scale);
    painter.drawPicture(0, 0, picture_);
    painter.restore();
}

QString FigurePicture::fileFor(const QString& base, FigureFormat format)
{
    switch (format) {
    case FigureFormat::Png:
        return base + QStringLiteral(".png");
    case FigureFormat::Svg:
        return base + QStringLiteral(".svg");
    case FigureFormat::Pdf:
        break;
    }
    return base + QStringLiteral(".pdf");
}

void FigurePicture::write(const QString& base, const std::vector<FigureFormat>& formats, int dpi)
{
    const QString name = QFileInfo(base).fileName();
    // Each file is drawn under a temporary name and renamed when complete: a full disk or a
    // failed write leaves no half-drawn figure.
    for (FigureFormat format : formats) {
        const QString path = fileFor(base, format);
        replaceFile(path.toStdString(), [&](const std::string& tmp) {
            const QString file = QString::fromStdString(tmp);
            bool ok = false;
            switch (format) {
            case FigureFormat::Png: {
                const double scale = dpi / kLogicalDpi;
                QImage image(int(std::lround(scale * size_.width())), int(std::lround(scale * size_.height())),
                             QImage::Format_ARGB32_Premultiplied);
                image.fill(Qt::white);
                // Text is laid out at the resolution the figure was recorded at, then scaled.
                setResolution(image, picture_.logicalDpiX());
                {
                    QPainter painter(&image);
                    painter.scale(scale, scale);
                    painter.drawPicture(0, 0, picture_);
                }
                setResolution(image, dpi);
                QImageWriter writer(file, "png");
                ok = writer.write(image);
                break;
            }
            case FigureFormat::Svg: {
                QSvgGenerator svg;
                svg.setFileName(file);
                svg.setSize(size_);
                svg.setViewBox(QRect(QPoint(0, 0), size_));
                svg.setTitle(name);
                svg.setDescription(QStringLiteral("OrderLens figure"));
                QPainter painter;
                ok = painter.begin(&svg);
                if (ok) {
                    painter.drawPicture(0, 0, picture_);
                    ok = painter.end();
                }
                break;
            }
            case FigureFormat::Pdf: {
                QPdfWriter pdf(file);
                pdf.setCreator(QStringLiteral("OrderLens"));
                pdf.setTitle(name);
                // Text is laid out at the resolution the figure was recorded at; the window below
                // then scales everything to the page.
                pdf.setResolution(picture_.logicalDpiX());
                // The page is the figure's logical size in points, with no margin.
                pdf.setPageLayout(QPageLayout(QPageSize(size_, QPageSize::Point, QString(), QPageSize::ExactMatch),
                                              QPageLayout::Portrait, QMarginsF(0, 0, 0, 0)));
                QPainter painter;
                ok = painter.begin(&pdf);
                if (ok) {
                    painter.setWindow(QRect(QPoint(0, 0), size_));
                    painter.drawPicture(0, 0, picture_);
                    ok = painter.end();
                }
                break;
            }
            }
            ensureWritten(file, ok, path);
        });
    }
}

void exportFigure(QCustomPlot* plot, const QString& base, const std::vector<FigureFormat>& formats, QSize logicalSize,
                  int dpi)
{
    FigurePicture::record(plot, logicalSize).write(base, formats, dpi);
}

}  // namespace orderlens::ui
