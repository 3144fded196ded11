#pragma once

#include "error.h"
#include "kafka/client_config.h"
#include "kafka/handles.h"

#include <QList>
#include <QPair>
#include <QStringList>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace loadlevel::kafka {

struct PartitionInfo {
    int id = -1;
    int leader = -1;
    QList<int> replicas;
    QList<int> isr;
    qint64 low = -1;        // first offset still on the broker
    qint64 high = -1;       // log-end offset
    QString watermarkError; // why low and high are unknown (Watermarks::Reachable only)
};

enum class Watermarks {
    None,      // metadata only
    Required,  // every partition's, or the call fails
    Reachable, // those of partitions whose leader answers; the others say why in watermarkError
};

struct TopicInfo {
    QString name;
    QList<PartitionInfo> partitions;
    [[nodiscard]] qint64 messages() const {
        qint64 n = 0;
        for (const auto& p : partitions)
            n += p.high - p.low;
        return n;
    }
};

// One member of a consumer group, as the group coordinator describes it.
struct GroupMember {
    QString clientId;
    QString memberId;
    QString host;
    QList<QPair<QString, int>> assignment; // topic, partition
};

// A consumer group as Kafka describes it (DescribeGroups for classic groups, ConsumerGroupDescribe
// for KIP-848 ones: librdkafka picks).
struct GroupDescription {
    QString group;
    QString state;    // Kafka's own words: Stable, Empty, PreparingRebalance, Assigning, Dead, ...
    QString protocol; // "classic" or "consumer" (KIP-848); empty when the broker does not say
    QList<GroupMember> members;
    // Kafka knows no such group: no members and no committed offsets (state Dead, or refused).
    [[nodiscard]] bool missing() const { return state == u"Dead" || state.isEmpty(); }
};

// Topic and group administration over one librdkafka client.
// Thread: any single thread at a time; every call blocks for at most its timeout.
// Errors: broker unreachable (Unavailable/Timeout), topic missing (NotFound), refused requests.
class Admin {
public:
    static Result<std::unique_ptr<Admin>> create(const ClientConfig& config);

    // Creates the topic if it does not exist; returns true if it was created. Waits until every
    // partition has a leader so that producers and consumers can use it at once.
    Result<bool> ensureTopic(const QString& topic, int partitions, int replicationFactor,
                             std::chrono::milliseconds timeout = std::chrono::seconds(30));
    // The cluster's id (stable for a real cluster, new for every embedded one).
    Result<QString> clusterId(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Reachable asks each unreachable leader once per call, within 1.5 s, so that a broker that is
    // down costs one short wait, not one per partition it leads.
    Result<TopicInfo> describeTopic(const QString& topic, Watermarks watermarks = Watermarks::Required,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Offsets the group committed to Kafka, per partition (-1: nothing committed).
    Result<std::map<int, qint64>>
    committedOffsets(const QString& group, const QString& topic,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // The same for partitions the caller already knows (no metadata request).
    Result<std::map<int, qint64>> committedOffsets(const QString& group, const QString& topic,
                                                   const QList<int>& partitions,
                                                   std::chrono::milliseconds timeout);

    // Consumer groups on the cluster, of both protocols (ListGroups).
    Result<QStringList> listGroups(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // A group's state, protocol and members; a group Kafka does not know comes back missing().
    Result<GroupDescription> describeGroup(const QString& group,
                                           std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
    Admin() = default;
    Result<MetadataHandle> metadata(const QString& topic, std::chrono::milliseconds timeout);
    Result<rd_kafka_t*> groupClient(const QString& group);
    // Runs one admin request on a queue of its own and waits for its result event.
    Result<EventHandle> request(const QString& what, rd_kafka_admin_op_t op,
                                std::chrono::milliseconds timeout,
                                const std::function<void(rd_kafka_AdminOptions_t*, rd_kafka_queue_t*)>& send);

    // A refused login (SASL, TLS) as the client's error callback saw it; empty while none.
    struct LoginTrouble {
        std::mutex mutex;
        QString reason;
        bool tls = false; // the TLS handshake failed (an untrusted certificate, say), not SASL
        // The last failure to resolve or connect to a broker, until a request succeeds; a name
        // that does not resolve ends a wait at once (a broker restarting on the same address
        // refuses connections for a while, so a refusal only explains a timeout).
        QString unreachable;
        bool unresolved = false;
    };
    static void onClientError(rd_kafka_t*, int err, const char* reason, void* opaque);
    // Fails at once when the broker refused the login; `elsewise` otherwise.
    [[nodiscard]] Error explained(Error elsewise) const;
    // True when waiting longer is pointless: the login was refused or no broker name resolves.
    [[nodiscard]] bool loginRefused() const;
    void reachedBroker() const; // a request succeeded: forget earlier connection trouble

    ClientConfig m_config;
    std::unique_ptr<LoginTrouble> m_login = std::make_unique<LoginTrouble>();
    KafkaHandle m_rk;
    // One client per group to read its committed offsets: created once, reused on every poll.
    std::map<QString, KafkaHandle> m_groupClients;
};

} // namespace loadlevel::kafka
