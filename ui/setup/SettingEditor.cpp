#include "setup/SettingEditor.h"

#include "common/Errors.h"
#include "dataset/DatasetReader.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace orderlens::ui {

namespace {

// Learning rates, weight decays and epsilons span orders of magnitude: show them as the user
// would type them ("1e-4", "0.1") instead of with a fixed number of decimals.
class ScientificSpinBox : public QDoubleSpinBox {
public:
    ScientificSpinBox(double min, double max, QWidget* parent = nullptr) : QDoubleSpinBox(parent)
    {
        setDecimals(12);
        setRange(min, max);
    }
    QString textFromValue(double value) const override { return QString::number(value, 'g', 6); }
    double valueFromText(const QString& text) const override { return text.trimmed().toDouble(); }
    QValidator::State validate(QString& text, int&) const override
    {
        bool ok = false;
        const double v = text.trimmed().toDouble(&ok);
        if (ok && v >= minimum() && v <= maximum())
            return QValidator::Acceptable;
        static const QRegularExpression partial(R"(^\s*[0-9]*\.?[0-9]*([eE][-+]?[0-9]*)?\s*$)");
        return partial.match(text).hasMatch() ? QValidator::Intermediate : QValidator::Invalid;
    }
    // Arrow keys multiply or divide by ten: the natural step on a log scale.
    void stepBy(int steps) override { setValue(value() * std::pow(10.0, steps)); }
};

// How far beyond the declared maximum a number editor goes, so that a mistyped value reaches
// validation and is explained.
constexpr double kEditorHeadroom = 100;

QString capitalised(const std::string& text)
{
    QString t = QString::fromStdString(text);
    if (!t.isEmpty())
        t[0] = t[0].toUpper();
    return t;
}

void selectData(QComboBox* box, const QString& value)
{
    // A value the list lacks (from a loaded file) is shown as it is, and validation names it.
    int i = box->findData(value);
    if (i < 0) {
        box->addItem(value, value);
        i = box->count() - 1;
    }
    box->setCurrentIndex(i);
}

}  // namespace

SettingEditor::SettingEditor(const Setting& setting, QObject* parent) : QObject(parent), setting_(setting)
{
    build();
}

void SettingEditor::build()
{
    const QString key = QString::fromStdString(setting_.key);
    const QString help = QString::fromStdString(setting_.help);
    row_ = new QWidget;
    row_->setObjectName(key + "_row");
    auto* column = new QVBoxLayout(row_);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(2);

    switch (setting_.kind) {
    case SettingKind::Count:
        if (setting_.max > std::numeric_limits<int>::max()) {
            // Seeds: 64-bit numbers no spin box holds.
            auto* edit = new QLineEdit;
            edit->setValidator(new QRegularExpressionValidator(QRegularExpression("[0-9]{1,20}"), edit));
            connect(edit, &QLineEdit::textChanged, this, &SettingEditor::edited);
            editor_ = edit;
        } else {
            auto* box = new QSpinBox;
            box->setRange(int(std::min(0.0, setting_.min)),
                          int(std::min<double>(std::numeric_limits<int>::max(),
                                               std::max(1000.0, setting_.max * kEditorHeadroom))));
            box->setGroupSeparatorShown(true);
            if (!setting_.zeroMeans.empty())
                box->setSpecialValueText(capitalised(setting_.zeroMeans));
            if (!setting_.unit.empty())
                box->setSuffix(" " + QString::fromStdString(setting_.unit));
            connect(box, qOverload<int>(&QSpinBox::valueChanged), this, &SettingEditor::edited);
            editor_ = box;
        }
        break;
    case SettingKind::Real: {
        const double editorMax = std::max(10.0, setting_.max * kEditorHeadroom);
        QDoubleSpinBox* box = nullptr;
        if (setting_.logScale) {
            box = new ScientificSpinBox(0, editorMax);
        } else {
            box = new QDoubleSpinBox;
            box->setRange(0, editorMax);
            box->setDecimals(3);
            box->setSingleStep(0.05);
        }
        connect(box, qOverload<double>(&QDoubleSpinBox::valueChanged), this, &SettingEditor::edited);
        editor_ = box;
        break;
    }
    case SettingKind::Flag: {
        auto* box = new QCheckBox(QString::fromStdString(setting_.label));
        connect(box, &QCheckBox::toggled, this, &SettingEditor::edited);
        editor_ = box;
        break;
    }
    case SettingKind::Choice: {
        auto* box = new QComboBox;
        for (const auto& choice : setting_.choices())
            box->addItem(QString::fromStdString(choice.label), QString::fromStdString(choice.value));
        connect(box, qOverload<int>(&QComboBox::currentIndexChanged), this, &SettingEditor::edited);
        editor_ = box;
        break;
    }
    case SettingKind::Dataset:
        buildDataset();
        break;
    case SettingKind::File:
        buildFile();
        break;
    }
    editor_->setObjectName(key);
    editor_->setToolTip(help);
    if (setting_.kind != SettingKind::File)
        column->addWidget(editor_);

    problem_ = new QLabel;
    problem_->setObjectName(key + "_problem");
    problem_->setWordWrap(true);
    problem_->setStyleSheet("color: #b03a00;");
    problem_->hide();
    column->addWidget(problem_);
}

