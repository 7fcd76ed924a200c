#pragma once

#include "browser/RunImages.h"

#include <QWidget>

#include <memory>
#include <vector>

class QComboBox;
class QGridLayout;
class QSpinBox;

namespace orderlens::ui {

// The easy and the hard images of one class: the earliest learned by all networks (ties: higher
// data-map confidence first) and the never-learned ones (lowest confidence first).
struct EasyAndHard {
    std::vector<std::uint32_t> easiest;
    std::vector<std::uint32_t> neverLearned;
    std::size_t neverCount = 0;  // never-learned images of the class, shown or not
};
EasyAndHard easyAndHard(const RunImages& run, Split split, int label, std::size_t count);

// Easy vs hard at a glance: one row per class, its earliest-learned images on the left and its
// never-learned images on the right. Clicking an image reports it (the window shows it in the
// browser's detail panel).
class EasyHardView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kDefaultCount = 8;
    explicit EasyHardView(QWidget* parent = nullptr);

    void setRun(std::shared_ptr<const RunImages> run);
    void setSplit(Split split);
    void setCount(int perSide);
    // Images on screen per class, as shown: [class] -> easy, never.
    const std::vector<EasyAndHard>& rows() const { return rows_; }

signals:
    void imageActivated(int image);

private:
    void rebuild();

    std::shared_ptr<const RunImages> run_;
    QComboBox* splitBox_ = nullptr;
    QSpinBox* countBox_ = nullptr;
    QWidget* grid_ = nullptr;
    QGridLayout* gridLayout_ = nullptr;
    std::vector<EasyAndHard> rows_;
};

}  // namespace orderlens::ui
