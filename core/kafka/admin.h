#pragma once

#include "error.h"
#include "kafka/client_config.h"
#include "kafka/handles.h"

#include <QList>
#include <QStringList>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>

namespace loadlevel::kafka {

struct PartitionInfo {
    int id = -1;
    int leader = -1;
    QList<int> replicas;
    QList<int> isr;
    qint64 low = -1;  // first offset still on the broker
    qint64 high = -1; // log-end offset
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
    Result<TopicInfo> describeTopic(const QString& topic, bool withWatermarks = true,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Offsets the group committed to Kafka, per partition (-1: nothing committed).
    Result<std::map<int, qint64>>
    committedOffsets(const QString& group, const QString& topic,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // The same for partitions the caller already knows (no metadata request).
    Result<std::map<int, qint64>> committedOffsets(const QString& group, const QString& topic,
                                                   const QList<int>& partitions,
                                                   std::chrono::milliseconds timeout);

    // Consumer groups on the cluster (ListGroups). The embedded cluster cannot list groups.
    Result<QStringList> listGroups(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Live members of a group (DescribeGroups); NotFound-style errors on clusters without it.
    Result<int> groupMembers(const QString& group,
                             std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
    Admin() = default;
    Result<MetadataHandle> metadata(const QString& topic, std::chrono::milliseconds timeout);
    Result<rd_kafka_t*> groupClient(const QString& group);

    // A refused login (SASL, TLS) as the client's error callback saw it; empty while none.
    struct LoginTrouble {
        std::mutex mutex;
        QString reason;
        bool tls = false; // the TLS handshake failed (an untrusted certificate, say), not SASL
    };
    static void onClientError(rd_kafka_t*, int err, const char* reason, void* opaque);
    // Fails at once when the broker refused the login; `elsewise` otherwise.
    [[nodiscard]] Error explained(Error elsewise) const;
    [[nodiscard]] bool loginRefused() const;

    ClientConfig m_config;
    std::unique_ptr<LoginTrouble> m_login = std::make_unique<LoginTrouble>();
    KafkaHandle m_rk;
    // One client per group to read its committed offsets: created once, reused on every poll.
    std::map<QString, KafkaHandle> m_groupClients;
};

} // namespace loadlevel::kafka
