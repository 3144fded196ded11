#include "kafka/producer.h"

#include <array>
#include <malloc.h>
#include <mutex>
#include <optional>
#include <string_view>
#include <time.h>

namespace loadlevel::kafka {

namespace {
// Java's default partitioner, so that Loadlevel and Java producers put a movie in the same partition.
constexpr const char* kJavaCompatiblePartitioner = "murmur2_random";
// librdkafka's own default. Each queued event costs about 1 KiB (its copy and eight headers), so a
// deeper queue only grows the heap: 500,000 made a 1M burst fault in about 500 MiB of fresh pages.
constexpr const char* kQueueMessages = "100000";
// A caller that served within this long is still serving; the poller thread stands by meanwhile.
constexpr auto kServingWindow = std::chrono::milliseconds(20);

// librdkafka copies each produced message into small heap blocks (the message and its value, the
// header list, one block per header), which its broker thread reads a few milliseconds later and the
// serving thread frees in bulk as acknowledgements come. glibc keeps freed blocks of up to 128
// bytes in fastbins, uncoalesced, so the next messages' blocks are scattered over a heap the size
// of the queue, and the broker thread misses the cache on every header it writes into a request
// (perf: most of rd_kafka_msgset_writer_write_msg_v2's time is one load of a header's length).
// Without fastbins (the per-thread cache stays) freed blocks merge and are reused close together:
// producing bench/run's 1M events took 1.48 CPU-s instead of 1.80, at 1.02x instead of 0.90x
// kcat -P (alternating rounds; BENCHMARKS.md). kcat needs no such setting: it allocates a 1 KiB line
// buffer per message, and that request consolidates the fastbins as a side effect. The sink's CPU time per
// row is unchanged (1.42 s per 300,000 rows either way). Process-wide, so set once, by the first producer.
void compactSmallBlocks() {
    static std::once_flag once;
    std::call_once(once, [] { mallopt(M_MXFAST, 0); });
}

// Nanoseconds on the coarse monotonic clock (a few ms resolution, enough for the serving window):
// serve() reads it once per message, and the precise clock showed at 5% of a 1M burst's profile.
qint64 ticks() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return qint64(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}
} // namespace

Result<std::unique_ptr<Producer>> Producer::create(const ClientConfig& config, const QString& topic,
                                                   DeliveryHandler onDelivery, ErrorHandler onError) {
    auto conf = config.build({{key::kLinger, "5"},
                              {key::kPartitioner, kJavaCompatiblePartitioner},
                              {key::kQueueMaxMessages, kQueueMessages},
                              {key::kStatsInterval, "100"}, // for waitUntilReady()
                              {key::kClientId, "loadlevel-producer"}},
                             // Durable acceptance depends on this; acks=all and at most 5 requests
                             // in flight (librdkafka's default) follow from idempotence. librdkafka
                             // 2.0.2 had to be held to one request in flight: it took a later ack as
                             // proof that an earlier failed request was written, which brokers since
                             // KIP-360 make false on a fresh partition (docs/reliability.md).
                             // tst_faults idempotentAcksHoldOnFreshTopics keeps watching for it.
                             {{key::kIdempotence, "true"}});
    if (!conf)
        return fail(conf.error());

    compactSmallBlocks();
    std::unique_ptr<Producer> p(new Producer);
    p->m_topicName = topic;
    p->m_onDelivery = std::move(onDelivery);
    p->m_onError = std::move(onError);
    p->m_config = config;
    rd_kafka_conf_set_opaque(conf->get(), p.get());
    rd_kafka_conf_set_dr_msg_cb(conf->get(), &Producer::onDeliveryReport);
    rd_kafka_conf_set_error_cb(conf->get(), &Producer::onClientError);
    rd_kafka_conf_set_stats_cb(conf->get(), &Producer::onStatistics);

    std::array<char, 512> err{};
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf->get(), err.data(), err.size());
    if (!rk)
        return fail(Error::invalid(
            QStringLiteral("cannot create Kafka producer: %1").arg(QString::fromUtf8(err.data()))));
    (void)conf->release(); // rd_kafka_new took ownership
    p->m_rk.reset(rk);
    p->m_topic.reset(rd_kafka_topic_new(rk, topic.toUtf8().constData(), nullptr));
    if (!p->m_topic)
        return fail(Error::invalid(QStringLiteral("invalid topic name '%1'").arg(topic)));
    std::array<char, 32> queued{};
    size_t size = queued.size();
    if (rd_kafka_conf_get(rd_kafka_conf(rk), key::kQueueMaxMessages, queued.data(), &size) ==
        RD_KAFKA_CONF_OK)
        p->m_lowWater = std::atoi(queued.data()) / 2;
    p->m_poller = std::thread([raw = p.get()] { raw->pollLoop(); });
    return p;
}

