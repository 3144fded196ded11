#include "kafka/admin.h"

#include <algorithm>
#include <array>
#include <map>
#include <thread>

namespace loadlevel::kafka {

namespace {

int ms(std::chrono::milliseconds d) {
    return static_cast<int>(d.count());
}

Error kafkaError(const QString& what, rd_kafka_resp_err_t err) {
    const QString text = what + u": " + QString::fromUtf8(rd_kafka_err2str(err));
    switch (err) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
        return Error::unavailable(text);
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
        return Error::timeout(text + u" (is the broker reachable?)");
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
        return Error::notFound(text);
    default:
        return Error::failed(text);
    }
}

} // namespace

Result<std::unique_ptr<Admin>> Admin::create(const ClientConfig& config) {
    auto conf = config.build({{key::kClientId, "loadlevel-admin"}});
    if (!conf)
        return fail(conf.error());
    std::unique_ptr<Admin> a(new Admin);
    rd_kafka_conf_set_opaque(conf->get(), a->m_login.get());
    rd_kafka_conf_set_error_cb(conf->get(), &Admin::onClientError);
    std::array<char, 512> err{};
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf->get(), err.data(), err.size());
    if (!rk)
        return fail(Error::invalid(
            QStringLiteral("cannot create Kafka admin client: %1").arg(QString::fromUtf8(err.data()))));
    (void)conf->release();
    a->m_config = config;
    a->m_rk.reset(rk);
    return a;
}

void Admin::onClientError(rd_kafka_t*, int err, const char* reason, void* opaque) {
    // librdkafka retries a refused login for ever, and a request only times out in the end:
    // keep the broker's reason, so that callers can stop waiting and say it.
    auto* login = static_cast<LoginTrouble*>(opaque);
    if (err == RD_KAFKA_RESP_ERR__RESOLVE || err == RD_KAFKA_RESP_ERR__TRANSPORT) {
        std::lock_guard lock(login->mutex);
        login->unreachable = QString::fromUtf8(reason);
        login->unresolved = err == RD_KAFKA_RESP_ERR__RESOLVE;
        return;
    }
    if (err != RD_KAFKA_RESP_ERR__AUTHENTICATION && err != RD_KAFKA_RESP_ERR__SSL)
        return;
    std::lock_guard lock(login->mutex);
    login->reason = QString::fromUtf8(reason);
    login->tls = err == RD_KAFKA_RESP_ERR__SSL;
}

bool Admin::loginRefused() const {
    rd_kafka_poll(m_rk.get(), 0); // serves the error callback
    std::lock_guard lock(m_login->mutex);
    return !m_login->reason.isEmpty() || m_login->unresolved;
}

void Admin::reachedBroker() const {
    std::lock_guard lock(m_login->mutex);
    m_login->unreachable.clear();
    m_login->unresolved = false;
}

Error Admin::explained(Error elsewise) const {
    std::lock_guard lock(m_login->mutex);
    if (m_login->reason.isEmpty() && !m_login->unreachable.isEmpty() &&
        (m_login->unresolved || elsewise.kind == Error::Kind::Timeout ||
         elsewise.kind == Error::Kind::Unavailable))
        return Error::unavailable(QStringLiteral("Kafka at %1 cannot be reached: %2 (check --kafka or "
                                                 "LOADLEVEL_KAFKA)")
                                      .arg(m_config.bootstrapServers(), m_login->unreachable));
    if (m_login->reason.isEmpty())
        return elsewise;
    if (m_login->tls)
        return Error::failed(QStringLiteral("the TLS connection to Kafka at %1 failed: %2")
                                 .arg(m_config.bootstrapServers(), m_login->reason));
    return Error::failed(QStringLiteral("Kafka at %1 refused the login: %2")
                             .arg(m_config.bootstrapServers(), m_login->reason));
}

Result<MetadataHandle> Admin::metadata(const QString& topic, std::chrono::milliseconds timeout) {
    TopicHandle t(rd_kafka_topic_new(m_rk.get(), topic.toUtf8().constData(), nullptr));
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        // In slices of at most a second, so that a refused login ends the wait.
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        const rd_kafka_metadata_t* md = nullptr;
        const auto err = rd_kafka_metadata(m_rk.get(), 0, t.get(), &md, std::clamp(ms(left), 1, 1000));
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            reachedBroker();
            return MetadataHandle(md);
        }
        if (err != RD_KAFKA_RESP_ERR__TIMED_OUT || loginRefused() || left.count() <= 1000)
            return fail(explained(kafkaError(QStringLiteral("metadata for %1").arg(topic), err)));
    }
}

