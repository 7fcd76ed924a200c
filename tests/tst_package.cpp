// The Debian package: built by CPack from the existing build folder, its contents, lintian,
// desktop-file-validate and appstreamcli, then the packaged program run from a temporary root.

#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

namespace {
constexpr int kToolTimeoutMs = 300000;

struct Result {
    int exitCode = -1;
    QString out;
    QString err;
};

Result runTool(const QString& program, const QStringList& args, const QString& workingDir = {})
{
    QProcess p;
    if (!workingDir.isEmpty())
        p.setWorkingDirectory(workingDir);
    p.start(program, args);
    if (!p.waitForFinished(kToolTimeoutMs))
        return {-1, {}, program + " timed out"};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

// The upstream part of an installed Debian package's version: "4.6.0+dfsg-12" -> "4.6.0".
QString debianUpstreamVersion(const QString& package)
{
    const Result r = runTool("dpkg-query", {"-W", "-f=${Version}", package});
    return r.out.section('+', 0, 0).section('-', 0, 0);
}

QString readText(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}
}  // namespace

class TestPackage : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void packageNameVersionAndControlFields();
    void contentsAreTheInstalledFiles();
    void lintianReportsNoError();
    void desktopEntryAndMetainfoValidate();
    void manualPageAndCompletion();
    void extractedProgramRuns();

private:
    QTemporaryDir tmp_;
    QString deb_;
    QString root_;
    QString version_;
};

void TestPackage::initTestCase()
{
    if (geteuid() != 0)
        QSKIP("builds and checks the Debian package as root only (run `bash packaging/setup.sh test` as root)");
    for (const char* tool : {"cpack", "dpkg-deb", "dpkg-shlibdeps", "lintian", "desktop-file-validate", "appstreamcli"})
        QVERIFY2(!QStandardPaths::findExecutable(tool).isEmpty(),
                 qPrintable(QString("%1 is missing; packaging/setup.sh installs it").arg(tool)));
    QVERIFY(tmp_.isValid());

    // The version the package must carry comes from the Debian changelog's first line,
    // "orderlens (0.1.0) unstable; urgency=medium", not from the build.
    const QString changelog = readText(QString(ORDERLENS_SOURCE_DIR) + "/packaging/debian/changelog");
    const QRegularExpressionMatch m = QRegularExpression(R"(^orderlens \(([^)]+)\))").match(changelog);
    QVERIFY2(m.hasMatch(), "packaging/debian/changelog does not start with 'orderlens (VERSION)'");
    version_ = m.captured(1);
    QCOMPARE(version_, QString(ORDERLENS_VERSION));

    // CPack installs the existing build (nothing is compiled) into a staging folder and packs it;
    // -B keeps the package out of the build folder.
    const Result cpack = runTool("cpack", {"-G", "DEB", "-B", tmp_.path(), "--config",
                                           QString(ORDERLENS_BUILD_DIR) + "/CPackConfig.cmake"},
                                 ORDERLENS_BUILD_DIR);
    QVERIFY2(cpack.exitCode == 0, qPrintable(cpack.out + cpack.err));
    deb_ = tmp_.filePath(QString("orderlens_%1_amd64.deb").arg(version_));
    QVERIFY2(QFile::exists(deb_), qPrintable("no " + deb_ + " after cpack:\n" + cpack.out));

    root_ = tmp_.filePath("root");
    const Result extract = runTool("dpkg-deb", {"-x", deb_, root_});
    QVERIFY2(extract.exitCode == 0, qPrintable(extract.err));
}

void TestPackage::packageNameVersionAndControlFields()
{
    const Result fields = runTool("dpkg-deb", {"--field", deb_, "Package", "Version", "Architecture", "Section"});
    QCOMPARE(fields.exitCode, 0);
    QCOMPARE(fields.out, QString("Package: orderlens\nVersion: %1\nArchitecture: amd64\nSection: science\n").arg(version_));

    const Result depends = runTool("dpkg-deb", {"--field", deb_, "Depends"});
    QCOMPARE(depends.exitCode, 0);
    // Found by dpkg-shlibdeps from the binary's libraries ...
    for (const char* package : {"libtorch1.13", "libqt6widgets6", "libqt6svg6", "libopencv-core406", "libhdf5-103-1",
                                "libqcustomplot2.1-qt6", "libc6"})
        QVERIFY2(depends.out.contains(QRegularExpression(QString(R"((^|, )%1( \(|,|$))").arg(package))),
                 qPrintable(QString("%1 not in Depends: %2").arg(package, depends.out)));
    // ... and what is loaded at run time, which shlibdeps cannot see.
    for (const char* dependency : {"qt6-qpa-plugins", "libopenblas0-pthread | libopenblas0", "dataset-fashion-mnist"})
        QVERIFY2(depends.out.contains(dependency), qPrintable(QString("%1 not in Depends: %2").arg(dependency, depends.out)));
}

