#include "ui/profiles.h"

#include "kafka/client_config.h"

#include <QUrl>

namespace loadlevel::ui {

namespace {
QString group(const QString& name) {
    // QSettings treats '/' as a separator: keep a profile name one level deep.
    return u"profiles/" + QString(name).replace(u'/', u'_');
}
} // namespace

QStringList Profiles::names() const {
    m_settings.beginGroup(QStringLiteral("profiles"));
    QStringList out = m_settings.childGroups();
    m_settings.endGroup();
    return out;
}

QString Profiles::lastUsed() const {
    return m_settings.value(QStringLiteral("lastProfile")).toString();
}

void Profiles::setLastUsed(const QString& name) {
    m_settings.setValue(QStringLiteral("lastProfile"), name);
}

QString Profiles::withoutPassword(const QString& url, QString* password) {
    QUrl u(url);
    if (!u.isValid() || u.scheme().isEmpty() || u.password().isEmpty()) {
        if (password)
            password->clear();
        return url;
    }
    if (password)
        *password = u.password(QUrl::FullyDecoded);
    u.setPassword({});
    return u.toString();
}

QString Profiles::withPassword(const QString& url, const QString& password) {
    if (password.isEmpty())
        return url;
    QUrl u(url);
    if (!u.isValid() || !u.scheme().startsWith(u"postgres", Qt::CaseInsensitive))
        return url;
    u.setPassword(password, QUrl::DecodedMode);
    return u.toString(QUrl::FullyEncoded);
}

std::map<QString, QString> Profiles::save(const QString& name, const pipeline::Settings& s) {
    std::map<QString, QString> secrets;
    m_settings.remove(group(name));
    m_settings.beginGroup(group(name));
    m_settings.setValue(QStringLiteral("kafka"), s.kafka);
    QStringList plain;
    QStringList secretKeys;
    for (const QString& p : s.kafkaProperties) {
        const QString key = p.section(u'=', 0, 0).trimmed();
        if (kafka::ClientConfig::isSecret(key.toStdString())) {
            secrets[u"kafka:" + key] = p.section(u'=', 1);
            secretKeys << key;
        } else {
            plain << p;
        }
    }
    m_settings.setValue(QStringLiteral("kafkaProperties"), plain);
    m_settings.setValue(QStringLiteral("kafkaSecretProperties"), secretKeys);
    m_settings.setValue(QStringLiteral("kafkaPropertiesFile"), s.kafkaPropertiesFile);
    QString password;
    m_settings.setValue(QStringLiteral("database"), withoutPassword(s.database, &password));
    m_settings.setValue(QStringLiteral("databaseHasPassword"), !password.isEmpty());
    if (!password.isEmpty())
        secrets[QString::fromLatin1(kDatabasePassword)] = password;
    m_settings.setValue(QStringLiteral("topic"), s.topic);
    m_settings.setValue(QStringLiteral("group"), s.group);
    m_settings.setValue(QStringLiteral("partitions"), s.partitions);
    m_settings.endGroup();
    m_settings.sync();
    return secrets;
}

std::optional<pipeline::Settings> Profiles::load(const QString& name, QStringList* secretKeys) const {
    if (!names().contains(QString(name).replace(u'/', u'_')))
        return std::nullopt;
    pipeline::Settings s;
    m_settings.beginGroup(group(name));
    s.kafka = m_settings.value(QStringLiteral("kafka")).toString();
    s.kafkaProperties = m_settings.value(QStringLiteral("kafkaProperties")).toStringList();
    s.kafkaPropertiesFile = m_settings.value(QStringLiteral("kafkaPropertiesFile")).toString();
    s.database = m_settings.value(QStringLiteral("database")).toString();
    s.topic = m_settings.value(QStringLiteral("topic"), s.topic).toString();
    s.group = m_settings.value(QStringLiteral("group"), s.group).toString();
    s.partitions = m_settings.value(QStringLiteral("partitions"), s.partitions).toInt();
    if (secretKeys) {
        secretKeys->clear();
        for (const QString& k : m_settings.value(QStringLiteral("kafkaSecretProperties")).toStringList())
            *secretKeys << u"kafka:" + k;
        if (m_settings.value(QStringLiteral("databaseHasPassword")).toBool())
            *secretKeys << QString::fromLatin1(kDatabasePassword);
    }
    m_settings.endGroup();
    return s;
}

void Profiles::remove(const QString& name) {
    m_settings.remove(group(name));
    if (lastUsed() == name)
        m_settings.remove(QStringLiteral("lastProfile"));
}

void Profiles::applySecret(pipeline::Settings& s, const QString& key, const QString& value) {
    if (key == QLatin1String(kDatabasePassword)) {
        s.database = withPassword(s.database, value);
        return;
    }
    if (key.startsWith(u"kafka:")) {
        const QString prop = key.mid(6);
        s.kafkaProperties.removeIf([&](const QString& p) { return p.section(u'=', 0, 0).trimmed() == prop; });
        s.kafkaProperties << prop + u'=' + value;
    }
}

} // namespace loadlevel::ui
