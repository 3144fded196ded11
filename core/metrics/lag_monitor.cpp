#include "metrics/lag_monitor.h"

#include "kafka/admin.h"
#include "kafka/handles.h"

#include <QLocale>
#include <array>
#include <chrono>

namespace loadlevel::metrics {

// Rates over the partition's window: consumed (committed offsets), produced (log-end offsets), and
// the lag's own pace, with the time to drain at each.
void measureRates(const std::deque<OffsetSample>& window, PartitionLag& p) {
    p.consumeRate = p.produceRate = 0;
    p.lagSeconds = p.clearSeconds = -1;
    if (window.size() >= 2) {
        const double dt = (window.back().timeMs - window.front().timeMs) / 1000.0;
        if (dt > 0 && window.back().committed >= 0 && window.front().committed >= 0)
            p.consumeRate = std::max(0.0, (window.back().committed - window.front().committed) / dt);
        if (dt > 0 && window.back().end >= 0 && window.front().end >= 0)
            p.produceRate = std::max(0.0, (window.back().end - window.front().end) / dt);
    }
    p.drainRate = p.consumeRate - p.produceRate;
    if (p.lag == 0)
        p.lagSeconds = p.clearSeconds = 0;
    if (p.lag > 0 && p.consumeRate > 0)
        p.lagSeconds = p.lag / p.consumeRate;
    if (p.lag > 0 && p.drainRate > 0)
        p.clearSeconds = p.lag / p.drainRate;
}

// The group is clear when its slowest partition is; the skew says how uneven the drain is.
void estimateClear(GroupLag& g) {
    g.slowestPartition = -1;
    g.skew = 0;
    if (g.totalLag == 0) {
        g.clearSeconds = 0;
        return;
    }
    g.clearSeconds = 0;
    for (const auto& p : g.partitions) {
        if (p.lag == 0)
            continue;
        if (p.clearSeconds < 0) {
            g.clearSeconds = -1;
            g.slowestPartition = p.partition;
            return;
        }
        if (p.clearSeconds > g.clearSeconds) {
            g.clearSeconds = p.clearSeconds;
            g.slowestPartition = p.partition;
        }
    }
    if (g.drainRate > 0)
        g.skew = g.clearSeconds / (static_cast<double>(g.totalLag) / g.drainRate);
}

namespace {

QString perSecond(double v) {
    return QLocale(QLocale::English).toString(v, 'f', 0) + QStringLiteral("/s");
}

} // namespace

QString drainText(const GroupLag& g) {
    const QLocale en(QLocale::English);
    const QString lag = QStringLiteral("lag %1").arg(en.toString(g.totalLag));
    if (g.totalLag == 0)
        return lag + QStringLiteral(" · caught up");
    if (!g.ratesKnown)
        return lag + QStringLiteral(" · drain rate: measuring…");
    if (g.clearSeconds < 0)
        return lag + QStringLiteral(" · not draining (in %1, out %2%3)")
                         .arg(perSecond(g.produceRate), perSecond(g.consumeRate),
                              g.slowestPartition >= 0 && g.partitions.size() > 1
                                  ? QStringLiteral("; partition %1 is not").arg(g.slowestPartition)
                                  : QString());
    QString out = lag + QStringLiteral(" · draining at %1 · clear in %2 s")
                            .arg(perSecond(g.drainRate))
                            .arg(g.clearSeconds, 0, 'f', g.clearSeconds < 10 ? 1 : 0);
    if (g.partitions.size() > 1 && g.slowestPartition >= 0)
        out += QStringLiteral(" (partition %1 decides, skew %2×)")
                   .arg(g.slowestPartition)
                   .arg(g.skew, 0, 'f', 1);
    return out;
}

LagMonitor::LagMonitor(kafka::ClientConfig config, Options options, QObject* parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_options(std::move(options)) {
    qRegisterMetaType<QList<loadlevel::metrics::GroupLag>>();
}

LagMonitor::~LagMonitor() {
    stop();
}

void LagMonitor::start() {
    if (m_thread.joinable())
        return;
    m_stop = false;
    m_thread = std::thread([this] { run(); });
}

void LagMonitor::stop() {
    m_stop = true;
    if (m_thread.joinable())
        m_thread.join();
}

void LagMonitor::run() {
    using Clock = std::chrono::steady_clock;
    auto next = Clock::now();
    while (!m_stop.load()) {
        auto r = pollOnce();
        if (r)
            emit updated(*r);
        else
            emit problem(r.error().message);
        next += std::chrono::milliseconds(m_options.intervalMs);
        while (!m_stop.load() && Clock::now() < next)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (Clock::now() > next + std::chrono::milliseconds(m_options.intervalMs))
            next = Clock::now(); // a slow poll does not cause a burst of catch-up polls
    }
}

Result<void> LagMonitor::ensureClients() {
    if (!m_admin) {
        auto admin = kafka::Admin::create(m_config);
        if (!admin)
            return fail(admin.error());
        m_admin = std::move(*admin);
    }
    if (m_options.peekOldest && !m_peek) {
        auto conf = m_config.build({{kafka::key::kClientId, "loadlevel-lag-peek"},
                                    {"fetch.wait.max.ms", "10"},
                                    {"enable.partition.eof", "true"},
                                    {"log_level", "3"}});
        if (!conf)
            return fail(conf.error());
        std::array<char, 512> err{};
        m_peek.reset(rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), err.data(), err.size()));
        if (!m_peek)
            return fail(Error::failed(QString::fromUtf8(err.data())));
        (void)conf->release();
        m_peekTopic.reset(rd_kafka_topic_new(m_peek.get(), m_options.topic.toUtf8().constData(), nullptr));
    }
    return {};
}

