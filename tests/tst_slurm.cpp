// `orderlens slurm`: the job-array script it writes, each task run as Slurm would run it, and a
// real one-node Slurm cluster (Debian's slurm-wlm, without munge) that trains a 3-network run
// as an array and analyses it in a job that waits for the array. The expected records are
// those of the all-in-one run of the same configuration, trained by a separate program run.

#include "ErrorExpectation.h"
#include "Fixtures.h"
#include "TaskRuns.h"

#include "storage/RunFile.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <filesystem>
#include <memory>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace orderlens;
namespace fs = std::filesystem;

namespace {

QString readText(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

// A TCP port nobody listens on now (the kernel's choice), for the test cluster's daemons.
quint16 freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    quint16 port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
        port = ntohs(address.sin_port);
    ::close(fd);
    return port;
}

// Runs a Slurm client command; its standard output, or empty when it failed.
QString slurmClient(const QString& program, const QStringList& args)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(60000) || p.exitCode() != 0)
        return {};
    return QString::fromLocal8Bit(p.readAllStandardOutput());
}

// slurmctld and slurmd on localhost with a generated configuration, started as children of the
// test and stopped by their process ids when it ends. No munge: auth/none and cred/none.
class OneNodeCluster {
public:
    explicit OneNodeCluster(const QString& folder) : folder_(folder) {}
    ~OneNodeCluster()
    {
        for (QProcess* daemon : {&slurmd_, &slurmctld_}) {
            if (daemon->state() == QProcess::NotRunning)
                continue;
            daemon->terminate();
            if (!daemon->waitForFinished(15000)) {
                daemon->kill();
                daemon->waitForFinished();
            }
        }
    }

    // Empty when the cluster runs, else why it does not.
    QString start()
    {
        const QString host = QSysInfo::machineHostName().section('.', 0, 0);
        const quint16 controllerPort = freePort(), nodePort = freePort();
        if (host.isEmpty() || controllerPort == 0 || nodePort == 0 || controllerPort == nodePort)
            return "no host name or free ports for the daemons";
        QDir(folder_).mkpath("state");
        QDir(folder_).mkpath("spool");
        const QString conf = folder_ + "/slurm.conf";
        QFile f(conf);
        if (!f.open(QIODevice::WriteOnly))
            return "cannot write " + conf;
        const QString cpus = QString::number(std::max(1, QThread::idealThreadCount()));
        f.write(QString("ClusterName=orderlens-test\n"
                        "SlurmctldHost=%1(127.0.0.1)\n"
                        "SlurmctldPort=%2\n"
                        "SlurmdPort=%3\n"
                        "AuthType=auth/none\n"
                        "CredType=cred/none\n"
                        "SlurmUser=root\n"
                        "SlurmdUser=root\n"
                        "StateSaveLocation=%4/state\n"
                        "SlurmdSpoolDir=%4/spool\n"
                        "SlurmctldPidFile=%4/slurmctld.pid\n"
                        "SlurmdPidFile=%4/slurmd.pid\n"
                        "SlurmctldLogFile=%4/slurmctld.log\n"
                        "SlurmdLogFile=%4/slurmd.log\n"
                        "ProctrackType=proctrack/linuxproc\n"
                        "TaskPlugin=task/none\n"
                        "JobAcctGatherType=jobacct_gather/none\n"
                        "AccountingStorageType=accounting_storage/none\n"
                        "SchedulerType=sched/builtin\n"
                        "SchedulerParameters=sched_interval=2\n"
                        "SelectType=select/cons_tres\n"
                        "SelectTypeParameters=CR_Core\n"
                        "MpiDefault=none\n"
                        "ReturnToService=2\n"
                        "MinJobAge=600\n"
                        "GresTypes=gpu\n"
                        "NodeName=%1 NodeAddr=127.0.0.1 CPUs=%5 RealMemory=2000 Gres=gpu:1 State=UNKNOWN\n"
                        "PartitionName=orderlens Nodes=%1 Default=YES MaxTime=INFINITE State=UP\n")
                    .arg(host)
                    .arg(controllerPort)
                    .arg(nodePort)
                    .arg(folder_, cpus)
                    .toUtf8());
        f.close();
        // The scripts ask each task for a GPU: the test node announces one (no device is used).
        QFile gres(folder_ + "/gres.conf");
        if (!gres.open(QIODevice::WriteOnly))
            return "cannot write gres.conf";
        gres.write(QString("NodeName=%1 Name=gpu File=/dev/null\n").arg(host).toUtf8());
        gres.close();
        // Client commands (sbatch, squeue, scontrol), and the jobs, find the cluster through it.
        qputenv("SLURM_CONF", conf.toUtf8());

        for (auto [daemon, program] : {std::pair{&slurmctld_, "slurmctld"}, std::pair{&slurmd_, "slurmd"}}) {
            daemon->setProcessChannelMode(QProcess::MergedChannels);
            daemon->setStandardOutputFile(folder_ + "/" + program + ".out");
            daemon->start(QStandardPaths::findExecutable(program), {"-D", "-f", conf});
            if (!daemon->waitForStarted())
                return QString("%1 did not start").arg(program);
        }
        QElapsedTimer waited;
        waited.start();
        while (waited.elapsed() < 60000) {
            if (slurmctld_.state() == QProcess::NotRunning || slurmd_.state() == QProcess::NotRunning)
                return "a daemon stopped: " + readText(folder_ + "/slurmctld.out") + readText(folder_ + "/slurmd.out");
            if (slurmClient("sinfo", {"-h", "-o", "%T"}).trimmed() == "idle")
                return {};
            QThread::msleep(250);
        }
        return "the node did not become idle within a minute: " + readText(folder_ + "/slurmctld.log");
    }

