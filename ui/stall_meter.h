#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace loadlevel::ui {

// Measures how long the event loop of the thread it lives on is kept from running: a 5 ms timer
// that notes how late each tick comes. The longest stall is the figure the UI promises to keep
// under 50 ms while a run goes on. Thread: the thread to watch (the UI thread).
//
// For the longest stall it also says where the time went, from the kernel's per-thread scheduler
// statistics (/proc/thread-self/schedstat): on the CPU (the UI's own work), runnable but waiting
// for a CPU (other processes had it), or neither (blocked: a lock, the X server, the disk).
class StallMeter final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StallMeter)
public:
    struct Breakdown {
        double onCpuMs = 0;
        double waitingForCpuMs = 0;
        double blockedMs = 0;
    };

    explicit StallMeter(QObject* parent = nullptr);
    void start();
    void stop();
    void reset();
    [[nodiscard]] double longestMs() const { return m_longestNs / 1e6; }
    [[nodiscard]] Breakdown longestBreakdown() const { return m_longest; }
    // Whether the kernel gave the breakdown (schedstat can be missing in containers).
    [[nodiscard]] bool hasBreakdown() const { return m_haveSchedstat; }
    [[nodiscard]] qint64 ticks() const { return m_ticks; }
    [[nodiscard]] qint64 over16ms() const { return m_over16; }
    [[nodiscard]] qint64 over50ms() const { return m_over50; }
    // "54.8 ms (on the CPU 12.0, waiting for a CPU 40.1, blocked 2.7)"
    [[nodiscard]] QString describeLongest() const;

private:
    void tick();
    bool readSchedstat(qint64& onCpuNs, qint64& waitNs) const;

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = 0;
    qint64 m_lastCpuNs = 0;
    qint64 m_lastWaitNs = 0;
    qint64 m_longestNs = 0;
    Breakdown m_longest;
    bool m_haveSchedstat = false;
    qint64 m_ticks = 0;
    qint64 m_over16 = 0;
    qint64 m_over50 = 0;
};

} // namespace loadlevel::ui