Result<bool> Admin::ensureTopic(const QString& topic, int partitions, int replicationFactor,
                                std::chrono::milliseconds timeout) {
    if (partitions < 1 || replicationFactor < 1)
        return fail(Error::invalid(QStringLiteral("partitions and replication factor must be at least 1")));
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::array<char, 512> err{};
    rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(topic.toUtf8().constData(), partitions, replicationFactor,
                                                    err.data(), err.size());
    if (!nt)
        return fail(Error::invalid(QStringLiteral("topic %1: %2").arg(topic, QString::fromUtf8(err.data()))));
    // Broker append times let the sink measure ack→persisted (the append is what is acknowledged);
    // the event's own time travels in the ce_time header.
    rd_kafka_NewTopic_set_config(nt, "message.timestamp.type", "LogAppendTime");
    QueueHandle queue(rd_kafka_queue_new(m_rk.get()));
    rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(m_rk.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(options, ms(timeout), err.data(), err.size());
    rd_kafka_AdminOptions_set_request_timeout(options, ms(timeout), err.data(), err.size());
    rd_kafka_CreateTopics(m_rk.get(), &nt, 1, options, queue.get());
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_NewTopic_destroy(nt);

    EventHandle ev;
    for (const auto until = deadline + std::chrono::seconds(1);
         !ev && !loginRefused() && std::chrono::steady_clock::now() < until;)
        ev.reset(rd_kafka_queue_poll(queue.get(), 250));
    if (!ev)
        return fail(explained(Error::timeout(
            QStringLiteral("creating topic %1 timed out (is the broker reachable?)").arg(topic))));
    if (const auto e = rd_kafka_event_error(ev.get()); e != RD_KAFKA_RESP_ERR_NO_ERROR)
        return fail(explained(kafkaError(QStringLiteral("creating topic %1").arg(topic), e)));
    const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev.get());
    size_t n = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(res, &n);
    bool created = true;
    for (size_t i = 0; i < n; ++i) {
        const auto e = rd_kafka_topic_result_error(results[i]);
        if (e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
            created = false;
        else if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
            return fail(Error::failed(
                QStringLiteral("creating topic %1: %2")
                    .arg(topic, QString::fromUtf8(rd_kafka_topic_result_error_string(results[i])))));
    }

    // Metadata propagates asynchronously; wait until every partition has a leader.
    for (;;) {
        auto md = metadata(topic, std::chrono::seconds(5));
        if (md && (*md)->topic_cnt == 1 && (*md)->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
            (*md)->topics[0].partition_cnt > 0) {
            bool allLed = true;
            for (int i = 0; i < (*md)->topics[0].partition_cnt; ++i)
                allLed = allLed && (*md)->topics[0].partitions[i].leader >= 0;
            if (allLed)
                return created;
        }
        if (std::chrono::steady_clock::now() >= deadline)
            return fail(
                Error::timeout(QStringLiteral("topic %1 has no leader for every partition yet").arg(topic)));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

Result<QString> Admin::clusterId(std::chrono::milliseconds timeout) {
    char* id = nullptr;
    for (const auto until = std::chrono::steady_clock::now() + timeout;
         !id && !loginRefused() && std::chrono::steady_clock::now() < until;)
        id = rd_kafka_clusterid(m_rk.get(), std::min(ms(timeout), 1000));
    if (!id)
        return fail(explained(Error::timeout(
            QStringLiteral("Kafka at %1 did not tell its cluster id within %2 ms (is it reachable?)")
                .arg(m_config.bootstrapServers())
                .arg(timeout.count()))));
    QString out = QString::fromUtf8(id);
    rd_kafka_mem_free(m_rk.get(), id);
    return out;
}

Result<TopicInfo> Admin::describeTopic(const QString& topic, Watermarks watermarks,
                                       std::chrono::milliseconds timeout) {
    auto md = metadata(topic, timeout);
    if (!md)
        return fail(md.error());
    if ((*md)->topic_cnt != 1)
        return fail(Error::notFound(QStringLiteral("topic %1 does not exist").arg(topic)));
    const rd_kafka_metadata_topic_t& t = (*md)->topics[0];
    if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR)
        return fail(kafkaError(QStringLiteral("topic %1").arg(topic), t.err));
    TopicInfo info;
    info.name = topic;
    const bool reachable = watermarks == Watermarks::Reachable;
    const auto perQuery =
        reachable ? std::min<std::chrono::milliseconds>(timeout, std::chrono::milliseconds(1500)) : timeout;
    std::map<int, QString> unreachable; // leader → why
    for (int i = 0; i < t.partition_cnt; ++i) {
        const rd_kafka_metadata_partition_t& p = t.partitions[i];
        PartitionInfo pi;
        pi.id = p.id;
        pi.leader = p.leader;
        for (int r = 0; r < p.replica_cnt; ++r)
            pi.replicas << p.replicas[r];
        for (int r = 0; r < p.isr_cnt; ++r)
            pi.isr << p.isrs[r];
        if (watermarks != Watermarks::None) {
            if (const auto it = unreachable.find(p.leader); it != unreachable.end()) {
                pi.watermarkError = it->second;
                info.partitions << pi;
                continue;
            }
            int64_t low = -1, high = -1;
            const auto e = rd_kafka_query_watermark_offsets(m_rk.get(), topic.toUtf8().constData(), p.id,
                                                            &low, &high, ms(perQuery));
            if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
                const Error why = kafkaError(QStringLiteral("watermarks of %1[%2]").arg(topic).arg(p.id), e);
                if (!reachable)
                    return fail(why);
                pi.watermarkError = unreachable[p.leader] =
                    QStringLiteral("leader %1 did not answer: %2").arg(p.leader).arg(why.message);
            } else {
                pi.low = low;
                pi.high = high;
            }
        }
        info.partitions << pi;
    }
    std::sort(info.partitions.begin(), info.partitions.end(),
              [](const PartitionInfo& a, const PartitionInfo& b) { return a.id < b.id; });
    return info;
}

Result<rd_kafka_t*> Admin::groupClient(const QString& group) {
    if (auto it = m_groupClients.find(group); it != m_groupClients.end())
        return it->second.get();
    // A consumer handle with the group's id reads its committed offsets without joining the group.
    auto conf = m_config.build({{key::kClientId, "loadlevel-admin"}},
                               {{key::kGroupId, group.toStdString()}, {key::kAutoCommit, "false"}});
    if (!conf)
        return fail(conf.error());
    std::array<char, 512> err{};
    KafkaHandle consumer(rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), err.data(), err.size()));
    if (!consumer)
        return fail(Error::failed(QString::fromUtf8(err.data())));
    (void)conf->release();
    rd_kafka_t* raw = consumer.get();
    m_groupClients.emplace(group, std::move(consumer));
    return raw;
}