    const QString& folder() const { return folder_; }

private:
    QString folder_;
    QProcess slurmctld_, slurmd_;
};

// The state of every job (array elements one by one) of the given ids, as scontrol reports.
QStringList jobStates(const QStringList& ids)
{
    QStringList states;
    for (const QString& id : ids) {
        const QString out = slurmClient("scontrol", {"-o", "show", "job", id});
        for (const QString& line : out.split('\n', Qt::SkipEmptyParts)) {
            const QRegularExpressionMatch m = QRegularExpression("JobState=(\\S+)").match(line);
            states << (m.hasMatch() ? m.captured(1) : "UNKNOWN");
        }
    }
    return states;
}

}  // namespace

class TstSlurm : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString reference_;

    QString path(const QString& name) const { return dir_.filePath(name); }
    static QStringList slurm(const QString& run, const QStringList& extra)
    {
        return QStringList{"slurm"} + test::smallFashionTraining() + QStringList{"--run", run} + extra;
    }
    void expectAllInOne(const QString& run)
    {
        const RunFile merged(run.toStdString()), expected(reference_.toStdString());
        QVERIFY(merged.madeOfParts());
        QCOMPARE(merged.epochsDone(), std::vector<int>({2, 2, 2}));
        const std::string difference = test::recordDifference(expected, merged);
        QVERIFY2(difference.empty(), difference.c_str());
    }

