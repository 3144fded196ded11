#pragma once

#include <QChartView>
#include <QGraphicsLineItem>
#include <QGraphicsSimpleTextItem>
#include <QLineSeries>
#include <QTimer>
#include <QValueAxis>
#include <deque>
#include <vector>

class QIODevice;

namespace loadlevel::ui {

// A sliding-window line chart for values that arrive ~10 times a second (throughput, lag,
// latency). Points go into ring buffers that hold the longest window (15 minutes); a coalescing
// timer redraws at most 10 times a second with one QXYSeries::replace() per series, never one
// repaint per point. Wide windows are thinned to a min/max envelope of about one point pair per
// two pixels, so peaks stay visible and a redraw stays cheap.
// Pause freezes the picture (points keep coming in); hovering a line shows its value there.
// Markers (addMarker) are vertical lines with a label at a moment: what someone did then.
// The x axis is either a sliding window ending now (seconds before now) or a span (seconds since
// its start): a run framed from its start to a little after its end, at least 10 s wide, so that a
// one-second burst is drawn wide enough to read.
// Thread: the UI thread.
class LiveChart final : public QChartView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LiveChart)
public:
    static constexpr double kMaxWindowSec = 15 * 60;

    LiveChart(const QString& title, const QString& unit, const QStringList& names, QWidget* parent = nullptr);

    // One point per series at time t (seconds, increasing); values beyond the series are ignored.
    void append(double t, const QList<double>& values);
    // Series can be added later (e.g. one per partition once the partitions are known).
    void setSeriesNames(const QStringList& names);
    [[nodiscard]] QStringList seriesNames() const;
    [[nodiscard]] qsizetype points() const {
        return m_rings.empty() ? 0 : static_cast<qsizetype>(m_rings[0].size());
    }
    // Points drawn by the last redraw, over every series (thinned for wide windows).
    [[nodiscard]] qsizetype drawnPoints() const;
    [[nodiscard]] QString title() const { return m_title; }

    // How long after new points the chart redraws (default 100 ms). Charts in one window get
    // different delays, so that each is painted in an event-loop turn of its own.
    void setRedrawDelay(int milliseconds) { m_redraw.setInterval(milliseconds); }
    void setWindowSeconds(double seconds);
    [[nodiscard]] double windowSeconds() const { return m_windowSec; }
    // Frames [start, end] (end < 0: up to now, following it) instead of the sliding window.
    void setSpan(double start, double end = -1);
    void clearSpan();
    [[nodiscard]] bool hasSpan() const { return m_spanStart >= 0; }
    // The x axis as drawn last, in chart coordinates (seconds before now, or since the span's start).
    [[nodiscard]] std::pair<double, double> xRange() const { return {m_x->min(), m_x->max()}; }
    void addMarker(double t, const QString& label);
    // The labels of the markers drawn by the last redraw, oldest first.
    [[nodiscard]] QStringList drawnMarkers() const;
    void setUnit(const QString& unit); // the title's unit
    void setPaused(bool paused);
    [[nodiscard]] bool isPaused() const { return m_paused; }
    void clear();

    // Every buffered point: "chart,series,time_s,value" rows (long format, with a header when asked);
    // each marker is a row of the series "marker" whose value is its label.
    void writeCsv(QIODevice& out, bool header = true) const;
    // "series: value unit" at time t (relative to now, <= 0), from the buffered points nearest to it.
    [[nodiscard]] QString valuesAt(double relativeT) const;

protected:
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    void redraw();
    void drawMarkers(double lo, double hi);
    void showHover(const QPointF& point, bool state);

    QString m_title;
    QString m_unit;
    double m_windowSec = 60;
    double m_now = 0;        // time of the newest point drawn
    double m_origin = 0;     // the time drawn at x = 0: now, or the span's start
    double m_spanStart = -1; // < 0: the sliding window
    double m_spanEnd = -1;   // < 0: open, up to now
    std::deque<std::pair<double, QString>> m_markers;
    std::vector<std::pair<QGraphicsLineItem*, QGraphicsSimpleTextItem*>> m_markerItems;
    QStringList m_drawnMarkers;
    bool m_paused = false;
    QValueAxis* m_x;
    QValueAxis* m_y;
    std::vector<QLineSeries*> m_series;
    std::vector<std::deque<QPointF>> m_rings;
    QTimer m_redraw;
};

} // namespace loadlevel::ui
