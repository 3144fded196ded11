#pragma once
// Private to kafka/: one member of a Sink (sink.h), shared by sink.cpp, sink_member.cpp (reading
// and writing) and sink_rebalance.cpp (partitions coming and going).

#include "kafka/offset_tracker.h"
#include "kafka/sink.h"

#include <QLoggingCategory>
#include <chrono>
#include <map>
#include <thread>

namespace loadlevel::kafka {

// Off by default; QT_LOGGING_RULES="loadlevel.sink.debug=true" traces assignments, fetch
// positions and the offsets of every transaction (what it takes to follow a lost event).
Q_DECLARE_LOGGING_CATEGORY(lcSink)

using SinkClock = std::chrono::steady_clock;

// One consumer-group member: its own thread, consumer handle and database connection.
class Sink::Member {
public:
    Member(Sink& sink, int index)
        : m_sink(sink)
        , m_index(index) {}
    ~Member() {
        requestStop();
        join();
    }

    void start() {
        m_thread = std::thread([this] { run(); });
    }
    void requestStop() { m_stop = true; }
    void join() {
        if (m_thread.joinable())
            m_thread.join();
    }
    QList<int> assigned() const {
        std::lock_guard lock(m_assignMutex);
        return m_assigned;
    }
    // The member ended for good: a fatal Kafka error (e.g. fenced by another instance of its static
    // id), or a consumer or store that could not be made at all.
    bool failed() const { return m_failed.load(); }

    std::atomic<qint64> consumed{0}, persisted{0}, duplicates{0}, deadLetters{0}, batches{0};

private:
    void run();
    void handle(const rd_kafka_message_t* msg);
    bool flush();                                // write the batch, retrying while the database is down
    bool writeOnce();                            // one attempt
    bool resync(const std::vector<int>& fenced); // after a fenced batch; false: database down
    bool createConsumer();
    void clearBatch();
    void dropPartitions(const rd_kafka_topic_partition_list_t* parts);
    void setPaused(bool paused);
    void rewind(const rd_kafka_message_t* msg); // fetch this message again later
    void seek(int partition, qint64 offset);
    bool acceptPosition(const rd_kafka_message_t* msg);
    void markDatabaseUp();
    void onRebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts);
    void onAssigned(rd_kafka_topic_partition_list_t* parts);
    void onRevoked(rd_kafka_topic_partition_list_t* parts);
    bool applyAssignment(rd_kafka_topic_partition_list_t* parts, bool add); // false: refused
    void setAssigned(const rd_kafka_topic_partition_list_t* parts, bool add);
    void onFatal();
    void onDatabaseDown(const Error& e);
    int batchLimit() const;

    static void rebalanceCallback(rd_kafka_t*, rd_kafka_resp_err_t err,
                                  rd_kafka_topic_partition_list_t* parts, void* opaque) {
        static_cast<Member*>(opaque)->onRebalance(err, parts);
    }
    static void commitCallback(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t*,
                               void* opaque) {
        // A failed commit (e.g. "rebalance in progress") would leave Kafka's view of the group
        // behind the database for good when no more messages come: retry it from the loop.
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
            static_cast<Member*>(opaque)->m_commitDue = true;
    }
    void mirrorOffsets(); // commit the database's offsets to Kafka (for lag tools), asynchronously
    static void errorCallback(rd_kafka_t*, int err, const char* reason, void* opaque) {
        auto* self = static_cast<Member*>(opaque);
        // A fatal error ends the consumer for good; the member loop takes it from there.
        if (err == RD_KAFKA_RESP_ERR__FATAL) {
            self->m_fatal = true;
            return;
        }
        // Transport errors come and go with reconnects; librdkafka retries on its own.
        if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || err == RD_KAFKA_RESP_ERR__AUTHENTICATION ||
            err == RD_KAFKA_RESP_ERR__SSL) {
            self->m_sink.reportProblem(QStringLiteral("sink member %1: Kafka: %2")
                                           .arg(self->m_index)
                                           .arg(QString::fromUtf8(reason)));
        }
    }

    Sink& m_sink;
    const int m_index;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_fatal{false};  // set by the error callback
    std::atomic<bool> m_failed{false}; // the member ended on it
    bool m_cooperative = false;        // incremental rebalances (cooperative-sticky, KIP-848)
    KafkaHandle m_rk;
    std::unique_ptr<store::Store> m_store;

    store::Batch m_batch;
    std::map<int, qint64> m_nextOffsets;  // the batch's next offset per partition
    std::vector<event::Header> m_headers; // the message being handled's, reused from message to message
    // Positions and stored offsets of the assigned partitions. Exactly once rests on each batch
    // continuing where the database's offset ends; this checks it message by message instead of
    // trusting the fetcher.
    OffsetTracker m_offsets;
    bool m_commitDue = false; // mirror them to Kafka (again) from the loop
    SinkClock::time_point m_commitRetryAt;
    SinkClock::time_point m_batchStarted;
    bool m_inFlush = false;
    double m_throttleNextFreeSec = 0; // under a per-member ceiling
    bool m_databaseDown = false;
    bool m_paused = false;  // the user's pause is applied to the current assignment
    bool m_repause = false; // partitions were assigned while paused: pause them (outside the callback)
    static constexpr size_t kMaxBufferedWhileDown = 200000;

    mutable std::mutex m_assignMutex;
    QList<int> m_assigned;
};

} // namespace loadlevel::kafka
