#include "kafka/embedded_cluster.h"

#include <array>
#include <librdkafka/rdkafka_mock.h>
#include <vector>

namespace loadlevel::kafka {

namespace {
constexpr int16_t kProduceApiKey = 0;
}

Result<std::unique_ptr<EmbeddedCluster>> EmbeddedCluster::start(int brokers) {
    if (brokers < 1)
        return fail(Error::invalid(QStringLiteral("the embedded cluster needs at least one broker")));
    ConfHandle conf(rd_kafka_conf_new());
    std::array<char, 512> err{};
    rd_kafka_conf_set(conf.get(), "client.id", "loadlevel-embedded-cluster", err.data(), err.size());
    rd_kafka_conf_set(conf.get(), "log_level", "3", err.data(), err.size());
    std::unique_ptr<EmbeddedCluster> c(new EmbeddedCluster);
    c->m_owner.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), err.data(), err.size()));
    if (!c->m_owner)
        return fail(Error::failed(QStringLiteral("cannot start the embedded Kafka cluster: %1")
                                      .arg(QString::fromUtf8(err.data()))));
    (void)conf.release();
    c->m_cluster = rd_kafka_mock_cluster_new(c->m_owner.get(), brokers);
    if (!c->m_cluster)
        return fail(Error::failed(
            QStringLiteral("cannot start the embedded Kafka cluster (no free port on 127.0.0.1?)")));
    // The mock coordinator, like Kafka, waits 3 s for more members before a new group's first
    // assignment; in one process the members all start together, and the wait is only delay.
    rd_kafka_mock_group_initial_rebalance_delay_ms(c->m_cluster, 0);
    c->m_bootstrap = QString::fromUtf8(rd_kafka_mock_cluster_bootstraps(c->m_cluster));
    c->m_brokers = brokers;
    return c;
}

EmbeddedCluster::~EmbeddedCluster() {
    if (m_cluster)
        rd_kafka_mock_cluster_destroy(m_cluster);
    m_owner.reset();
}

ClientConfig EmbeddedCluster::clientConfig(const ClientConfig& base) const {
    ClientConfig c = base;
    c.set(key::kBootstrap, m_bootstrap.toStdString());
    return c;
}

Result<void> EmbeddedCluster::createTopic(const QString& topic, int partitions, int replicationFactor) {
    if (partitions < 1 || replicationFactor < 1 || replicationFactor > m_brokers)
        return fail(
            Error::invalid(QStringLiteral("the embedded cluster has %1 brokers: replication factor 1..%1, "
                                          "partitions >= 1")
                               .arg(m_brokers)));
    const auto e =
        rd_kafka_mock_topic_create(m_cluster, topic.toUtf8().constData(), partitions, replicationFactor);
    // An existing topic keeps its partitions, as with a real broker.
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        return fail(Error::failed(QStringLiteral("creating topic %1 in the embedded cluster: %2")
                                      .arg(topic, QString::fromUtf8(rd_kafka_err2str(e)))));
    return {};
}

Result<void> EmbeddedCluster::setBrokerDown(int brokerId, bool down) {
    const auto e = down ? rd_kafka_mock_broker_set_down(m_cluster, brokerId)
                        : rd_kafka_mock_broker_set_up(m_cluster, brokerId);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        return fail(Error::invalid(
            QStringLiteral("broker %1: %2").arg(brokerId).arg(QString::fromUtf8(rd_kafka_err2str(e)))));
    return {};
}

Result<void> EmbeddedCluster::setRoundTripDelay(int brokerId, int milliseconds) {
    const auto e = rd_kafka_mock_broker_set_rtt(m_cluster, brokerId, milliseconds);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        return fail(Error::invalid(
            QStringLiteral("broker %1: %2").arg(brokerId).arg(QString::fromUtf8(rd_kafka_err2str(e)))));
    return {};
}

void EmbeddedCluster::injectProduceErrors(int count, rd_kafka_resp_err_t error) {
    std::vector<rd_kafka_resp_err_t> errors(static_cast<size_t>(std::max(0, count)), error);
    rd_kafka_mock_push_request_errors_array(m_cluster, kProduceApiKey, errors.size(), errors.data());
}

} // namespace loadlevel::kafka
