#include "kafka/sink_member.h"

#include "event/codec.h"

#include <QDateTime>
#include <QDebug>
#include <array>
#include <cstring>

namespace loadlevel::kafka {

Q_LOGGING_CATEGORY(lcSink, "loadlevel.sink", QtInfoMsg)

using Clock = SinkClock;
using namespace std::chrono_literals;

namespace {

// The message's headers as views of its own bytes (no copy): valid while `msg` is.
void readHeaders(const rd_kafka_message_t* msg, std::vector<event::Header>& out) {
    out.clear();
    rd_kafka_headers_t* hdrs = nullptr;
    if (rd_kafka_message_headers(msg, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR || !hdrs)
        return;
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i)
        out.push_back(
            {QByteArray::fromRawData(name, static_cast<qsizetype>(std::strlen(name))),
             value ? QByteArray::fromRawData(static_cast<const char*>(value), static_cast<qsizetype>(size))
                   : QByteArray()});
}

// Headers that outlive their message.
std::vector<event::Header> ownedCopy(const std::vector<event::Header>& views) {
    std::vector<event::Header> out;
    out.reserve(views.size());
    auto own = [](const QByteArray& b) {
        return b.isNull() ? QByteArray() : QByteArray(b.constData(), b.size());
    };
    for (const auto& h : views)
        out.push_back({own(h.name), own(h.value)});
    return out;
}

} // namespace

int Sink::Member::batchLimit() const {
    const double ceiling = m_sink.m_maxRowsPerSec.load();
    if (ceiling <= 0)
        return m_sink.m_options.batchRows;
    // Under a ceiling, smaller batches (about 5 per second in all) keep the write rate smooth.
    const int sharing = m_sink.m_ceilingPerMember.load() ? 1 : std::max(1, m_sink.m_memberCount.load());
    const int smooth = static_cast<int>(ceiling / 5.0 / sharing);
    return std::clamp(smooth, 1, m_sink.m_options.batchRows);
}

void Sink::Member::run() {
    const SinkOptions& opt = m_sink.m_options;
    m_batch.group = opt.group;
    m_batch.topic = opt.topic;

    auto st = m_sink.m_stores(QStringLiteral("loadlevel-sink-%1-%2-%3")
                                  .arg(opt.group)
                                  .arg(m_index)
                                  .arg(reinterpret_cast<quintptr>(this), 0, 16));
    if (!st) {
        m_sink.reportProblem(st.error().message);
        m_failed = true;
        return;
    }
    m_store = std::move(*st);
    if (!createConsumer()) { // a configuration librdkafka refuses: no retry mends it
        m_failed = true;
        return;
    }

    while (!m_stop.load(std::memory_order_relaxed)) {
        if (m_fatal.load()) {
            onFatal();
            return;
        }
        // The user's pause, applied here and never inside a rebalance callback (see flush()).
        if (const bool wanted = m_sink.m_paused.load(); wanted != m_paused || (wanted && m_repause)) {
            if (wanted)
                flush(); // what was read before the pause is stored, so the lag shown is real
            setPaused(wanted);
            m_repause = false;
        }
        int waitMs = 100;
        if (!m_batch.empty()) {
            const auto elapsed =
                std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - m_batchStarted);
            waitMs = std::clamp(static_cast<int>(opt.batchMs - elapsed.count()), 0, 100);
            if (opt.quietMs > 0)
                waitMs = std::min(waitMs, opt.quietMs);
        }
        bool quiet = false; // nothing came for quietMs: the batch may close early
        if (MessageHandle msg{rd_kafka_consumer_poll(m_rk.get(), waitMs)}) {
            // A message can slip through between a rebalance's assignment and the pause above:
            // while paused, nothing is consumed; it is fetched again after the resume.
            if (m_sink.m_paused.load() && !msg->err)
                rewind(msg.get());
            else
                handle(msg.get());
        } else {
            quiet = opt.quietMs > 0;
        }
        if (m_commitDue && m_batch.empty() && Clock::now() >= m_commitRetryAt)
            mirrorOffsets();
        const auto size = static_cast<int>(m_batch.rows.size() + m_batch.deadLetters.size());
        if (size > 0 && (quiet || size >= batchLimit() ||
                         Clock::now() - m_batchStarted >= std::chrono::milliseconds(opt.batchMs)))
            flush();
    }
    flush();
    rd_kafka_consumer_close(m_rk.get());
    m_rk.reset();
    m_store.reset();
}