Result<std::map<int, qint64>> Admin::committedOffsets(const QString& group, const QString& topic,
                                                      std::chrono::milliseconds timeout) {
    auto info = describeTopic(topic, Watermarks::None, timeout);
    if (!info)
        return fail(info.error());
    QList<int> partitions;
    for (const auto& p : info->partitions)
        partitions << p.id;
    return committedOffsets(group, topic, partitions, timeout);
}

Result<std::map<int, qint64>> Admin::committedOffsets(const QString& group, const QString& topic,
                                                      const QList<int>& partitions,
                                                      std::chrono::milliseconds timeout) {
    auto client = groupClient(group);
    if (!client)
        return fail(client.error());
    PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
    const QByteArray name = topic.toUtf8();
    for (int p : partitions)
        rd_kafka_topic_partition_list_add(list.get(), name.constData(), p);
    const auto e = rd_kafka_committed(*client, list.get(), ms(timeout));
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        return fail(kafkaError(QStringLiteral("committed offsets of group %1").arg(group), e));
    std::map<int, qint64> out;
    for (int i = 0; i < list->cnt; ++i)
        out[list->elems[i].partition] = list->elems[i].offset >= 0 ? list->elems[i].offset : -1;
    return out;
}

Result<EventHandle>
Admin::request(const QString& what, rd_kafka_admin_op_t op, std::chrono::milliseconds timeout,
               const std::function<void(rd_kafka_AdminOptions_t*, rd_kafka_queue_t*)>& send) {
    QueueHandle queue(rd_kafka_queue_new(m_rk.get()));
    rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(m_rk.get(), op);
    std::array<char, 512> err{};
    rd_kafka_AdminOptions_set_request_timeout(options, ms(timeout), err.data(), err.size());
    send(options, queue.get());
    rd_kafka_AdminOptions_destroy(options);
    EventHandle ev;
    const auto until = std::chrono::steady_clock::now() + timeout + std::chrono::seconds(1);
    while (!ev && !loginRefused() && std::chrono::steady_clock::now() < until)
        ev.reset(rd_kafka_queue_poll(queue.get(), 250));
    if (!ev)
        return fail(explained(Error::timeout(what + u" timed out (is the broker reachable?)")));
    if (const auto e = rd_kafka_event_error(ev.get()); e != RD_KAFKA_RESP_ERR_NO_ERROR)
        return fail(explained(kafkaError(what, e)));
    reachedBroker();
    return ev;
}

