#include "Command.h"

#include "common/Errors.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unistd.h>

namespace orderlens::cli {

std::vector<Command>& commands()
{
    static std::vector<Command> all;
    return all;
}

long long intOption(const QCommandLineParser& p, const QString& name, long long min, long long max)
{
    bool ok = false;
    const long long v = p.value(name).toLongLong(&ok);
    if (!ok || v < min || v > max)
        throw ConfigError("--" + name.toStdString() + ": '" + p.value(name).toStdString() +
                          "' is not a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    return v;
}

double doubleOption(const QCommandLineParser& p, const QString& name, double min, double max)
{
    bool ok = false;
    const double v = p.value(name).toDouble(&ok);
    if (!ok || !std::isfinite(v) || v < min || v > max)
        throw ConfigError("--" + name.toStdString() + ": '" + p.value(name).toStdString() +
                          "' is not a number from " + std::to_string(min) + " to " + std::to_string(max));
    return v;
}

std::string stringOption(const QCommandLineParser& p, const QString& name) { return p.value(name).toStdString(); }

ProgressPrinter::ProgressPrinter(std::string what) : what_(std::move(what)), terminal_(::isatty(STDOUT_FILENO)) {}

namespace {
std::string formatDuration(double s)
{
    if (!std::isfinite(s) || s < 0)
        return "--:--";
    const long t = long(s + 0.5);
    char buf[32];
    if (t >= 3600)
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
    else
        std::snprintf(buf, sizeof buf, "%02ld:%02ld", t / 60, t % 60);
    return buf;
}
}  // namespace

void ProgressPrinter::update(double fraction, const std::string& detail, double etaSeconds)
{
    fraction = std::clamp(fraction, 0.0, 1.0);
    if (terminal_) {
        constexpr int kWidth = 30;
        const int filled = int(fraction * kWidth);
        std::string bar(std::size_t(filled), '#');
        bar.resize(kWidth, '.');
        std::printf("\r\033[K%s [%s] %5.1f%%  ETA %s  %s", what_.c_str(), bar.c_str(), 100 * fraction,
                    formatDuration(etaSeconds).c_str(), detail.c_str());
        std::fflush(stdout);
        barShown_ = true;
    } else if (fraction - lastPlain_ >= 0.1 || fraction >= 1.0) {
        // Without a terminal, one line every 10 % keeps logs readable.
        lastPlain_ = fraction;
        std::printf("%s %5.1f%%  ETA %s  %s\n", what_.c_str(), 100 * fraction, formatDuration(etaSeconds).c_str(),
                    detail.c_str());
        std::fflush(stdout);
    }
}

void ProgressPrinter::line(const std::string& text)
{
    if (terminal_ && barShown_)
        std::printf("\r\033[K");
    std::printf("%s\n", text.c_str());
    std::fflush(stdout);
    barShown_ = false;
}

void ProgressPrinter::finish(const std::string& detail)
{
    line(what_ + ": " + detail);
}

}  // namespace orderlens::cli
