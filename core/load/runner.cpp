#include "load/runner.h"

#include "load/kafka_target.h"

#include <algorithm>
#include <cmath>

namespace loadlevel::load {

namespace {

// After a cancel, how long answers already on their way are still waited for. Ctrl+C must end a
// command within 2 s whatever the target is doing.
constexpr auto kCancelGrace = std::chrono::milliseconds(1000);

qint64 micros(Clock::duration d) {
    return std::max<qint64>(0, std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}

// One run, step by step: send the next event, take the answers, close a second, summarize.
class RunLoop {
public:
    RunLoop(Target& target, const RunPlan& plan, const ProgressFn& progress, const std::atomic<bool>* cancel,
            metrics::Recorder* recorder)
        : m_target(target)
        , m_plan(plan)
        , m_progress(progress)
        , m_cancel(cancel)
        , m_recorder(recorder)
        , m_schedule(plan.profile)
        , m_total(m_schedule.total())
        , m_paced(plan.profile.paced())
        , m_gen(plan.generator)
        , m_completed([this](const Completion& c) { complete(c); }) {}

    Result<RunReport> run() {
        start();
        for (;;) {
            const auto now = Clock::now();
            closeSeconds(now, true);
            if (now - m_lastProgress >= std::chrono::milliseconds(200)) {
                m_lastProgress = now;
                tellProgress(now);
            }
            if (!m_cancelledAt && m_cancel && m_cancel->load())
                m_cancelledAt = now;
            if (!m_cancelledAt && !m_stopError && m_next < m_total)
                sendNext(now);
            else if (!drain(now))
                break;
        }
        const auto end = Clock::now();
        closeSeconds(end + std::chrono::seconds(1), false); // the last, partial second
        tellProgress(end);
        return summarize();
    }

private:
    void start() {
        RunManifest& m = m_report.manifest;
        m_report.profile = m_plan.profile;
        m_report.target = m_target.describe();
        m_report.generator = m_plan.generator;
        m_report.lateAfterMs = static_cast<double>(m_plan.lateAfter.count());
        m.runId = newRunId();
        m.topic = m_report.target.value(u"topic").toString();
        m.kafka = m_report.target.value(u"bootstrap_servers").toString();
        m.url = m_report.target.value(u"url").toString();
        m.seed = m_plan.generator.seed;
        m.requested = m_total;
        if (m_plan.profile.kind == Profile::Kind::Constant)
            m.ratePerSec = m_plan.profile.rate;
        m.startedAt = QDateTime::currentDateTimeUtc();
        m_t0 = Clock::now();
        m_startMs = m.startedAt.toMSecsSinceEpoch();
        m_lastProgress = m_t0;
        m_lastSend = m_t0;
    }

    // The timeline's row for the second `at` falls in (rows for quiet seconds too).
    TimelineRow& row(Clock::time_point at) {
        const auto t =
            std::max<qint64>(0, std::chrono::duration_cast<std::chrono::seconds>(at - m_t0).count());
        auto& timeline = m_report.timeline;
        while (static_cast<qint64>(timeline.size()) <= t)
            timeline.push_back({static_cast<qint64>(timeline.size())});
        return timeline[static_cast<size_t>(t)];
    }

    // One answer from the target.
    void complete(const Completion& c) {
        const qint64 us = micros(c.doneAt - c.due);
        TimelineRow& r = row(c.doneAt);
        ++m_report.outcomes[QString::fromUtf8(c.outcome)];
        if (c.ok) {
            ++m_report.accepted;
            ++r.accepted;
            m_response.record(us);
            m_second.record(us);
            m_service.record(micros(c.doneAt - c.sentAt));
            if (m_recorder) {
                ++m_recorder->acked;
                m_recorder->sendToAck.record(us);
            }
        } else {
            ++m_report.failed;
            ++r.failed;
            m_unacked.push_back(static_cast<qint64>(c.seq));
            if (m_recorder)
                ++m_recorder->failed;
        }
    }

    // Sends the next event when it is due and the target has room; otherwise takes answers while
    // waiting for either, at most 50 ms.
    void sendNext(Clock::time_point now) {
        if (!m_haveDue) {
            m_nextDue = m_paced ? m_t0 + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(m_schedule.dueSeconds(m_next)))
                                : now;
            m_haveDue = true;
        }
        if (m_nextDue > now)
            return m_target.poll(std::min(m_nextDue, now + std::chrono::milliseconds(50)), m_completed);
        if (!m_target.canSend())
            return m_target.poll(now + std::chrono::milliseconds(50), m_completed);
        if (m_plan.holdBack && m_plan.holdBack())
            return m_target.poll(now + std::chrono::milliseconds(10), m_completed);
        const auto lateBy = now - m_nextDue;
        TimelineRow& r = row(now);
        if (lateBy > m_plan.lateAfter) {
            ++m_report.late;
            ++r.late;
        }
        if (m_paced)
            m_report.maxLateMs =
                std::max(m_report.maxLateMs, std::chrono::duration<double, std::milli>(lateBy).count());
        ++row(m_nextDue).due;
        const event::RatingEvent e = nextEvent();
        if (auto sent = m_target.send(e, static_cast<quint64>(m_next), m_nextDue); !sent) {
            m_stopError = sent.error();
            return;
        }
        if (m_plan.recordSent)
            m_report.sent.push_back(
                {m_next, e.eventId.toString(QUuid::WithoutBraces), e.eventTime.toMSecsSinceEpoch()});
        ++m_sent;
        ++r.sent;
        m_lastSend = now;
        if (m_recorder)
            ++m_recorder->produced;
        ++m_next;
        m_haveDue = false;
        if ((m_next & 0xFF) == 0)
            m_target.poll(now, m_completed); // take what has come, without waiting
    }

    // The next generated event, tagged with the run and stamped with its due time when paced.
    event::RatingEvent nextEvent() {
        event::RatingEvent e = m_gen.next();
        const qint64 dueMs =
            std::llround(std::chrono::duration<double, std::milli>(m_nextDue - m_t0).count());
        e.eventTime = m_paced ? QDateTime::fromMSecsSinceEpoch(m_startMs + dueMs, Qt::UTC)
                              : QDateTime::currentDateTimeUtc();
        e.eventId = event::newUuidV7(e.eventTime);
        e.source = m_plan.source;
        e.runId = m_report.manifest.runId;
        e.runSeq = m_next;
        return e;
    }

    // Nothing more to send: takes answers until none is outstanding (false: the run is over), the
    // drain timeout passes, or, after a cancel, its grace.
    bool drain(Clock::time_point now) {
        if (m_target.inFlight() == 0)
            return false;
        if (!m_drainUntil)
            m_drainUntil = now + m_plan.drainTimeout;
        if (m_cancelledAt) // Ctrl+C: a moment for answers on their way, then give up on the rest
            m_drainUntil = std::min(*m_drainUntil, *m_cancelledAt + kCancelGrace);
        if (now >= *m_drainUntil) {
            m_target.abandon(m_completed);
            return false;
        }
        m_target.poll(std::min(*m_drainUntil, now + std::chrono::milliseconds(50)), m_completed);
        return true;
    }

    // Makes the latency columns of the second(s) before `now` final.
    void closeSeconds(Clock::time_point now, bool running) {
        const qint64 current = std::chrono::duration_cast<std::chrono::seconds>(now - m_t0).count();
        if (current <= m_closedSeconds)
            return;
        TimelineRow& r = row(m_t0 + std::chrono::seconds(m_closedSeconds));
        const auto s = m_second.snapshot().summary();
        r.p50Ms = s.p50 / 1000.0;
        r.p99Ms = s.p99 / 1000.0;
        if (m_plan.lag)
            r.lag = m_plan.lag();
        m_lastRate = static_cast<double>(r.accepted);
        m_lastP99 = r.p99Ms;
        m_second.reset();
        m_closedSeconds = current;
        if (running)
            row(now);
    }

    void tellProgress(Clock::time_point now) {
        if (m_progress)
            m_progress({m_total, m_sent, m_report.accepted, m_report.failed,
                        std::chrono::duration<double>(now - m_t0).count(), m_report.late,
                        m_plan.profile.durationSeconds(), m_lastRate, m_lastP99});
    }

    Result<RunReport> summarize() {
        if (m_stopError && m_sent == 0)
            return fail(*m_stopError);
        RunManifest& m = m_report.manifest;
        m.finishedAt = QDateTime::currentDateTimeUtc();
        m_report.sendingSeconds = std::chrono::duration<double>(m_lastSend - m_t0).count();
        m.sent = m_sent;
        m.acked = m_report.accepted;
        for (qint64 s = m_next; s < m_total; ++s)
            m_unacked.push_back(s);
        std::sort(m_unacked.begin(), m_unacked.end());
        m.unacked = std::move(m_unacked);
        m_report.response = StageLatency::fromMicros(m_response.snapshot().summary());
        m_report.service = StageLatency::fromMicros(m_service.snapshot().summary());
        m.ackP50Ms = m_report.response.p50;
        m.ackP99Ms = m_report.response.p99;
        m.ackMaxMs = m_report.response.max;
        m.error = whatWentWrong();
        return std::move(m_report);
    }

    // The run's error line: why it ended early or what failed most; empty when all went well.
    [[nodiscard]] QString whatWentWrong() const {
        const auto& outcomes = m_report.outcomes;
        const auto abandoned = outcomes.find(QStringLiteral("abandoned"));
        if (m_stopError)
            return m_stopError->message + QStringLiteral(" (after %1 of %2 events)").arg(m_sent).arg(m_total);
        if (abandoned != outcomes.end() && abandoned->second > 0)
            return QStringLiteral("%1 events were never answered; is the target up?").arg(abandoned->second);
        if (m_report.failed > 0) {
            QString worst;
            qint64 most = 0;
            for (const auto& [kind, n] : outcomes)
                if (kind != u"ack" && !(kind.size() == 3 && kind.startsWith(u'2')) && n > most)
                    most = n, worst = kind;
            return QStringLiteral("%1 events failed, most often: %2 (%3)")
                .arg(m_report.failed)
                .arg(worst)
                .arg(most);
        }
        if (m_cancelledAt && m_sent < m_total)
            return QStringLiteral("cancelled after %1 of %2 events").arg(m_sent).arg(m_total);
        return {};
    }

    Target& m_target;
    const RunPlan& m_plan;
    const ProgressFn& m_progress;
    const std::atomic<bool>* m_cancel;
    metrics::Recorder* m_recorder;
    Schedule m_schedule;
    const qint64 m_total;
    const bool m_paced;
    Generator m_gen;
    const Target::Completed m_completed;

    RunReport m_report;
    metrics::LatencyHistogram m_response; // due → answer
    metrics::LatencyHistogram m_service;  // sent → answer
    metrics::LatencyHistogram m_second;   // due → answer, this second only
    std::vector<qint64> m_unacked;
    Clock::time_point m_t0;
    qint64 m_startMs = 0;
    Clock::time_point m_lastProgress;
    Clock::time_point m_lastSend;
    qint64 m_closedSeconds = 0; // timeline rows whose latency columns are final
    double m_lastRate = 0;
    double m_lastP99 = 0;
    qint64 m_sent = 0;
    qint64 m_next = 0; // the sequence number of the next event to send
    Clock::time_point m_nextDue;
    bool m_haveDue = false;
    std::optional<Error> m_stopError;
    std::optional<Clock::time_point> m_drainUntil;
    std::optional<Clock::time_point> m_cancelledAt;
};

} // namespace

Result<RunReport> runPlan(Target& target, const RunPlan& plan, const ProgressFn& progress,
                          const std::atomic<bool>* cancel, metrics::Recorder* recorder) {
    if (auto problem = plan.profile.check())
        return fail(*problem);
    return RunLoop(target, plan, progress, cancel, recorder).run();
}

Runner::Runner(kafka::ClientConfig config, QString topic)
    : m_config(std::move(config))
    , m_topic(std::move(topic)) {}

Runner::~Runner() = default;

Result<void> Runner::prepare() {
    if (m_target)
        return {};
    auto target = KafkaTarget::create(m_config, m_topic);
    if (!target)
        return fail(target.error());
    m_target = std::move(*target);
    return {};
}

RunPlan Runner::planFor(const RunSpec& spec) {
    RunPlan plan;
    plan.profile = spec.ratePerSec > 0
                       ? Profile::constant(spec.ratePerSec, static_cast<double>(spec.count) / spec.ratePerSec)
                       : Profile::burst(spec.count);
    plan.generator = spec.generator;
    plan.source = spec.source;
    return plan;
}

Result<RunReport> Runner::run(const RunPlan& plan, const ProgressFn& progress,
                              const std::atomic<bool>* cancel) {
    if (auto ready = prepare(); !ready)
        return fail(ready.error());
    // The run's clock starts when its producer can send (a new one waits for its producer id);
    // past the bound the run goes anyway, and the wait shows in its latencies. When no broker can
    // be reached at all, it says so instead of queueing events for librdkafka's 300 s timeout.
    if (auto ready = m_target->awaitReady(std::chrono::seconds(2)); !ready)
        return fail(ready.error());
    RunPlan held = plan;
    if (!held.holdBack)
        held.holdBack = m_holdBack;
    return runPlan(*m_target, held, progress, cancel, m_recorder);
}

Result<RunManifest> Runner::run(const RunSpec& spec, const ProgressFn& progress,
                                const std::atomic<bool>* cancel) {
    if (spec.count < 1)
        return fail(Error::invalid(QStringLiteral("a run needs at least one event")));
    RunPlan plan = planFor(spec);
    auto report = run(plan, progress, cancel);
    if (!report)
        return fail(report.error());
    report->manifest.ratePerSec = spec.ratePerSec;
    return report->manifest;
}

} // namespace loadlevel::load