Result<QStringList> Admin::listGroups(std::chrono::milliseconds timeout) {
    auto ev = request(QStringLiteral("listing consumer groups"), RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS,
                      timeout, [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                          rd_kafka_ListConsumerGroups(m_rk.get(), o, q);
                      });
    if (!ev)
        return fail(ev.error());
    const auto* res = rd_kafka_event_ListConsumerGroups_result(ev->get());
    size_t n = 0;
    const rd_kafka_ConsumerGroupListing_t** groups = rd_kafka_ListConsumerGroups_result_valid(res, &n);
    QStringList out;
    for (size_t i = 0; i < n; ++i)
        if (rd_kafka_ConsumerGroupListing_is_simple_consumer_group(groups[i]) == 0)
            out << QString::fromUtf8(rd_kafka_ConsumerGroupListing_group_id(groups[i]));
    out.sort();
    return out;
}

Result<GroupDescription> Admin::describeGroup(const QString& group, std::chrono::milliseconds timeout) {
    const QByteArray id = group.toUtf8();
    const char* ids[] = {id.constData()};
    const QString what = QStringLiteral("describing group %1").arg(group);
    auto ev = request(what, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, timeout,
                      [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                          rd_kafka_DescribeConsumerGroups(m_rk.get(), ids, 1, o, q);
                      });
    if (!ev)
        return fail(ev.error());
    const auto* res = rd_kafka_event_DescribeConsumerGroups_result(ev->get());
    size_t n = 0;
    const rd_kafka_ConsumerGroupDescription_t** groups =
        rd_kafka_DescribeConsumerGroups_result_groups(res, &n);
    GroupDescription out;
    out.group = group;
    if (n < 1)
        return out;
    const rd_kafka_ConsumerGroupDescription_t* g = groups[0];
    if (const rd_kafka_error_t* e = rd_kafka_ConsumerGroupDescription_error(g)) {
        if (rd_kafka_error_code(e) == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND)
            return out; // missing()
        return fail(kafkaError(what, rd_kafka_error_code(e)));
    }
    out.state =
        QString::fromUtf8(rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(g)));
    const auto type = rd_kafka_ConsumerGroupDescription_type(g);
    if (type != RD_KAFKA_CONSUMER_GROUP_TYPE_UNKNOWN)
        out.protocol = QString::fromUtf8(rd_kafka_consumer_group_type_name(type)).toLower();
    for (size_t i = 0; i < rd_kafka_ConsumerGroupDescription_member_count(g); ++i) {
        const rd_kafka_MemberDescription_t* m = rd_kafka_ConsumerGroupDescription_member(g, i);
        GroupMember member;
        member.clientId = QString::fromUtf8(rd_kafka_MemberDescription_client_id(m));
        member.memberId = QString::fromUtf8(rd_kafka_MemberDescription_consumer_id(m));
        member.host = QString::fromUtf8(rd_kafka_MemberDescription_host(m));
        if (const auto* a = rd_kafka_MemberDescription_assignment(m))
            if (const auto* parts = rd_kafka_MemberAssignment_partitions(a))
                for (int k = 0; k < parts->cnt; ++k)
                    member.assignment.append(
                        {QString::fromUtf8(parts->elems[k].topic), parts->elems[k].partition});
        out.members << member;
    }
    return out;
}

} // namespace loadlevel::kafka
