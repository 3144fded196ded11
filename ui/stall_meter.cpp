#include "ui/stall_meter.h"

#include <algorithm>

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
}

void StallMeter::tick() {
    const qint64 now = m_clock.nsecsElapsed();
    // A tick due every 5 ms that comes d late means the loop was busy for about d.
    const qint64 stall = std::max<qint64>(0, now - m_lastNs - qint64(kIntervalMs) * 1000000);
    m_lastNs = now;
    if (m_ticks++ == 0)
        return;
    m_longestNs = std::max(m_longestNs, stall);
    if (stall > 16'000'000)
        ++m_over16;
    if (stall > 50'000'000)
        ++m_over50;
}

} // namespace loadlevel::ui
