// The layering of the developer guide, read from the source tree: LibTorch is included only by
// core's own files (and the tests that look inside training), never by anything ui or app
// includes, directly or through another header; core includes neither Qt nor QCustomPlot.

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

}  // namespace

class TestHeaders : public QObject {
    Q_OBJECT

private slots:
    void libTorchStaysInCore()
    {
        const std::map<QString, QStringList> core = includesUnder("core");
        QVERIFY(core.size() > 100);  // the tree was found
        // core's headers that bring LibTorch in, directly or through one another.
        std::set<QString> torchHeaders;
        for (bool grew = true; grew;) {
            grew = false;
            for (const auto& [file, targets] : core) {
                if (!file.endsWith(".h") || torchHeaders.count(file.mid(5)))
                    continue;
                const bool torch = std::any_of(targets.begin(), targets.end(), [&](const QString& t) {
                    return isLibTorch(t) || torchHeaders.count(t) > 0;
                });
                if (torch) {
                    torchHeaders.insert(file.mid(5));  // as included: "models/Networks.h"
                    grew = true;
                }
            }
        }
        QVERIFY(torchHeaders.count("models/Networks.h"));  // the check sees what it must
        QVERIFY(!torchHeaders.count("training/Checkpoint.h"));
        QVERIFY(!torchHeaders.count("training/Trainer.h"));
        for (const QString& folder : {QStringLiteral("ui"), QStringLiteral("app")})
            for (const auto& [file, targets] : includesUnder(folder))
                for (const QString& t : targets)
                    QVERIFY2(!isLibTorch(t) && !torchHeaders.count(t), qPrintable(file + " includes " + t));
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
