#include "test_support.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThread>
#include <QUrl>
#include <QtTest>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/prctl.h>
#include <thread>
#include <unistd.h>

namespace loadlevel::test {

namespace {

// A test process still running LOADLEVEL_TEST_WATCHDOG_S seconds after its start (CMake sets it a
// little under ctest's timeout) prints every thread's stack, with gdb when it is installed, and
// aborts. ctest's own timeout kills silently, and QtTest's function timeout does not cover
// initTestCase: a hang seen once in CI (tst_lag_monitor, 2026-12-03) left no trace at all.
struct Watchdog {
    Watchdog() {
        bool ok = false;
        const int seconds = qEnvironmentVariableIntValue("LOADLEVEL_TEST_WATCHDOG_S", &ok);
        if (!ok || seconds <= 0)
            return;
        std::thread([seconds] {
            std::this_thread::sleep_for(std::chrono::seconds(seconds));
            std::fprintf(stderr, "\n=== %s still running after %d s: every thread's stack ===\n",
                         qPrintable(QCoreApplication::applicationName()), seconds);
            prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY); // Yama's ptrace_scope 1 lets only a parent attach
            printStacks(getpid());
            std::abort();
        }).detach();
    }
};
const Watchdog watchdog;

} // namespace

void printStacks(qint64 pid) {
    const std::string gdb =
        "gdb -p " + std::to_string(pid) + " -batch -ex 'thread apply all bt' 1>&2 2>/dev/null";
    if (std::system(gdb.c_str()) != 0)
        std::fprintf(stderr, "(no stack of process %lld: gdb is not installed or could not attach)\n",
                     static_cast<long long>(pid));
}

Stack stack() {
    Stack s;
    s.kafka = qEnvironmentVariable("LOADLEVEL_KAFKA");
    s.db = qEnvironmentVariable("LOADLEVEL_DB");
    s.script = qEnvironmentVariable("LOADLEVEL_STACK", QStringLiteral(LOADLEVEL_SOURCE_DIR "/scripts/stack"));
    return s;
}

bool inCi() {
    return qEnvironmentVariable("CI") == u"true";
}

QString uniqueName(const QString& prefix) {
    return QStringLiteral("%1-%2-%3")
        .arg(prefix)
        .arg(QDateTime::currentMSecsSinceEpoch())
        .arg(QRandomGenerator::global()->bounded(100000));
}

int runStack(const QStringList& args, const QStringList& environment) {
    QProcess p;
    p.setProcessChannelMode(QProcess::ForwardedChannels);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString& kv : environment)
        env.insert(kv.section(u'=', 0, 0), kv.section(u'=', 1));
    p.setProcessEnvironment(env);
    p.start(stack().script, args);
    if (!p.waitForFinished(120000))
        return -1;
    return p.exitCode();
}

QVariant scalar(const QString& dbUrl, const QString& sql, const QVariantList& binds) {
    const QString name =
        QStringLiteral("test-%1").arg(reinterpret_cast<quintptr>(QThread::currentThread()), 0, 16);
    QSqlDatabase db = QSqlDatabase::contains(name) ? QSqlDatabase::database(name, false)
                                                   : QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
    // Twice at most: a connection opened before the server restarted (a fault test stops
    // PostgreSQL) fails its first query; it is closed, opened anew, and the query sent again.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!db.isOpen()) {
            const QUrl u(dbUrl);
            db.setHostName(u.host());
            db.setPort(u.port(5432));
            db.setDatabaseName(u.path().mid(1));
            db.setUserName(u.userName());
            db.setPassword(u.password());
            if (!db.open()) {
                qWarning() << "cannot open" << dbUrl << db.lastError().text();
                return {};
            }
        }
        {
            QSqlQuery q(db);
            q.prepare(sql);
            for (const auto& b : binds)
                q.addBindValue(b);
            if (q.exec())
                return q.next() ? q.value(0) : QVariant();
            qWarning() << "query failed:" << sql << q.lastError().text()
                       << (attempt == 0 ? "(reconnecting)" : "");
        }
        db.close();
    }
    return {};
}

void useTemporaryConfigFolder() {
    static QTemporaryDir dir;
    qputenv("XDG_CONFIG_HOME", dir.path().toLocal8Bit());
}

CliJson runCliJson(const QStringList& args, const QStringList& environment, int timeoutMs) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString& e : environment) {
        const qsizetype eq = e.indexOf(u'=');
        if (eq == e.size() - 1)
            env.remove(e.left(eq));
        else
            env.insert(e.left(eq), e.mid(eq + 1));
    }
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(LOADLEVEL_CLI_PATH), args + QStringList{QStringLiteral("--json")});
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return {-1, {}, QString::fromUtf8(p.readAllStandardError())};
    }
    const QByteArray out = p.readAllStandardOutput();
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QJsonDocument::fromJson(out.trimmed().split('\n').last()).object(),
            QString::fromUtf8(p.readAllStandardError())};
}

} // namespace loadlevel::test
