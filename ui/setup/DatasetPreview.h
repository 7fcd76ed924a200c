#pragma once

#include <QFutureWatcher>
#include <QImage>
#include <QStringList>
#include <QWidget>

class QLabel;
class QHBoxLayout;

namespace orderlens::ui {

// What the setup form needs to know about a dataset before training: counts, geometry and a
// few images to look at.
struct DatasetSummary {
    QString spec;
    QString error;  // empty when the dataset loaded
    qsizetype trainImages = 0, testImages = 0;
    int classes = 0;
    bool multiLabel = false;
    int height = 0, width = 0, channels = 0;  // 0 when the images differ in size
    int smallestSide = 0;                     // 0 when the sizes were not read (ImageNet)
    QVector<QImage> samples;   // one training image per class, at most kPreviewSamples
    QStringList sampleLabels;  // their class names

    bool ok() const { return error.isEmpty() && !spec.isEmpty(); }
    // Reads the dataset's outline (outlineDataset: counts and sizes without decoding every image,
    // the samples decoded); runs on a worker thread, never throws.
    static DatasetSummary load(const QString& spec);
};

// Reads a dataset spec's outline in the background and shows its counts and sample thumbnails;
// the form stays responsive while a large folder is listed. Only the latest request's result is shown.
class DatasetPreview : public QWidget {
    Q_OBJECT
public:
    static constexpr int kPreviewSamples = 10;

    explicit DatasetPreview(QWidget* parent = nullptr);
    void setSpec(const QString& spec);
    // Forgets the dataset shown (and any still loading) and says `why` instead.
    void clear(const QString& why);
    bool isLoading() const { return loading_; }
    const DatasetSummary& summary() const { return summary_; }

signals:
    void summaryChanged();

private:
    void finishLoad();
    void showSummary();

    QLabel* status_;
    QHBoxLayout* thumbnails_;
    QFutureWatcher<DatasetSummary> watcher_;
    QString requested_;
    DatasetSummary summary_;
    bool loading_ = false;
};

}  // namespace orderlens::ui
