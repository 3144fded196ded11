#pragma once

#include "error.h"
#include "kafka/client_config.h"
#include "kafka/sink.h"

#include <QString>
#include <QStringList>

namespace loadlevel::pipeline {

// Everything that decides where ratings go: the composition root's input. A value type, filled
// from command-line options, the environment (LOADLEVEL_KAFKA, LOADLEVEL_DB, LOADLEVEL_RUNS_DIR)
// or, later, the settings dialog.
struct Settings {
    QString kafka;                 // bootstrap servers; empty means "not configured"
    QStringList kafkaProperties;   // "key=value" as given to -X
    QString kafkaPropertiesFile;   // Java-style client.properties
    QString database;              // postgresql://...
    QString topic = QStringLiteral("ratings");
    QString group = QStringLiteral("loadlevel-sink");
    int partitions = 6;
    int replicationFactor = 1;
    QString runsDir;

    // Fills empty fields from the environment.
    void applyEnvironment();

    [[nodiscard]] Result<kafka::ClientConfig> clientConfig() const;
    [[nodiscard]] kafka::Sink::StoreFactory storeFactory() const;
    // One line that says which mode and which addresses are in use (no secrets).
    [[nodiscard]] QString describe() const;
};

} // namespace loadlevel::pipeline
