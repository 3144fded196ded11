#pragma once

#include "error.h"
#include "event/codec.h"
#include "kafka/client_config.h"
#include "kafka/handles.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace loadlevel::kafka {

// The broker's answer for one produced message.
struct Delivery {
    quint64 token = 0; // what the caller passed to produce()
    bool ok = false;
    QString error; // librdkafka's reason when !ok
    int partition = -1;
    qint64 offset = -1;
    qint64 latencyUs = 0; // produce() call -> broker acknowledgement
};

// Idempotent producer (acks=all implied, linger 5 ms unless overridden) for one topic.
// Thread: produce() may be called from any thread; delivery reports and errors are handed to the
// callbacks on the producer's own poller thread, which the Producer owns and stops on destruction,
// or, once a caller uses serve(), on the thread that calls serve() or produce(); handlers must
// then be callable from either.
// Errors: produce() returns them (queue full past the deadline, unknown topic, fatal idempotence
// state); asynchronous client errors (all brokers down, fatal errors) go to the ErrorHandler.
class Producer {
public:
    using DeliveryHandler = std::function<void(const Delivery&)>;
    using ErrorHandler = std::function<void(const Error&)>;

    static Result<std::unique_ptr<Producer>> create(const ClientConfig& config, const QString& topic,
                                                    DeliveryHandler onDelivery, ErrorHandler onError = {});
    ~Producer();
    Producer(const Producer&) = delete;
    Producer& operator=(const Producer&) = delete;

    // Enqueues one message. Blocks while librdkafka's queue is full, at most maxBlock.
    Result<void> produce(const event::WireMessage& message, quint64 token,
                         std::chrono::milliseconds maxBlock = std::chrono::seconds(30));

    // Serves the delivery reports that are ready, on the calling thread, at once. A caller that
    // produces in a loop calls it between messages, as kcat does: librdkafka's message copies are
    // then freed by the thread that allocated them, instead of by the poller thread contending
    // for the allocator's lock (2-core bench: 40,000 context switches per 1M events down to 2,000,
    // and 0.75x to about 0.9x kcat -P). While a caller serves (within the last 20 ms), the poller
    // thread stands by, and produce() on a full queue and flush() serve on the caller's thread.
    void serve();
    // Waits until every enqueued message has a delivery report (or the timeout passes). A caller
    // that serves gets the remaining reports on its own thread here too, so that its messages are
    // freed where they were allocated (a 1M burst ends with up to 100,000 in the queue).
    Result<void> flush(std::chrono::milliseconds timeout);

    // Waits until the producer has its idempotent producer id, i.e. until a message would go out
    // at once. A new producer asks for one on librdkafka's 500 ms retry timer when no broker was
    // up at its start; time that would otherwise count in the first events' latency. The state
    // comes from librdkafka's statistics (every 100 ms unless statistics.interval.ms says
    // otherwise; with statistics off this waits out the timeout). False on timeout.
    bool waitUntilReady(std::chrono::milliseconds timeout);
    // waitUntilReady, and then an error when it is not ready because no broker can be reached (a
    // name that does not resolve, a refused connection): the reason librdkafka gave. A producer
    // that is merely slow to get its id is fine: its events go out later.
    Result<void> awaitReady(std::chrono::milliseconds timeout);

    // Gives up on every message not yet acknowledged: queued ones are dropped, in-flight ones
    // get no answer waited for. Each gets a failed delivery report ("Purged in queue" or "Purged in
    // flight"); an in-flight one may still have been written by the broker. For Ctrl+C.
    void purge();

    [[nodiscard]] int inFlight() const;
    [[nodiscard]] QString topic() const { return m_topicName; }
    [[nodiscard]] rd_kafka_t* handle() const { return m_rk.get(); }

private:
    Producer() = default;
    static void onDeliveryReport(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque);
    static void onClientError(rd_kafka_t*, int err, const char* reason, void* opaque);
    static int onStatistics(rd_kafka_t*, char* json, size_t length, void* opaque);
    void pollLoop();
    // serve(), waiting up to `wait` for the first report.
    void serveFor(std::chrono::milliseconds wait);
    // A caller has used serve(): delivery reports are then served on callers' threads.
    [[nodiscard]] bool callerServes() const { return m_lastServe.load(std::memory_order_relaxed) != 0; }

    KafkaHandle m_rk;
    TopicHandle m_topic;
    QString m_topicName;
    ClientConfig m_config; // explains a refused login
    DeliveryHandler m_onDelivery;
    ErrorHandler m_onError;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_ready{false}; // has its producer id (onStatistics)
    // A broker could not be resolved or connected to (librdkafka's error callback), and none has
    // been seen up since (statistics).
    std::atomic<bool> m_connectFailing{false};
    std::mutex m_troubleMutex;
    QString m_lastConnectError; // the last resolve or connect failure, as librdkafka said it
    // Room in librdkafka's queue: the poller bumps m_served after every poll that served delivery
    // reports (each frees its messages), and a produce() that found the queue full waits for it.
    std::mutex m_roomMutex;
    std::condition_variable m_room;
    std::atomic<int> m_waiting{0};
    int m_lowWater = 0;                 // queue.buffering.max.messages / 2
    std::atomic<qint64> m_lastServe{0}; // ticks() of the caller's last serve(); 0: never
    std::thread m_poller;
};

} // namespace loadlevel::kafka
