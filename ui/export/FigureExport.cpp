#include "export/FigureExport.h"

#include "common/Errors.h"
#include "export/SaveTarget.h"

#include <qcustomplot.h>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>

#include <algorithm>
#include <cmath>

namespace orderlens::ui {

namespace {
// Qt lays widgets out at 96 logical pixels per inch; vector output uses 72 points per inch.
constexpr double kLogicalDpi = FigureSize::kLogicalPerInch;
constexpr double kPointsPerInch = 72.0;
// The format chosen last, offered first next time (QSettings).
constexpr const char* kFormatKey = "export/figure_format";
}  // namespace

FigureFormat figureFormatFor(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == "png")
        return FigureFormat::Png;
    if (suffix == "svg")
        return FigureFormat::Svg;
    if (suffix == "pdf")
        return FigureFormat::Pdf;
    throw ConfigError(path.toStdString() + ": figures are written as .png, .svg or .pdf");
}

QImage renderFigure(QCustomPlot* plot, const FigureSize& size)
{
    const int w = int(std::lround(size.widthInches * kLogicalDpi));
    const int h = int(std::lround(size.heightInches * kLogicalDpi));
    // The scale that makes the width exactly width x dpi pixels (the height rounds at that scale).
    const double pixels = std::round(size.widthInches * size.dpi);
    QImage image = plot->toPixmap(w, h, pixels / w).toImage();
    const int dotsPerMeter = int(std::lround(size.dpi / 0.0254));
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
    return image;
}

QString exportFigureFile(QCustomPlot* plot, const QString& path, const FigureSize& size)
{
    const FigureFormat format = figureFormatFor(path);
    if (size.widthInches <= 0 || size.heightInches <= 0 || size.dpi <= 0)
        throw ConfigError("a figure needs a positive width, height and resolution");
    const QFileInfo info(path);
    if (!info.absoluteDir().exists())
        throw InputError(path.toStdString(), "the folder does not exist");
    const QString base = info.absoluteDir().filePath(info.completeBaseName());
    // Raster output is laid out at Qt's logical 96 per inch and scaled to the dpi; vector output
    // is laid out in points, which PDF and SVG take as their unit.
    const double perInch = format == FigureFormat::Png ? kLogicalDpi : kPointsPerInch;
    const QSize logical(int(std::lround(size.widthInches * perInch)), int(std::lround(size.heightInches * perInch)));
    exportFigure(plot, base, {format}, logical, size.dpi);
    return base + "." + info.suffix().toLower();
}

void copyFigureToClipboard(QCustomPlot* plot, const FigureSize& size)
{
    QApplication::clipboard()->setImage(renderFigure(plot, size));
}

void installFigureMenu(QCustomPlot* plot, const std::function<QString()>& baseName)
{
    plot->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto* copy = new QAction(QObject::tr("Copy figure"), plot);
    auto* save = new QAction(QObject::tr("Export figure…"), plot);
    QObject::connect(copy, &QAction::triggered, plot, [plot] { copyFigureToClipboard(plot); });
    QObject::connect(save, &QAction::triggered, plot, [plot, baseName] {
        FigureExportDialog dialog(plot, baseName(), plot);
        dialog.exec();
    });
    plot->addAction(copy);
    plot->addAction(save);
}

FigureExportDialog::FigureExportDialog(QCustomPlot* plot, const QString& baseName, QWidget* parent)
    : QDialog(parent), plot_(plot)
{
    setWindowTitle(tr("Export figure"));
    const QString format = QSettings().value(kFormatKey, QStringLiteral("pdf")).toString();
    path_ = new QLineEdit(QDir::current().filePath(baseName + "." + format));
    auto* browse = new QPushButton(tr("Browse…"));
    format_ = new QComboBox;
    format_->addItem(tr("PDF (vector)"), "pdf");
    format_->addItem(tr("SVG (vector)"), "svg");
    format_->addItem(tr("PNG (raster)"), "png");
    width_ = new QDoubleSpinBox;
    height_ = new QDoubleSpinBox;
    for (QDoubleSpinBox* s : {width_, height_}) {
        s->setRange(1, 40);
        s->setDecimals(2);
        s->setSingleStep(0.1);
        s->setSuffix(tr(" in"));
    }
    dpi_ = new QSpinBox;
    dpi_->setRange(50, 1200);
    dpi_->setSuffix(tr(" dpi"));
    setSize({});
    format_->setCurrentIndex(std::max(0, format_->findData(format)));

    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(path_, 1);
    pathRow->addWidget(browse);
    auto* form = new QFormLayout(this);
    form->addRow(tr("File"), pathRow);
    form->addRow(tr("Format"), format_);
    form->addRow(tr("Width"), width_);
    form->addRow(tr("Height"), height_);
    form->addRow(tr("Resolution"), dpi_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
    auto* copy = buttons->addButton(tr("Copy to clipboard"), QDialogButtonBox::ActionRole);
    form->addRow(buttons);

    connect(browse, &QPushButton::clicked, this, &FigureExportDialog::browse);
    connect(format_, &QComboBox::currentIndexChanged, this, &FigureExportDialog::syncExtension);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (exportNow())
            accept();
    });
    connect(copy, &QPushButton::clicked, this, [this] {
        copyFigureToClipboard(plot_, size());
        accept();
    });
}

FigureSize FigureExportDialog::size() const { return {width_->value(), height_->value(), dpi_->value()}; }

QString FigureExportDialog::path() const { return path_->text(); }

void FigureExportDialog::setPath(const QString& path)
{
    path_->setText(path);
    const int i = format_->findData(QFileInfo(path).suffix().toLower());
    if (i >= 0) {
        const bool blocked = format_->blockSignals(true);
        format_->setCurrentIndex(i);
        format_->blockSignals(blocked);
    }
}

void FigureExportDialog::setSize(const FigureSize& size)
{
    width_->setValue(size.widthInches);
    height_->setValue(size.heightInches);
    dpi_->setValue(size.dpi);
}

void FigureExportDialog::syncExtension()
{
    const QFileInfo info(path_->text());
    path_->setText(info.dir().filePath(info.completeBaseName() + "." + format_->currentData().toString()));
}

void FigureExportDialog::browse()
{
    // Replacing an existing file is asked once, when the figure is written (exportNow).
    const QString chosen = QFileDialog::getSaveFileName(this, tr("Export figure"), path_->text(),
                                                        tr("Figures (*.pdf *.svg *.png)"), nullptr,
                                                        QFileDialog::DontConfirmOverwrite);
    if (!chosen.isEmpty())
        setPath(chosen);
}

bool FigureExportDialog::exportNow()
{
    try {
        // The file written is the path with its extension in lower case: that is the one to ask about.
        const QFileInfo info(path());
        figureFormatFor(path());
        const QString target = info.dir().filePath(info.completeBaseName() + "." + info.suffix().toLower());
        if (!confirmReplace(this, target))
            return false;
        const QString written = exportFigureFile(plot_, path(), size());
        QSettings().setValue(kFormatKey, QFileInfo(written).suffix());
        announceSaved(parentWidget() ? parentWidget() : this, tr("Figure"), written);
        return true;
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Export figure"), QString::fromUtf8(e.what()));
        return false;
    }
}

}  // namespace orderlens::ui
