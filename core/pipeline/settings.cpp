#include "pipeline/settings.h"

#include "load/run_manifest.h"
#include "store/store.h"

#include <QRegularExpression>
#include <QStandardPaths>

namespace loadlevel::pipeline {

void Settings::applyEnvironment() {
    if (kafka.isEmpty())
        kafka = qEnvironmentVariable("LOADLEVEL_KAFKA");
    if (kafka.isEmpty()) // bootstrap.servers from -X or the properties file counts as an address
        if (auto given = kafka::ClientConfig::make({}, kafkaProperties, kafkaPropertiesFile))
            kafka = QString::fromStdString(given->get(kafka::key::kBootstrap));
    if (database.isEmpty())
        database = qEnvironmentVariable("LOADLEVEL_DB");
    if (runsDir.isEmpty())
        runsDir = load::defaultRunsDir();
}

std::optional<SettingsProblem> Settings::validate() const {
    using F = SettingsProblem::Field;
    // Bootstrap servers: host:port[,host:port...]; IPv6 hosts in brackets.
    static const QRegularExpression server(
        QStringLiteral(R"(^(?:[A-Za-z][A-Za-z0-9+.-]*://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$)"));
    for (const QString& raw : kafka.split(u',', Qt::SkipEmptyParts)) {
        const QString s = raw.trimmed();
        const auto m = server.match(s);
        if (!m.hasMatch())
            return SettingsProblem{F::Kafka, QStringLiteral("bootstrap server '%1' is not host:port "
                                                            "(e.g. 127.0.0.1:9092)")
                                                 .arg(s)};
        const int port = m.captured(2).toInt();
        if (port < 1 || port > 65535)
            return SettingsProblem{
                F::Kafka, QStringLiteral("bootstrap server '%1': port %2 is not 1..65535").arg(s).arg(port)};
    }
    if (!kafka.isEmpty() && kafka.split(u',', Qt::SkipEmptyParts).isEmpty())
        return SettingsProblem{F::Kafka, QStringLiteral("no bootstrap server given")};
    for (const QString& p : kafkaProperties) {
        const qsizetype eq = p.indexOf(u'=');
        if (eq <= 0 || p.left(eq).trimmed().contains(u' '))
            return SettingsProblem{
                F::KafkaProperties,
                QStringLiteral("Kafka property '%1' is not key=value").arg(p.section(u'=', 0, 0))};
    }
    // librdkafka itself knows which properties and values it accepts.
    auto config = kafka::ClientConfig::make(kafka.isEmpty() ? QStringLiteral("127.0.0.1:9092") : kafka,
                                            kafkaProperties, kafkaPropertiesFile);
    if (!config)
        return SettingsProblem{F::KafkaProperties, config.error().message};
    if (auto conf = config->build(); !conf)
        return SettingsProblem{F::KafkaProperties, conf.error().message};
    if (!database.isEmpty())
        if (auto ok = store::checkUrl(database); !ok)
            return SettingsProblem{F::Database, ok.error().message};
    static const QRegularExpression topicName(QStringLiteral("^[A-Za-z0-9._-]{1,249}$"));
    if (!topicName.match(topic).hasMatch() || topic == u"." || topic == u"..")
        return SettingsProblem{F::Topic,
                               QStringLiteral("topic '%1' is not a legal Kafka topic name (1 to 249 "
                                              "letters, digits, '.', '_' or '-')")
                                   .arg(topic)};
    if (group.trimmed().isEmpty() || group.contains(QRegularExpression(QStringLiteral("\\s"))))
        return SettingsProblem{
            F::Group, QStringLiteral("consumer group '%1' must be a name without spaces").arg(group)};
    if (!groupProtocolKnown())
        return SettingsProblem{
            F::Group,
            QStringLiteral("group protocol '%1' is not classic or consumer (KIP-848)").arg(groupProtocol)};
    if (partitions < 1 || partitions > 10000)
        return SettingsProblem{F::Partitions,
                               QStringLiteral("partitions must be 1..10000, not %1").arg(partitions)};
    return std::nullopt;
}

bool Settings::databaseEmbedded() const {
    return database.isEmpty() || !database.startsWith(u"postgres", Qt::CaseInsensitive);
}

QString Settings::mode() const {
    if (kafkaEmbedded() && databaseEmbedded())
        return QStringLiteral("embedded");
    if (!kafkaEmbedded() && !databaseEmbedded())
        return QStringLiteral("real");
    return kafkaEmbedded() ? QStringLiteral("mixed (embedded Kafka, real database)")
                           : QStringLiteral("mixed (real Kafka, embedded database)");
}

QString Settings::defaultSqlitePath() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + u"/loadlevel.sqlite";
}

QString Settings::effectiveDatabase() const {
    return database.isEmpty() ? defaultSqlitePath() : database;
}

Result<kafka::ClientConfig> Settings::clientConfig() const {
    if (kafkaEmbedded() && (!kafkaProperties.isEmpty() || !kafkaPropertiesFile.isEmpty()))
        if (auto given = kafka::ClientConfig::make({}, kafkaProperties, kafkaPropertiesFile); !given)
            return fail(given.error()); // a broken properties file says so, not "no address"
    if (kafkaEmbedded())
        return fail(
            Error::invalid(QStringLiteral("no Kafka address given (--kafka or LOADLEVEL_KAFKA). The embedded "
                                          "cluster lives inside one process: "
                                          "use `loadlevel-cli demo` or the desktop app for embedded mode")));
    return kafka::ClientConfig::make(kafka, kafkaProperties, kafkaPropertiesFile);
}

kafka::Sink::StoreFactory Settings::storeFactory() const {
    return
        [url = effectiveDatabase()](const QString& connectionName) -> Result<std::unique_ptr<store::Store>> {
            return store::openStore(url, connectionName);
        };
}

QString Settings::describe(const QString& embeddedBootstrap) const {
    const QString k = kafkaEmbedded()
                          ? QStringLiteral("Kafka: embedded cluster, %1 brokers%2")
                                .arg(embeddedBrokers)
                                .arg(embeddedBootstrap.isEmpty() ? QString() : u" at " + embeddedBootstrap)
                          : QString(u"Kafka: " + kafka);
    const QString d = database.isEmpty() ? QString(u"database: SQLite " + defaultSqlitePath())
                                         : QString(u"database: " + store::redactUrl(database));
    return QStringLiteral("%1 mode · %2 · topic %3 · %4").arg(mode(), k, topic, d);
}

} // namespace loadlevel::pipeline