bool Sink::Member::createConsumer() {
    const SinkOptions& opt = m_sink.m_options;
    const bool kip848 = opt.groupProtocol == u"consumer";
    std::vector<ClientConfig::Property> defaults = {
        {key::kClientId, "loadlevel-sink"},
        // Never skip silently: if the stored offset is gone (retention deleted the data before
        // the sink read it), say so, then continue from the earliest offset (see handle()).
        {key::kAutoOffsetReset, "error"},
        {key::kPartitionEof, "false"},
        {"fetch.wait.max.ms", std::to_string(opt.fetchWaitMs)},
        // After an empty or failed fetch, retry soon: the default 500 ms shows as latency.
        {"fetch.error.backoff.ms", "50"}};
    if (!kip848) {
        // A killed member is noticed after this long, so a restarted sink takes over quickly.
        // (KIP-848 groups take both from the broker's group configuration.)
        defaults.emplace_back("session.timeout.ms", std::to_string(opt.sessionTimeoutMs));
        defaults.emplace_back("heartbeat.interval.ms",
                              std::to_string(std::max(100, opt.sessionTimeoutMs / 5)));
    }
    std::vector<ClientConfig::Property> forced = {
        // Exactly once depends on these: offsets move only with the database transaction.
        {key::kGroupId, opt.group.toStdString()},
        {key::kGroupProtocol, opt.groupProtocol.toStdString()},
        {key::kAutoCommit, "false"},
        {key::kAutoOffsetStore, "false"}};
    // A static member id (KIP-345) names one consumer: each member gets its own.
    if (const std::string instance = m_sink.m_config.get(key::kGroupInstanceId); !instance.empty())
        forced.emplace_back(key::kGroupInstanceId, instance + "-" + std::to_string(m_index));
    auto conf = m_sink.m_config.build(defaults, forced);
    if (!conf) {
        m_sink.reportProblem(conf.error().message);
        return false;
    }
    rd_kafka_conf_set_opaque(conf->get(), this);
    rd_kafka_conf_set_rebalance_cb(conf->get(), &Member::rebalanceCallback);
    rd_kafka_conf_set_error_cb(conf->get(), &Member::errorCallback);
    rd_kafka_conf_set_offset_commit_cb(conf->get(), &Member::commitCallback);
    std::array<char, 512> err{};
    m_rk.reset(rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), err.data(), err.size()));
    if (!m_rk) {
        m_sink.reportProblem(
            QStringLiteral("cannot create Kafka consumer: %1").arg(QString::fromUtf8(err.data())));
        return false;
    }
    (void)conf->release();
    rd_kafka_poll_set_consumer(m_rk.get());

    // Stored offsets belong to one cluster's log; learn which cluster this is before reading them.
    for (auto backoff = 200ms; !m_stop.load();
         backoff = std::min(backoff * 2, std::chrono::milliseconds(5000))) {
        if (char* id = rd_kafka_clusterid(m_rk.get(), 5000)) {
            m_batch.clusterId = QString::fromUtf8(id);
            rd_kafka_mem_free(m_rk.get(), id);
            break;
        }
        m_sink.reportProblem(
            QStringLiteral("sink member %1: Kafka at %2 does not answer (no cluster id yet), retrying")
                .arg(m_index)
                .arg(m_sink.m_config.bootstrapServers()));
        std::this_thread::sleep_for(backoff);
    }

    PartitionList topics(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(topics.get(), opt.topic.toUtf8().constData(), RD_KAFKA_PARTITION_UA);
    if (const auto e = rd_kafka_subscribe(m_rk.get(), topics.get()); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        m_sink.reportProblem(QStringLiteral("cannot subscribe to %1: %2")
                                 .arg(opt.topic, QString::fromUtf8(rd_kafka_err2str(e))));
        return false;
    }
    return true;
}

void Sink::Member::onFatal() {
    // The consumer is unusable (librdkafka says so only for errors no retry can mend, such as a
    // static member id taken over by another instance). Its batch is not written: the partitions
    // may have a new owner already; nothing of it was committed, so that owner reads it again.
    std::array<char, 512> reason{};
    const auto code = rd_kafka_fatal_error(m_rk.get(), reason.data(), reason.size());
    m_failed = true;
    m_sink.reportProblem(
        QStringLiteral("sink member %1 stopped on a fatal Kafka error (%2): %3")
            .arg(m_index)
            .arg(QString::fromUtf8(rd_kafka_err2name(code)), QString::fromUtf8(reason.data())));
    clearBatch();
    m_offsets.clear();
    {
        std::lock_guard lock(m_assignMutex);
        m_assigned.clear();
    }
    rd_kafka_consumer_close(m_rk.get());
    m_rk.reset();
    m_store.reset();
}

