#pragma once

#include "metrics/recorder.h"

#include <QChartView>
#include <QLineSeries>
#include <QTimer>
#include <QValueAxis>
#include <deque>

namespace loadlevel::ui {

// Acknowledged and persisted ratings per second over the last minute. Snapshots (~10 Hz) go into
// ring buffers; a coalescing timer redraws at most every 40 ms with one QXYSeries::replace() per
// series, never one repaint per point. Thread: the UI thread.
class ThroughputChart final : public QChartView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ThroughputChart)
public:
    explicit ThroughputChart(QWidget* parent = nullptr);
    void addSnapshot(const metrics::Snapshot& s);
    [[nodiscard]] qsizetype points() const { return m_acked.size(); }

private:
    void redraw();

    static constexpr double kWindowSec = 60;
    QLineSeries* m_ackedSeries;
    QLineSeries* m_persistedSeries;
    QValueAxis* m_x;
    QValueAxis* m_y;
    std::deque<QPointF> m_acked;
    std::deque<QPointF> m_persisted;
    qint64 m_startMs = 0;
    qint64 m_lastMs = 0;
    metrics::StageCounters m_last;
    QTimer m_redraw;
};

} // namespace loadlevel::ui
