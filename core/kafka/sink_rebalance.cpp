#include "kafka/sink_member.h"

#include <QDebug>
#include <algorithm>
#include <cstring>

namespace loadlevel::kafka {

using namespace std::chrono_literals;

// Eager protocols (range, roundrobin) hand over the whole assignment at each rebalance;
// incremental ones (cooperative-sticky, and every KIP-848 group) add and take single partitions,
// and the rest keep fetching.
void Sink::Member::onRebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
    // Known from the group join on (the assignors the members have in common decide it).
    const char* protocol = rd_kafka_rebalance_protocol(m_rk.get());
    m_cooperative = (protocol && std::strcmp(protocol, "COOPERATIVE") == 0) ||
                    m_sink.m_options.groupProtocol == u"consumer";
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        onAssigned(parts);
        return;
    }
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
        onRevoked(parts);
        if (m_cooperative)
            return;
    } else {
        m_sink.reportProblem(QStringLiteral("sink member %1: rebalance failed: %2")
                                 .arg(m_index)
                                 .arg(QString::fromUtf8(rd_kafka_err2str(err))));
    }
    applyAssignment(nullptr, false);
    m_offsets.clear();
    setAssigned(nullptr, false);
}

void Sink::Member::onAssigned(rd_kafka_topic_partition_list_t* parts) {
    // Start where the database says, not where Kafka's committed offsets say.
    auto backoff = 100ms;
    std::map<int, qint64> stored;
    for (;;) {
        auto r = m_store->storedOffsets(m_batch.clusterId, m_sink.m_options.group, m_sink.m_options.topic);
        if (r) {
            stored = std::move(*r);
            markDatabaseUp();
            break;
        }
        onDatabaseDown(r.error());
        if (m_stop.load())
            break;
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    }
    if (!m_cooperative)
        m_offsets.clear();
    for (int i = 0; i < parts->cnt; ++i) {
        const int p = parts->elems[i].partition;
        const auto it = stored.find(p);
        parts->elems[i].offset = it != stored.end() ? it->second : RD_KAFKA_OFFSET_BEGINNING;
        m_offsets.assign(p, it != stored.end() ? it->second : -1);
    }
    qCDebug(lcSink) << "member" << m_index << "assigned" << parts->cnt << "partition(s), stored"
                    << m_offsets.storedOffsets() << "batch rows" << m_batch.rows.size();
    if (!applyAssignment(parts, true)) {
        dropPartitions(parts); // not fetching them: not this member's to track
        return;
    }
    // Kafka's committed offsets may be behind the database (a commit of the previous owner
    // failed): bring them level from the loop, outside this callback.
    m_commitDue = !m_offsets.storedOffsets().empty();
    m_repause = m_paused; // new partitions start fetching; the member loop pauses them again
    setAssigned(parts, true);
}

void Sink::Member::onRevoked(rd_kafka_topic_partition_list_t* parts) {
    // Persist what we have for these partitions before another member takes them; if the
    // database refuses, drop it: it was not committed, so the new owner reads it again.
    // A lost assignment (this member was dropped from the group) may have a new owner already.
    const bool lost = rd_kafka_assignment_lost(m_rk.get()) != 0;
    if (!m_inFlush && !m_batch.empty() && !lost)
        writeOnce();
    qCDebug(lcSink) << "member" << m_index << "revoked" << parts->cnt << "partition(s); dropping"
                    << m_batch.rows.size() << "unwritten rows; lost:" << lost;
    dropPartitions(parts);
    if (m_cooperative) {
        applyAssignment(parts, false);
        setAssigned(parts, false);
    }
}

bool Sink::Member::applyAssignment(rd_kafka_topic_partition_list_t* parts, bool add) {
    QString failure;
    if (m_cooperative) {
        if (!parts)
            return true; // nothing to take back incrementally (a failed rebalance)
        if (rd_kafka_error_t* e = add ? rd_kafka_incremental_assign(m_rk.get(), parts)
                                      : rd_kafka_incremental_unassign(m_rk.get(), parts)) {
            failure = QString::fromUtf8(rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
        }
    } else if (const auto e = rd_kafka_assign(m_rk.get(), add ? parts : nullptr);
               e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        failure = QString::fromUtf8(rd_kafka_err2str(e));
    }
    if (failure.isEmpty())
        return true;
    m_sink.reportProblem(QStringLiteral("sink member %1: Kafka refused to %2 %3 partition(s): %4")
                             .arg(m_index)
                             .arg(add ? u"assign" : u"release")
                             .arg(parts ? parts->cnt : 0)
                             .arg(failure));
    return false;
}

void Sink::Member::setAssigned(const rd_kafka_topic_partition_list_t* parts, bool add) {
    std::lock_guard lock(m_assignMutex);
    if (!m_cooperative && add)
        m_assigned.clear();
    if (!parts) {
        m_assigned.clear();
        return;
    }
    for (int i = 0; i < parts->cnt; ++i) {
        const int p = parts->elems[i].partition;
        if (add && !m_assigned.contains(p))
            m_assigned << p;
        else if (!add)
            m_assigned.removeAll(p);
    }
    std::sort(m_assigned.begin(), m_assigned.end());
}

} // namespace loadlevel::kafka