void Sink::Member::handle(const rd_kafka_message_t* msg) {
    if (msg->err) {
        if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
            return;
        if (msg->err == RD_KAFKA_RESP_ERR__FATAL) { // a consumer is told through its poll
            m_fatal = true;
            return;
        }
        if (msg->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET) {
            m_sink.reportProblem(
                QStringLiteral("sink member %1: partition %2 no longer holds the events at the stored "
                               "offset (deleted by the broker's retention before the sink read them; "
                               "they are lost for this sink). Continuing from the earliest available "
                               "offset: %3")
                    .arg(m_index)
                    .arg(msg->partition)
                    .arg(QString::fromUtf8(rd_kafka_message_errstr(msg))));
            m_offsets.restartFromLogStart(msg->partition); // whatever the log's start is now
            seek(msg->partition, RD_KAFKA_OFFSET_BEGINNING);
            return;
        }
        m_sink.reportProblem(QStringLiteral("sink member %1: %2")
                                 .arg(m_index)
                                 .arg(QString::fromUtf8(rd_kafka_message_errstr(msg))));
        return;
    }
    if (!acceptPosition(msg))
        return;
    if (m_batch.empty())
        m_batchStarted = Clock::now();
    ++consumed;
    if (auto* r = m_sink.m_options.recorder)
        ++r->consumed;
    event::Origin origin{m_batch.topic, msg->partition, msg->offset, -1};
    rd_kafka_timestamp_type_t tsType{};
    origin.timestampMs = rd_kafka_message_timestamp(msg, &tsType);
    const QByteArrayView value(static_cast<const char*>(msg->payload), static_cast<qsizetype>(msg->len));
    readHeaders(msg, m_headers);
    auto decoded = event::decode(value, m_headers, origin);
    if (decoded) {
        m_batch.rows.push_back({std::move(*decoded), msg->partition, msg->offset,
                                tsType == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? origin.timestampMs : -1});
    } else {
        store::DeadLetter dl;
        dl.topic = m_batch.topic;
        dl.partition = msg->partition;
        dl.offset = msg->offset;
        if (msg->key)
            dl.key = QByteArray(static_cast<const char*>(msg->key), static_cast<qsizetype>(msg->key_len));
        dl.value = msg->payload ? value.toByteArray() : QByteArray();
        dl.headers = ownedCopy(m_headers);
        dl.reason = decoded.error().field.isEmpty() ? decoded.error().reason
                                                    : decoded.error().field + u": " + decoded.error().reason;
        m_batch.deadLetters.push_back(std::move(dl));
    }
    m_nextOffsets[msg->partition] = msg->offset + 1;
}

void Sink::Member::clearBatch() {
    m_batch.rows.clear();
    m_batch.deadLetters.clear();
    m_batch.offsets.clear();
    m_nextOffsets.clear();
}

