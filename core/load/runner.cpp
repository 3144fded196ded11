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

} // namespace

Result<RunReport> runPlan(Target& target, const RunPlan& plan, const ProgressFn& progress,
                          const std::atomic<bool>* cancel, metrics::Recorder* recorder) {
    if (auto problem = plan.profile.check())
        return fail(*problem);
    RunReport report;
    RunManifest& m = report.manifest;
    report.profile = plan.profile;
    report.target = target.describe();
    report.generator = plan.generator;
    report.lateAfterMs = static_cast<double>(plan.lateAfter.count());
    m.runId = newRunId();
    m.topic = report.target.value(u"topic").toString();
    m.kafka = report.target.value(u"bootstrap_servers").toString();
    if (m.kafka.isEmpty())
        m.kafka = report.target.value(u"url").toString();
    m.seed = plan.generator.seed;
    const bool paced = plan.profile.paced();
    Schedule schedule(plan.profile);
    const qint64 total = schedule.total();
    m.requested = total;
    if (plan.profile.kind == Profile::Kind::Constant)
        m.ratePerSec = plan.profile.rate;

    metrics::LatencyHistogram response; // due → answer
    metrics::LatencyHistogram service;  // sent → answer
    metrics::LatencyHistogram second;   // due → answer, this second only
    std::vector<qint64> unacked;
    qint64 sent = 0;
    Clock::time_point t0;
    auto row = [&](Clock::time_point at) -> TimelineRow& {
        const auto t = std::max<qint64>(0, std::chrono::duration_cast<std::chrono::seconds>(at - t0).count());
        while (static_cast<qint64>(report.timeline.size()) <= t)
            report.timeline.push_back({static_cast<qint64>(report.timeline.size())});
        return report.timeline[static_cast<size_t>(t)];
    };
    const Target::Completed completed = [&](const Completion& c) {
        const qint64 us = micros(c.doneAt - c.due);
        TimelineRow& r = row(c.doneAt);
        ++report.outcomes[QString::fromUtf8(c.outcome)];
        if (c.ok) {
            ++report.accepted;
            ++r.accepted;
            response.record(us);
            second.record(us);
            service.record(micros(c.doneAt - c.sentAt));
            if (recorder) {
                ++recorder->acked;
                recorder->sendToAck.record(us);
            }
        } else {
            ++report.failed;
            ++r.failed;
            unacked.push_back(static_cast<qint64>(c.seq));
            if (recorder)
                ++recorder->failed;
        }
    };

    Generator gen(plan.generator);
    m.startedAt = QDateTime::currentDateTimeUtc();
    t0 = Clock::now();
    const qint64 startMs = m.startedAt.toMSecsSinceEpoch();
    auto lastReport = t0;
    qint64 closedSeconds = 0; // timeline rows whose latency columns are final
    double lastRate = 0;
    double lastP99 = 0;
    // Makes the latency columns of the second(s) before `now` final.
    auto closeSeconds = [&](Clock::time_point now, bool running) {
        const qint64 current = std::chrono::duration_cast<std::chrono::seconds>(now - t0).count();
        if (current <= closedSeconds)
            return;
        TimelineRow& r = row(t0 + std::chrono::seconds(closedSeconds));
        const auto s = second.snapshot().summary();
        r.p50Ms = s.p50 / 1000.0;
        r.p99Ms = s.p99 / 1000.0;
        lastRate = static_cast<double>(r.accepted);
        lastP99 = r.p99Ms;
        second.reset();
        closedSeconds = current;
        if (running)
            row(now); // rows for quiet seconds too
    };
    auto tellProgress = [&](Clock::time_point now) {
        if (!progress)
            return;
        progress({total, sent, report.accepted, report.failed,
                  std::chrono::duration<double>(now - t0).count(), report.late,
                  plan.profile.durationSeconds(), lastRate, lastP99});
    };

    std::optional<Error> stopError;
    Clock::time_point lastSend = t0;
    bool cancelled = false;
    qint64 next = 0;
    Clock::time_point nextDue = t0;
    bool haveDue = false;
    std::optional<Clock::time_point> drainUntil;
    std::optional<Clock::time_point> cancelledAt;
    for (;;) {
        auto now = Clock::now();
        closeSeconds(now, true);
        if (now - lastReport >= std::chrono::milliseconds(200)) {
            lastReport = now;
            tellProgress(now);
        }
        if (!cancelled && cancel && cancel->load()) {
            cancelled = true;
            cancelledAt = now;
        }
        if (!cancelled && !stopError && next < total) {
            if (!haveDue) {
                nextDue = paced ? t0 + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(schedule.dueSeconds(next)))
                                : now;
                haveDue = true;
            }
            if (nextDue > now) {
                target.poll(std::min(nextDue, now + std::chrono::milliseconds(50)), completed);
                continue;
            }
            if (!target.canSend()) {
                target.poll(now + std::chrono::milliseconds(50), completed);
                continue;
            }
            if (plan.holdBack && plan.holdBack()) {
                target.poll(now + std::chrono::milliseconds(10), completed);
                continue;
            }
            const auto lateBy = now - nextDue;
            TimelineRow& r = row(now);
            if (lateBy > plan.lateAfter) {
                ++report.late;
                ++r.late;
            }
            if (paced)
                report.maxLateMs =
                    std::max(report.maxLateMs, std::chrono::duration<double, std::milli>(lateBy).count());
            ++row(nextDue).due;
            event::RatingEvent e = gen.next();
            const qint64 dueMs =
                std::llround(std::chrono::duration<double, std::milli>(nextDue - t0).count());
            e.eventTime = paced ? QDateTime::fromMSecsSinceEpoch(startMs + dueMs, Qt::UTC)
                                : QDateTime::currentDateTimeUtc();
            e.eventId = event::newUuidV7(e.eventTime);
            e.source = plan.source;
            e.runId = m.runId;
            e.runSeq = next;
            if (auto sentOk = target.send(e, static_cast<quint64>(next), nextDue); !sentOk) {
                stopError = sentOk.error();
                continue;
            }
            ++sent;
            ++r.sent;
            lastSend = now;
            if (recorder)
                ++recorder->produced;
            ++next;
            haveDue = false;
            if ((next & 0xFF) == 0)
                target.poll(now, completed); // take what has come, without waiting
            continue;
        }
        // Nothing more to send: wait for the answers.
        if (target.inFlight() == 0)
            break;
        if (!drainUntil)
            drainUntil = now + plan.drainTimeout;
        if (cancelledAt) // Ctrl+C: a moment for answers on their way, then give up on the rest
            drainUntil = std::min(*drainUntil, *cancelledAt + kCancelGrace);
        if (now >= *drainUntil) {
            target.abandon(completed);
            break;
        }
        target.poll(std::min(*drainUntil, now + std::chrono::milliseconds(50)), completed);
    }
    const auto end = Clock::now();
    closeSeconds(end + std::chrono::seconds(1), false); // the last, partial second
    tellProgress(end);

    m.finishedAt = QDateTime::currentDateTimeUtc();
    report.sendingSeconds = std::chrono::duration<double>(lastSend - t0).count();
    m.sent = sent;
    m.acked = report.accepted;
    for (qint64 s = next; s < total; ++s)
        unacked.push_back(s);
    std::sort(unacked.begin(), unacked.end());
    m.unacked = std::move(unacked);
    report.response = StageLatency::fromMicros(response.snapshot().summary());
    report.service = StageLatency::fromMicros(service.snapshot().summary());
    m.ackP50Ms = report.response.p50;
    m.ackP99Ms = report.response.p99;
    m.ackMaxMs = report.response.max;
    const qint64 abandoned = report.outcomes.contains(QStringLiteral("abandoned"))
                                 ? report.outcomes.at(QStringLiteral("abandoned"))
                                 : 0;
    if (stopError) {
        if (sent == 0)
            return fail(*stopError);
        m.error = stopError->message + QStringLiteral(" (after %1 of %2 events)").arg(sent).arg(total);
    } else if (abandoned > 0) {
        m.error = QStringLiteral("%1 events were never answered; is the target up?").arg(abandoned);
    } else if (report.failed > 0) {
        QString worst;
        qint64 most = 0;
        for (const auto& [kind, n] : report.outcomes)
            if (kind != u"ack" && !(kind.size() == 3 && kind.startsWith(u'2')) && n > most)
                most = n, worst = kind;
        m.error =
            QStringLiteral("%1 events failed, most often: %2 (%3)").arg(report.failed).arg(worst).arg(most);
    } else if (cancelled && sent < total) {
        m.error = QStringLiteral("cancelled after %1 of %2 events").arg(sent).arg(total);
    }
    return report;
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