int Producer::onStatistics(rd_kafka_t*, char* json, size_t length, void* opaque) {
    auto* self = static_cast<Producer*>(opaque);
    if (!self->m_ready.load(std::memory_order_relaxed) &&
        std::string_view(json, length).find(R"("idemp_state": "Assigned")") != std::string_view::npos)
        self->m_ready = true;
    if (self->m_connectFailing.load(std::memory_order_relaxed) &&
        std::string_view(json, length).find(R"("state": "UP")") != std::string_view::npos)
        self->m_connectFailing = false;
    return 0; // librdkafka frees the JSON
}

Result<void> Producer::awaitReady(std::chrono::milliseconds timeout) {
    if (waitUntilReady(timeout) || !m_connectFailing.load())
        return {};
    std::lock_guard lock(m_troubleMutex);
    return fail(Error::unavailable(
        QStringLiteral("Kafka at %1 cannot be reached: %2 (check --kafka or LOADLEVEL_KAFKA)")
            .arg(m_config.bootstrapServers(), m_lastConnectError)));
}

bool Producer::waitUntilReady(std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (!m_ready.load() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return m_ready.load();
}

Producer::~Producer() {
    // Give in-flight messages a bounded chance to be acknowledged, then stop the poller.
    if (m_rk)
        (void)flush(std::chrono::seconds(5));
    m_stop = true;
    if (m_poller.joinable())
        m_poller.join();
    m_topic.reset();
    m_rk.reset();
}

void Producer::pollLoop() {
    // librdkafka hands delivery reports over per produce request, not per message, so a blocking
    // poll wakes once per batch. A produce() waiting for room is told once the queue is half empty,
    // so that it then enqueues many messages at a time instead of one per wake-up.
    const auto window = std::chrono::nanoseconds(kServingWindow).count();
    while (!m_stop.load(std::memory_order_relaxed)) {
        if (ticks() - m_lastServe.load(std::memory_order_relaxed) < window) {
            std::this_thread::sleep_for(kServingWindow / 4); // the caller serves (serve())
            continue;
        }
        if (rd_kafka_poll(m_rk.get(), 20) > 0 && m_waiting.load() > 0 &&
            rd_kafka_outq_len(m_rk.get()) <= m_lowWater) {
            { std::lock_guard lock(m_roomMutex); } // a waiter is either before its check or asleep
            m_room.notify_all();
        }
    }
    rd_kafka_poll(m_rk.get(), 0);
}

void Producer::onDeliveryReport(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
    auto* self = static_cast<Producer*>(opaque);
    if (!self->m_onDelivery)
        return;
    Delivery d;
    d.token = reinterpret_cast<quintptr>(msg->_private);
    d.ok = msg->err == RD_KAFKA_RESP_ERR_NO_ERROR;
    if (!d.ok)
        d.error = QString::fromUtf8(rd_kafka_err2str(msg->err));
    d.partition = msg->partition;
    d.offset = msg->offset;
    d.latencyUs = rd_kafka_message_latency(msg);
    self->m_onDelivery(d);
}

void Producer::onClientError(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
    auto* self = static_cast<Producer*>(opaque);
    QString text = QString::fromUtf8(reason);
    if (err == RD_KAFKA_RESP_ERR__RESOLVE || err == RD_KAFKA_RESP_ERR__TRANSPORT ||
        err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        self->m_connectFailing = true;
        std::lock_guard lock(self->m_troubleMutex);
        if (err != RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || self->m_lastConnectError.isEmpty())
            self->m_lastConnectError = text;
    }
    if (!self->m_onError)
        return;
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        std::array<char, 512> buf{};
        rd_kafka_fatal_error(rk, buf.data(), buf.size());
        self->m_onError(Error::failed(u"fatal producer error: " + QString::fromUtf8(buf.data())));
        return;
    }
    const auto code = static_cast<rd_kafka_resp_err_t>(err);
    if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || code == RD_KAFKA_RESP_ERR__TRANSPORT)
        self->m_onError(Error::unavailable(text));
    else
        self->m_onError(Error::failed(text));
}

