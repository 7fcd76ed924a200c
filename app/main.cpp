// orderlens: the desktop application with no arguments, a headless subcommand otherwise.

#include "Command.h"

#include "Application.h"
#include "ApplicationIcons.h"
#include "MainWindow.h"
#include "common/Errors.h"
#include "common/LibraryVersions.h"
#include "common/ThreadBudget.h"
#include "dataset/DatasetReader.h"
#include "setup/ExperimentSetupDialog.h"

#include <QApplication>
#include <QThreadPool>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace orderlens;

namespace {

// Exit statuses (README, "Exit status"): every error -- a bad option or configuration, a missing
// or damaged file, a failure while working -- is one line on stderr and status 1; an interrupted
// command (Ctrl-C, a cancel) is 130, as shells report SIGINT.
constexpr int kErrorStatus = 1;
constexpr int kCancelledStatus = 130;

void printUsage()
{
    std::printf("OrderLens %s: in which order do deep networks learn the images of a dataset?\n\n", ORDERLENS_VERSION);
    // Two spaces or more between a form and its explanation: help2man turns each line into an
    // entry of the manual page.
    std::printf("Usage:\n"
                "  orderlens                     open the desktop application\n"
                "  orderlens --demo              open it and train the Fashion-MNIST demo live (without a\n"
                "                                display: train it headless into ./orderlens-demo/ and write\n"
                "                                the report; train options after --demo change the recipe,\n"
                "                                e.g. --epochs 3)\n"
                "  orderlens RUN.h5...           open run files, one window each (--open RUN.h5 opens one)\n"
                "  orderlens --config FILE.json  open the experiment form filled from a saved configuration\n"
                "  orderlens COMMAND [options]   run headless (orderlens COMMAND --help lists its options)\n"
                "  orderlens --version           print the version and those of LibTorch, Qt, OpenCV and HDF5\n\n"
                "Commands:\n");
    for (const auto& c : cli::commands())
        std::printf("  %-14s %s\n", c.name.toUtf8().constData(), c.summary.toUtf8().constData());
    std::printf("\nDataset specs (--dataset):\n");
    // A reader's description is "SPEC  explanation"; aligned here into one column.
    for (const auto& r : datasetReaders()) {
        const std::string d = r->description();
        const std::size_t gap = d.find(' ');
        const std::string spec = d.substr(0, gap);
        const std::size_t text = gap == std::string::npos ? d.size() : d.find_first_not_of(' ', gap);
        std::printf("  %-16s %s\n", spec.c_str(), d.substr(std::min(text, d.size())).c_str());
    }
}

// The first line is what help2man and scripts read; the rest names the libraries this process
// runs with, which is what a bug report needs.
void printVersion()
{
    const LibraryVersions v = libraryVersions();
    std::printf("orderlens %s\n", ORDERLENS_VERSION);
    std::printf("LibTorch %s\nQt %s\nOpenCV %s\nHDF5 %s\n", v.libtorch.c_str(), qVersion(), v.opencv.c_str(),
                v.hdf5.c_str());
}

// Why `argument` cannot be a run file to open, or nothing when it can. A word that is no file and
// has no extension is taken for a mistyped command.
std::optional<std::string> runArgumentProblem(const QString& argument)
{
    const QFileInfo info(argument);
    const std::string name = argument.toLocal8Bit().toStdString();
    if (!info.exists()) {
        if (info.suffix().isEmpty() && !argument.contains('/'))
            return "unknown command '" + name + "' (orderlens --help lists them)";
        return name + ": no such run file";
    }
    if (info.isDir())
        return name + ": a folder, not a run file (File > Open folder of runs lists the runs in a folder)";
    // Every HDF5 file starts with this signature (at offset 0 for the files OrderLens writes).
    static const char kHdf5Signature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
    QFile file(argument);
    char head[8] = {};
    if (!file.open(QIODevice::ReadOnly) || file.read(head, 8) != 8 || std::memcmp(head, kHdf5Signature, 8) != 0)
        return name + ": not an OrderLens run file (run files are HDF5 files written by orderlens train)";
    return std::nullopt;
}

bool hasDisplay()
{
    const char* platform = std::getenv("QT_QPA_PLATFORM");
    if (platform && *platform)
        return true;  // the user chose (offscreen, xcb, wayland)
    return std::getenv("DISPLAY") || std::getenv("WAYLAND_DISPLAY");
}

int runCommand(const cli::Command& command, int argc, char** argv)
{
    // Figures need a GUI application even headless: fall back to the offscreen platform.
    std::unique_ptr<QCoreApplication> app;
    if (command.needsGui) {
        if (!hasDisplay())
            qputenv("QT_QPA_PLATFORM", "offscreen");
        app = std::make_unique<QApplication>(argc, argv);
    } else {
        app = std::make_unique<QCoreApplication>(argc, argv);
    }
    QCoreApplication::setApplicationName("orderlens");
    QCoreApplication::setApplicationVersion(ORDERLENS_VERSION);

    QCommandLineParser parser;
    const QString details = command.details ? command.details() : QString();
    parser.setApplicationDescription(details.isEmpty() ? command.summary : command.summary + "\n\n" + details);
    parser.addHelpOption();
    command.declare(parser);
    QStringList args = QCoreApplication::arguments();
    args.removeAt(1);  // the command name
    if (!parser.parse(args)) {
        std::fprintf(stderr, "orderlens %s: %s\n", argv[1], parser.errorText().toUtf8().constData());
        return kErrorStatus;
    }
    if (parser.isSet("help")) {
        // Qt's help names the program by the path it was started with; name it as users type it.
        QString help = parser.helpText();
        help.replace(QRegularExpression("^Usage: \\S+"), "Usage: orderlens " + command.name);
        std::printf("%s\n", help.toUtf8().constData());
        return 0;
    }
    if (!parser.positionalArguments().isEmpty()) {
        std::fprintf(stderr, "orderlens %s: unexpected argument '%s'\n", argv[1],
                     parser.positionalArguments().first().toUtf8().constData());
        return kErrorStatus;
    }
    try {
        // --threads bounds every pool of the command: loading, statistics, analysis, LibTorch.
        if (parser.optionNames().contains("threads")) {
            bool ok = false;
            const int threads = parser.value("threads").toInt(&ok);
            if (ok && threads >= 0) {
                setThreadBudget(unsigned(threads));
                QThreadPool::globalInstance()->setMaxThreadCount(int(threadBudget()));
            }
        }
        return command.run(parser);
    } catch (const Cancelled&) {
        std::fprintf(stderr, "orderlens %s: cancelled\n", argv[1]);
        return kCancelledStatus;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "orderlens %s: %s\n", argv[1], e.what());
        return kErrorStatus;
    }
}