void LagMonitor::peekOldest(QList<PartitionLag>& partitions, qint64 nowMs) {
    // Start a fetch at the committed offset of every lagging partition at once, then read the
    // first message of each: one round trip in all, not one per partition.
    QList<PartitionLag*> started;
    for (auto& p : partitions) {
        // Without a commit the group would start at the oldest retained message.
        const qint64 from = p.committed >= 0 ? p.committed : p.low;
        if (p.lag <= 0 || from < p.low)
            continue;
        if (rd_kafka_consume_start(m_peekTopic.get(), p.partition, from) == 0)
            started << &p;
    }
    // One budget for all: the first fetch also pays for the connection to each leader.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1000);
    for (PartitionLag* p : std::as_const(started)) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (rd_kafka_message_t* msg = rd_kafka_consume(
                m_peekTopic.get(), p->partition, static_cast<int>(std::max<qint64>(10, left.count())))) {
            if (!msg->err) {
                const qint64 ts = rd_kafka_message_timestamp(msg, nullptr);
                if (ts > 0)
                    p->oldestAgeSeconds = std::max<qint64>(0, nowMs - ts) / 1000.0;
            }
            rd_kafka_message_destroy(msg);
        }
        rd_kafka_consume_stop(m_peekTopic.get(), p->partition);
    }
}

PartitionLag LagMonitor::observe(const QString& group, const kafka::PartitionInfo& tp, qint64 committed,
                                 qint64 nowMs, bool hasMembers, bool& complete, bool& ratesKnown) {
    PartitionLag p;
    p.partition = tp.id;
    p.low = tp.low;
    p.end = tp.high;
    p.committed = committed;
    auto& window = m_windows[{group, tp.id}];
    const bool endKnown = tp.watermarkError.isEmpty();
    if (!endKnown && !window.empty()) {
        p.low = window.back().low;
        p.end = window.back().end;
    }
    p.lag = std::max<qint64>(0, p.end - (p.committed >= 0 ? p.committed : p.low));
    if (endKnown) {
        window.push_back({nowMs, p.committed, p.lag, p.end, p.low});
        while (static_cast<int>(window.size()) > kWindow)
            window.pop_front();
    }
    measureRates(window, p);
    const PartitionEvaluation e = evaluatePartition(window, hasMembers);
    p.status = endKnown ? e.status : PartitionStatus::Warn;
    p.reason = endKnown ? e.reason : tp.watermarkError + QStringLiteral("; lag as last seen");
    complete = e.complete && endKnown;
    ratesKnown = window.size() >= 2;
    return p;
}

Result<QList<GroupLag>> LagMonitor::pollOnce() {
    std::lock_guard lock(m_pollMutex);
    if (auto r = ensureClients(); !r)
        return fail(r.error());
    // A partition whose leader is down keeps its last known log end (the lag then counts what the
    // group has not committed of it), so the lag is still drawn during a broker outage.
    auto topic =
        m_admin->describeTopic(m_options.topic, kafka::Watermarks::Reachable, std::chrono::seconds(5));
    if (!topic)
        return fail(topic.error());

    QList<int> partitionIds; // read once per poll, shared by every group
    for (const auto& p : topic->partitions)
        partitionIds << p.id;
    const QDateTime at = QDateTime::currentDateTimeUtc();
    const qint64 nowMs = at.toMSecsSinceEpoch();
    QList<GroupLag> out;
    for (const QString& group : std::as_const(m_options.groups)) {
        GroupLag g;
        g.group = group;
        g.topic = m_options.topic;
        g.at = at;
        auto committed =
            m_admin->committedOffsets(group, m_options.topic, partitionIds, std::chrono::seconds(5));
        if (!committed) {
            g.error = committed.error().message;
            emit problem(g.error);
            out << g;
            continue;
        }
        g.members = m_options.knownMembers ? m_options.knownMembers(group) : -1;
        if (std::chrono::steady_clock::now() >= m_describeAgainAt) {
            if (auto d = m_admin->describeGroup(group, std::chrono::seconds(2))) {
                g.state = d->state;
                g.protocol = d->protocol;
                if (g.members < 0)
                    g.members = static_cast<int>(d->members.size());
            } else {
                m_describeAgainAt = std::chrono::steady_clock::now() + std::chrono::seconds(30);
            }
        }

        QList<PartitionStatus> statuses;
        bool ratesKnown = true;
        g.complete = true;
        for (const auto& tp : topic->partitions) {
            const auto it = committed->find(tp.id);
            bool windowFull = false;
            bool partitionRates = false;
            PartitionLag p = observe(group, tp, it != committed->end() ? it->second : -1, nowMs,
                                     g.members > 0, windowFull, partitionRates);
            ratesKnown = ratesKnown && partitionRates;
            g.complete = g.complete && windowFull;
            statuses << p.status;
            g.totalLag += p.lag;
            g.consumeRate += p.consumeRate;
            g.produceRate += p.produceRate;
            g.drainRate += p.drainRate;
            g.partitions << p;
        }
        g.ratesKnown = ratesKnown;
        estimateClear(g);
        if (m_options.peekOldest && m_peek)
            peekOldest(g.partitions, nowMs);
        g.status = evaluateGroup(statuses);
        g.lagSeconds = g.totalLag == 0 ? 0 : (g.consumeRate > 0 ? g.totalLag / g.consumeRate : -1);
        out << g;
    }
    return out;
}

} // namespace loadlevel::metrics
