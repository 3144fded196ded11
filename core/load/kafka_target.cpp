#include "load/kafka_target.h"

#include "event/codec.h"

#include <thread>

namespace loadlevel::load {

Result<std::unique_ptr<KafkaTarget>> KafkaTarget::create(const kafka::ClientConfig& config,
                                                         const QString& topic) {
    std::unique_ptr<KafkaTarget> t(new KafkaTarget);
    KafkaTarget* raw = t.get();
    auto producer = kafka::Producer::create(config, topic, [raw](const kafka::Delivery& d) {
        const auto now = Clock::now();
        QMutexLocker lock(&raw->m_mutex);
        raw->m_reports.push_back({d.token, d.ok, d.error, now});
    });
    if (!producer)
        return fail(producer.error());
    t->m_producer = std::move(*producer);
    t->m_servers = config.bootstrapServers();
    t->m_topic = topic;
    return t;
}

QJsonObject KafkaTarget::describe() const {
    return {{QStringLiteral("kind"), QStringLiteral("kafka")},
            {QStringLiteral("bootstrap_servers"), m_servers},
            {QStringLiteral("topic"), m_topic}};
}

Result<void> KafkaTarget::send(const event::RatingEvent& e, quint64 seq, Clock::time_point due) {
    if (m_pending.empty()) {
        if (seq == 0) // a new run
            m_runBase = m_nextRunBase;
        m_firstSeq = seq; // the runner sends seq 0, 1, 2, …: the window is contiguous
    }
    const quint64 token = m_runBase + seq;
    if (auto r = m_producer->produce(event::encode(e), token); !r)
        return r;
    m_producer->serve(); // reports on this thread: see Producer::serve()
    m_nextRunBase = std::max(m_nextRunBase, token + 1);
    m_pending.push_back({due, Clock::now(), false});
    ++m_inFlight;
    return {};
}

void KafkaTarget::take(std::vector<Report>& reports, const Completed& completed) {
    for (const Report& r : reports) {
        if (r.token < m_runBase)
            continue; // an earlier run's
        const quint64 seq = r.token - m_runBase;
        if (seq < m_firstSeq || seq >= m_firstSeq + m_pending.size())
            continue; // already abandoned
        Pending& p = m_pending[seq - m_firstSeq];
        if (p.done)
            continue;
        p.done = true;
        --m_inFlight;
        completed(
            {seq, r.ok, r.ok ? QByteArray("ack") : (u"kafka: " + r.error).toUtf8(), p.due, p.sentAt, r.at});
    }
    reports.clear();
    while (!m_pending.empty() && m_pending.front().done) {
        m_pending.pop_front();
        ++m_firstSeq;
    }
}

void KafkaTarget::poll(Clock::time_point until, const Completed& completed) {
    std::vector<Report> reports;
    for (;;) {
        m_producer->serve();
        {
            QMutexLocker lock(&m_mutex);
            reports.swap(m_reports);
        }
        if (!reports.empty()) {
            take(reports, completed);
            return;
        }
        const auto now = Clock::now();
        if (now >= until)
            return;
        // Delivery reports come in batches every few milliseconds (linger); a short sleep is
        // cheaper than a condition variable signalled for every message.
        std::this_thread::sleep_for(std::min<Clock::duration>(until - now, std::chrono::milliseconds(1)));
    }
}

void KafkaTarget::abandon(const Completed& completed) {
    m_producer->purge(); // nothing left for the producer to wait on when it is closed
    std::vector<Report> reports;
    {
        QMutexLocker lock(&m_mutex);
        reports.swap(m_reports);
    }
    take(reports, completed);
    const auto now = Clock::now();
    for (size_t i = 0; i < m_pending.size(); ++i) {
        Pending& p = m_pending[i];
        if (p.done)
            continue;
        p.done = true;
        --m_inFlight;
        completed({m_firstSeq + i, false, QByteArray("abandoned"), p.due, p.sentAt, now});
    }
    // Later reports for these are dropped by take().
    m_firstSeq += m_pending.size();
    m_pending.clear();
}

} // namespace loadlevel::load
