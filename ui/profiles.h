#pragma once

#include "pipeline/settings.h"

#include <QSettings>
#include <QStringList>
#include <map>
#include <optional>

namespace loadlevel::ui {

// Named connection profiles (Kafka, database, topic, group) in QSettings. Only the non-secret
// part goes there: Kafka properties whose key names a secret (passwords, keys, SASL/JAAS
// configuration) and the database password are handed back to the caller for the keychain and
// stored as "present, kept in the keychain" markers.
// Thread: the UI thread (QSettings instances are not shared between threads).
class Profiles {
public:
    static constexpr const char* kDatabasePassword = "database-password";

    explicit Profiles(QSettings& settings)
        : m_settings(settings) {}

    [[nodiscard]] QStringList names() const;
    [[nodiscard]] QString lastUsed() const;
    void setLastUsed(const QString& name);

    // Saves the profile without its secrets and returns them: secret key -> value, where the key
    // is kDatabasePassword or "kafka:<property>".
    std::map<QString, QString> save(const QString& name, const pipeline::Settings& settings);
    // The profile without its secrets; secretKeys receives the keys to read from the keychain.
    [[nodiscard]] std::optional<pipeline::Settings> load(const QString& name, QStringList* secretKeys) const;
    void remove(const QString& name);

    // Puts a secret read from the keychain back into settings.
    static void applySecret(pipeline::Settings& settings, const QString& key, const QString& value);
    // The keychain entry of a profile's secret.
    static QString keychainKey(const QString& profile, const QString& key) { return profile + u'/' + key; }
    // Splits the password out of a database URL (postgresql://user:password@host/db).
    static QString withoutPassword(const QString& url, QString* password = nullptr);
    static QString withPassword(const QString& url, const QString& password);

private:
    QSettings& m_settings;
};

} // namespace loadlevel::ui
