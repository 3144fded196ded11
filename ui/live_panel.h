#pragma once

#include "metrics/recorder.h"
#include "ui/live_chart.h"
#include "ui/live_text.h"

#include <QWidget>
#include <deque>
#include <memory>

class QComboBox;
class QLabel;
class QPushButton;

namespace loadlevel::ui {

// The Live tab: throughput, consumer lag (in messages, or in seconds: the oldest unconsumed
// event's age) with the drain estimate above it, and the end-to-end latency, fed by the session's
// snapshots. A toolbar picks the time shown (the last 1, 5 or 15 minutes, or the run: from its
// start to a little after its end), pauses, and saves PNG or CSV. Markers label what was done.
// Thread: the UI thread.
class LivePanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LivePanel)
public:
    explicit LivePanel(QWidget* parent = nullptr);

    void onSnapshot(const metrics::Snapshot& s);
    // A vertical marker with this label on every chart, at the newest snapshot's time.
    void mark(const QString& label);
    // The run's span, for the "the run" window: from now, and (runEnded) to now.
    void runStarted();
    void runEnded();
    void clear(); // a new pipeline: no points, no markers, no run
    // A scenario's current step (one line above the charts; empty hides it) and its summary card.
    void setStory(const QString& line);
    void setCard(const QString& html, bool ok);
    [[nodiscard]] QString story() const;
    [[nodiscard]] QString card() const;
    bool exportPng(const QString& file);
    bool exportCsv(const QString& file);
    void applyTheme(const QPalette& palette);

    [[nodiscard]] LiveChart* throughputChart() const { return m_throughput; }
    [[nodiscard]] LiveChart* lagChart() const { return m_lag; }
    [[nodiscard]] LiveChart* latencyChart() const { return m_latency; }
    [[nodiscard]] QString drainText() const { return m_drain->text(); }
    [[nodiscard]] QComboBox* windowBox() const { return m_window; }
    [[nodiscard]] QComboBox* lagUnitBox() const { return m_lagUnit; }
    [[nodiscard]] QPushButton* pauseButton() const { return m_pause; }
    [[nodiscard]] double persistedPerSecond() const { return m_persistedRate; }

signals:
    void message(const QString& text); // for the status bar

private:
    [[nodiscard]] bool lagInSeconds() const;
    void frame(); // applies the window choice to every chart
    [[nodiscard]] std::vector<LiveChart*> charts() const { return {m_throughput, m_lag, m_latency}; }

    QComboBox* m_window = nullptr;
    QComboBox* m_lagUnit = nullptr;
    QPushButton* m_pause = nullptr;
    LiveChart* m_throughput = nullptr;
    LiveChart* m_lag = nullptr;
    LiveChart* m_latency = nullptr;
    LiveText* m_drain = nullptr;
    QLabel* m_story = nullptr;
    QLabel* m_card = nullptr;

    qint64 m_firstSnapshotMs = 0;
    qint64 m_lastRateMs = 0;
    double m_t = 0; // the newest snapshot's time on the charts
    double m_persistedRate = 0;
    double m_runStart = -1, m_runEnd = -1;
    metrics::StageCounters m_lastTotals;
    // Histogram counts of about the last second, for latency percentiles over a window.
    std::deque<std::pair<qint64, std::shared_ptr<const metrics::LatencyHistogram::Counts>>> m_latencyHistory;
};

} // namespace loadlevel::ui
