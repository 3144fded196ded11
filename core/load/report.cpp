#include "load/report.h"

#include "store/store.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QSaveFile>
#include <algorithm>
#include <cmath>

namespace loadlevel::load {

namespace {

QString count(double v) {
    return QLocale(QLocale::English).toString(v, 'f', 0);
}

QString ms(double v) {
    return QLocale(QLocale::English).toString(v, 'f', v < 10 ? 2 : 1) + QStringLiteral(" ms");
}

QJsonObject readJsonFile(const QString& path, QString& problem) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        problem = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
        return {};
    }
    QJsonParseError pe{};
    const auto doc = QJsonDocument::fromJson(f.readAll(), &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        problem = QStringLiteral("%1 is not a run report: %2").arg(path, pe.errorString());
        return {};
    }
    return doc.object();
}

Result<void> writeFile(const QString& path, const QByteArray& bytes) {
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit())
        return fail(Error::failed(QStringLiteral("cannot write %1: %2").arg(path, f.errorString())));
    return {};
}

} // namespace

StageLatency StageLatency::fromMicros(const metrics::LatencySummary& s) {
    return {s.count,      s.p50 / 1000,  s.p90 / 1000, s.p99 / 1000, s.p999 / 1000,
            s.max / 1000, s.mean / 1000, s.p75 / 1000, s.p95 / 1000, s.p9999 / 1000};
}

StageLatency StageLatency::fromMillis(std::vector<double> v) {
    StageLatency s;
    if (v.empty())
        return s;
    std::sort(v.begin(), v.end());
    auto at = [&](double p) {
        const auto i = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
        return v[std::min(v.size() - 1, i == 0 ? 0 : i - 1)];
    };
    s.count = static_cast<qint64>(v.size());
    s.p50 = at(50);
    s.p90 = at(90);
    s.p99 = at(99);
    s.p999 = at(99.9);
    s.p75 = at(75);
    s.p95 = at(95);
    s.p9999 = at(99.99);
    s.max = v.back();
    double sum = 0;
    for (double x : v)
        sum += x;
    s.mean = sum / static_cast<double>(v.size());
    return s;
}

QJsonObject StageLatency::toJson() const {
    return {{QStringLiteral("count"), count}, {QStringLiteral("p50"), p50},     {QStringLiteral("p75"), p75},
            {QStringLiteral("p90"), p90},     {QStringLiteral("p95"), p95},     {QStringLiteral("p99"), p99},
            {QStringLiteral("p999"), p999},   {QStringLiteral("p9999"), p9999}, {QStringLiteral("max"), max},
            {QStringLiteral("mean"), mean}};
}

StageLatency StageLatency::fromJson(const QJsonObject& o) {
    return {o.value(u"count").toInteger(), o.value(u"p50").toDouble(),  o.value(u"p90").toDouble(),
            o.value(u"p99").toDouble(),    o.value(u"p999").toDouble(), o.value(u"max").toDouble(),
            o.value(u"mean").toDouble(),   o.value(u"p75").toDouble(),  o.value(u"p95").toDouble(),
            o.value(u"p9999").toDouble()};
}

double RunReport::durationSeconds() const {
    if (!manifest.startedAt.isValid() || !manifest.finishedAt.isValid())
        return 0;
    return static_cast<double>(manifest.startedAt.msecsTo(manifest.finishedAt)) / 1000.0;
}

double RunReport::acceptedPerSecond() const {
    const double d = durationSeconds();
    return d > 0 ? static_cast<double>(accepted) / d : 0;
}

bool RunReport::ok() const {
    if (!manifest.error.isEmpty() || failed > 0 || accepted < manifest.requested)
        return false;
    return !verification || verification->ok();
}

bool RunReport::thresholdsPassed() const {
    return std::all_of(thresholds.begin(), thresholds.end(), [](const auto& t) { return t.passed; });
}

