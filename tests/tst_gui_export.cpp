// Figure export (PNG with DPI, SVG, PDF at a chosen size, clipboard) and selection export (CSV of
// keys, contact sheet), on a real Fashion-MNIST subset with made-up records.

#include "FashionRun.h"
#include "Fixtures.h"

#include "analysis/LearningMeasures.h"
#include "browser/ImageBrowser.h"
#include "browser/ImageBrowserModel.h"
#include "common/Errors.h"
#include "dataset/DatasetReader.h"
#include "explorer/CorrelationExplorer.h"
#include "explorer/ScatterPlot.h"
#include "export/FigureExport.h"
#include "export/SelectionExport.h"

#include <QAction>
#include <QClipboard>
#include <QFile>
#include <QGuiApplication>
#include <QRegularExpression>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

#include <cmath>

using namespace orderlens;
using namespace orderlens::ui;

class TestGuiExport : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    test::FashionRun spec_;
    std::vector<double> intensity_;
    std::shared_ptr<const RunImages> run_;
    std::unique_ptr<CorrelationExplorer> explorer_;

    QByteArray read(const QString& path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

private slots:
    void initTestCase()
    {
        if (test::fashionMnistDir().empty())
            QSKIP("dataset-fashion-mnist is not installed");
        const std::string path = dir_.filePath("fashion.h5").toStdString();
        intensity_ = test::writeFashionRun(path, spec_);
        run_ = RunImages::load(path);
        explorer_ = std::make_unique<CorrelationExplorer>();
        explorer_->resize(800, 600);
        explorer_->setRun(run_);
        explorer_->setAxes("mean_intensity", "learned_epoch");
    }

    void pngAtChosenSizeAndDpi()
    {
        const QString path = dir_.filePath("scatter.png");
        FigureSize size;
        size.widthInches = 3;
        size.heightInches = 2;
        size.dpi = 150;
        QCOMPARE(exportFigureFile(explorer_->plot(), path, size), path);
        QImage image(path);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), QSize(450, 300));
        QCOMPARE(std::lround(image.dotsPerMeterX() * 0.0254), 150L);
        // Not blank: the plot has dark axis and text pixels on white.
        int dark = 0;
        for (int y = 0; y < image.height(); y += 2)
            for (int x = 0; x < image.width(); x += 2)
                dark += qGray(image.pixel(x, y)) < 100;
        QVERIFY(dark > 200);
    }

    void svgParses()
    {
        const QString path = dir_.filePath("scatter.svg");
        exportFigureFile(explorer_->plot(), path, {});
        const QByteArray svg = read(path);
        QVERIFY(!svg.isEmpty());
        QXmlStreamReader xml(svg);
        bool sawSvg = false;
        int texts = 0;
        while (!xml.atEnd()) {
            xml.readNext();
            if (xml.isStartElement() && xml.name() == QStringLiteral("svg")) {
                sawSvg = true;
                // The default 6.67 x 4.58 in (640 x 440 at 96 per inch) laid out in points.
                QCOMPARE(xml.attributes().value("viewBox").toString(), QStringLiteral("0 0 480 330"));
            }
            if (xml.isStartElement() && xml.name() == QStringLiteral("text"))
                ++texts;
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(sawSvg);
        QVERIFY(texts > 5);  // tick labels and the correlation note stay text
        QSvgRenderer renderer(path);
        QVERIFY(renderer.isValid());
    }

    void pdfAtChosenSize()
    {
        const QString path = dir_.filePath("Scatter.PDF");
        FigureSize size;
        size.widthInches = 5;
        size.heightInches = 3;
        const QString written = exportFigureFile(explorer_->plot(), path, size);
        QCOMPARE(written, dir_.filePath("Scatter.pdf"));
        const QByteArray pdf = read(written);
        QVERIFY(pdf.startsWith("%PDF-"));
        QVERIFY(pdf.size() > 1000);
        // The page is 5 x 3 in: 360 x 216 points.
        const QRegularExpression box(R"(/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\])");
        const QRegularExpressionMatch m = box.match(QString::fromLatin1(pdf));
        QVERIFY(m.hasMatch());
        QCOMPARE(m.captured(1).toDouble(), 360.0);
        QCOMPARE(m.captured(2).toDouble(), 216.0);
    }

    void badTargetsAreErrors()
    {
        QVERIFY_THROWS_EXCEPTION(ConfigError, exportFigureFile(explorer_->plot(), dir_.filePath("figure.jpg")));
        QVERIFY_THROWS_EXCEPTION(InputError, exportFigureFile(explorer_->plot(), dir_.filePath("missing/figure.png")));
        FigureSize zero;
        zero.dpi = 0;
        QVERIFY_THROWS_EXCEPTION(ConfigError, exportFigureFile(explorer_->plot(), dir_.filePath("figure.png"), zero));
    }

    void clipboardAndDialog()
    {
        FigureSize size;
        size.widthInches = 2;
        size.heightInches = 1.5;
        size.dpi = 100;
        const QImage rendered = renderFigure(explorer_->plot(), size);
        QCOMPARE(rendered.size(), QSize(200, 150));
        copyFigureToClipboard(explorer_->plot(), size);
        // The offscreen platform keeps an in-process clipboard, so what was copied can be read back.
        const QImage copied = QGuiApplication::clipboard()->image();
        QCOMPARE(copied.size(), QSize(200, 150));

        // The plot's right-click menu offers both.
        const auto actions = explorer_->plot()->actions();
        QCOMPARE(actions.size(), 2);
        QCOMPARE(explorer_->plot()->contextMenuPolicy(), Qt::ActionsContextMenu);
        QVERIFY(actions[0]->text().contains("Copy"));
        QGuiApplication::clipboard()->clear();
        actions[0]->trigger();
        const QImage fromMenu = QGuiApplication::clipboard()->image();
        QCOMPARE(fromMenu.width(), 2000);  // 640 logical pixels = 6.67 in, at 300 dpi
        QVERIFY(std::abs(fromMenu.height() - 1375) <= 2);

        FigureExportDialog dialog(explorer_->plot(), "scatter");
        dialog.setPath(dir_.filePath("dialog.svg"));
        size.widthInches = 4;
        dialog.setSize(size);
        QCOMPARE(dialog.size().widthInches, 4.0);
        QVERIFY(dialog.exportNow());
        QVERIFY(QFileInfo(dir_.filePath("dialog.svg")).size() > 0);
    }

    void selectionCsv()
    {
        // Expected rows from the fixture's own definition of the records (FashionRun.h) and the
        // Fashion-MNIST classes as the dataset's documentation names them, not from the run.
        const char* classes[] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
        const Dataset ds = loadDataset("fashion-mnist", spec_.train, spec_.test);
        auto expectedRow = [&](std::uint32_t i) {
            const int learned = test::fashionLearnedByAll(spec_, intensity_, i);
            return QStringLiteral("%1,%2,%3,%4")
                .arg(QString::fromStdString(ds.key(i)), i < spec_.train ? "train" : "test", classes[ds.label(i)],
                     learned == kNeverLearned ? QStringLiteral("never") : QString::number(learned));
        };
        std::uint32_t never = 0;
        while (test::fashionLearnedByAll(spec_, intensity_, never) != kNeverLearned)
            ++never;
        std::uint32_t learned = 0;
        while (test::fashionLearnedByAll(spec_, intensity_, learned) == kNeverLearned)
            ++learned;
        const std::vector<std::uint32_t> images = {learned, never, std::uint32_t(spec_.train + 1)};
        const QString path = dir_.filePath("keys.csv");
        writeSelectionCsv(path, *run_, images);
        const QStringList lines = QString::fromUtf8(read(path)).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 4);
        QCOMPARE(lines[0], QStringLiteral("key,split,class,learned_epoch"));
        for (int k = 0; k < 3; ++k)
            QCOMPARE(lines[k + 1], expectedRow(images[std::size_t(k)]));
        QVERIFY(lines[2].endsWith(",never"));
        QVERIFY_THROWS_EXCEPTION(InputError, writeSelectionCsv(dir_.filePath("missing/keys.csv"), *run_, images));
    }

    void contactSheetLaysOutImages()
    {
        std::vector<std::uint32_t> images;
        for (std::uint32_t i = 0; i < 12; ++i)
            images.push_back(i * 3);
        const QImage sheet = contactSheet(*run_, images, 5, 56, [](std::uint32_t i) { return QString::number(i); });
        // 5 columns x 3 rows of 56 px images, 8 px margins, three 13 px caption lines (key, class,
        // caption).
        QCOMPARE(sheet.size(), QSize(5 * 64 + 8, 3 * (64 + 39) + 8));
        // Image 7 of the list (row 1, column 2) is drawn pixel for pixel, doubled.
        const QImage original = run_->image(images[7]);
        const int x0 = 8 + 2 * 64, y0 = 8 + 1 * 103;
        for (int y = 0; y < 28; y += 4)
            for (int x = 0; x < 28; x += 4)
                QCOMPARE(qGray(sheet.pixel(x0 + 2 * x, y0 + 2 * y)), qGray(original.pixel(x, y)));

        ImageBrowser browser;
        browser.setRun(run_);
        browser.selectImages({2, 4, 6});
        QCOMPARE(browser.exportedImages().size(), std::size_t(3));
        const QString png = dir_.filePath("sheet.png");
        QVERIFY(browser.exportContactSheet(png));
        QCOMPARE(QImage(png).width(), 3 * 72 + 8);  // three 64 px thumbnails in one row
        browser.exportSelectionCsv(dir_.filePath("browser.csv"));
        QCOMPARE(QString::fromUtf8(read(dir_.filePath("browser.csv"))).count('\n'), 4);
        browser.selectImages({});
        QCOMPARE(browser.exportedImages().size(), run_->size());  // nothing selected: the whole grid
    }
};

QTEST_MAIN(TestGuiExport)
#include "tst_gui_export.moc"