void TestPackage::contentsAreTheInstalledFiles()
{
    const Result contents = runTool("dpkg-deb", {"--contents", deb_});
    QCOMPARE(contents.exitCode, 0);
    // "-rw-r--r-- root/root  576 2026-11-29 10:01 ./usr/share/..." -> owner and path.
    QMap<QString, QString> owners;
    for (const QString& line : contents.out.split('\n', Qt::SkipEmptyParts)) {
        const QStringList f = line.split(' ', Qt::SkipEmptyParts);
        QVERIFY2(f.size() >= 6, qPrintable(line));
        owners.insert(f.last(), f[1]);
    }
    QStringList expected = {
        "./usr/bin/orderlens",
        "./usr/share/applications/io.github.orderlens.OrderLens.desktop",
        "./usr/share/metainfo/io.github.orderlens.OrderLens.metainfo.xml",
        "./usr/share/icons/hicolor/scalable/apps/orderlens.svg",
        "./usr/share/man/man1/orderlens.1.gz",
        "./usr/share/bash-completion/completions/orderlens",
        "./usr/share/doc/orderlens/copyright",
        "./usr/share/doc/orderlens/changelog.gz",
        "./usr/share/doc/orderlens/README.md",
        "./usr/share/doc/orderlens/docs/METRICS.md",
        "./usr/share/doc/orderlens/docs/FORMAT.md",
        "./usr/share/doc/orderlens/docs/GUI.md",
    };
    for (int size : {16, 22, 24, 32, 48, 64, 128, 256, 512})
        expected << QString("./usr/share/icons/hicolor/%1x%1/apps/orderlens.png").arg(size);
    for (const QString& path : expected) {
        QVERIFY2(owners.contains(path), qPrintable(path + " is not in the package"));
        QCOMPARE(owners.value(path), QString("root/root"));
    }
    for (const QString& path : owners.keys())
        QVERIFY2(path.startsWith("./usr/"), qPrintable(path + " is outside /usr"));

    // Every image the installed README and GUI.md show is installed beside them.
    for (const QString& document : {QString("README.md"), QString("docs/GUI.md")}) {
        const QString text = readText(root_ + "/usr/share/doc/orderlens/" + document);
        QVERIFY(!text.isEmpty());
        const QString folder = QFileInfo(root_ + "/usr/share/doc/orderlens/" + document).absolutePath();
        auto images = QRegularExpression(R"(!\[[^\]]*\]\(([^)]+\.png)\))").globalMatch(text);
        int shown = 0;
        while (images.hasNext()) {
            const QString image = images.next().captured(1);
            QVERIFY2(QFile::exists(folder + "/" + image), qPrintable(document + " shows " + image + ", not installed"));
            ++shown;
        }
        QVERIFY2(shown >= 3, qPrintable(document));
    }

    // Each PNG is the size its folder says.
    for (int size : {16, 48, 256, 512}) {
        const QImage icon(QString("%1/usr/share/icons/hicolor/%2x%2/apps/orderlens.png").arg(root_).arg(size));
        QCOMPARE(icon.size(), QSize(size, size));
    }
}

void TestPackage::lintianReportsNoError()
{
    const Result lintian = runTool("lintian", {"--fail-on", "error", deb_});
    QVERIFY2(lintian.exitCode == 0, qPrintable(lintian.out + lintian.err));
    for (const QString& line : lintian.out.split('\n'))
        QVERIFY2(!line.startsWith("E:"), qPrintable(lintian.out));
}

void TestPackage::desktopEntryAndMetainfoValidate()
{
    const QString desktop = root_ + "/usr/share/applications/io.github.orderlens.OrderLens.desktop";
    const Result validate = runTool("desktop-file-validate", {desktop});
    QVERIFY2(validate.exitCode == 0, qPrintable(validate.out + validate.err));
    const QString entry = readText(desktop);
    QVERIFY(entry.contains("\nExec=orderlens %F\n"));
    QVERIFY(entry.contains("\nIcon=orderlens\n"));
    QVERIFY(entry.contains("\nCategories=Science;Education;DataVisualization;"));
    QVERIFY(entry.contains("\nMimeType=application/x-hdf;\n"));

    const QString metainfo = root_ + "/usr/share/metainfo/io.github.orderlens.OrderLens.metainfo.xml";
    const Result appstream = runTool("appstreamcli", {"validate", "--no-net", metainfo});
    QVERIFY2(appstream.exitCode == 0, qPrintable(appstream.out + appstream.err));
    const QString xml = readText(metainfo);
    QVERIFY2(xml.contains(QString("<release version=\"%1\"").arg(version_)),
             "the metainfo has no release entry for this version");
    QVERIFY(xml.contains("<launchable type=\"desktop-id\">io.github.orderlens.OrderLens.desktop</launchable>"));
    QVERIFY(xml.contains("<screenshot type=\"default\">"));
}

