#include "load/runner.h"

#include "event/codec.h"
#include "kafka/producer.h"

#include <QMutex>
#include <algorithm>
#include <chrono>
#include <thread>

namespace loadlevel::load {

using Clock = std::chrono::steady_clock;

Runner::Runner(kafka::ClientConfig config, QString topic)
    : m_config(std::move(config))
    , m_topic(std::move(topic)) {}

Result<RunManifest> Runner::run(const RunSpec& spec, const ProgressFn& progress,
                                const std::atomic<bool>* cancel) {
    if (spec.count < 1)
        return fail(Error::invalid(QStringLiteral("a run needs at least one event")));
    RunManifest m;
    m.runId = newRunId();
    m.topic = m_topic;
    m.kafka = m_config.bootstrapServers();
    m.ratePerSec = spec.ratePerSec;
    m.seed = spec.generator.seed;
    m.requested = spec.count;

    std::atomic<qint64> acked{0};
    std::atomic<qint64> failed{0};
    QMutex mutex; // guards the two below, written by the producer's poller thread
    std::vector<qint64> failedSeqs;
    QString lastDeliveryError;
    metrics::LatencyHistogram ackLatency; // this run's send→ack, for the manifest
    metrics::Recorder* recorder = m_recorder;
    Clock::time_point t0; // set before the first produce(), read by delivery reports after it

    auto producer = kafka::Producer::create(m_config, m_topic, [&](const kafka::Delivery& d) {
        qint64 us = d.latencyUs;
        if (spec.ratePerSec > 0) {
            const auto due = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                                      static_cast<double>(d.token) / spec.ratePerSec));
            us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - due).count();
        }
        if (d.ok) {
            ++acked;
            ackLatency.record(us);
            if (recorder) {
                ++recorder->acked;
                recorder->sendToAck.record(us);
            }
        } else {
            ++failed;
            if (recorder)
                ++recorder->failed;
            QMutexLocker lock(&mutex);
            failedSeqs.push_back(static_cast<qint64>(d.token));
            lastDeliveryError = d.error;
        }
    });
    if (!producer)
        return fail(producer.error());

    Generator gen(spec.generator);
    m.startedAt = QDateTime::currentDateTimeUtc();
    t0 = Clock::now();
    auto lastReport = t0;
    auto report = [&](qint64 sent) {
        if (!progress)
            return;
        progress({spec.count, sent, acked.load(), failed.load(),
                  std::chrono::duration<double>(Clock::now() - t0).count()});
    };

    qint64 sent = 0;
    std::optional<Error> stopError;
    for (qint64 i = 0; i < spec.count; ++i) {
        if (cancel && cancel->load())
            break;
        if (spec.ratePerSec > 0) {
            // Open model: event i is due at t0 + i/rate whatever happened before it.
            const auto due = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                                      static_cast<double>(i) / spec.ratePerSec));
            std::this_thread::sleep_until(due);
        }
        event::RatingEvent e = gen.next();
        e.eventTime =
            spec.ratePerSec > 0
                ? m.startedAt.addMSecs(static_cast<qint64>(static_cast<double>(i) * 1000.0 / spec.ratePerSec))
                : QDateTime::currentDateTimeUtc();
        e.eventId = event::newUuidV7(e.eventTime);
        e.source = spec.source;
        e.runId = m.runId;
        e.runSeq = i;
        if (auto r = (*producer)->produce(event::encode(e), static_cast<quint64>(i)); !r) {
            stopError = r.error();
            break;
        }
        ++sent;
        if (recorder)
            ++recorder->produced;
        if ((i & 0x3FF) == 0 && Clock::now() - lastReport > std::chrono::milliseconds(200)) {
            lastReport = Clock::now();
            report(sent);
        }
    }

    // Wait for every acknowledgement, reporting progress meanwhile (bounded by the message timeout).
    const auto flushDeadline = Clock::now() + std::chrono::seconds(330);
    while ((*producer)->inFlight() > 0 && Clock::now() < flushDeadline && !(cancel && cancel->load())) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        report(sent);
    }
    (void)(*producer)->flush(std::chrono::seconds(5));
    producer->reset();
    report(sent);

    m.finishedAt = QDateTime::currentDateTimeUtc();
    m.sent = sent;
    m.acked = acked.load();
    {
        QMutexLocker lock(&mutex);
        m.unacked = failedSeqs;
        for (qint64 s = sent; s < spec.count; ++s)
            m.unacked.push_back(s);
        // Messages the producer destroyed unacknowledged (flush timed out) are unacked too.
        if (m.acked + static_cast<qint64>(failedSeqs.size()) < sent)
            m.error = QStringLiteral("%1 events were never acknowledged; is the broker up?")
                          .arg(sent - m.acked - static_cast<qint64>(failedSeqs.size()));
        std::sort(m.unacked.begin(), m.unacked.end());
        const metrics::LatencySummary ack = ackLatency.snapshot().summary();
        m.ackP50Ms = ack.p50 / 1000.0;
        m.ackP99Ms = ack.p99 / 1000.0;
        m.ackMaxMs = ack.max / 1000.0;
        if (stopError)
            m.error =
                stopError->message + QStringLiteral(" (after %1 of %2 events)").arg(sent).arg(spec.count);
        else if (!lastDeliveryError.isEmpty())
            m.error = QStringLiteral("%1 deliveries failed, last: %2")
                          .arg(failedSeqs.size())
                          .arg(lastDeliveryError);
        else if (cancel && cancel->load() && sent < spec.count)
            m.error = QStringLiteral("cancelled after %1 of %2 events").arg(sent).arg(spec.count);
    }
    return m;
}

} // namespace loadlevel::load