QJsonObject RunReport::toJson() const {
    QJsonObject o = manifest.toJson(); // the manifest's keys at the top: `verify` reads a report
    o[QStringLiteral("report_version")] = 1;
    o[QStringLiteral("profile")] = profile.toJson();
    o[QStringLiteral("target")] = target;
    o[QStringLiteral("generator")] =
        QJsonObject{{QStringLiteral("seed"), QString::number(generator.seed)},
                    {QStringLiteral("users"), generator.users},
                    {QStringLiteral("movies"), generator.movies},
                    {QStringLiteral("zipf_exponent"), generator.zipfExponent},
                    {QStringLiteral("user_zipf_exponent"), generator.userZipfExponent}};
    o[QStringLiteral("late_after_ms")] = lateAfterMs;
    o[QStringLiteral("accepted")] = accepted;
    o[QStringLiteral("failed")] = failed;
    o[QStringLiteral("late")] = late;
    o[QStringLiteral("max_late_ms")] = maxLateMs;
    o[QStringLiteral("sending_s")] = sendingSeconds;
    o[QStringLiteral("duration_s")] = durationSeconds();
    o[QStringLiteral("accepted_per_s")] = acceptedPerSecond();
    QJsonObject outs;
    for (const auto& [k, n] : outcomes)
        outs[k] = n;
    o[QStringLiteral("outcomes")] = outs;
    QJsonObject lat{{QStringLiteral("response"), response.toJson()},
                    {QStringLiteral("service"), service.toJson()}};
    if (persist)
        lat[QStringLiteral("persist")] = persist->toJson();
    o[QStringLiteral("latency_ms")] = lat;
    QJsonArray rows;
    for (const auto& r : timeline)
        rows.append(QJsonArray{r.t, r.due, r.sent, r.accepted, r.failed, r.late, r.p50Ms, r.p99Ms,
                               r.persisted, r.lag});
    o[QStringLiteral("timeline_columns")] =
        QJsonArray{QStringLiteral("t"),        QStringLiteral("due"),    QStringLiteral("sent"),
                   QStringLiteral("accepted"), QStringLiteral("failed"), QStringLiteral("late"),
                   QStringLiteral("p50_ms"),   QStringLiteral("p99_ms"), QStringLiteral("persisted"),
                   QStringLiteral("lag")};
    o[QStringLiteral("timeline")] = rows;
    if (verification)
        o[QStringLiteral("verification")] = verification->toJson();
    if (!verificationNote.isEmpty())
        o[QStringLiteral("verification_note")] = verificationNote;
    if (!thresholds.empty()) {
        QJsonArray ts;
        for (const auto& t : thresholds)
            ts.append(t.toJson());
        o[QStringLiteral("thresholds")] = ts;
    }
    if (!annotations.empty()) {
        QJsonArray as;
        for (const auto& a : annotations)
            as.append(QJsonObject{{QStringLiteral("t_s"), a.atSeconds}, {QStringLiteral("label"), a.label}});
        o[QStringLiteral("annotations")] = as;
    }
    return o;
}