private slots:
    void initTestCase()
    {
        if (test::fashionMnistDir().empty())
            QSKIP("Debian's dataset-fashion-mnist is not installed");
        QVERIFY(dir_.isValid());
        reference_ = path("all-in-one.h5");
        const QString failure = test::trainAllInOne(reference_);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
    }

    void scriptTrainsEachTaskAsSlurmWould()
    {
        const QString run = path("scripted.h5");
        QString out;
        QCOMPARE(test::runOrderlens(slurm(run, {"--partition", "debug", "--time", "10:00", "--mem", "2G", "--throttle", "2",
                                                "--gres", "none"}),
                                    &out),
                 0);
        const QString script = path("scripted.sbatch");
        QCOMPARE(out.trimmed(), script);
        const QString text = readText(script);
        QVERIFY(text.startsWith("#!/bin/bash\n"));
        const QStringList directives = text.split('\n').filter(QRegularExpression("^#SBATCH "));
        QCOMPARE(directives, QStringList({"#SBATCH --job-name=orderlens-scripted", "#SBATCH --array=0-2%2",
                                          "#SBATCH --chdir=" + QDir::currentPath(), "#SBATCH --partition=debug",
                                          "#SBATCH --cpus-per-task=1", "#SBATCH --mem=2G", "#SBATCH --time=10:00",
                                          "#SBATCH --output=" + path("scripted-%A-task-%a.log")}));
        // The training options go to every task as given; --threads follows --cpus.
        QVERIFY2(text.contains("train --dataset fashion-mnist --limit-train 600 --limit-test 200 --architecture net "
                               "--networks 3 --epochs 2 --batch-size 64 --lr 0.05 --seed 11 --device cpu --threads 1 "
                               "--run " + run + " --task \"$task\""),
                 qPrintable(text));
        QVERIFY2(text.contains("sbatch --dependency=afterok:${array%%;*} --job-name=orderlens-scripted-analysis"),
                 qPrintable(text));

        // Each task as Slurm starts it: bash, in the script's folder, with its array index.
        for (int k = 0; k < 3; ++k) {
            QProcess task;
            task.setProcessChannelMode(QProcess::MergedChannels);
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert("SLURM_ARRAY_TASK_ID", QString::number(k));
            task.setProcessEnvironment(env);
            task.start("bash", {script});
            QVERIFY(task.waitForFinished(300000));
            QVERIFY2(task.exitCode() == 0, task.readAll().constData());
        }
        expectAllInOne(run);
        // Submitted again (a failed task's resubmission), a task whose part exists resumes it.
        QProcess again;
        again.setProcessChannelMode(QProcess::MergedChannels);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("SLURM_ARRAY_TASK_ID", "1");
        again.setProcessEnvironment(env);
        again.start("bash", {script});
        QVERIFY(again.waitForFinished(300000));
        const QString log = QString::fromLocal8Bit(again.readAll());
        QVERIFY2(again.exitCode() == 0 && log.contains("Resuming"), qPrintable(log));
        // Outside an array the script says what it needs.
        QProcess plain;
        plain.setProcessChannelMode(QProcess::MergedChannels);
        plain.start("bash", {script});
        QVERIFY(plain.waitForFinished(60000));
        QVERIFY(plain.exitCode() != 0);
        QVERIFY(QString::fromLocal8Bit(plain.readAll()).contains("submit this script with sbatch"));

        // An existing run is not started over without --force.
        QVERIFY(test::runOrderlens(slurm(run, {}), &out) != 0);
        QVERIFY2(out.contains("exists") && out.contains("--force"), qPrintable(out));
        QCOMPARE(test::runOrderlens(slurm(run, {"--force"}), &out), 0);
        QVERIFY(!fs::exists(run.toStdString()) && !fs::exists(RunFile::partPathFor(run.toStdString(), 0)));
        QVERIFY(readText(script).contains("#SBATCH --gres=gpu:1"));
        QVERIFY(test::runOrderlens(slurm(run, {"--task", "1"}), &out) != 0);
    }

    void realOneNodeCluster()
    {
        if (::geteuid() != 0)
            QSKIP("starting slurmctld and slurmd for a one-node test cluster needs root (as on CI); skipped");
        for (const char* program : {"slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "sinfo"})
            if (QStandardPaths::findExecutable(program).isEmpty())
                QSKIP(qPrintable(QString("%1 is not installed (packaging/setup.sh installs slurm-wlm); skipped")
                                     .arg(program)));
        OneNodeCluster cluster(path("cluster"));
        const QString why = cluster.start();
        if (!why.isEmpty())
            QSKIP(qPrintable("the test cluster's daemons could not start: " + why));

        const QString run = path("cluster-run.h5");
        QString out;
        QCOMPARE(test::runOrderlens(slurm(run, {"--time", "10:00", "--mem", "500M", "--submit"}), &out), 0);
        const QRegularExpressionMatch ids =
            QRegularExpression("array as job (\\d+) .* analysis as job (\\d+)").match(out);
        QVERIFY2(ids.hasMatch(), qPrintable(out));
        const QStringList jobs = {ids.captured(1), ids.captured(2)};

        // A generous deadline, far beyond the half minute this takes, so that only a hang fails.
        QElapsedTimer waited;
        waited.start();
        QStringList states;
        while (waited.elapsed() < 150000) {
            states = jobStates(jobs);
            if (states.size() == 4 && std::all_of(states.begin(), states.end(), [](const QString& s) {
                    return s == "COMPLETED" || s == "FAILED" || s == "CANCELLED" || s == "TIMEOUT";
                }))
                break;
            QThread::msleep(500);
        }
        QCOMPARE(states, QStringList({"COMPLETED", "COMPLETED", "COMPLETED", "COMPLETED"}));
        expectAllInOne(run);
        QVERIFY(QFile::exists(path("cluster-run-%1-task-2.log").arg(jobs[0])));
        // The analysis job added the statistics and analysed the merged run: its agreement
        // table is that of the all-in-one run, analysed here by a separate program run.
        QVERIFY(QFile::exists(path("cluster-run.stats.h5")));
        QCOMPARE(test::runOrderlens({"analyze", "--run", reference_, "--output", path("reference-analysis"), "--no-figures"}),
                 0);
        const QString agreement = readText(path("cluster-run-analysis/agreement.csv"));
        QVERIFY(!agreement.isEmpty());
        QCOMPARE(agreement, readText(path("reference-analysis/agreement.csv")));
        QVERIFY(QFile::exists(path("cluster-run-analysis/report.pdf")));
        QCOMPARE(test::runOrderlens({"status", "--run", run}, &out), 0);
        QVERIFY2(out.contains("State: complete"), qPrintable(out));
    }
};

QTEST_GUILESS_MAIN(TstSlurm)
#include "tst_slurm.moc"
