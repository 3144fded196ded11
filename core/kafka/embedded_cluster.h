#pragma once

#include "error.h"
#include "kafka/client_config.h"
#include "kafka/handles.h"

#include <QString>
#include <memory>

struct rd_kafka_mock_cluster_s;

namespace loadlevel::kafka {

// librdkafka's in-process mock cluster: Loadlevel's zero-setup default when no Kafka address is
// given. Real sockets on 127.0.0.1, so every client (producer, sink members, lag monitor) talks to
// it like to any broker; it lives as long as this object.
// Limits a user must know (stated in --help and the README):
//  - each partition keeps at most kRetainedBytesPerPartition of record batches (and 100,000
//    batches); older data is dropped, so a sink that falls further behind loses events (runs in
//    embedded mode are held back to stay well within it: pipeline::Pipeline::holdBack());
//  - no CreateTopics/ListGroups/DescribeGroups: topics are made with createTopic().
// Thread: create and destroy on one thread; the fault knobs may be called from any thread.
class EmbeddedCluster {
public:
    static constexpr qint64 kRetainedBytesPerPartition = 5 * 1024 * 1024;
    static constexpr qint64 kApproxBytesPerRating = 260; // value + CloudEvents headers + record overhead

    static Result<std::unique_ptr<EmbeddedCluster>> start(int brokers = 3);
    ~EmbeddedCluster();
    EmbeddedCluster(const EmbeddedCluster&) = delete;
    EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;

    [[nodiscard]] QString bootstrapServers() const { return m_bootstrap; }
    [[nodiscard]] int brokers() const { return m_brokers; }
    // A client config pointing at this cluster, with the user's extra properties kept.
    [[nodiscard]] ClientConfig clientConfig(const ClientConfig& base = {}) const;

    Result<void> createTopic(const QString& topic, int partitions, int replicationFactor);
    // About how many ratings one partition holds before the oldest are dropped.
    [[nodiscard]] static qint64 retainedRatingsPerPartition() {
        return kRetainedBytesPerPartition / kApproxBytesPerRating;
    }

    // Fault knobs for demos and tests.
    Result<void> setBrokerDown(int brokerId, bool down);
    Result<void> setRoundTripDelay(int brokerId, int milliseconds);
    // The next `count` Produce requests fail with `error` (e.g. RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS).
    // Known limit of librdkafka 2.0's mock broker: with the idempotent producer retrying, it can
    // acknowledge a retried batch without storing it, so `verify` then reports those events missing
    // (the sink stores exactly what the broker holds; tst_embedded checks that).
    void injectProduceErrors(int count, rd_kafka_resp_err_t error);

private:
    EmbeddedCluster() = default;

    KafkaHandle m_owner; // the mock cluster runs inside this client's threads
    rd_kafka_mock_cluster_s* m_cluster = nullptr;
    QString m_bootstrap;
    int m_brokers = 0;
};

} // namespace loadlevel::kafka
