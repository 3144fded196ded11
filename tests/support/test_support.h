#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVariant>

namespace loadlevel::test {

// The real stack the integration tests run against (scripts/stack env).
struct Stack {
    QString kafka;
    QString db;
    QString script; // scripts/stack, for fault injection (pg-stop, pg-start, ...)
    bool available() const { return !kafka.isEmpty() && !db.isEmpty(); }
};

Stack stack();

// Every thread's stack of process pid, on stderr (gdb, when it is installed and may attach).
void printStacks(qint64 pid);
// True when running under CI (CI=true): a missing stack is then a failure, never a skip.
bool inCi();

// A fresh name per test run, so tests never see each other's topics or groups.
QString uniqueName(const QString& prefix);

// Runs scripts/stack with the arguments; returns its exit code (output goes to the test log).
int runStack(const QStringList& args, const QStringList& environment = {});

// Points XDG_CONFIG_HOME at a folder of this test process's own, so that settings and profiles
// never touch the user's. Call before QApplication reads anything (Q_CONSTRUCTOR_FUNCTION).
void useTemporaryConfigFolder();

// The CLI run with --json: its exit code, the last JSON object it printed, its standard error.
struct CliJson {
    int code = -1; // -1: it did not finish in time
    QJsonObject json;
    QString err;
};
// `environment`: NAME=value to set, NAME= to remove, on top of this process's environment.
CliJson runCliJson(const QStringList& args, const QStringList& environment, int timeoutMs = 600000);

// One value from the database, through a connection owned by the calling thread.
QVariant scalar(const QString& dbUrl, const QString& sql, const QVariantList& binds = {});

} // namespace loadlevel::test

// In initTestCase(): skip locally without a stack, fail in CI.
#define LOADLEVEL_REQUIRE_STACK(s)                                                                           \
    do {                                                                                                     \
        if (!(s).available()) {                                                                              \
            if (loadlevel::test::inCi())                                                                     \
                QFAIL("LOADLEVEL_KAFKA and LOADLEVEL_DB must be set in CI (scripts/stack up)");              \
            QSKIP("no stack: run `scripts/stack up` and `eval \"$(scripts/stack env)\"`");                   \
        }                                                                                                    \
    } while (false)