Result<void> Producer::produce(const event::WireMessage& m, quint64 token,
                               std::chrono::milliseconds maxBlock) {
    std::optional<std::chrono::steady_clock::time_point> deadline; // read the clock only when full
    for (;;) {
        rd_kafka_headers_t* headers = rd_kafka_headers_new(m.headers.size());
        for (const auto& h : m.headers)
            rd_kafka_header_add(headers, h.name.constData(), h.name.size(), h.value.constData(),
                                h.value.size());
            // librdkafka's RD_KAFKA_V_* macros are C casts by design.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
        const rd_kafka_resp_err_t err = rd_kafka_producev(
            m_rk.get(), RD_KAFKA_V_RKT(m_topic.get()), RD_KAFKA_V_PARTITION(RD_KAFKA_PARTITION_UA),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_VALUE(const_cast<char*>(m.value.constData()), static_cast<size_t>(m.value.size())),
            RD_KAFKA_V_KEY(m.key.constData(), static_cast<size_t>(m.key.size())), RD_KAFKA_V_HEADERS(headers),
            RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<quintptr>(token))), RD_KAFKA_V_END);
#pragma GCC diagnostic pop
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
            return {}; // librdkafka now owns the headers
        rd_kafka_headers_destroy(headers);
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            return fail(Error::failed(QStringLiteral("produce to %1 failed: %2")
                                          .arg(m_topicName, QString::fromUtf8(rd_kafka_err2str(err)))));
        const auto now = std::chrono::steady_clock::now();
        if (!deadline)
            deadline = now + maxBlock;
        else if (now >= *deadline)
            return fail(Error::timeout(QStringLiteral("the producer queue stayed full for %1 ms "
                                                      "(is the broker reachable?)")
                                           .arg(maxBlock.count())));
        // Delivery reports free queued messages. A caller that serves them waits for them here;
        // otherwise the poller thread says when the queue is half empty (a fixed sleep would either
        // spin or, at a few hundred thousand messages a second, idle).
        if (callerServes()) {
            serveFor(std::chrono::milliseconds(10));
            continue;
        }
        std::unique_lock lock(m_roomMutex);
        ++m_waiting;
        m_room.wait_until(lock, std::min(*deadline, now + std::chrono::milliseconds(100)),
                          [&] { return rd_kafka_outq_len(m_rk.get()) <= m_lowWater; });
        --m_waiting;
    }
}

void Producer::serve() {
    serveFor(std::chrono::milliseconds(0));
}

void Producer::serveFor(std::chrono::milliseconds wait) {
    m_lastServe.store(ticks(), std::memory_order_relaxed);
    rd_kafka_poll(m_rk.get(), static_cast<int>(wait.count()));
}

Result<void> Producer::flush(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (rd_kafka_outq_len(m_rk.get()) > 0) {
        if (std::chrono::steady_clock::now() >= deadline)
            return fail(Error::timeout(QStringLiteral("%1 messages still unacknowledged after %2 ms")
                                           .arg(rd_kafka_outq_len(m_rk.get()))
                                           .arg(timeout.count())));
        if (callerServes())
            serveFor(std::chrono::milliseconds(10));
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return {};
}

void Producer::purge() {
    rd_kafka_purge(m_rk.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
}

int Producer::inFlight() const {
    return rd_kafka_outq_len(m_rk.get());
}

} // namespace loadlevel::kafka
