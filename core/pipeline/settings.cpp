#include "pipeline/settings.h"

#include "load/run_manifest.h"
#include "store/store.h"

#include <QStandardPaths>

namespace loadlevel::pipeline {

void Settings::applyEnvironment() {
    if (kafka.isEmpty())
        kafka = qEnvironmentVariable("LOADLEVEL_KAFKA");
    if (database.isEmpty())
        database = qEnvironmentVariable("LOADLEVEL_DB");
    if (runsDir.isEmpty())
        runsDir = load::defaultRunsDir();
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
