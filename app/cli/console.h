#pragma once

#include <QJsonObject>
#include <QString>
#include <atomic>

namespace loadlevel::cli {

// Exit codes shared by every command; their documentation is exitCodes() in command_table.cpp
// (shown by --help) and the README's table.
enum ExitCode : int {
    kOk = 0,
    kFailed = 1,        // the command ran and found a problem (events missing, not all acked)
    kUsage = 2,         // wrong arguments
    kUnavailable = 3,   // Kafka or the database could not be reached
    kNotFound = 4,      // the run, report or group named does not exist
    kThreshold = 5,     // the run itself held, but a --threshold did not
    kInterrupted = 130, // SIGINT/SIGTERM before the command finished (128 + SIGINT, as shells do)
};

// Terminal output: results on stdout, progress and diagnostics on stderr. A progress line is
// redrawn in place on a terminal and printed at most every few seconds when piped.
class Console {
public:
    explicit Console(bool json);
    void line(const QString& text) const;       // stdout, human output (suppressed in JSON mode)
    void json(const QJsonObject& object) const; // stdout, one compact JSON line
    void info(const QString& text) const;       // stderr
    void error(const QString& text) const;      // stderr, prefixed "error: "
    void progress(const QString& text);         // stderr, redrawn in place on a terminal
    void endProgress();
    [[nodiscard]] bool jsonMode() const { return m_json; }
    // True when stdout is a terminal and NO_COLOR is not set.
    [[nodiscard]] bool colors() const { return m_colors; }
    [[nodiscard]] bool stdoutIsTerminal() const { return m_stdoutTty; }

private:
    bool m_json;
    bool m_tty;
    bool m_stdoutTty;
    bool m_colors;
    bool m_open = false;
    qint64 m_lastPipedMs = 0;
};

// SIGINT/SIGTERM set this flag; long commands poll it and stop cleanly.
void installInterruptHandler();
const std::atomic<bool>& interrupted();

} // namespace loadlevel::cli