Result<RunReport> RunReport::fromJson(const QJsonObject& o) {
    auto manifest = RunManifest::fromJson(o);
    if (!manifest)
        return fail(manifest.error());
    RunReport r;
    r.manifest = *manifest;
    if (o.contains(u"profile")) {
        auto p = Profile::fromJson(o.value(u"profile").toObject());
        if (!p)
            return fail(
                Error::invalid(QStringLiteral("run %1: %2").arg(r.manifest.runId, p.error().message)));
        r.profile = *p;
    } else {
        // A manifest from before reports: a burst, or a constant rate.
        r.profile = r.manifest.ratePerSec > 0
                        ? Profile::constant(r.manifest.ratePerSec,
                                            static_cast<double>(r.manifest.requested) / r.manifest.ratePerSec)
                        : Profile::burst(std::max<qint64>(1, r.manifest.requested));
        r.accepted = r.manifest.acked;
        r.response.p50 = r.manifest.ackP50Ms;
        r.response.p99 = r.manifest.ackP99Ms;
        r.response.max = r.manifest.ackMaxMs;
        r.response.count = r.manifest.acked;
        r.target = {{QStringLiteral("kind"), QStringLiteral("kafka")},
                    {QStringLiteral("bootstrap_servers"), r.manifest.kafka},
                    {QStringLiteral("topic"), r.manifest.topic}};
        return r;
    }
    r.target = o.value(u"target").toObject();
    const QJsonObject g = o.value(u"generator").toObject();
    r.generator.seed = g.value(u"seed").toString().toULongLong();
    r.generator.users = g.value(u"users").toInteger(r.generator.users);
    r.generator.movies = g.value(u"movies").toInteger(r.generator.movies);
    r.generator.zipfExponent = g.value(u"zipf_exponent").toDouble(r.generator.zipfExponent);
    r.generator.userZipfExponent = g.value(u"user_zipf_exponent").toDouble(r.generator.userZipfExponent);
    r.lateAfterMs = o.value(u"late_after_ms").toDouble();
    r.accepted = o.value(u"accepted").toInteger();
    r.failed = o.value(u"failed").toInteger();
    r.late = o.value(u"late").toInteger();
    r.maxLateMs = o.value(u"max_late_ms").toDouble();
    r.sendingSeconds = o.value(u"sending_s").toDouble();
    const QJsonObject outs = o.value(u"outcomes").toObject();
    for (auto it = outs.begin(); it != outs.end(); ++it)
        r.outcomes[it.key()] = it.value().toInteger();
    const QJsonObject lat = o.value(u"latency_ms").toObject();
    r.response = StageLatency::fromJson(lat.value(u"response").toObject());
    r.service = StageLatency::fromJson(lat.value(u"service").toObject());
    if (lat.contains(u"persist"))
        r.persist = StageLatency::fromJson(lat.value(u"persist").toObject());
    for (const auto& v : o.value(u"timeline").toArray()) {
        const QJsonArray a = v.toArray();
        r.timeline.push_back({a.at(0).toInteger(), a.at(1).toInteger(), a.at(2).toInteger(),
                              a.at(3).toInteger(), a.at(4).toInteger(), a.at(5).toInteger(),
                              a.at(6).toDouble(), a.at(7).toDouble(), a.at(8).toInteger(),
                              a.size() > 9 ? a.at(9).toInteger() : -1});
    }
    if (o.contains(u"verification"))
        r.verification = Verification::fromJson(o.value(u"verification").toObject());
    r.verificationNote = o.value(u"verification_note").toString();
    for (const auto& t : o.value(u"thresholds").toArray())
        r.thresholds.push_back(ThresholdResult::fromJson(t.toObject()));
    for (const auto& a : o.value(u"annotations").toArray())
        r.annotations.push_back(
            {a.toObject().value(u"t_s").toDouble(), a.toObject().value(u"label").toString()});
    return r;
}

QString RunReport::timelineCsv() const {
    QString out = QStringLiteral("t_s,due,sent,accepted,failed,late,p50_ms,p99_ms,persisted,lag\n");
    for (const auto& r : timeline)
        out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9,%10\n")
                   .arg(r.t)
                   .arg(r.due)
                   .arg(r.sent)
                   .arg(r.accepted)
                   .arg(r.failed)
                   .arg(r.late)
                   .arg(r.p50Ms, 0, 'f', 3)
                   .arg(r.p99Ms, 0, 'f', 3)
                   .arg(r.persisted)
                   .arg(r.lag >= 0 ? QString::number(r.lag) : QString()); // empty: not watched
    return out;
}

QString RunReport::timelineTable(int maxLines) const {
    if (timeline.empty())
        return {};
    QString out =
        QStringLiteral("     t       due      sent  accepted  failed    late   p50 ms   p99 ms  persisted\n");
    const size_t lines = static_cast<size_t>(std::max(1, maxLines));
    const size_t step = std::max<size_t>(1, (timeline.size() + lines - 1) / lines);
    for (size_t i = 0; i < timeline.size(); i += step) {
        TimelineRow sum{timeline[i].t};
        for (size_t j = i; j < std::min(timeline.size(), i + step); ++j) {
            const TimelineRow& row = timeline[j];
            sum.due += row.due;
            sum.sent += row.sent;
            sum.accepted += row.accepted;
            sum.failed += row.failed;
            sum.late += row.late;
            sum.persisted += row.persisted;
            sum.p50Ms = std::max(sum.p50Ms, row.p50Ms);
            sum.p99Ms = std::max(sum.p99Ms, row.p99Ms);
        }
        out += QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9\n")
                   .arg(sum.t, 6)
                   .arg(sum.due, 9)
                   .arg(sum.sent, 9)
                   .arg(sum.accepted, 9)
                   .arg(sum.failed, 7)
                   .arg(sum.late, 7)
                   .arg(sum.p50Ms, 8, 'f', 1)
                   .arg(sum.p99Ms, 8, 'f', 1)
                   .arg(sum.persisted, 10);
    }
    if (step > 1)
        out += QStringLiteral("(%1 s per line; latencies are the worst second of each)\n").arg(step);
    return out;
}

