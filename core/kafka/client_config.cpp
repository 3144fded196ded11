#include "kafka/client_config.h"

#include <QFile>
#include <QRegularExpression>
#include <QStringDecoder>
#include <algorithm>
#include <array>
#include <optional>

namespace loadlevel::kafka {

namespace {

// A property name or value as it may appear in a message: control bytes as \xNN, cut at 60.
QString printable(const QString& text) {
    QString out;
    for (const QChar c : text.left(60)) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f || c == QChar::ReplacementCharacter)
            out += QStringLiteral("\\x%1").arg(c.unicode() & 0xff, 2, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return text.size() > 60 ? out + QStringLiteral("…") : out;
}

// A properties file must be UTF-8 text: an error naming the first line that is not, or nothing.
std::optional<QString> notText(const QByteArray& bytes) {
    int line = 1;
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const auto b = static_cast<unsigned char>(bytes[i]);
        if (b == '\n')
            ++line;
        else if ((b < 0x20 && b != '\t' && b != '\r' && b != '\f') || b == 0x7f)
            return QStringLiteral("line %1 holds the control byte 0x%2")
                .arg(line)
                .arg(b, 2, 16, QLatin1Char('0'));
    }
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    (void)QString(utf8.decode(bytes));
    if (utf8.hasError())
        return QStringLiteral("it is not UTF-8 text");
    return std::nullopt;
}

// Keys that only mean something to the Java client; they are dropped from client.properties so
// that a file written for Kafka's own tools works here too.
constexpr std::array kJavaOnlyKeys = {
    "key.serializer",
    "value.serializer",
    "key.deserializer",
    "value.deserializer",
    "client.dns.lookup",
    "sasl.login.callback.handler.class",
    "sasl.client.callback.handler.class",
};

constexpr std::array kSecretFragments = {"password", "secret", "ssl.key.pem", "sasl.jaas.config", "token"};

QString trimmedLeft(const QString& s) {
    qsizetype i = 0;
    while (i < s.size() && s.at(i).isSpace())
        ++i;
    return s.mid(i);
}

} // namespace

QString clientLibrary() {
    return QStringLiteral("librdkafka ") + QString::fromUtf8(rd_kafka_version_str());
}

bool ClientConfig::isSecret(const std::string& key) {
    return std::any_of(kSecretFragments.begin(), kSecretFragments.end(),
                       [&](const char* f) { return key.find(f) != std::string::npos; });
}

