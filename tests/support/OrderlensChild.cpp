#include "OrderlensChild.h"

#include <QProcess>
#include <QThread>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace orderlens::test {

namespace {

// Whether the process is stopped (state T in /proc/PID/stat): the announcement is written just
// before the child stops itself, and a SIGCONT sent before it stopped would be lost.
bool stopped(qint64 pid)
{
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'T';
}

}  // namespace

ChildOutcome runOrderlens(const QStringList& arguments, const QString& crashPoint,
                          const std::function<void()>& atCrashPoint, int killAfterMs)
{
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("ORDERLENS_CRASH_POINT");
    if (!crashPoint.isEmpty())
        env.insert("ORDERLENS_CRASH_POINT", crashPoint);
    child.setProcessEnvironment(env);
    child.setStandardOutputFile(QProcess::nullDevice());
    child.start(ORDERLENS_BINARY, arguments);
    ChildOutcome out;
    if (!child.waitForStarted())
        return out;
    auto killNow = [&] {
        ::kill(pid_t(child.processId()), SIGKILL);
        child.waitForFinished(-1);
        out.killed = child.exitStatus() == QProcess::CrashExit;
    };
    if (!crashPoint.isEmpty()) {
        while (child.state() != QProcess::NotRunning && !out.errors.contains("crash point ")) {
            child.waitForReadyRead(100);
            out.errors += QString::fromLocal8Bit(child.readAllStandardError());
        }
        out.reachedCrashPoint = out.errors.contains("crash point ");
        if (out.reachedCrashPoint) {
            while (child.state() != QProcess::NotRunning && !stopped(child.processId()))
                QThread::msleep(5);
            if (atCrashPoint) {
                atCrashPoint();
                ::kill(pid_t(child.processId()), SIGCONT);
            } else {
                killNow();
            }
        }
    } else if (killAfterMs >= 0) {
        if (!child.waitForFinished(killAfterMs))
            killNow();
    }
    if (!out.killed) {
        child.waitForFinished(-1);
        out.finished = child.exitStatus() == QProcess::NormalExit;
        out.exitCode = child.exitCode();
    }
    out.errors += QString::fromLocal8Bit(child.readAllStandardError());
    return out;
}

std::vector<std::string> folderEntries(const std::string& folder)
{
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(folder))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace orderlens::test