void TestPackage::manualPageAndCompletion()
{
    const Result man = runTool("gzip", {"-dc", root_ + "/usr/share/man/man1/orderlens.1.gz"});
    QCOMPARE(man.exitCode, 0);
    QVERIFY(man.out.startsWith(".\\\" DO NOT MODIFY THIS FILE!  It was generated by help2man"));
    QVERIFY(man.out.contains(QString(".TH ORDERLENS \"1\" \"November 2026\" \"orderlens %1\"").arg(version_)));
    for (const char* section : {".SH NAME", ".SH DESCRIPTION", ".SH EXAMPLES", ".SH FILES", ".SH \"SEE ALSO\""})
        QVERIFY2(man.out.contains(section), section);
    for (const char* command : {"analyze", "export", "info", "metrics", "train"})
        QVERIFY2(man.out.contains(QString("\n%1\n").arg(command)) || man.out.contains(QString("\n%1 ").arg(command)),
                 command);

    // Completion as bash runs it: COMP_WORDS / COMP_CWORD set, the function called; what it
    // offers is written out by hand from the README's commands and dataset table.
    const QString script = QString(R"(
source /usr/share/bash-completion/bash_completion
source '%1/usr/share/bash-completion/completions/orderlens'
complete_line() {
  COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}
  read -ra COMP_WORDS <<< "$COMP_LINE"
  [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _orderlens orderlens "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null
  echo "${COMPREPLY[*]}"
}
complete_line "orderlens me"
complete_line "orderlens train --arch"
complete_line "orderlens train --architecture res"
complete_line "orderlens info --dataset ci"
complete_line "orderlens train --optimizer "
complete_line "orderlens analyze --split "
complete_line "orderlens --ver"
)")
                               .arg(root_);
    QVERIFY2(QFile::exists("/usr/share/bash-completion/bash_completion"), "bash-completion is not installed");
    const Result completion = runTool("bash", {"-c", script}, tmp_.path());
    QCOMPARE(completion.exitCode, 0);
    QCOMPARE(completion.out.split('\n', Qt::SkipEmptyParts),
             QStringList({"metrics", "--architecture", "resnet18 resnet50", "cifar10: cifar100:", "sgd adam",
                          "train test both train_eval", "--version"}));
}

void TestPackage::extractedProgramRuns()
{
    const QString program = root_ + "/usr/bin/orderlens";
    // The packaged program needs no library of ours: it runs from the extracted root as it is.
    const Result version = runTool(program, {"--version"}, tmp_.path());
    QVERIFY2(version.exitCode == 0, qPrintable(version.err));
    const QStringList lines = version.out.split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 5);
    QCOMPARE(lines[0], QString("orderlens %1").arg(version_));
    // Expected versions from dpkg, i.e. the libraries installed here. Debian's libtorch 1.13.1
    // package reports itself as 1.13.0 (its library file is libtorch.so.1.13.0), so only the
    // major and minor version, which the library's soname carries, can be compared.
    const QString torch = debianUpstreamVersion("libtorch-dev");
    QVERIFY2(lines[1].startsWith("LibTorch " + torch.section('.', 0, 1) + "."), qPrintable(lines[1] + " vs " + torch));
    QCOMPARE(lines[2], "Qt " + debianUpstreamVersion("libqt6core6"));
    QCOMPARE(lines[3], "OpenCV " + debianUpstreamVersion("libopencv-core-dev"));
    QCOMPARE(lines[4], "HDF5 " + debianUpstreamVersion("libhdf5-dev"));

    // Fashion-MNIST: 60000 training and 10000 test images in 10 classes (its published split).
    const Result info = runTool(program, {"info", "--dataset", "fashion-mnist"}, tmp_.path());
    QVERIFY2(info.exitCode == 0, qPrintable(info.err));
    QVERIFY2(info.out.contains("Classes: 10\n"), qPrintable(info.out));
    QVERIFY2(info.out.contains("Splits: 60000 train, 10000 test, 70000 in all\n"), qPrintable(info.out));
}

QTEST_GUILESS_MAIN(TestPackage)
#include "tst_package.moc"
