#pragma once

#include <QChartView>
#include <QLineSeries>
#include <QTimer>
#include <QValueAxis>
#include <deque>
#include <vector>

namespace loadlevel::ui {

// A sliding-window line chart for values that arrive ~10 times a second (throughput, lag,
// latency). Points go into ring buffers; a coalescing timer redraws at most every 40 ms with one
// QXYSeries::replace() per series, never one repaint per point. Thread: the UI thread.
class LiveChart final : public QChartView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LiveChart)
public:
    LiveChart(const QString& title, const QString& unit, const QStringList& names, QWidget* parent = nullptr);

    // One point per series at time t (seconds, increasing); values beyond the series are ignored.
    void append(double t, const QList<double>& values);
    // Series can be added later (e.g. one per partition once the partitions are known).
    void setSeriesNames(const QStringList& names);
    [[nodiscard]] qsizetype points() const {
        return m_rings.empty() ? 0 : static_cast<qsizetype>(m_rings[0].size());
    }
    void setWindowSeconds(double seconds) { m_windowSec = seconds; }

private:
    void redraw();

    double m_windowSec = 60;
    QValueAxis* m_x;
    QValueAxis* m_y;
    std::vector<QLineSeries*> m_series;
    std::vector<std::deque<QPointF>> m_rings;
    QTimer m_redraw;
};

} // namespace loadlevel::ui