Result<QString> RunReport::save(const QString& dir) const {
    if (!QDir().mkpath(dir))
        return fail(Error::failed(QStringLiteral("cannot create the runs folder %1").arg(dir)));
    const QString base = dir + u'/' + manifest.runId;
    if (auto w = writeFile(base + u".json", QJsonDocument(toJson()).toJson(QJsonDocument::Indented)); !w)
        return fail(w.error());
    if (auto w = writeFile(base + u".csv", timelineCsv().toUtf8()); !w)
        return fail(w.error());
    return base + u".json";
}

Result<void> RunReport::saveAs(const QString& path) const {
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath()))
        return fail(Error::failed(QStringLiteral("cannot create the folder %1").arg(info.absolutePath())));
    if (path.endsWith(u".csv", Qt::CaseInsensitive))
        return writeFile(path, timelineCsv().toUtf8());
    return writeFile(path, QJsonDocument(toJson()).toJson(QJsonDocument::Indented));
}

Result<RunReport> RunReport::load(const QString& dir, const QString& idOrPath) {
    QString path = idOrPath;
    if (!QFileInfo::exists(path)) {
        if (idOrPath.contains(u'/') || idOrPath.startsWith(u'.'))
            return fail(Error::notFound(QStringLiteral("no report file %1").arg(idOrPath)));
        path = dir + u'/' + idOrPath + u".json";
        if (!QFileInfo::exists(path))
            return fail(
                Error::notFound(QStringLiteral("no run %1 in %2 (loadlevel-cli report list shows the runs)")
                                    .arg(idOrPath, dir)));
    }
    QString problem;
    const QJsonObject o = readJsonFile(path, problem);
    if (!problem.isEmpty())
        return fail(Error::invalid(problem));
    return fromJson(o);
}

std::vector<RunReport> RunReport::list(const QString& dir, int limit) {
    std::vector<RunReport> out;
    QDir d(dir);
    // Run ids start with the time (to the second): newest names first, then by start time. Other
    // files of the folder (capacity-*.json, drain-*.json) are not runs.
    const QStringList files = d.entryList({QStringLiteral("[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-*.json")},
                                          QDir::Files, QDir::Name | QDir::Reversed);
    for (const QString& f : files) {
        if (static_cast<int>(out.size()) >= limit + 16)
            break; // a margin for runs started within the same second
        QString problem;
        const QJsonObject o = readJsonFile(d.filePath(f), problem);
        if (!problem.isEmpty())
            continue;
        if (auto r = fromJson(o))
            out.push_back(std::move(*r));
    }
    std::stable_sort(out.begin(), out.end(), [](const RunReport& a, const RunReport& b) {
        return a.manifest.startedAt > b.manifest.startedAt;
    });
    if (static_cast<int>(out.size()) > limit)
        out.resize(static_cast<size_t>(limit));
    return out;
}

