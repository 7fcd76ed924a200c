// The layering of the developer guide, read from the source tree: LibTorch is included only by
// core's own files (and the tests that look inside training), never by anything ui or app
// includes, directly or through another header; nlohmann/json's full library reaches ui and app
// only through their own .cpp files that use json (headers declare it with
// <nlohmann/json_fwd.hpp>), so that the files that merely include a configuration do not parse
// the whole library; core includes neither Qt nor QCustomPlot.

#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QtTest>

#include <algorithm>
#include <map>
#include <set>

namespace {

const QString kRoot = QStringLiteral(ORDERLENS_SOURCE_DIR) + "/";

// Every file under `folder` (relative to the source tree) with the targets of its #include lines.
std::map<QString, QStringList> includesUnder(const QString& folder)
{
    static const QRegularExpression line(QStringLiteral("^\\s*#\\s*include\\s*[<\"]([^>\"]+)[>\"]"),
                                         QRegularExpression::MultilineOption);
    std::map<QString, QStringList> out;
    QDirIterator it(kRoot + folder, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (!path.endsWith(".h") && !path.endsWith(".cpp"))
            continue;
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        QStringList targets;
        for (auto m = line.globalMatch(QString::fromUtf8(f.readAll())); m.hasNext();)
            targets << m.next().captured(1);
        out[path.mid(kRoot.size())] = targets;
    }
    return out;
}

bool isLibTorch(const QString& target) { return target.startsWith("torch/") || target.startsWith("ATen/"); }

// Anything of nlohmann/json but the forward declarations.
bool isFullJson(const QString& target)
{
    return target.startsWith("nlohmann/") && target != "nlohmann/json_fwd.hpp";
}

// A file as the others include it: "core/models/Networks.h" -> "models/Networks.h" (core, ui and
// app are include directories).
QString asIncluded(const QString& file) { return file.mid(file.indexOf('/') + 1); }

// The headers among `files` that include a target for which `direct` holds, directly or through
// one another, as included ("models/Networks.h").
template <typename Direct>
std::set<QString> headersReaching(const std::map<QString, QStringList>& files, Direct direct)
{
    std::set<QString> reaching;
    for (bool grew = true; grew;) {
        grew = false;
        for (const auto& [file, targets] : files) {
            if (!file.endsWith(".h") || reaching.count(asIncluded(file)))
                continue;
            if (std::any_of(targets.begin(), targets.end(),
                            [&](const QString& t) { return direct(t) || reaching.count(t) > 0; })) {
                reaching.insert(asIncluded(file));
                grew = true;
            }
        }
    }
    return reaching;
}

}  // namespace

class TestHeaders : public QObject {
    Q_OBJECT

private slots:
    void libTorchStaysInCore()
    {
        const std::map<QString, QStringList> core = includesUnder("core");
        QVERIFY(core.size() > 100);  // the tree was found
        // core's headers that bring LibTorch in, directly or through one another.
        const std::set<QString> torchHeaders = headersReaching(core, isLibTorch);
        // Only two core headers include LibTorch: a network is a torch::nn::Module, and the
        // trainer's shared state (split over Trainer.cpp, TrainerEpochs.cpp, TrainerFused.cpp)
        // holds networks, optimisers and a device by value. Every other header only declares
        // LibTorch's types (training/Checkpoint.h, training/TrainingData.h, models/FusedEnsemble.h).
        const std::set<QString> expected{"models/Networks.h", "training/TrainerImpl.h"};
        const QStringList found(torchHeaders.begin(), torchHeaders.end());
        QVERIFY2(torchHeaders == expected, qPrintable("core headers that include LibTorch: " + found.join(", ")));
        for (const QString& folder : {QStringLiteral("ui"), QStringLiteral("app")})
            for (const auto& [file, targets] : includesUnder(folder))
                for (const QString& t : targets)
                    QVERIFY2(!isLibTorch(t) && !torchHeaders.count(t), qPrintable(file + " includes " + t));
    }

    void fullJsonOnlyInSources()
    {
        std::map<QString, QStringList> files;
        for (const QString& folder : {QStringLiteral("core"), QStringLiteral("ui"), QStringLiteral("app")})
            files.merge(includesUnder(folder));
        const auto config = files.find("core/experiment/ExperimentConfig.cpp");
        QVERIFY(config != files.end() && config->second.contains("nlohmann/json.hpp"));  // the check sees it
        const std::set<QString> jsonHeaders = headersReaching(files, isFullJson);
        for (const auto& [file, targets] : files) {
            if (!file.startsWith("ui/") && !file.startsWith("app/"))
                continue;
            for (const QString& t : targets) {
                QVERIFY2(!isFullJson(t) || file.endsWith(".cpp"), qPrintable(file + " includes " + t));
                QVERIFY2(!jsonHeaders.count(t), qPrintable(file + " includes " + t + ", which brings in nlohmann/json.hpp"));
            }
        }
    }

    void coreHasNoWidgets()
    {
        for (const auto& [file, targets] : includesUnder("core"))
            for (const QString& t : targets)
                QVERIFY2(!t.startsWith("Q") && !t.startsWith("qcustomplot"), qPrintable(file + " includes " + t));
    }
};

QTEST_MAIN(TestHeaders)
#include "tst_headers.moc"
