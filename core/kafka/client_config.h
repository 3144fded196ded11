#pragma once

#include "error.h"
#include "kafka/handles.h"

#include <QString>
#include <QStringList>
#include <string>
#include <utility>
#include <vector>

namespace loadlevel::kafka {

// librdkafka configuration keys that Loadlevel sets itself; everything else passes through from
// the user (-X key=value, a Java-style client.properties file), so SASL and TLS work unchanged.
namespace key {
inline constexpr const char* kBootstrap = "bootstrap.servers";
inline constexpr const char* kClientId = "client.id";
inline constexpr const char* kGroupId = "group.id";
inline constexpr const char* kGroupInstanceId = "group.instance.id";
inline constexpr const char* kGroupProtocol = "group.protocol";
inline constexpr const char* kIdempotence = "enable.idempotence";
inline constexpr const char* kLinger = "linger.ms";
inline constexpr const char* kPartitioner = "partitioner";
inline constexpr const char* kAutoCommit = "enable.auto.commit";
inline constexpr const char* kAutoOffsetStore = "enable.auto.offset.store";
inline constexpr const char* kAutoOffsetReset = "auto.offset.reset";
inline constexpr const char* kPartitionEof = "enable.partition.eof";
inline constexpr const char* kQueueMaxMessages = "queue.buffering.max.messages";
inline constexpr const char* kStatsInterval = "statistics.interval.ms";
} // namespace key

// The Kafka client library in use, e.g. "librdkafka 2.14.2" (for --version and About).
[[nodiscard]] QString clientLibrary();

// Client settings: user properties over Loadlevel's defaults. A value type; build() makes a
// librdkafka conf. Secrets (passwords, keys) are kept but never printed: see redacted().
class ClientConfig {
public:
    using Property = std::pair<std::string, std::string>;

    // bootstrap may be empty if the properties (or the file) name bootstrap.servers.
    // xprops are "key=value" strings as given to -X; the file is Java .properties syntax.
    static Result<ClientConfig> make(const QString& bootstrap, const QStringList& xprops = {},
                                     const QString& propertiesFile = {});

    // Java .properties text -> key/value pairs, with Java-client keys translated to librdkafka's
    // (sasl.jaas.config -> sasl.username/sasl.password) and Java-only keys dropped.
    static Result<std::vector<Property>> parseProperties(const QString& text);

    void set(const std::string& key, const std::string& value);
    [[nodiscard]] std::string get(const std::string& key, const std::string& fallback = {}) const;
    [[nodiscard]] bool has(const std::string& key) const;
    [[nodiscard]] QString bootstrapServers() const { return QString::fromStdString(get(key::kBootstrap)); }
    [[nodiscard]] const std::vector<Property>& properties() const { return m_props; }

    // A librdkafka conf: `defaults` first, then the user's properties (which win), then `forced`
    // (keys Loadlevel's correctness depends on, e.g. manual offset commits in the sink).
    [[nodiscard]] Result<ConfHandle> build(const std::vector<Property>& defaults = {},
                                           const std::vector<Property>& forced = {}) const;

    // "key=value, ..." with secret values replaced by "[redacted]", for logs and reports.
    [[nodiscard]] QString redacted() const;
    static bool isSecret(const std::string& key);

private:
    std::vector<Property> m_props;
};

} // namespace loadlevel::kafka
