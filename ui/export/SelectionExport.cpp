#include "export/SelectionExport.h"

#include "analysis/AnalysisTables.h"
#include "analysis/LearningMeasures.h"
#include "browser/ImageBrowserModel.h"
#include "common/Errors.h"
#include "io/CsvText.h"

#include <QPainter>
#include <QSaveFile>

#include <cmath>

namespace orderlens::ui {

void writeSelectionCsv(const QString& path, const RunImages& run, const std::vector<std::uint32_t>& images,
                       const std::vector<int>& columns)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        throw InputError(path.toStdString(), "cannot write: " + file.errorString().toStdString());
    const auto& table = run.table().columns;
    std::string text = "key,split,class,learned_epoch";
    for (int c : columns)
        text += ',' + csvQuote(table[std::size_t(c)].name);
    text += '\n';
    for (std::uint32_t i : images) {
        const int e = run.table().learnedEpoch[i];
        text += csvQuote(run.key(i)) + ',' + splitName(run.split(i)) + ',' + csvQuote(run.className(i).toStdString()) +
                ',' + (e == kNeverLearned ? std::string("never") : std::to_string(e));
        for (int c : columns) {
            const double v = table[std::size_t(c)].values[i];
            text += ',' + (std::isnan(v) ? std::string() : QString::number(v, 'g', 12).toStdString());
        }
        text += '\n';
    }
    file.write(text.data(), qint64(text.size()));
    if (!file.commit())
        throw InputError(path.toStdString(), "cannot write: " + file.errorString().toStdString());
}

QImage contactSheet(const RunImages& run, const std::vector<std::uint32_t>& images, int columns, int side,
                    const std::function<QString(std::uint32_t)>& caption)
{
    const std::size_t count = std::min(images.size(), kContactSheetLimit);
    columns = std::max(1, std::min(columns, int(std::max<std::size_t>(count, 1))));
    const int rows = int((count + std::size_t(columns) - 1) / std::size_t(columns));
    constexpr int kMargin = 8;
    const int captionLines = caption ? 3 : 2;
    const int lineHeight = 13;
    const int cellW = side + kMargin;
    const int cellH = side + kMargin + captionLines * lineHeight;
    QImage sheet(std::max(1, columns * cellW + kMargin), std::max(1, rows * cellH + kMargin), QImage::Format_RGB32);
    sheet.fill(Qt::white);
    QPainter p(&sheet);
    QFont font;
    font.setPixelSize(10);
    p.setFont(font);
    for (std::size_t k = 0; k < count; ++k) {
        const int x = kMargin + int(k % std::size_t(columns)) * cellW;
        const int y = kMargin + int(k / std::size_t(columns)) * cellH;
        const QImage img = fitImage(run.image(images[k]), side);
        if (img.isNull())
            p.fillRect(x, y, side, side, QColor(225, 225, 225));
        else
            p.drawImage(x + (side - img.width()) / 2, y + (side - img.height()) / 2, img);
        p.setPen(QColor(40, 40, 40));
        const QString key = p.fontMetrics().elidedText(QString::fromStdString(run.key(images[k])), Qt::ElideLeft, side + kMargin - 2);
        p.drawText(QRect(x - kMargin / 2, y + side + 1, side + kMargin, lineHeight), Qt::AlignHCenter, key);
        const QString className = p.fontMetrics().elidedText(run.className(images[k]), Qt::ElideRight, side + kMargin - 2);
        p.drawText(QRect(x - kMargin / 2, y + side + 1 + lineHeight, side + kMargin, lineHeight), Qt::AlignHCenter, className);
        if (caption) {
            p.setPen(QColor(90, 90, 90));
            p.drawText(QRect(x - kMargin / 2, y + side + 1 + 2 * lineHeight, side + kMargin, lineHeight), Qt::AlignHCenter,
                       caption(images[k]));
        }
    }
    return sheet;
}

}  // namespace orderlens::ui