QString RunReport::text() const {
    QStringList l;
    const QString kind = target.value(u"kind").toString();
    const QString where = kind == u"http" ? target.value(u"url").toString()
                                          : QStringLiteral("Kafka %1, topic %2")
                                                .arg(target.value(u"bootstrap_servers").toString(),
                                                     target.value(u"topic").toString());
    l << QStringLiteral("run %1 (%2)").arg(manifest.runId, manifest.startedAt.toString(Qt::ISODate));
    l << QStringLiteral("  profile   %1").arg(profile.describe());
    l << QStringLiteral("  target    %1%2")
             .arg(where, kind == u"http" ? QStringLiteral(", %1 connections%2")
                                               .arg(target.value(u"concurrency").toInt())
                                               .arg(target.value(u"keep_alive").toBool()
                                                        ? QString()
                                                        : QStringLiteral(", no keep-alive"))
                                         : QString());
    l << QStringLiteral("  sent      %1 of %2 in %3 s; accepted %4 (%5/s); failed %6; late %7 (> %8 ms after "
                        "due, worst %9)")
             .arg(count(static_cast<double>(manifest.sent)), count(static_cast<double>(manifest.requested)))
             .arg(durationSeconds(), 0, 'f', 1)
             .arg(count(static_cast<double>(accepted)), count(acceptedPerSecond()),
                  count(static_cast<double>(failed)), count(static_cast<double>(late)))
             .arg(lateAfterMs)
             .arg(ms(maxLateMs));
    QStringList outs;
    for (const auto& [k, n] : outcomes)
        outs << QStringLiteral("%1 × %2").arg(k, count(static_cast<double>(n)));
    l << QStringLiteral("  outcomes  %1")
             .arg(outs.isEmpty() ? QStringLiteral("none") : outs.join(QStringLiteral(", ")));
    auto stage = [&](const QString& name, const StageLatency& s) {
        l << QStringLiteral("  %1 p50 %2, p90 %3, p99 %4, p99.9 %5, max %6 (%7 events)")
                 .arg(name.leftJustified(9), ms(s.p50), ms(s.p90), ms(s.p99), ms(s.p999), ms(s.max),
                      count(static_cast<double>(s.count)));
    };
    stage(kind == u"http" ? QStringLiteral("response") : QStringLiteral("ack"), response);
    stage(QStringLiteral("service"), service);
    if (persist)
        stage(QStringLiteral("persist"), *persist);
    if (verification)
        l << QStringLiteral("  verified  %1 persisted, %2 missing, %3 duplicates%4")
                 .arg(count(static_cast<double>(verification->persisted)),
                      count(static_cast<double>(verification->missing)),
                      count(static_cast<double>(verification->duplicates)),
                      verification->ok() ? QStringLiteral(": nothing lost") : QStringLiteral(": PROBLEM"));
    else if (!verificationNote.isEmpty())
        l << QStringLiteral("  verified  no: %1").arg(verificationNote);
    for (const auto& t : thresholds)
        l << QStringLiteral("  threshold %1").arg(t.text());
    for (const auto& a : annotations)
        l << QStringLiteral("  at %1 s    %2").arg(a.atSeconds, 0, 'f', 1).arg(a.label);
    if (!manifest.error.isEmpty())
        l << QStringLiteral("  problem   %1").arg(manifest.error);
    return l.join(u'\n');
}

