#include "load/omb_export.h"

#include "load/report.h"

#include <QJsonArray>

namespace loadlevel::load {

namespace {

// OMB's quantile fields of one stage: "<prefix>Avg", "<prefix>50pct", …, "<prefix>Max", and the
// "<prefix>Quantiles" map. p99.999 is not kept by Loadlevel.
void addStage(QJsonObject& o, const QString& prefix, const StageLatency& s) {
    o[prefix + u"Avg"] = s.mean;
    o[prefix + u"50pct"] = s.p50;
    o[prefix + u"75pct"] = s.p75;
    o[prefix + u"95pct"] = s.p95;
    o[prefix + u"99pct"] = s.p99;
    o[prefix + u"999pct"] = s.p999;
    o[prefix + u"9999pct"] = s.p9999;
    o[prefix + u"Max"] = s.max;
    o[prefix + u"Quantiles"] = QJsonObject{
        {QStringLiteral("50.0"), s.p50},    {QStringLiteral("75.0"), s.p75}, {QStringLiteral("90.0"), s.p90},
        {QStringLiteral("95.0"), s.p95},    {QStringLiteral("99.0"), s.p99}, {QStringLiteral("99.9"), s.p999},
        {QStringLiteral("99.99"), s.p9999}, {QStringLiteral("100.0"), s.max}};
}

bool watchedLag(const RunReport& r) {
    return std::any_of(r.timeline.begin(), r.timeline.end(),
                       [](const TimelineRow& row) { return row.lag >= 0; });
}

} // namespace

QJsonObject ombResult(const RunReport& r) {
    const bool kafka = r.target.value(u"kind").toString() != u"http";
    QJsonObject o;
    o[QStringLiteral("workload")] =
        QStringLiteral("loadlevel %1 (run %2)").arg(r.profile.describe(), r.manifest.runId);
    o[QStringLiteral("driver")] =
        kafka ? QStringLiteral("loadlevel-kafka") : QStringLiteral("loadlevel-http");
    o[QStringLiteral("messageSize")] = 0;
    o[QStringLiteral("topics")] = kafka ? 1 : 0;
    o[QStringLiteral("partitions")] = 0;
    o[QStringLiteral("producersPerTopic")] = 1;
    o[QStringLiteral("consumersPerTopic")] = 0;
    QJsonArray publish, errors, consume, backlog;
    qint64 accepted = 0, persisted = 0;
    const bool lag = watchedLag(r);
    for (const auto& row : r.timeline) {
        publish.append(static_cast<double>(row.accepted));
        errors.append(static_cast<double>(row.failed));
        accepted += row.accepted;
        persisted += row.persisted;
        if (r.verification)
            consume.append(static_cast<double>(row.persisted));
        if (lag)
            backlog.append(std::max<qint64>(0, row.lag));
        else if (r.verification)
            backlog.append(std::max<qint64>(0, accepted - persisted));
    }
    o[QStringLiteral("publishRate")] = publish;
    o[QStringLiteral("publishErrorRate")] = errors;
    o[QStringLiteral("consumeRate")] = consume;
    o[QStringLiteral("backlog")] = backlog;
    addStage(o, QStringLiteral("aggregatedPublishLatency"), r.service);
    o[QStringLiteral("aggregatedPublishDelayLatencyMax")] = static_cast<qint64>(r.maxLateMs * 1000);
    if (r.persist)
        addStage(o, QStringLiteral("aggregatedEndToEndLatency"), *r.persist);
    return o;
}

QStringList ombUnmapped(const RunReport& r) {
    QStringList l{
        QStringLiteral("intervals are 1 s (OMB's are 10 s)"),
        QStringLiteral("messageSize, partitions, consumersPerTopic: not recorded by a run (0)"),
        QStringLiteral(
            "per-interval latency lists (publishLatency*, endToEndLatency*): a run keeps per-second "
            "response latency from the due time, which is not OMB's publish latency; left empty"),
        QStringLiteral("p99.999 (the *99999pct fields): not kept"),
        QStringLiteral("publish delay: only its maximum (aggregatedPublishDelayLatencyMax) is kept"),
    };
    if (r.persist)
        l << QStringLiteral("end-to-end ends at the database row (event time → persisted), later than OMB's "
                            "consumer receipt");
    else
        l << QStringLiteral("end-to-end and consumeRate: the run was not verified against the database");
    if (r.service.max > 0 && r.service.p75 <= 0)
        l << QStringLiteral("this report predates p75, p95 and p99.99: those fields are left out");
    if (!r.verification && !watchedLag(r))
        l << QStringLiteral("backlog: neither watched nor verified; left empty");
    return l;
}

} // namespace loadlevel::load
