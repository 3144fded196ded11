#include "pipeline/pipeline.h"

#include "kafka/admin.h"

#include <thread>

namespace loadlevel::pipeline {

Result<std::unique_ptr<Pipeline>> Pipeline::start(const Settings& settings, const PipelineOptions& options) {
    std::unique_ptr<Pipeline> p(new Pipeline);
    p->m_settings = settings;

    if (settings.kafkaEmbedded()) {
        auto cluster = kafka::EmbeddedCluster::start(settings.embeddedBrokers);
        if (!cluster)
            return fail(cluster.error());
        p->m_cluster = std::move(*cluster);
        auto base = kafka::ClientConfig::make({}, settings.kafkaProperties, settings.kafkaPropertiesFile);
        if (!base)
            return fail(base.error());
        p->m_config = p->m_cluster->clientConfig(*base);
        const int rf = std::min(settings.replicationFactor, p->m_cluster->brokers());
        if (auto r = p->m_cluster->createTopic(settings.topic, settings.partitions, rf); !r)
            return fail(r.error());
    } else {
        auto config = settings.clientConfig();
        if (!config)
            return fail(config.error());
        p->m_config = *config;
        auto admin = kafka::Admin::create(p->m_config);
        if (!admin)
            return fail(admin.error());
        if (auto r = (*admin)->ensureTopic(settings.topic, settings.partitions, settings.replicationFactor);
            !r)
            return fail(r.error());
    }

    auto st = store::openStore(
        settings.effectiveDatabase(),
        QStringLiteral("loadlevel-pipeline-%1").arg(reinterpret_cast<quintptr>(p.get()), 0, 16));
    if (!st)
        return fail(st.error());
    p->m_store = std::move(*st);
    if (auto v = p->m_store->migrate(); !v)
        return fail(v.error());
    if (p->m_cluster) {
        // A new embedded cluster has empty logs: offsets an earlier process stored under the same
        // cluster id (the mock's id is not guaranteed unique) describe data that no longer exists.
        auto admin = kafka::Admin::create(p->m_config);
        if (!admin)
            return fail(admin.error());
        auto id = (*admin)->clusterId();
        if (!id)
            return fail(id.error());
        if (auto r = p->m_store->forgetOffsets(*id, settings.group, settings.topic); !r)
            return fail(r.error());
    }

    if (options.startSink) {
        kafka::SinkOptions o;
        o.topic = settings.topic;
        o.group = settings.group;
        o.groupProtocol = settings.groupProtocol;
        // The mock broker answers a fetch with no data only when its wait is over (a real broker
        // answers as soon as data arrives), so there the wait is the sink's latency: keep it short.
        // In one process an empty fetch costs little.
        // And a batch closes once the burst has been read (nothing more for 5 ms) instead of
        // waiting out its window: the database is a local SQLite file of this process.
        // Its group coordinator waits out the session timeout less 1 s on each rebalance before it
        // assigns, so a short session makes a change of members quick to show.
        if (p->m_cluster) {
            o.fetchWaitMs = 10;
            o.quietMs = 5;
            o.sessionTimeoutMs = 3000;
        }
        o.members = options.members;
        o.maxRowsPerSec = options.maxRowsPerSec;
        o.recorder = &p->m_recorder;
        p->m_sink = std::make_unique<kafka::Sink>(p->m_config, o, settings.storeFactory());
        if (auto r = p->m_sink->start(); !r)
            return fail(r.error());
    }
    return p;
}

Pipeline::~Pipeline() {
    // Consumers and producers first, the cluster they talk to last.
    if (m_sink)
        m_sink->stop();
    m_sink.reset();
    m_store.reset();
    m_cluster.reset();
}

Result<void> Pipeline::waitForSink(std::chrono::milliseconds timeout, const std::atomic<bool>* cancel) const {
    if (!m_sink)
        return fail(Error::invalid(QStringLiteral("this pipeline has no sink")));
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        // Settled: every partition owned, and every member that can have a partition has one
        // (else a member still joining will trigger another rebalance in a moment).
        const kafka::SinkStatus st = m_sink->status();
        qsizetype owned = 0;
        qsizetype busy = 0;
        for (const auto& a : st.assignments) {
            owned += a.size();
            busy += a.isEmpty() ? 0 : 1;
        }
        if (owned >= m_settings.partitions && busy >= std::min<qsizetype>(st.members, m_settings.partitions))
            return {};
        if (std::chrono::steady_clock::now() >= deadline || (cancel && cancel->load()))
            return fail(Error::timeout(QStringLiteral("the sink owns %1 of %2 partitions after %3 s (%4)")
                                           .arg(owned)
                                           .arg(m_settings.partitions)
                                           .arg(timeout.count() / 1000)
                                           .arg(m_sink->status().lastError.isEmpty()
                                                    ? QStringLiteral("no error reported")
                                                    : m_sink->status().lastError)));
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

std::unique_ptr<metrics::LagMonitor> Pipeline::makeLagMonitor(int intervalMs) const {
    metrics::LagMonitor::Options o;
    o.topic = m_settings.topic;
    o.groups = {m_settings.group};
    o.intervalMs = intervalMs;
    o.knownMembers = [sink = m_sink.get(), group = m_settings.group](const QString& g) {
        return sink && g == group ? sink->status().members : -1;
    };
    return std::make_unique<metrics::LagMonitor>(m_config, o);
}

QString Pipeline::describe() const {
    return m_settings.describe(m_cluster ? m_cluster->bootstrapServers() : QString());
}

qint64 Pipeline::embeddedBacklogLimit() const {
    return kafka::EmbeddedCluster::retainedRatingsPerPartition() * m_settings.partitions / 4;
}

QString Pipeline::runLimitWarning(qint64 events) const {
    if (!m_cluster || events <= embeddedBacklogLimit())
        return {};
    return QStringLiteral(
               "the embedded cluster keeps only about %1 ratings per partition; this run of %2 goes "
               "no more than %3 ratings ahead of the sink, so it is paced by the sink (a paused sink "
               "holds it). For the full send rate, use a real Kafka cluster (--kafka, scripts/stack up)")
        .arg(kafka::EmbeddedCluster::retainedRatingsPerPartition())
        .arg(events)
        .arg(embeddedBacklogLimit());
}

std::function<bool()> Pipeline::holdBack() {
    if (!m_cluster)
        return {};
    // The embedded cluster lives in this process and starts empty, so everything it holds came
    // from this pipeline's producers (the runs and the HTTP service count here what they send and
    // what failed) and everything the sink read is counted too. Sent, not acknowledged: the
    // producer's queue can hold more than the cluster keeps.
    return [recorder = &m_recorder, limit = embeddedBacklogLimit()] {
        const auto r = std::memory_order_relaxed;
        return recorder->produced.load(r) - recorder->failed.load(r) - recorder->consumed.load(r) > limit;
    };
}

} // namespace loadlevel::pipeline