Result<std::vector<ClientConfig::Property>> ClientConfig::parseProperties(const QString& text) {
    std::vector<Property> out;
    // Join continuation lines (a line ending in an odd number of backslashes continues).
    QStringList logical;
    QString pending;
    for (const QString& raw : text.split(u'\n')) {
        QString line = raw;
        if (line.endsWith(u'\r'))
            line.chop(1);
        line = pending.isEmpty() ? trimmedLeft(line) : pending + trimmedLeft(line);
        qsizetype backslashes = 0;
        while (backslashes < line.size() && line.at(line.size() - 1 - backslashes) == u'\\')
            ++backslashes;
        if (backslashes % 2 == 1) {
            pending = line.left(line.size() - 1);
            continue;
        }
        pending.clear();
        logical << line;
    }
    if (!pending.isEmpty())
        logical << pending;

    static const QRegularExpression jaasUser(QStringLiteral(R"re(username\s*=\s*"([^"]*)")re"));
    static const QRegularExpression jaasPass(QStringLiteral(R"re(password\s*=\s*"([^"]*)")re"));
    int lineNo = 0;
    for (const QString& line : std::as_const(logical)) {
        ++lineNo;
        if (line.isEmpty() || line.startsWith(u'#') || line.startsWith(u'!'))
            continue;
        qsizetype sep = -1;
        for (qsizetype i = 0; i < line.size(); ++i) {
            const QChar c = line.at(i);
            if (c == u'\\') {
                ++i;
                continue;
            }
            if (c == u'=' || c == u':' || c.isSpace()) {
                sep = i;
                break;
            }
        }
        QString k = (sep < 0 ? line : line.left(sep)).trimmed();
        QString v = sep < 0 ? QString() : line.mid(sep + 1).trimmed();
        if (sep >= 0 && line.at(sep).isSpace() && (v.startsWith(u'=') || v.startsWith(u':')))
            v = v.mid(1).trimmed();
        k.replace(QStringLiteral("\\"), QString());
        if (k.isEmpty())
            return fail(Error::invalid(QStringLiteral("properties line %1: no key").arg(lineNo)));
        const std::string key = k.toStdString();
        if (std::find(kJavaOnlyKeys.begin(), kJavaOnlyKeys.end(), key) != kJavaOnlyKeys.end())
            continue;
        if (key == "sasl.jaas.config") {
            const auto u = jaasUser.match(v);
            const auto p = jaasPass.match(v);
            if (!u.hasMatch() || !p.hasMatch())
                return fail(Error::invalid(QStringLiteral("sasl.jaas.config: only username=\"...\" "
                                                          "password=\"...\" login modules can be translated; "
                                                          "set sasl.username and sasl.password instead")));
            out.emplace_back("sasl.username", u.captured(1).toStdString());
            out.emplace_back("sasl.password", p.captured(1).toStdString());
            continue;
        }
        if (key == "ssl.truststore.location" || key == "ssl.keystore.location")
            return fail(
                Error::invalid(QStringLiteral("%1 names a Java keystore, which librdkafka cannot read; "
                                              "use ssl.ca.location / ssl.certificate.location (PEM) instead")
                                   .arg(k)));
        out.emplace_back(key, v.toStdString());
    }
    return out;
}

Result<ClientConfig> ClientConfig::make(const QString& bootstrap, const QStringList& xprops,
                                        const QString& propertiesFile) {
    ClientConfig c;
    if (!propertiesFile.isEmpty()) {
        QFile f(propertiesFile);
        if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
            return fail(
                Error::invalid(QStringLiteral("cannot read %1: %2").arg(propertiesFile, f.errorString())));
        const QByteArray bytes = f.readAll();
        if (const auto why = notText(bytes))
            return fail(
                Error::invalid(QStringLiteral("%1 is not a client.properties file: %2 (--kafka-config "
                                              "expects Java-style key=value lines of text)")
                                   .arg(propertiesFile, *why)));
        auto props = parseProperties(QString::fromUtf8(bytes));
        if (!props)
            return fail(Error::invalid(propertiesFile + u": " + props.error().message));
        for (const auto& [k, v] : *props)
            c.set(k, v);
    }
    for (const QString& x : xprops) {
        const qsizetype eq = x.indexOf(u'=');
        if (eq <= 0)
            return fail(Error::invalid(QStringLiteral("-X expects key=value, got '%1'").arg(printable(x))));
        c.set(x.left(eq).trimmed().toStdString(), x.mid(eq + 1).toStdString());
    }
    if (!bootstrap.isEmpty())
        c.set(key::kBootstrap, bootstrap.toStdString());
    return c;
}

void ClientConfig::set(const std::string& k, const std::string& v) {
    for (auto& p : m_props)
        if (p.first == k) {
            p.second = v;
            return;
        }
    m_props.emplace_back(k, v);
}

std::string ClientConfig::get(const std::string& k, const std::string& fallback) const {
    for (const auto& p : m_props)
        if (p.first == k)
            return p.second;
    return fallback;
}

bool ClientConfig::has(const std::string& k) const {
    return std::any_of(m_props.begin(), m_props.end(), [&](const Property& p) { return p.first == k; });
}

Result<ConfHandle> ClientConfig::build(const std::vector<Property>& defaults,
                                       const std::vector<Property>& forced) const {
    ConfHandle conf(rd_kafka_conf_new());
    std::array<char, 512> err{};
    auto apply = [&](const Property& p) -> Result<void> {
        if (rd_kafka_conf_set(conf.get(), p.first.c_str(), p.second.c_str(), err.data(), err.size()) !=
            RD_KAFKA_CONF_OK)
            return fail(Error::invalid(QStringLiteral("Kafka property %1: %2")
                                           .arg(printable(QString::fromStdString(p.first)),
                                                printable(QString::fromUtf8(err.data())))));
        return {};
    };
    for (const auto& p : defaults)
        if (!has(p.first))
            if (auto r = apply(p); !r)
                return fail(r.error());
    for (const auto& p : m_props)
        if (auto r = apply(p); !r)
            return fail(r.error());
    for (const auto& p : forced)
        if (auto r = apply(p); !r)
            return fail(r.error());
    if (get(key::kBootstrap).empty() && !has("test.mock.num.brokers"))
        return fail(
            Error::invalid(QStringLiteral("no Kafka bootstrap servers given (--kafka or LOADLEVEL_KAFKA)")));
    return conf;
}

QString ClientConfig::redacted() const {
    QStringList parts;
    for (const auto& [k, v] : m_props)
        parts << QString::fromStdString(k) + u'=' +
                     (isSecret(k) ? QStringLiteral("[redacted]") : QString::fromStdString(v));
    return parts.join(QStringLiteral(", "));
}

} // namespace loadlevel::kafka
