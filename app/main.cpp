// orderlens: the desktop application with no arguments, a headless subcommand otherwise.

#include "Command.h"

#include "MainWindow.h"
#include "common/Errors.h"
#include "dataset/DatasetReader.h"

#include <QApplication>
#include <QCoreApplication>

#include <cstdio>
#include <cstdlib>
#include <memory>

using namespace orderlens;

namespace {

void printUsage()
{
    std::printf("OrderLens %s: in which order do deep networks learn the images of a dataset?\n\n", ORDERLENS_VERSION);
    std::printf("Usage:\n  orderlens                 open the desktop application\n"
                "  orderlens COMMAND [options]  run headless (orderlens COMMAND --help lists its options)\n\n"
                "Commands:\n");
    for (const auto& c : cli::commands())
        std::printf("  %-12s %s\n", c.name.toUtf8().constData(), c.summary.toUtf8().constData());
    std::printf("\nDataset specs (--dataset):\n");
    for (const auto& r : datasetReaders())
        std::printf("  %s\n", r->description().c_str());
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
    parser.setApplicationDescription(command.summary);
    parser.addHelpOption();
    command.declare(parser);
    QStringList args = QCoreApplication::arguments();
    args.removeAt(1);  // the command name
    if (!parser.parse(args)) {
        std::fprintf(stderr, "orderlens %s: %s\n", argv[1], parser.errorText().toUtf8().constData());
        return 2;
    }
    if (parser.isSet("help")) {
        std::printf("%s\n", parser.helpText().replace("orderlens [options]", "orderlens " + command.name + " [options]").toUtf8().constData());
        return 0;
    }
    if (!parser.positionalArguments().isEmpty()) {
        std::fprintf(stderr, "orderlens %s: unexpected argument '%s'\n", argv[1],
                     parser.positionalArguments().first().toUtf8().constData());
        return 2;
    }
    try {
        return command.run(parser);
    } catch (const ConfigError& e) {
        std::fprintf(stderr, "orderlens %s: %s\n", argv[1], e.what());
        return 2;
    } catch (const Cancelled&) {
        std::fprintf(stderr, "orderlens %s: cancelled\n", argv[1]);
        return 130;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "orderlens %s: %s\n", argv[1], e.what());
        return 1;
    }
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
            std::printf("orderlens %s\n", ORDERLENS_VERSION);
            return 0;
        }
        for (const auto& c : cli::commands())
            if (c.name == first)
                return runCommand(c, argc, argv);
        if (!first.startsWith("-")) {
            std::fprintf(stderr, "orderlens: unknown command '%s' (orderlens --help lists them)\n", argv[1]);
            return 2;
        }
    }
    if (!hasDisplay())
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName("OrderLens");
    QApplication::setOrganizationName("OrderLens");
    QApplication::setApplicationVersion(ORDERLENS_VERSION);
    ui::MainWindow window;
    window.show();
    return app.exec();
}