QString compareReports(const RunReport& a, const RunReport& b) {
    struct Line {
        QString name;
        double a;
        double b;
        bool lowerIsBetter;
        bool latency;
    };
    std::vector<Line> lines = {
        {QStringLiteral("events sent"), double(a.manifest.sent), double(b.manifest.sent), false, false},
        {QStringLiteral("accepted"), double(a.accepted), double(b.accepted), false, false},
        {QStringLiteral("accepted per second"), a.acceptedPerSecond(), b.acceptedPerSecond(), false, false},
        {QStringLiteral("failed"), double(a.failed), double(b.failed), true, false},
        {QStringLiteral("late"), double(a.late), double(b.late), true, false},
        {QStringLiteral("duration (s)"), a.durationSeconds(), b.durationSeconds(), true, false},
        {QStringLiteral("response p50"), a.response.p50, b.response.p50, true, true},
        {QStringLiteral("response p90"), a.response.p90, b.response.p90, true, true},
        {QStringLiteral("response p99"), a.response.p99, b.response.p99, true, true},
        {QStringLiteral("response p99.9"), a.response.p999, b.response.p999, true, true},
        {QStringLiteral("response max"), a.response.max, b.response.max, true, true},
        {QStringLiteral("service p99"), a.service.p99, b.service.p99, true, true},
    };
    if (a.persist && b.persist) {
        lines.push_back({QStringLiteral("persist p50"), a.persist->p50, b.persist->p50, true, true});
        lines.push_back({QStringLiteral("persist p99"), a.persist->p99, b.persist->p99, true, true});
    }
    if (a.verification && b.verification) {
        lines.push_back({QStringLiteral("missing"), double(a.verification->missing),
                         double(b.verification->missing), true, false});
        lines.push_back({QStringLiteral("duplicates"), double(a.verification->duplicates),
                         double(b.verification->duplicates), true, false});
    }
    auto value = [](double v, bool latency) {
        return latency ? QLocale(QLocale::English).toString(v, 'f', 2) + QStringLiteral(" ms")
                       : QLocale(QLocale::English).toString(v, 'f', v == std::floor(v) ? 0 : 1);
    };
    const int nameW = 22;
    const QString ta = a.target.value(u"kind").toString() == u"http" ? a.target.value(u"url").toString()
                                                                     : QStringLiteral("kafka");
    const QString tb = b.target.value(u"kind").toString() == u"http" ? b.target.value(u"url").toString()
                                                                     : QStringLiteral("kafka");
    qsizetype widest = 12;
    for (const QString& cell :
         {a.manifest.runId, b.manifest.runId, a.profile.describe(), b.profile.describe(), ta, tb})
        widest = std::max(widest, cell.size());
    const int colW = static_cast<int>(widest) + 2;
    QStringList out;
    out << QStringLiteral("%1%2%3  %4")
               .arg(QString().leftJustified(nameW), a.manifest.runId.rightJustified(colW),
                    b.manifest.runId.rightJustified(colW), QStringLiteral("change"));
    out << QStringLiteral("%1%2%3").arg(QStringLiteral("profile").leftJustified(nameW),
                                        a.profile.describe().rightJustified(colW),
                                        b.profile.describe().rightJustified(colW));
    out << QStringLiteral("%1%2%3").arg(QStringLiteral("target").leftJustified(nameW),
                                        ta.rightJustified(colW), tb.rightJustified(colW));
    for (const Line& l : lines) {
        QString change;
        if (l.a == l.b) {
            change = QStringLiteral("=");
        } else if (l.a != 0) {
            const double pct = (l.b - l.a) / std::abs(l.a) * 100.0;
            const bool better = l.lowerIsBetter ? l.b < l.a : l.b > l.a;
            change = QStringLiteral("%1%2 % (%3)")
                         .arg(pct > 0 ? QStringLiteral("+") : QString())
                         .arg(pct, 0, 'f', 1)
                         .arg(better ? QStringLiteral("better") : QStringLiteral("worse"));
        } else {
            change = l.lowerIsBetter ? QStringLiteral("worse (was 0)") : QStringLiteral("better (was 0)");
        }
        out << QStringLiteral("%1%2%3  %4")
                   .arg(l.name.leftJustified(nameW), value(l.a, l.latency).rightJustified(colW),
                        value(l.b, l.latency).rightJustified(colW), change);
    }
    return out.join(u'\n');
}

Result<void> verifyReport(RunReport& report, store::Store& store, std::chrono::milliseconds wait,
                          const std::function<bool(const Verification&)>& onPoll) {
    auto v = awaitVerification(store, report.manifest, wait, onPoll);
    if (!v)
        return fail(v.error());
    return addVerification(report, *v, store);
}

Result<void> addVerification(RunReport& report, const Verification& verification, store::Store& store) {
    report.verification = verification;
    report.verificationNote.clear();
    auto rows = store.runRowTimings(report.manifest.runId);
    if (!rows)
        return fail(rows.error());
    std::vector<double> latencies;
    std::vector<qint64> at;
    latencies.reserve(rows->size());
    at.reserve(rows->size());
    for (const auto& r : *rows) {
        latencies.push_back(r.latencyMs);
        at.push_back(r.persistedMs);
    }
    countPersisted(report, at);
    report.persist = StageLatency::fromMillis(std::move(latencies));
    return {};
}

void countPersisted(RunReport& report, const std::vector<qint64>& persistedMs) {
    const qint64 startMs = report.manifest.startedAt.toMSecsSinceEpoch();
    for (auto& r : report.timeline)
        r.persisted = 0;
    for (const qint64 ms : persistedMs) {
        const qint64 t = std::max<qint64>(0, (ms - startMs) / 1000);
        while (static_cast<qint64>(report.timeline.size()) <= t)
            report.timeline.push_back({static_cast<qint64>(report.timeline.size())});
        ++report.timeline[static_cast<size_t>(t)].persisted;
    }
}

} // namespace loadlevel::load
