#pragma once

#include "figures/FigurePicture.h"
#include "figures/Figures.h"

#include <QDialog>
#include <QImage>
#include <QSizeF>
#include <QString>

#include <functional>

class QCustomPlot;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace orderlens::ui {

// A figure's physical size and raster resolution. The default is every figure file's size
// (kFigureLogicalSize at Qt's 96 per inch, kFigureDpi: figures/FigurePicture.h), so a figure
// exported here matches the report's and the monitor's.
struct FigureSize {
    static constexpr double kLogicalPerInch = 96.0;
    static constexpr double kDefaultWidthInches = kFigureLogicalSize.width() / kLogicalPerInch;
    static constexpr double kDefaultHeightInches = kFigureLogicalSize.height() / kLogicalPerInch;
    static constexpr int kDefaultDpi = kFigureDpi;
    double widthInches = kDefaultWidthInches;
    double heightInches = kDefaultHeightInches;
    int dpi = kDefaultDpi;  // PNG and clipboard only; SVG and PDF are vector
};

// By extension (.png, .svg, .pdf; case-insensitive); throws ConfigError for anything else.
FigureFormat figureFormatFor(const QString& path);

// Writes the plot to one file at that physical size, through the figure builders' exporter
// (figures/Figures.h): PNG of width x dpi pixels (with the DPI in its metadata), SVG and PDF laid
// out in points (1/72 in) so the page is exactly the chosen size, text kept as text. The file is
// `path` with its extension in lower case; returns that path. Throws InputError naming the file
// when it cannot be written.
QString exportFigureFile(QCustomPlot* plot, const QString& path, const FigureSize& size = {});
// The plot as a raster image at that size (what "copy figure" puts on the clipboard): exactly
// width x dpi pixels wide, the height within two pixels of height x dpi.
QImage renderFigure(QCustomPlot* plot, const FigureSize& size = {});
void copyFigureToClipboard(QCustomPlot* plot, const FigureSize& size = {});

// Gives the plot a right-click menu: "Copy figure" (default size) and "Export figure…" (the
// dialog below, suggesting `baseName` as the file name, evaluated when chosen).
void installFigureMenu(QCustomPlot* plot, const std::function<QString()>& baseName);

// Asks for the file, format, size and resolution, then exports (or copies) the plot.
class FigureExportDialog : public QDialog {
    Q_OBJECT
public:
    FigureExportDialog(QCustomPlot* plot, const QString& baseName, QWidget* parent = nullptr);

    FigureSize size() const;
    QString path() const;
    void setPath(const QString& path);
    void setSize(const FigureSize& size);
    // Exports to path() with size(); shows the problem and returns false on failure.
    bool exportNow();

private:
    void browse();
    void syncExtension();

    QCustomPlot* plot_;
    QLineEdit* path_ = nullptr;
    QComboBox* format_ = nullptr;
    QDoubleSpinBox* width_ = nullptr;
    QDoubleSpinBox* height_ = nullptr;
    QSpinBox* dpi_ = nullptr;
};

}  // namespace orderlens::ui
