#pragma once

#include <QDialog>
#include <QImage>
#include <QSizeF>
#include <QString>

class QCustomPlot;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace orderlens::ui {

// A figure's physical size and raster resolution. The default is matplotlib's figure size
// (6.4 x 4.8 in) at a print resolution.
struct FigureSize {
    static constexpr double kDefaultWidthInches = 6.4;
    static constexpr double kDefaultHeightInches = 4.8;
    static constexpr int kDefaultDpi = 300;
    double widthInches = kDefaultWidthInches;
    double heightInches = kDefaultHeightInches;
    int dpi = kDefaultDpi;  // PNG and clipboard only; SVG and PDF are vector
};

enum class FigureFormat { Png, Svg, Pdf };
// By extension (.png, .svg, .pdf; case-insensitive); throws ConfigError for anything else.
FigureFormat figureFormatFor(const QString& path);

// Writes the plot at that size: PNG of width x dpi pixels (with the DPI in its metadata), SVG and
// PDF in points (1/72 in) with text kept as text. Throws InputError naming the file when it cannot
// be written.
void exportFigure(QCustomPlot* plot, const QString& path, const FigureSize& size = {});
// The plot as a raster image at that size (what "copy figure" puts on the clipboard).
QImage renderFigure(QCustomPlot* plot, const FigureSize& size = {});
void copyFigureToClipboard(QCustomPlot* plot, const FigureSize& size = {});

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
