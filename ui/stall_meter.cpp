#include "ui/stall_meter.h"

#include <algorithm>
#include <cstdio>

namespace loadlevel::ui {

namespace {
constexpr int kIntervalMs = 5;
}

StallMeter::StallMeter(QObject* parent)
    : QObject(parent)
    , m_timer(this) {
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(kIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &StallMeter::tick);
}

void StallMeter::start() {
    reset();
    m_timer.start();
}

void StallMeter::stop() {
    m_timer.stop();
}

void StallMeter::reset() {
    m_clock.start();
    m_lastNs = 0;
    m_longestNs = m_ticks = m_over16 = m_over50 = 0;
    m_longest = {};
    m_haveSchedstat = readSchedstat(m_lastCpuNs, m_lastWaitNs);
}

bool StallMeter::readSchedstat(qint64& onCpuNs, qint64& waitNs) const {
    // Three numbers: time on the CPU, time runnable but waiting, timeslices (all since the thread
    // started). A plain read: a few microseconds every 5 ms.
    std::FILE* f = std::fopen("/proc/thread-self/schedstat", "re");
    if (!f)
        return false;
    long long cpu = 0;
    long long wait = 0;
    const bool ok = std::fscanf(f, "%lld %lld", &cpu, &wait) == 2;
    std::fclose(f);
    if (ok) {
        onCpuNs = cpu;
        waitNs = wait;
    }
    return ok;
}

void StallMeter::tick() {
    const qint64 now = m_clock.nsecsElapsed();
    qint64 cpu = m_lastCpuNs;
    qint64 wait = m_lastWaitNs;
    if (m_haveSchedstat)
        readSchedstat(cpu, wait);
    // A tick due every 5 ms that comes d late means the loop was busy for about d.
    const qint64 late = std::max<qint64>(0, now - m_lastNs - qint64(kIntervalMs) * 1000000);
    const qint64 sinceLast = now - m_lastNs;
    const qint64 cpuDelta = cpu - m_lastCpuNs;
    const qint64 waitDelta = wait - m_lastWaitNs;
    m_lastNs = now;
    m_lastCpuNs = cpu;
    m_lastWaitNs = wait;
    if (m_ticks++ == 0)
        return;
    if (late > m_longestNs) {
        m_longestNs = late;
        // The split covers the whole interval since the last tick (the late part plus the 5 ms the
        // timer waited on purpose, which the thread spends asleep).
        m_longest.onCpuMs = cpuDelta / 1e6;
        m_longest.waitingForCpuMs = waitDelta / 1e6;
        m_longest.blockedMs =
            std::max<qint64>(0, sinceLast - cpuDelta - waitDelta - qint64(kIntervalMs) * 1000000) / 1e6;
    }
    if (late > 16'000'000)
        ++m_over16;
    if (late > 50'000'000)
        ++m_over50;
}

QString StallMeter::describeLongest() const {
    if (!m_haveSchedstat)
        return QStringLiteral("%1 ms").arg(longestMs(), 0, 'f', 1);
    return QStringLiteral("%1 ms (on the CPU %2, waiting for a CPU %3, blocked %4)")
        .arg(longestMs(), 0, 'f', 1)
        .arg(m_longest.onCpuMs, 0, 'f', 1)
        .arg(m_longest.waitingForCpuMs, 0, 'f', 1)
        .arg(m_longest.blockedMs, 0, 'f', 1);
}

} // namespace loadlevel::ui