void SettingEditor::buildDataset()
{
    // The spec is what the format and the location make together; the pair is the editor.
    editor_ = new QWidget;
    auto* lines = new QVBoxLayout(editor_);
    lines->setContentsMargins(0, 0, 0, 0);
    auto* line = new QHBoxLayout;
    format_ = new QComboBox;
    format_->setObjectName("dataset_format");
    for (const auto& r : datasetReaders()) {
        format_->addItem(QString::fromStdString(r->title()), QString::fromStdString(r->scheme()));
        format_->setItemData(format_->count() - 1, QString::fromStdString(r->description()), Qt::ToolTipRole);
    }
    location_ = new QLineEdit;
    location_->setObjectName("dataset_location");
    location_->setPlaceholderText(tr("folder with the dataset's files"));
    browse_ = new QPushButton(tr("Browse..."));
    browse_->setObjectName("dataset_browse");
    browse_->setAutoDefault(false);
    lines->addWidget(format_);
    line->addWidget(location_, 1);
    line->addWidget(browse_);
    lines->addLayout(line);
    connect(format_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        updateLocation();
        emit edited();
    });
    // On Return or leaving the field, not per keystroke: each spec is read from disk.
    connect(location_, &QLineEdit::editingFinished, this, &SettingEditor::edited);
    connect(browse_, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(row_, tr("Dataset folder"), location_->text());
        if (dir.isEmpty())
            return;
        location_->setText(dir);
        emit edited();
    });
}

void SettingEditor::updateLocation()
{
    const DatasetReader* reader = findDatasetReader(format_->currentData().toString().toStdString());
    const bool needsLocation = !reader || reader->needsLocation();
    location_->setEnabled(needsLocation);
    browse_->setEnabled(needsLocation);
    if (!needsLocation)
        location_->clear();
}

void SettingEditor::buildFile()
{
    auto* line = new QHBoxLayout;
    location_ = new QLineEdit;
    location_->setPlaceholderText(tr("optional: %1").arg(QString::fromStdString(setting_.valueName)));
    browse_ = new QPushButton(tr("Browse..."));
    browse_->setObjectName(QString::fromStdString(setting_.key) + "_browse");
    browse_->setAutoDefault(false);
    line->addWidget(location_, 1);
    line->addWidget(browse_);
    static_cast<QVBoxLayout*>(row_->layout())->addLayout(line);
    editor_ = location_;
    connect(location_, &QLineEdit::textChanged, this, &SettingEditor::edited);
    connect(browse_, &QPushButton::clicked, this, [this] {
        const QString suffix = QString::fromStdString(setting_.valueName).section('.', -1);
        const QString path = QFileDialog::getOpenFileName(row_, QString::fromStdString(setting_.label),
                                                          location_->text(), tr("*.%1 files (*.%1)").arg(suffix));
        if (!path.isEmpty())
            location_->setText(path);
    });
}

QString SettingEditor::read(ExperimentConfig& c) const
{
    try {
        switch (setting_.kind) {
        case SettingKind::Count:
            if (auto* edit = qobject_cast<QLineEdit*>(editor_))
                setting_.parse(c, edit->text().trimmed().isEmpty() ? "0" : edit->text().trimmed().toStdString());
            else
                setting_.setNumber(c, static_cast<QSpinBox*>(editor_)->value());
            break;
        case SettingKind::Real:
            setting_.setNumber(c, static_cast<QDoubleSpinBox*>(editor_)->value());
            break;
        case SettingKind::Flag:
            setting_.setFlag(c, static_cast<QCheckBox*>(editor_)->isChecked());
            break;
        case SettingKind::Choice:
            setting_.parse(c, static_cast<QComboBox*>(editor_)->currentData().toString().toStdString());
            break;
        case SettingKind::Dataset: {
            const QString scheme = format_->currentData().toString();
            const QString location = location_->text().trimmed();
            setting_.parse(c, (location.isEmpty() ? scheme : scheme + ":" + location).toStdString());
            break;
        }
        case SettingKind::File:
            setting_.parse(c, location_->text().trimmed().toStdString());
            break;
        }
    } catch (const ConfigError& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

void SettingEditor::write(const ExperimentConfig& c)
{
    const QString text = QString::fromStdString(setting_.text(c));
    switch (setting_.kind) {
    case SettingKind::Count:
        if (auto* edit = qobject_cast<QLineEdit*>(editor_))
            edit->setText(text);
        else
            static_cast<QSpinBox*>(editor_)->setValue(int(std::min<double>(setting_.number(c), std::numeric_limits<int>::max())));
        break;
    case SettingKind::Real:
        static_cast<QDoubleSpinBox*>(editor_)->setValue(setting_.number(c));
        break;
    case SettingKind::Flag:
        static_cast<QCheckBox*>(editor_)->setChecked(setting_.flag(c));
        break;
    case SettingKind::Choice:
        selectData(static_cast<QComboBox*>(editor_), text);
        break;
    case SettingKind::Dataset: {
        const int colon = text.indexOf(':');
        selectData(format_, colon < 0 ? text : text.left(colon));
        updateLocation();
        location_->setText(colon < 0 ? QString() : text.mid(colon + 1));
        break;
    }
    case SettingKind::File:
        location_->setText(text);
        break;
    }
}

void SettingEditor::showProblem(const QString& problem)
{
    problem_->setText(problem);
    problem_->setVisible(!problem.isEmpty());
}

}  // namespace orderlens::ui
