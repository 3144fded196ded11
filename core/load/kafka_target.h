#pragma once

#include "kafka/client_config.h"
#include "kafka/producer.h"
#include "load/target.h"

#include <QMutex>
#include <deque>
#include <memory>
#include <vector>

namespace loadlevel::load {

// A run's events go straight to a Kafka topic through the idempotent producer. A completion is
// the broker's acknowledgement ("ack") or librdkafka's delivery error. One target serves run after
// run (a new run starts at seq 0): its producer stays connected and keeps its producer id, which a
// new idempotent producer takes up to half a second to get (librdkafka retries its first request
// for one on a 500 ms timer), time that would otherwise count in the first events' latency.
// Thread: the runner's thread serves the producer's delivery reports itself (send() and poll(),
// Producer::serve()); the producer's poller thread only stands in while the runner is away. Either
// queues them under the mutex, and poll() hands them over on the runner's thread.
class KafkaTarget final : public Target {
public:
    static Result<std::unique_ptr<KafkaTarget>> create(const kafka::ClientConfig& config,
                                                       const QString& topic);

    [[nodiscard]] QJsonObject describe() const override;
    [[nodiscard]] bool canSend() const override { return true; }
    Result<void> send(const event::RatingEvent& e, quint64 seq, Clock::time_point due) override;
    void poll(Clock::time_point until, const Completed& completed) override;
    [[nodiscard]] qint64 inFlight() const override { return m_inFlight; }
    // Until the producer can send at once; fails when no broker can be reached
    // (Producer::awaitReady).
    Result<void> awaitReady(std::chrono::milliseconds timeout) { return m_producer->awaitReady(timeout); }
    void abandon(const Completed& completed) override;

private:
    struct Pending {
        Clock::time_point due;
        Clock::time_point sentAt;
        bool done = false;
    };
    struct Report {
        quint64 token; // m_runBase + seq of its run
        bool ok;
        QString error;
        Clock::time_point at;
    };
    KafkaTarget() = default;
    void take(std::vector<Report>& reports, const Completed& completed);

    std::unique_ptr<kafka::Producer> m_producer;
    QString m_servers;
    QString m_topic;
    // Only the runner's thread touches these. Sequence numbers are sent in order; a deque indexed
    // by seq - m_firstSeq holds the window still in flight.
    std::deque<Pending> m_pending;
    quint64 m_firstSeq = 0;
    // The producer's delivery token is m_runBase + seq, unique across runs, so that a late report
    // of an earlier run's abandoned event cannot be taken for this run's event of the same seq.
    quint64 m_runBase = 0;
    quint64 m_nextRunBase = 0;
    qint64 m_inFlight = 0;
    QMutex m_mutex;
    std::vector<Report> m_reports; // guarded by m_mutex
};

} // namespace loadlevel::load
