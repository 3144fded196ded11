#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace loadlevel::ui {

// Measures how long the event loop of the thread it lives on is kept from running: a 5 ms timer
// that notes how late each tick comes. The longest stall is the figure the UI promises to keep
// under 50 ms while a run goes on. Thread: the thread to watch (the UI thread).
class StallMeter final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StallMeter)
public:
    explicit StallMeter(QObject* parent = nullptr);
    void start();
    void stop();
    void reset();
    [[nodiscard]] double longestMs() const { return m_longestNs / 1e6; }
    [[nodiscard]] qint64 ticks() const { return m_ticks; }
    [[nodiscard]] qint64 over16ms() const { return m_over16; }
    [[nodiscard]] qint64 over50ms() const { return m_over50; }

private:
    void tick();

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = 0;
    qint64 m_longestNs = 0;
    qint64 m_ticks = 0;
    qint64 m_over16 = 0;
    qint64 m_over50 = 0;
};

} // namespace loadlevel::ui
