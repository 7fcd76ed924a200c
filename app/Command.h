#pragma once

#include <QCommandLineParser>
#include <QStringList>

#include <functional>
#include <string>
#include <vector>

namespace orderlens::cli {

// A headless subcommand: `orderlens NAME [options]`. Each command lives in its own
// app/Command*.cpp file and registers itself with a static CommandRegistration.
struct Command {
    QString name;
    QString summary;
    // Declares the options on the parser (help is added by the caller).
    std::function<void(QCommandLineParser&)> declare;
    // Runs with the parsed options; returns the exit code. May throw orderlens::Error.
    std::function<int(const QCommandLineParser&)> run;
    // Commands that render figures need a QApplication (offscreen when there is no display).
    bool needsGui = false;
    // More for --help after the summary (empty: nothing).
    std::function<QString()> details = nullptr;
};

std::vector<Command>& commands();

struct CommandRegistration {
    explicit CommandRegistration(Command c) { commands().push_back(std::move(c)); }
};

// Option parsing with one-line errors (thrown as orderlens::ConfigError).
long long intOption(const QCommandLineParser& p, const QString& name, long long min, long long max);
double doubleOption(const QCommandLineParser& p, const QString& name, double min, double max);
std::string stringOption(const QCommandLineParser& p, const QString& name);

// Prints progress on one line with a bar and ETA on a terminal, as plain lines otherwise.
class ProgressPrinter {
public:
    explicit ProgressPrinter(std::string what);
    void update(double fraction, const std::string& detail, double etaSeconds);
    void finish(const std::string& detail);
    void line(const std::string& text);  // a message that does not disturb the bar

private:
    std::string what_;
    bool terminal_;
    double lastPlain_ = -1;
    bool barShown_ = false;
};

}  // namespace orderlens::cli