const cli::Command* findCommand(const QString& name)
{
    for (const auto& c : cli::commands())
        if (c.name == name)
            return &c;
    return nullptr;
}

// Runs `orderlens NAME ARGS...` in this process, as if typed.
int runStep(char* program, const char* name, std::vector<std::string> args)
{
    const cli::Command* command = findCommand(name);
    if (!command) {
        std::fprintf(stderr, "orderlens --demo: this build has no %s command\n", name);
        return 1;
    }
    args.insert(args.begin(), {program, name});
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    return runCommand(*command, int(argv.size()), argv.data());
}

// `orderlens --demo [train options]` where no window can open: the same experiment through the
// headless commands (train, image statistics, analysis), saying where everything went. Options
// after --demo go to `train` after the preset, so they change the recipe (a quicker look:
// --epochs 3 --limit-train 2000).
int runDemoHeadless(int argc, char** argv)
{
    // Into the current folder, as the usage says; from a folder one cannot write to (a menu
    // entry starts in /, a shell may sit in /usr/share), into the home folder instead.
    std::string dir = "orderlens-demo";
    if (!QFileInfo(QDir::currentPath()).isWritable()) {
        dir = QDir::home().filePath("orderlens-demo").toStdString();
        std::printf("The current folder %s is not writable: using %s\n", QDir::currentPath().toUtf8().constData(),
                    dir.c_str());
    }
    QDir().mkpath(QString::fromStdString(dir));
    const std::string run = dir + "/run.h5";
    const std::string report = dir + "/report";
    std::vector<std::string> train = {"--preset", "demo", "--run", run, "--force"};
    std::string changes;
    for (int i = 2; i < argc; ++i) {
        train.emplace_back(argv[i]);
        changes += std::string(" ") + argv[i];
    }
    std::printf("No display found: training the Fashion-MNIST demo headless into %s\n"
                "(the same as: orderlens train --preset demo --run %s --force%s)\n",
                run.c_str(), run.c_str(), changes.c_str());
    std::fflush(stdout);
    char* program = argv[0];
    if (int rc = runStep(program, "train", train))
        return rc;
    std::printf("Computing the image statistics into the run (orderlens metrics --run %s)\n", run.c_str());
    std::fflush(stdout);
    if (int rc = runStep(program, "metrics", {"--run", run}))
        return rc;
    std::printf("Writing the report into %s (orderlens analyze --run %s --output %s)\n", report.c_str(),
                run.c_str(), report.c_str());
    std::fflush(stdout);
    if (int rc = runStep(program, "analyze", {"--run", run, "--output", report}))
        return rc;
    std::printf("Report: %s/report.pdf (tables and figures beside it)\n", report.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc >= 2) {
        const QString first = QString::fromLocal8Bit(argv[1]);
        if (first == "--help" || first == "-h" || first == "help") {
            printUsage();
            return 0;
        }
        if (first == "--version") {
            printVersion();
            return 0;
        }
        for (const auto& c : cli::commands())
            if (c.name == first)
                return runCommand(c, argc, argv);
        if (first == "--demo" && !hasDisplay())
            return runDemoHeadless(argc, argv);
        // A file manager passes run files by any HDF5 name (.h5, .hdf5, ...): every file argument
        // must exist and be HDF5 before a window opens for it.
        for (int i = 1; i < argc; ++i) {
            const QString argument = QString::fromLocal8Bit(argv[i]);
            if (argument.startsWith("-"))
                break;
            if (const std::optional<std::string> problem = runArgumentProblem(argument)) {
                std::fprintf(stderr, "orderlens: %s\n", problem->c_str());
                return kErrorStatus;
            }
        }
    }
    if (!hasDisplay()) {
        // An invisible window that never ends would help nobody.
        std::fprintf(stderr, "orderlens: no display (DISPLAY and WAYLAND_DISPLAY are unset), so the desktop "
                             "application cannot open.\n"
                             "  orderlens --demo   trains the demo headless and writes its report\n"
                             "  orderlens --help   lists the headless commands\n");
        return 1;
    }
    ui::Application app(argc, argv);
    QApplication::setApplicationName("OrderLens");
    QApplication::setOrganizationName("OrderLens");
    QApplication::setApplicationVersion(ORDERLENS_VERSION);
    // Lets Wayland compositors and docks match the window to the menu entry and its icon.
    QGuiApplication::setDesktopFileName(ORDERLENS_APP_ID);
    QApplication::setWindowIcon(ui::applicationIcon());
    QCommandLineParser parser;
    parser.setApplicationDescription("OrderLens desktop application (orderlens --help lists the commands)");
    parser.addOption({"demo", "Train the Fashion-MNIST demo experiment live."});
    parser.addOption({"open", "Open a run file.", "RUN.h5"});
    parser.addOption({"config", "Open the experiment form filled from a saved configuration.", "FILE.json"});
    parser.addPositionalArgument("runs", "Run files to open (each further one in its own window).", "[RUN.h5...]");
    if (!parser.parse(QApplication::arguments())) {
        std::fprintf(stderr, "orderlens: %s (orderlens --help lists the options)\n", parser.errorText().toUtf8().constData());
        return kErrorStatus;
    }
    ui::MainWindow window;
    window.show();
    QStringList runsToOpen = parser.positionalArguments();
    if (parser.isSet("open"))
        runsToOpen.prepend(parser.value("open"));
    // After show(): the window appears first, then the work starts.
    QTimer::singleShot(0, &window, [&] {
        if (parser.isSet("demo")) {
            window.startDemo();
        } else if (!runsToOpen.isEmpty()) {
            // The menu entry's %F passes every file chosen in the file manager: a tab each.
            for (const QString& run : runsToOpen)
                window.openRun(run);
        } else if (parser.isSet("config")) {
            ui::ExperimentSetupDialog* setup = window.newExperiment();
            QString error;
            if (!setup->loadConfig(parser.value("config"), &error))
                std::fprintf(stderr, "orderlens: %s\n", error.toUtf8().constData());
        }
    });
    return app.exec();
}
