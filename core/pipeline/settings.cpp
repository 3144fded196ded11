#include "pipeline/settings.h"

#include "load/run_manifest.h"
#include "store/store.h"

namespace loadlevel::pipeline {

void Settings::applyEnvironment() {
    if (kafka.isEmpty())
        kafka = qEnvironmentVariable("LOADLEVEL_KAFKA");
    if (database.isEmpty())
        database = qEnvironmentVariable("LOADLEVEL_DB");
    if (runsDir.isEmpty())
        runsDir = load::defaultRunsDir();
}

Result<kafka::ClientConfig> Settings::clientConfig() const {
    return kafka::ClientConfig::make(kafka, kafkaProperties, kafkaPropertiesFile);
}

kafka::Sink::StoreFactory Settings::storeFactory() const {
    return [url = database](const QString& connectionName) -> Result<std::unique_ptr<store::Store>> {
        if (url.isEmpty())
            return fail(Error::invalid(QStringLiteral("no database given (--db or LOADLEVEL_DB)")));
        return store::openStore(url, connectionName);
    };
}

QString Settings::describe() const {
    const QString k = kafka.isEmpty() ? QStringLiteral("(no Kafka configured)") : u"Kafka " + kafka;
    const QString d = database.isEmpty() ? QStringLiteral("(no database configured)") : store::redactUrl(database);
    return QStringLiteral("real mode · %1 · topic %2 · %3").arg(k, topic, d);
}

} // namespace loadlevel::pipeline
