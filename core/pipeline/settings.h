#pragma once

#include "error.h"
#include "kafka/client_config.h"
#include "kafka/sink.h"

#include <QString>
#include <QStringList>
#include <optional>

namespace loadlevel::pipeline {

// Everything that decides where ratings go: the composition root's input. A value type, filled
// from command-line options, the environment (LOADLEVEL_KAFKA, LOADLEVEL_DB, LOADLEVEL_RUNS_DIR)
// or, later, the settings dialog.
//
// Modes: without a Kafka address, Kafka is embedded (librdkafka's mock cluster, in-process);
// without a database URL, the database is embedded (an SQLite file in the user's data folder).
// Both embedded: "embedded"; both given: "real"; one of each: "mixed".
// The first thing wrong with a Settings value: which field, and why, in words.
struct SettingsProblem {
    enum class Field { Kafka, KafkaProperties, Database, Topic, Group, Partitions };
    Field field;
    QString message;
};

struct Settings {
    QString kafka;               // bootstrap servers; empty: embedded cluster
    QStringList kafkaProperties; // "key=value" as given to -X
    QString kafkaPropertiesFile; // Java-style client.properties
    QString database;            // postgresql://..., sqlite:///path or a path; empty: embedded SQLite file
    QString topic = QStringLiteral("ratings");
    QString group = QStringLiteral("loadlevel-sink");
    QString groupProtocol = QStringLiteral("classic"); // the sink's: classic | consumer (KIP-848)
    int partitions = 6;
    int replicationFactor = 1;
    int embeddedBrokers = 3;
    QString runsDir;

    // Checks the form of every field without connecting anything (bootstrap servers host:port,
    // Kafka properties librdkafka accepts, a database URL openStore() accepts, a legal topic name,
    // a group, partitions 1..10000). nullopt when all is well.
    [[nodiscard]] std::optional<SettingsProblem> validate() const;
    // The sink's group protocol is one Loadlevel knows: classic, or consumer (KIP-848).
    [[nodiscard]] bool groupProtocolKnown() const {
        return groupProtocol == u"classic" || groupProtocol == u"consumer";
    }

    // Fills empty fields from the environment.
    void applyEnvironment();

    [[nodiscard]] bool kafkaEmbedded() const { return kafka.isEmpty(); }
    [[nodiscard]] bool databaseEmbedded() const;
    [[nodiscard]] QString mode() const; // "embedded", "real" or "mixed (...)"
    // The database URL actually used: the given one, or the embedded SQLite file.
    [[nodiscard]] QString effectiveDatabase() const;
    static QString defaultSqlitePath();

    // Client settings for a real cluster. In embedded mode the Pipeline supplies the address.
    [[nodiscard]] Result<kafka::ClientConfig> clientConfig() const;
    [[nodiscard]] kafka::Sink::StoreFactory storeFactory() const;
    // One line that says which mode and which addresses are in use (no secrets).
    [[nodiscard]] QString describe(const QString& embeddedBootstrap = {}) const;
};

} // namespace loadlevel::pipeline