bool Sink::Member::writeOnce() {
    m_batch.offsets.clear();
    for (const auto& [p, next] : m_nextOffsets)
        m_batch.offsets.push_back({p, next, m_offsets.stored(p)});
    auto r = m_store->writeBatch(m_batch);
    if (lcSink().isDebugEnabled()) {
        std::map<int, std::pair<qint64, qint64>> ranges; // partition -> first, last offset
        for (const auto& row : m_batch.rows) {
            auto [it, fresh] = ranges.try_emplace(row.partition, row.offset, row.offset);
            it->second.first = std::min(it->second.first, row.offset);
            it->second.second = std::max(it->second.second, row.offset);
        }
        qCDebug(lcSink) << "member" << m_index
                        << (!r                  ? "failed to write"
                            : r->fenced.empty() ? "wrote"
                                                : "was fenced writing")
                        << ranges << "next" << m_nextOffsets;
    }
    if (!r) {
        onDatabaseDown(r.error());
        return false;
    }
    if (!r->fenced.empty()) {
        // Nothing was stored. Continue those partitions from the database's offsets; the rest
        // of the batch is written on the next attempt.
        if (!resync(r->fenced))
            return false;
        markDatabaseUp(); // it answered
        return m_batch.empty() ? (clearBatch(), true) : writeOnce();
    }
    persisted += r->inserted;
    duplicates += r->duplicates;
    deadLetters += r->deadLetters;
    ++batches;
    if (auto* rec = m_sink.m_options.recorder) {
        rec->persisted += r->inserted;
        rec->duplicates += r->duplicates;
        rec->deadLetters += r->deadLetters;
        // Latency of each row this commit made visible (send→persisted: the event's time to
        // the commit); a duplicate's age is not a latency. So the histogram's count is
        // loadlevel_rows_persisted_total.
        const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
        for (size_t i = 0; i < m_batch.rows.size() && i < r->newRows.size(); ++i) {
            if (!r->newRows[i])
                continue;
            const auto& row = m_batch.rows[i];
            rec->sendToPersisted.record((nowMs - row.event.eventTime.toMSecsSinceEpoch()) * 1000);
            if (row.appendTimeMs >= 0)
                rec->ackToPersisted.record((nowMs - row.appendTimeMs) * 1000);
        }
    }
    // The database is the source of truth; committing to Kafka as well lets external lag tools
    // (kafka-consumer-groups, Burrow, the lag monitor) see the group's progress.
    for (const auto& o : m_batch.offsets)
        m_offsets.committed(o.partition, o.nextOffset);
    mirrorOffsets();
    clearBatch();
    markDatabaseUp();
    return true;
}

bool Sink::Member::resync(const std::vector<int>& fenced) {
    auto stored = m_store->storedOffsets(m_batch.clusterId, m_sink.m_options.group, m_sink.m_options.topic);
    if (!stored) {
        onDatabaseDown(stored.error());
        return false;
    }
    for (const int p : fenced) {
        const auto it = stored->find(p);
        const qint64 now = it != stored->end() ? it->second : -1;
        const qint64 expected = m_offsets.stored(p);
        const auto dropped =
            std::erase_if(m_batch.rows, [p](const store::RatingRow& r) { return r.partition == p; }) +
            std::erase_if(m_batch.deadLetters, [p](const store::DeadLetter& d) { return d.partition == p; });
        m_nextOffsets.erase(p);
        if (const qint64 from = m_offsets.fenced(p, now); from != -2)
            seek(p, from >= 0 ? from : RD_KAFKA_OFFSET_BEGINNING);
        m_sink.reportProblem(QStringLiteral("sink member %1: the stored offset of partition %2 moved to %3 "
                                            "while this member expected %4 (another member wrote it, or an "
                                            "earlier commit went through unconfirmed); %5 unwritten "
                                            "message(s) dropped, reading again from %3")
                                 .arg(m_index)
                                 .arg(p)
                                 .arg(now)
                                 .arg(expected)
                                 .arg(dropped));
    }
    ++m_sink.m_fencedBatches;
    return true;
}

void Sink::Member::mirrorOffsets() {
    m_commitDue = false;
    m_commitRetryAt = Clock::now() + 1s;
    const auto& stored = m_offsets.storedOffsets();
    if (stored.empty())
        return;
    PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(stored.size())));
    const QByteArray topic = m_batch.topic.toUtf8();
    for (const auto& [partition, next] : stored)
        rd_kafka_topic_partition_list_add(list.get(), topic.constData(), partition)->offset = next;
    if (rd_kafka_commit(m_rk.get(), list.get(), 1) != RD_KAFKA_RESP_ERR_NO_ERROR)
        m_commitDue = true;
}

void Sink::Member::markDatabaseUp() {
    if (!m_databaseDown)
        return;
    m_databaseDown = false;
    m_sink.m_databaseDownMembers.fetch_sub(1);
    m_sink.reportRecovered(QStringLiteral("sink member %1: database is back, writing again").arg(m_index));
}

void Sink::Member::onDatabaseDown(const Error& e) {
    if (!m_databaseDown) {
        m_databaseDown = true;
        m_sink.m_databaseDownMembers.fetch_add(1);
        m_sink.reportProblem(
            QStringLiteral("sink member %1 paused, retrying: %2").arg(m_index).arg(e.message));
    }
}

void Sink::Member::setPaused(bool paused) {
    rd_kafka_topic_partition_list_t* raw = nullptr;
    if (rd_kafka_assignment(m_rk.get(), &raw) != RD_KAFKA_RESP_ERR_NO_ERROR || !raw)
        return;
    PartitionList assignment(raw);
    if (paused)
        rd_kafka_pause_partitions(m_rk.get(), assignment.get());
    else
        rd_kafka_resume_partitions(m_rk.get(), assignment.get());
    m_paused = paused;
}

