#pragma once

#include "metrics/lag_monitor.h"
#include "metrics/latency_histogram.h"

#include <QDateTime>
#include <QMetaType>
#include <QObject>
#include <QTimer>
#include <atomic>
#include <memory>
#include <mutex>

namespace loadlevel::metrics {

struct StageCounters {
    qint64 produced = 0;   // handed to the producer
    qint64 acked = 0;      // acknowledged by the broker
    qint64 failed = 0;     // delivery failed
    qint64 consumed = 0;   // read by the sink
    qint64 persisted = 0;  // new rows committed
    qint64 duplicates = 0; // redelivered events the database already had
    qint64 deadLetters = 0;
};

struct StageRates {
    double produced = 0, acked = 0, consumed = 0, persisted = 0; // per second since the last snapshot
};

// Everything the UI, the CLI and /metrics show, at one instant. A value type (cheap to copy: the
// full histogram counts are shared, read-only).
struct Snapshot {
    QDateTime at;
    StageCounters totals;
    StageRates rates;
    LatencySummary sendToAck;      // from the intended send time for paced runs (no coordinated omission)
    LatencySummary ackToPersisted; // needs broker append timestamps (LogAppendTime topics)
    LatencySummary sendToPersisted;
    std::shared_ptr<const LatencyHistogram::Counts> sendToAckCounts;
    std::shared_ptr<const LatencyHistogram::Counts> ackToPersistedCounts;
    std::shared_ptr<const LatencyHistogram::Counts> sendToPersistedCounts;
    QList<GroupLag> lag;
};

// Lock-free counters and histograms the engines write to (Runner: produced/acked/send→ack; Sink:
// consumed/persisted/…→persisted). One per pipeline; engines hold a plain pointer to it.
// Thread: every member may be used from any thread.
class Recorder {
public:
    std::atomic<qint64> produced{0}, acked{0}, failed{0}, consumed{0}, persisted{0}, duplicates{0},
        deadLetters{0};
    LatencyHistogram sendToAck;
    LatencyHistogram ackToPersisted;
    LatencyHistogram sendToPersisted;

    [[nodiscard]] StageCounters counters() const;
    // A snapshot with totals and latencies; rates are left to whoever knows the previous one.
    [[nodiscard]] Snapshot snapshot() const;
    void reset();
};

// Publishes a Snapshot about every intervalMs (default 100 ms, ~10 Hz) from a Recorder and the
// latest lag report, with per-second rates. Lives on the thread of its event loop; snapshot() is
// a queued-connection-friendly value signal.
class SnapshotPublisher final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SnapshotPublisher)
public:
    explicit SnapshotPublisher(const Recorder& recorder, int intervalMs = 100, QObject* parent = nullptr);
    void start();
    void stop();
    // The lag to include from now on (connect LagMonitor::updated here).
    void setLag(const QList<loadlevel::metrics::GroupLag>& lag);
    [[nodiscard]] Snapshot current();

signals:
    void snapshot(const loadlevel::metrics::Snapshot& s);

private:
    const Recorder& m_recorder;
    QTimer m_timer;
    Snapshot m_previous;
    std::mutex m_lagMutex;
    QList<GroupLag> m_lag;
};

} // namespace loadlevel::metrics

Q_DECLARE_METATYPE(loadlevel::metrics::Snapshot)
