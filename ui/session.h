#pragma once

#include "ingest/service.h"
#include "kafka/producer.h"
#include "load/capacity.h"
#include "load/http_target.h"
#include "load/report.h"
#include "load/runner.h"
#include "metrics/recorder.h"
#include "pipeline/pipeline.h"
#include "pipeline/run_target.h"
#include "store/store.h"

#include <QDateTime>
#include <QObject>
#include <QTimer>
#include <atomic>
#include <memory>
#include <thread>

namespace loadlevel::ui {

// How the pipeline is doing, for the window's header.
enum class Health {
    Starting,  // the pipeline is being (re)started
    Connected, // Kafka and the database answer, the sink reports no trouble
    Degraded,  // both answer, but the sink (or a run) reported a problem it has not recovered from
    Down,      // Kafka or the database does not answer, or the pipeline could not start
};

// The desktop app's handle on the pipeline. Lives on its own thread (moved there by the window):
// every call into Kafka or the database happens here, never on the UI thread. The UI sends
// commands by queued invocation and receives value types by queued signals.
// Errors are reported by problem() with a message a person can act on, and summed up by health().
class Session final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Session)
public:
    explicit Session(pipeline::Settings settings, QObject* parent = nullptr);
    ~Session() override;

public slots:
    void start();
    void restart(const loadlevel::pipeline::Settings& settings); // stops everything, starts anew
    // One rating with the given values (the single-rating form).
    void sendSingle(qint64 userId, qint64 movieId, double rating);
    // Three messages the sink must set aside as dead letters: not JSON, a rating of 11, no movie.
    void sendPoison();
    // A run of `count` generated ratings: as fast as possible (ratePerSec 0) or paced.
    void startRun(qint64 count, double ratePerSec);
    // A run of any profile to either target (the Runs tab). Verified in this pipeline's database
    // when the events carry the run tags (Kafka, or an HTTP body template with them).
    void startPlan(const loadlevel::load::RunPlan& plan, const loadlevel::pipeline::RunTarget& target);
    // A capacity search (load/capacity.h) with the plan's generator and the target: each step is a
    // run of its own (runStarted, runProgress, runSaved), judged (capacityStep); the backlog
    // criterion watches this pipeline's group when the target feeds it (its topic, or its own HTTP
    // service). Ends with capacityFinished, the result saved as capacity-*.json, then runFinished.
    void startCapacity(const loadlevel::load::RunPlan& plan, const loadlevel::pipeline::RunTarget& target,
                       const loadlevel::load::CapacityOptions& options);
    // The run reports in the runs folder, newest first (answered by runsListed).
    void listRuns();
    void cancelRun();
    void setMembers(int members);
    void setSinkPaused(bool paused);
    // 0: no ceiling; perMember: each member's (see kafka::SinkOptions::ceilingPerMember).
    void setMaxRowsPerSecond(double rowsPerSec, bool perMember = false);
    // Fault knobs of the embedded cluster (ignored, with a message, on a real cluster).
    void setBrokerDown(int brokerId, bool down);
    void setBrokerDelay(int milliseconds); // added round-trip time on every broker
    // The HTTP rating service on this pipeline ("host:port"; empty: stop it).
    void serveHttp(const QString& listen);

    // Read side, answered by the signals below.
    void queryRatings(quint64 request, const loadlevel::store::RatingFilter& filter, int limit,
                      qint64 beforeRowId);
    void queryMovieStats(int limit);
    void queryDeadLetters(int limit);

    void shutdown(); // stops the run and the pipeline; call before the thread quits

