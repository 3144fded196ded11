#pragma once

#include "error.h"
#include "load/generator.h"
#include "load/profile.h"
#include "load/run_manifest.h"
#include "load/threshold.h"
#include "metrics/latency_histogram.h"

#include <QJsonObject>
#include <QString>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <vector>

namespace loadlevel::store {
class Store;
}

namespace loadlevel::load {

// Percentiles of one stage, in milliseconds.
struct StageLatency {
    qint64 count = 0;
    double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0, mean = 0;
    double p75 = 0, p95 = 0,
           p9999 = 0; // for comparisons with other tools (report export); 0 in older reports
    static StageLatency fromMicros(const metrics::LatencySummary& s);
    static StageLatency fromMillis(std::vector<double> values);
    [[nodiscard]] QJsonObject toJson() const;
    static StageLatency fromJson(const QJsonObject& o);
};

// One second of a run (t = seconds from the start).
struct TimelineRow {
    qint64 t = 0;
    qint64 due = 0;      // events the schedule made due in this second
    qint64 sent = 0;     // events that left
    qint64 accepted = 0; // acknowledged by the broker, or a 2xx answer
    qint64 failed = 0;   // an error answer or a transport error
    qint64 late = 0;     // sent later than the late threshold after their due time
    double p50Ms = 0;    // response latency of what completed in this second (from due time)
    double p99Ms = 0;
    qint64 persisted = 0; // rows of the run committed to the database in this second (if verified)
    qint64 lag = -1;      // the consumer group's lag as the second closed (-1: not watched)
};

// One event as it was sent (RunPlan::recordSent).
struct SentEvent {
    qint64 seq = 0;
    QString eventId;
    qint64 eventTimeMs = 0;
};

// Everything about one run: its configuration, the per-second timeline per stage, latency
// percentiles per stage, outcomes counted by kind, and the verification against the database.
// Saved as <runs>/<run id>.json (a superset of the RunManifest, so `verify` reads it) and
// What someone did during a run, and when (seconds since the run started): "ceiling 2,000 rows/s",
// "members 1 → 3", "broker 1 down", "sink paused". The desktop draws them as chart markers.
struct Annotation {
    double atSeconds = 0;
    QString label;
};

// <runs>/<run id>.csv (the timeline).
struct RunReport {
    RunManifest manifest; // id, times, requested/sent/acked, unacked sequence numbers, error
    Profile profile;
    QJsonObject target; // from Target::describe()
    Generator::Options generator;
    double lateAfterMs = 0;

    qint64 accepted = 0;
    qint64 failed = 0;
    qint64 late = 0;
    double maxLateMs = 0;                // the most any event was sent after its due time (late or not)
    double sendingSeconds = 0;           // from the start to the last event sent (pacing: total / this)
    std::map<QString, qint64> outcomes;  // "ack", "202", "503", "timeout", "connect: ..."
    StageLatency response;               // due → answer (corrected for coordinated omission)
    StageLatency service;                // sent → answer
    std::optional<StageLatency> persist; // event time → committed row (from the database)
    std::vector<TimelineRow> timeline;
    std::optional<Verification> verification;
    QString verificationNote;                // why there is none ("external endpoint", "no database given")
    std::vector<ThresholdResult> thresholds; // the run's --threshold conditions, measured and judged
    std::vector<SentEvent> sent;             // with RunPlan::recordSent; not saved
    std::vector<Annotation> annotations;     // key "annotations": [{"t_s", "label"}]

    [[nodiscard]] double durationSeconds() const;
    [[nodiscard]] double acceptedPerSecond() const;
    // Whether the run did what it was asked: everything sent and accepted, and, when verified,
    // nothing missing or duplicated. Late events are a finding, not a failure.
    [[nodiscard]] bool ok() const;
    // Whether every threshold held (true when there are none).
    [[nodiscard]] bool thresholdsPassed() const;

    [[nodiscard]] QJsonObject toJson() const;
    static Result<RunReport> fromJson(const QJsonObject& o);
    [[nodiscard]] QString timelineCsv() const;
    // The timeline as a text table of at most about maxLines lines: a long run in coarser steps
    // (counts summed, latencies the worst second of each step).
    [[nodiscard]] QString timelineTable(int maxLines = 60) const;
    // Writes <dir>/<run id>.json and .csv; returns the JSON file's path.
    [[nodiscard]] Result<QString> save(const QString& dir) const;
    // Also writes a copy of the JSON to `path` (the CLI's --report).
    [[nodiscard]] Result<void> saveAs(const QString& path) const;
    // A run id in the runs folder, or a path to a report file.
    static Result<RunReport> load(const QString& dir, const QString& idOrPath);
    // Reports in the runs folder, newest first (manifests of older runs without a report included).
    static std::vector<RunReport> list(const QString& dir, int limit = 200);

    // The summary people read after a run.
    [[nodiscard]] QString text() const;
};

// Side by side: A, B and the change, for every figure both reports have.
QString compareReports(const RunReport& a, const RunReport& b);

// Waits for the run's events in the database (see awaitVerification), then adds the verification,
// the event-time→persisted latency and the persisted-per-second column of the timeline.
Result<void> verifyReport(RunReport& report, store::Store& store, std::chrono::milliseconds wait,
                          const std::function<bool(const Verification&)>& onPoll = {});
// Counts rows per second of the run into the timeline's persisted column (rows at ms since the
// epoch; rows before the start count in the first second), adding rows for later seconds.
void countPersisted(RunReport& report, const std::vector<qint64>& persistedMs);

// The second half of verifyReport(), for callers that verify on their own schedule (the desktop):
// records the verification and reads the rows' persist times.
Result<void> addVerification(RunReport& report, const Verification& verification, store::Store& store);

} // namespace loadlevel::load
