#include "options.h"

#include "kafka/admin.h"
#include "load/profile.h"

#include <algorithm>

namespace loadlevel::cli {

int exitFor(const Error& e) {
    switch (e.kind) {
    case Error::Kind::InvalidArgument:
        return kUsage;
    case Error::Kind::Unavailable:
    case Error::Kind::Timeout:
        return kUnavailable;
    case Error::Kind::NotFound:
        return kNotFound;
    case Error::Kind::Failed:
        break;
    }
    return kFailed;
}

std::optional<qint64> intOption(Context& c, const QString& name, qint64 fallback, qint64 min) {
    if (!c.args.isSet(name))
        return fallback;
    bool ok = false;
    const qint64 v = c.args.value(name).toLongLong(&ok);
    if (!ok || v < min) {
        c.console.error(QStringLiteral("--%1 expects a whole number of at least %2, got '%3'")
                            .arg(name)
                            .arg(min)
                            .arg(c.args.value(name)));
        return std::nullopt;
    }
    return v;
}

std::optional<double> doubleOption(Context& c, const QString& name, double fallback) {
    if (!c.args.isSet(name))
        return fallback;
    bool ok = false;
    const double v = c.args.value(name).toDouble(&ok);
    if (!ok || v < 0) {
        c.console.error(QStringLiteral("--%1 expects a number >= 0, got '%2'").arg(name, c.args.value(name)));
        return std::nullopt;
    }
    return v;
}

std::optional<double> rateOption(Context& c, const QString& name) {
    if (!c.args.isSet(name))
        return 0.0;
    bool ok = false;
    const double v = c.args.value(name).toDouble(&ok);
    if (!ok || v < 0) {
        c.console.error(QStringLiteral("--%1 expects a number >= 0 (per second), got '%2'")
                            .arg(name, c.args.value(name)));
        return std::nullopt;
    }
    return v;
}

std::optional<double> requiredRate(Context& c, const QString& name) {
    if (!c.args.isSet(name)) {
        c.console.error(QStringLiteral("this profile needs --%1 (events per second)").arg(name));
        return std::nullopt;
    }
    return doubleOption(c, name, 0);
}

std::optional<double> secondsOption(Context& c, const QString& name) {
    if (!c.args.isSet(name)) {
        c.console.error(QStringLiteral("this profile needs --%1 (e.g. --%1 60s)").arg(name));
        return std::nullopt;
    }
    auto s = load::parseSeconds(c.args.value(name));
    if (!s) {
        c.console.error(QStringLiteral("--%1: %2").arg(name, s.error().message));
        return std::nullopt;
    }
    return *s;
}

std::optional<double> durationOption(Context& c, const QString& name, double fallback) {
    if (!c.args.isSet(name))
        return fallback;
    return secondsOption(c, name);
}

QString rate(double perSec) {
    return QString::number(perSec, 'f', 0);
}

std::optional<kafka::ClientConfig> clientConfig(Context& c, int& exitCode) {
    auto config = c.settings.clientConfig();
    if (!config) {
        c.console.error(config.error().message);
        exitCode = exitFor(config.error());
        return std::nullopt;
    }
    return *config;
}

Result<bool> ensureTopic(Context& c, const kafka::ClientConfig& config) {
    auto admin = kafka::Admin::create(config);
    if (!admin)
        return fail(admin.error());
    return (*admin)->ensureTopic(c.settings.topic, c.settings.partitions, c.settings.replicationFactor);
}

std::optional<kafka::ClientConfig> producerConfig(Context& c, int& exitCode) {
    auto config = clientConfig(c, exitCode);
    if (!config || c.args.isSet(QStringLiteral("no-create")))
        return config;
    auto created = ensureTopic(c, *config);
    if (!created) {
        c.console.error(created.error().message);
        exitCode = exitFor(created.error());
        return std::nullopt;
    }
    if (*created)
        c.console.info(QStringLiteral("created topic %1 with %2 partitions")
                           .arg(c.settings.topic)
                           .arg(c.settings.partitions));
    return config;
}

} // namespace loadlevel::cli
