#include "load/run_manifest.h"

#include "store/store.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QStandardPaths>
#include <algorithm>
#include <optional>
#include <thread>

namespace loadlevel::load {

QString defaultRunsDir() {
    const QString env = qEnvironmentVariable("LOADLEVEL_RUNS_DIR");
    if (!env.isEmpty())
        return env;
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + u"/runs";
}

QString newRunId() {
    return QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")) + u'-' +
           QString::number(QRandomGenerator::global()->bounded(0x10000u), 16).rightJustified(4, u'0');
}

QJsonObject RunManifest::toJson() const {
    QJsonArray un;
    for (qint64 s : unacked)
        un.append(s);
    const bool http = !url.isEmpty();
    const QString answer = http ? QStringLiteral("response") : QStringLiteral("ack");
    return {{QStringLiteral("run_id"), runId},
            {QStringLiteral("topic"), topic},
            {http ? QStringLiteral("url") : QStringLiteral("kafka"), http ? url : kafka},
            {QStringLiteral("started_at"), startedAt.toString(Qt::ISODateWithMs)},
            {QStringLiteral("finished_at"), finishedAt.toString(Qt::ISODateWithMs)},
            {QStringLiteral("rate_per_sec"), ratePerSec},
            {QStringLiteral("seed"), QString::number(seed)},
            {QStringLiteral("requested"), requested},
            {QStringLiteral("sent"), sent},
            {QStringLiteral("acked"), acked},
            {QStringLiteral("unacked"), un},
            {answer + u"_p50_ms", ackP50Ms},
            {answer + u"_p99_ms", ackP99Ms},
            {answer + u"_max_ms", ackMaxMs},
            {QStringLiteral("error"), error}};
}

Result<RunManifest> RunManifest::fromJson(const QJsonObject& o) {
    RunManifest m;
    m.runId = o.value(u"run_id").toString();
    if (m.runId.isEmpty())
        return fail(Error::invalid(QStringLiteral("run manifest has no run_id")));
    m.topic = o.value(u"topic").toString();
    m.kafka = o.value(u"kafka").toString();
    m.url = o.value(u"url").toString();
    if (m.url.isEmpty() && m.kafka.startsWith(u"http")) // reports before 2026-12 kept the URL as "kafka"
        std::swap(m.url, m.kafka);
    const QString answer =
        o.contains(u"response_p50_ms") ? QStringLiteral("response") : QStringLiteral("ack");
    m.startedAt = QDateTime::fromString(o.value(u"started_at").toString(), Qt::ISODateWithMs);
    m.finishedAt = QDateTime::fromString(o.value(u"finished_at").toString(), Qt::ISODateWithMs);
    m.ratePerSec = o.value(u"rate_per_sec").toDouble();
    m.seed = o.value(u"seed").toString().toULongLong();
    m.requested = o.value(u"requested").toInteger();
    m.sent = o.value(u"sent").toInteger();
    m.acked = o.value(u"acked").toInteger();
    for (const auto& v : o.value(u"unacked").toArray())
        m.unacked.push_back(v.toInteger());
    m.ackP50Ms = o.value(answer + u"_p50_ms").toDouble();
    m.ackP99Ms = o.value(answer + u"_p99_ms").toDouble();
    m.ackMaxMs = o.value(answer + u"_max_ms").toDouble();
    m.error = o.value(u"error").toString();
    return m;
}

Result<QString> RunManifest::save(const QString& dir) const {
    if (!QDir().mkpath(dir))
        return fail(Error::failed(QStringLiteral("cannot create the runs folder %1").arg(dir)));
    const QString path = dir + u'/' + runId + u".json";
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return fail(Error::failed(QStringLiteral("cannot write %1: %2").arg(path, f.errorString())));
    f.write(QJsonDocument(toJson()).toJson(QJsonDocument::Indented));
    if (!f.commit())
        return fail(Error::failed(QStringLiteral("cannot write %1: %2").arg(path, f.errorString())));
    return path;
}

Result<RunManifest> RunManifest::load(const QString& dir, const QString& runId) {
    if (runId.contains(u'/') || runId.contains(u'\\') || runId.startsWith(u'.'))
        return fail(Error::invalid(QStringLiteral("invalid run id '%1'").arg(runId)));
    const QString path = dir + u'/' + runId + u".json";
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Error::notFound(
            f.exists() ? QStringLiteral("cannot read run %1 in %2: %3").arg(runId, dir, f.errorString())
                       : QStringLiteral("no run %1 in %2 (loadlevel-cli report list shows the runs)")
                             .arg(runId, dir)));
    QJsonParseError pe{};
    const auto doc = QJsonDocument::fromJson(f.readAll(), &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return fail(
            Error::invalid(QStringLiteral("%1 is not a run manifest: %2").arg(path, pe.errorString())));
    return fromJson(doc.object());
}

QJsonObject Verification::toJson() const {
    QJsonArray sample;
    for (qint64 s : missingSample)
        sample.append(s);
    return {
        {QStringLiteral("run_id"), runId},          {QStringLiteral("acked"), acked},
        {QStringLiteral("persisted"), persisted},   {QStringLiteral("missing"), missing},
        {QStringLiteral("duplicates"), duplicates}, {QStringLiteral("unacked_persisted"), unackedPersisted},
        {QStringLiteral("missing_sample"), sample}, {QStringLiteral("ok"), ok()}};
}

Verification Verification::fromJson(const QJsonObject& o) {
    Verification v;
    v.runId = o.value(u"run_id").toString();
    v.acked = o.value(u"acked").toInteger();
    v.persisted = o.value(u"persisted").toInteger();
    v.missing = o.value(u"missing").toInteger();
    v.duplicates = o.value(u"duplicates").toInteger();
    v.unackedPersisted = o.value(u"unacked_persisted").toInteger();
    for (const auto& s : o.value(u"missing_sample").toArray())
        v.missingSample.push_back(s.toInteger());
    return v;
}

Result<Verification> verifyRun(store::Store& store, const RunManifest& m) {
    auto seqs = store.runSequences(m.runId);
    if (!seqs)
        return fail(seqs.error());
    Verification v;
    v.runId = m.runId;
    v.acked = m.acked;
    v.persisted = static_cast<qint64>(seqs->size());

    std::vector<qint64> unacked = m.unacked;
    std::sort(unacked.begin(), unacked.end());
    auto isUnacked = [&](qint64 s) {
        return std::binary_search(unacked.begin(), unacked.end(), s);
    };

    std::vector<quint8> seen(static_cast<size_t>(std::max<qint64>(m.requested, 0)), 0);
    for (qint64 s : *seqs) {
        if (s < 0 || s >= m.requested) {
            ++v.duplicates; // a row claiming a sequence number this run never had
            continue;
        }
        auto& n = seen[static_cast<size_t>(s)];
        if (n > 0)
            ++v.duplicates;
        else if (isUnacked(s))
            ++v.unackedPersisted;
        n = 1;
    }
    for (qint64 s = 0; s < m.requested; ++s) {
        if (seen[static_cast<size_t>(s)] || isUnacked(s))
            continue;
        ++v.missing;
        if (v.missingSample.size() < 10)
            v.missingSample.push_back(s);
    }
    return v;
}

Result<Verification> awaitVerification(store::Store& store, const RunManifest& manifest,
                                       std::chrono::milliseconds timeout,
                                       const std::function<bool(const Verification&)>& onPoll,
                                       std::chrono::milliseconds interval) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::optional<Verification> last;
    for (;;) {
        auto v = verifyRun(store, manifest);
        if (v) {
            last = *v;
            if (v->ok())
                return v;
            if (onPoll && !onPoll(*v))
                return v;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            if (last)
                return *last;
            return v;
        }
        std::this_thread::sleep_for(interval);
    }
}

} // namespace loadlevel::load
