#include "console.h"

#include <QDateTime>
#include <QJsonDocument>
#include <csignal>
#include <cstdio>
#include <thread>
#include <unistd.h>

namespace loadlevel::cli {

namespace {
std::atomic<bool> g_interrupted{false}; // written by the signal handler only
extern "C" void onSignal(int) {
    // The first signal asks the command to stop cleanly (it prints what was done, a run keeps its
    // report); a second one ends the process at once.
    if (g_interrupted.exchange(true)) {
        static const char kAgain[] = "\ninterrupted again: exiting at once\n";
        (void)!write(STDERR_FILENO, kAgain, sizeof kAgain - 1);
        _exit(130);
    }
}
} // namespace

void installInterruptHandler() {
    // Whatever Kafka or the database are doing, Ctrl+C ends the command within 2 s: the command
    // gets 1.8 s to stop cleanly (print what was done, keep its report), then the process exits.
    // Nothing is lost by that: a run's events were either acknowledged or are listed unacked, and
    // the sink's batches are transactions with their offsets.
    std::thread([] {
        while (!g_interrupted.load())
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        std::this_thread::sleep_for(std::chrono::milliseconds(1800));
        static const char kLate[] = "\ninterrupted: still stopping after 2 s, exiting now\n";
        (void)!write(STDERR_FILENO, kLate, sizeof kLate - 1);
        std::fflush(stdout);
        _exit(130);
    }).detach();
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

const std::atomic<bool>& interrupted() {
    return g_interrupted;
}

Console::Console(bool json)
    : m_json(json)
    , m_tty(isatty(STDERR_FILENO) == 1)
    , m_stdoutTty(isatty(STDOUT_FILENO) == 1)
    , m_colors(m_stdoutTty && qEnvironmentVariableIsEmpty("NO_COLOR")) {}

void Console::line(const QString& text) const {
    if (m_json)
        return;
    std::fputs(text.toLocal8Bit().constData(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void Console::json(const QJsonObject& object) const {
    std::fputs(QJsonDocument(object).toJson(QJsonDocument::Compact).constData(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void Console::info(const QString& text) const {
    std::fputs(text.toLocal8Bit().constData(), stderr);
    std::fputc('\n', stderr);
}

void Console::error(const QString& text) const {
    std::fputs((u"error: " + text).toLocal8Bit().constData(), stderr);
    std::fputc('\n', stderr);
}

void Console::progress(const QString& text) {
    if (m_tty) {
        std::fprintf(stderr, "\r\033[K%s", text.toLocal8Bit().constData());
        std::fflush(stderr);
        m_open = true;
        return;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (now - m_lastPipedMs >= 5000) {
        m_lastPipedMs = now;
        info(text);
    }
}

void Console::endProgress() {
    if (m_open) {
        std::fputc('\n', stderr);
        m_open = false;
    }
}

} // namespace loadlevel::cli
