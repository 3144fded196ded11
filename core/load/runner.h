#pragma once

#include "error.h"
#include "kafka/client_config.h"
#include "load/generator.h"
#include "load/profile.h"
#include "load/report.h"
#include "load/run_manifest.h"
#include "load/target.h"
#include "load/threshold.h"
#include "metrics/recorder.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

namespace loadlevel::load {

// A run: what to send, when, and how long to wait for the answers.
struct RunPlan {
    Profile profile = Profile::burst(1000);
    Generator::Options generator;
    QString source = QStringLiteral("/loadlevel/cli");
    // An event sent more than this after its due time counts as late (the open model's report
    // of what the target or the machine could not keep up with).
    std::chrono::milliseconds lateAfter{10};
    // After the last send, how long to wait for outstanding answers before giving up on them.
    std::chrono::milliseconds drainTimeout{std::chrono::seconds(330)};
    // While this says true, nothing more is sent: a destination with little room, such as the
    // embedded cluster (it drops a partition's oldest data past its retention), is not filled
    // faster than its reader empties it. Events held back count as late. Called from the run's
    // thread, often: it must be cheap. Empty: never held.
    std::function<bool()> holdBack;
    // The consumer lag behind the target now, in events (-1: unknown), recorded in the timeline as
    // each second closes. Called from the run's thread: it must be cheap (read what a lag monitor
    // keeps on its own thread). Empty: no lag column.
    std::function<qint64()> lag;
    // Keep every sent event's sequence number, id and time in RunReport::sent (the verification of
    // someone else's table needs them).
    bool recordSent = false;
    // Judged once the run is verified (load::evaluate()), by whoever verifies it: the CLI, the desktop.
    std::vector<Threshold> thresholds;
};

struct RunProgress {
    qint64 requested = 0;
    qint64 sent = 0;
    qint64 acked = 0; // accepted: acknowledged by the broker or answered 2xx
    qint64 failed = 0;
    double elapsedSec = 0;
    qint64 late = 0;
    double plannedSec = 0;     // the profile's duration (0 for a burst)
    double lastSecondRate = 0; // accepted in the last whole second
    double lastSecondP99Ms = 0;
};

using ProgressFn = std::function<void(const RunProgress&)>;

// Sends a plan's events to a target, on the schedule of its profile (an open model: events are due
// at their time whatever the target does; what cannot go on time is sent as soon as possible and
// counted late), and returns the report without verification (see verifyReport()).
// Thread: blocks the calling thread, which drives the target; progress about every 200 ms on it.
// Cancel: stops sending; answers to what was sent are awaited for at most 5 s more.
// Errors: only a target that cannot work at all (send() fails) ends the run with an Error before
// anything was sent; afterwards failures are in the report.
Result<RunReport> runPlan(Target& target, const RunPlan& plan, const ProgressFn& progress = {},
                          const std::atomic<bool>* cancel = nullptr, metrics::Recorder* recorder = nullptr);

// The Kafka case with the simple spec the burst button and `loadlevel-cli burst` use.
struct RunSpec {
    qint64 count = 1000;
    double ratePerSec = 0; // 0: as fast as possible (a burst); > 0: paced, events due at i/rate
    Generator::Options generator;
    QString source = QStringLiteral("/loadlevel/cli");
};

class KafkaTarget;

// Sends runs of generated rating events to a topic and records their manifests. Its producer
// lives as long as the runner (see KafkaTarget): prepare() starts it ahead of the first run.
// Thread, errors: as runPlan(); a producer that cannot be created is an Error.
class Runner {
public:
    Runner(kafka::ClientConfig config, QString topic);
    ~Runner();
    Runner(const Runner&) = delete;
    Runner& operator=(const Runner&) = delete;
    // Creates the producer now, so that it is connected and has its producer id when the first
    // run starts (call it before waiting for something else, e.g. the sink's group).
    Result<void> prepare();
    // Counters and send→ack latencies also go here (the pipeline's live metrics); may be null.
    void setRecorder(metrics::Recorder* recorder) { m_recorder = recorder; }
    // RunPlan::holdBack for the runs of this runner that do not bring their own.
    void setHoldBack(std::function<bool()> holdBack) { m_holdBack = std::move(holdBack); }

    Result<RunManifest> run(const RunSpec& spec, const ProgressFn& progress = {},
                            const std::atomic<bool>* cancel = nullptr);
    Result<RunReport> run(const RunPlan& plan, const ProgressFn& progress = {},
                          const std::atomic<bool>* cancel = nullptr);
    static RunPlan planFor(const RunSpec& spec);

private:
    kafka::ClientConfig m_config;
    QString m_topic;
    metrics::Recorder* m_recorder = nullptr;
    std::function<bool()> m_holdBack;
    std::unique_ptr<KafkaTarget> m_target;
};

} // namespace loadlevel::load