signals:
    void started(const QString& description, int partitions, int embeddedBrokers);
    void problem(const QString& message);
    void health(loadlevel::ui::Health state, const QString& detail, const QString& lastError);
    void singleSent(const QString& message, bool ok);
    void runStarted(qint64 total, const QString& description); // "ramp 100 → 5,000/s over 60 s"
    void runProgress(qint64 sent, qint64 acked, qint64 persisted, qint64 total, double elapsedSec);
    void runFinished(const QString& summary, bool ok);
    // Beyond runProgress: what the Runs tab shows while a run goes on.
    void runDetail(qint64 late, qint64 failed, double lastSecondRate, double lastSecondP99Ms);
    void runSaved(const QString& runId, const QString& path);
    void runsListed(const QList<loadlevel::load::RunReport>& reports);
    void capacityStep(const loadlevel::load::CapacityStep& step);
    // Something was done to the pipeline or a run ("ceiling 2,000 rows/s", "broker 1 down", "run
    // started: burst of 1,000"): the window marks its charts. During a run it also goes into the
    // run's report (RunReport::annotations).
    void annotated(const QString& label);
    void capacityFinished(const loadlevel::load::CapacityResult& result);
    void snapshot(const loadlevel::metrics::Snapshot& s);
    void httpChanged(const QString& url, const QString& error); // url empty: not serving
    void ratingsLoaded(quint64 request, const QList<loadlevel::store::StoredRating>& rows);
    void movieStatsLoaded(const QList<loadlevel::store::MovieStats>& rows);
    void deadLettersLoaded(const QList<loadlevel::store::DeadLetterRow>& rows);

private:
    // Marks a run as going on (false, said why, when one already is) and joins the last one's thread.
    bool claimRun();
    // What every run from the desktop gets: its source, a seed, the embedded hold-back.
    [[nodiscard]] load::RunPlan prepared(const load::RunPlan& requested) const;
    // True when a run to `target` ends up in this pipeline's topic, so its group's lag is the backlog.
    [[nodiscard]] bool feedsThisPipeline(const pipeline::RunTarget& target) const;
    void annotate(const QString& label);
    // A run's progress (on the run's thread) as runProgress and runDetail.
    void announceProgress(const load::RunProgress& p);
    bool openSingleProducer(); // m_single, made on first use; false (said why) when it cannot be
    void checkRun();
    // Verification done (or impossible): completes, saves and announces the report.
    void finishRun(const std::optional<load::Verification>& verification);
    void probeHealth();
    void noteProblem(const QString& message);
    void noteDatabase(bool ok, const QString& error = {});

    pipeline::Settings m_settings;
    std::unique_ptr<pipeline::Pipeline> m_pipe;
    std::unique_ptr<metrics::SnapshotPublisher> m_publisher;
    std::unique_ptr<metrics::LagMonitor> m_lagMonitor;
    std::unique_ptr<kafka::Producer> m_single;
    std::unique_ptr<ingest::Service> m_http;
    std::thread m_runThread;
    std::atomic<bool> m_cancel{false};
    std::atomic<bool> m_running{false};
    std::atomic<qint64> m_runPersistedBase{0};
    std::optional<load::RunReport> m_lastRun;
    std::vector<load::Threshold> m_lastThresholds;  // of the run in progress, judged in finishRun()
    QDateTime m_runStartedAt;                       // of the run in progress (startPlan)
    std::vector<load::Annotation> m_runAnnotations; // of the run in progress, saved in finishRun()
    bool m_lastRunVerifiable = false;
    QTimer m_verifyTimer;
    QTimer m_healthTimer;
    qint64 m_verifyDeadlineMs = 0;

    // Health inputs.
    bool m_kafkaOk = true;
    bool m_dbOk = true;
    QString m_dbError;
    QString m_sinkTrouble; // set by a sink problem, cleared when it recovers
    QString m_lastError;
    QDateTime m_lastErrorAt;
};

} // namespace loadlevel::ui

Q_DECLARE_METATYPE(loadlevel::store::StoredRating)
Q_DECLARE_METATYPE(loadlevel::store::MovieStats)
Q_DECLARE_METATYPE(loadlevel::store::DeadLetterRow)
Q_DECLARE_METATYPE(loadlevel::store::RatingFilter)
Q_DECLARE_METATYPE(loadlevel::pipeline::Settings)
Q_DECLARE_METATYPE(loadlevel::ui::Health)
Q_DECLARE_METATYPE(loadlevel::pipeline::RunTarget)
Q_DECLARE_METATYPE(loadlevel::load::RunPlan)
Q_DECLARE_METATYPE(loadlevel::load::RunReport)
Q_DECLARE_METATYPE(loadlevel::load::CapacityOptions)
Q_DECLARE_METATYPE(loadlevel::load::CapacityStep)
Q_DECLARE_METATYPE(loadlevel::load::CapacityResult)