bool Sink::Member::flush() {
    if (m_batch.empty())
        return true;
    m_sink.throttle(static_cast<qint64>(m_batch.rows.size()), m_throttleNextFreeSec);
    m_inFlush = true;
    auto backoff = 100ms;
    bool written = false;
    while (!(written = writeOnce())) {
        // Database down: keep the batch and keep polling, so the member stays in the group and
        // serves rebalances. Messages that arrive meanwhile join the (uncommitted) batch up to a
        // cap; past it a partition is sought back, so memory stays bounded and nothing is skipped.
        // No pause/resume here: pausing around a rebalance can leave a partition paused for good
        // in librdkafka 2.0 (confluentinc/librdkafka#5591), which hung this sink once under load.
        if (m_stop.load())
            break; // nothing was committed, so the next owner re-reads these messages
        const auto until = Clock::now() + backoff;
        while (Clock::now() < until && !m_stop.load()) {
            MessageHandle msg{rd_kafka_consumer_poll(m_rk.get(), 50)};
            if (!msg)
                continue;
            if (msg->err || m_batch.rows.size() + m_batch.deadLetters.size() < kMaxBufferedWhileDown)
                handle(msg.get());
            else
                rewind(msg.get());
        }
        backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
        if (m_batch.empty()) // every partition of the batch was revoked meanwhile
            break;
    }
    m_inFlush = false;
    if (!written)
        clearBatch();
    return written;
}

void Sink::Member::rewind(const rd_kafka_message_t* msg) {
    // To the first message not handled yet.
    seek(msg->partition, m_offsets.rewindTarget(msg->partition, msg->offset));
}

void Sink::Member::seek(int partition, qint64 offset) {
    PartitionList list(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(list.get(), m_batch.topic.toUtf8().constData(), partition)->offset =
        offset;
    if (rd_kafka_error_t* e = rd_kafka_seek_partitions(m_rk.get(), list.get(), 0))
        rd_kafka_error_destroy(e);
}

bool Sink::Member::acceptPosition(const rd_kafka_message_t* msg) {
    const int p = msg->partition;
    qint64 logStart = -1;
    if (m_offsets.assigned(p) && m_offsets.position(p) < 0) {
        // Assigned from the beginning: the fetch response told the log's start offset.
        int64_t low = -1, high = -1;
        if (rd_kafka_get_watermark_offsets(m_rk.get(), m_batch.topic.toUtf8().constData(), p, &low, &high) ==
            RD_KAFKA_RESP_ERR_NO_ERROR)
            logStart = low;
    }
    const qint64 expected = m_offsets.assigned(p) ? std::max(m_offsets.position(p), logStart) : -1;
    const auto decision = m_offsets.check(p, msg->offset, logStart);
    switch (decision.verdict) {
    case OffsetTracker::Verdict::Accept:
        return true;
    case OffsetTracker::Verdict::Stray:
        ++m_sink.m_strayMessages;
        qCDebug(lcSink) << "member" << m_index << "dropped" << p << "@" << msg->offset << "(expected"
                        << expected << ", -1: not assigned)";
        return false;
    case OffsetTracker::Verdict::Reread:
        ++m_sink.m_gapsRechecked;
        qCDebug(lcSink) << "member" << m_index << "got" << p << "@" << msg->offset << "expecting"
                        << decision.seekTo << ": reading from there again";
        seek(p, decision.seekTo);
        return false;
    }
    return false;
}

void Sink::Member::dropPartitions(const rd_kafka_topic_partition_list_t* parts) {
    auto revoked = [&](int partition) {
        for (int i = 0; i < parts->cnt; ++i)
            if (parts->elems[i].partition == partition)
                return true;
        return false;
    };
    std::erase_if(m_batch.rows, [&](const store::RatingRow& r) { return revoked(r.partition); });
    std::erase_if(m_batch.deadLetters, [&](const store::DeadLetter& d) { return revoked(d.partition); });
    std::erase_if(m_nextOffsets, [&](const auto& kv) { return revoked(kv.first); });
    for (int i = 0; i < parts->cnt; ++i)
        m_offsets.revoke(parts->elems[i].partition);
}

} // namespace loadlevel::kafka
