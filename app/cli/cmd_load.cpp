// Commands that send load: burst (to Kafka) and run (a profile, to Kafka or HTTP).
#include "commands.h"
#include "load/report.h"
#include "load/runner.h"
#include "options.h"
#include "pipeline/run_target.h"
#include "store/store.h"

#include <QDateTime>
#include <QFile>
#include <QJsonObject>
#include <QLocale>
#include <QUrl>

namespace loadlevel::cli {

namespace {

// --profile and its parameters → a checked Profile.
std::optional<load::Profile> profileFromArgs(Context& c) {
    const QString name = c.args.isSet(QStringLiteral("profile")) ? c.args.value(QStringLiteral("profile"))
                         : c.args.isSet(QStringLiteral("rate"))  ? QStringLiteral("constant")
                                                                 : QStringLiteral("burst");
    const auto kind = load::Profile::kindFromName(name);
    if (!kind) {
        c.console.error(
            QStringLiteral("unknown profile '%1' (single, burst, constant, ramp, steps, spike)").arg(name));
        return std::nullopt;
    }
    load::Profile p;
    using K = load::Profile::Kind;
    switch (*kind) {
    case K::Single:
        p = load::Profile::single();
        break;
    case K::Burst: {
        auto n = intOption(c, QStringLiteral("count"), 1000, 1);
        if (!n)
            return std::nullopt;
        p = load::Profile::burst(*n);
        break;
    }
    case K::Constant: {
        auto r = requiredRate(c, QStringLiteral("rate"));
        if (!r)
            return std::nullopt;
        std::optional<double> d;
        if (!c.args.isSet(QStringLiteral("duration")) && c.args.isSet(QStringLiteral("count")) && *r > 0) {
            auto n = intOption(c, QStringLiteral("count"), 1000, 1);
            if (!n)
                return std::nullopt;
            d = static_cast<double>(*n) / *r; // --rate R --count N, as burst takes it
        } else {
            d = secondsOption(c, QStringLiteral("duration"));
        }
        if (!d)
            return std::nullopt;
        p = load::Profile::constant(*r, *d);
        break;
    }
    case K::Ramp: {
        auto from = requiredRate(c, QStringLiteral("from"));
        auto to = from ? requiredRate(c, QStringLiteral("to")) : std::nullopt;
        auto d = to ? secondsOption(c, QStringLiteral("duration")) : std::nullopt;
        if (!d)
            return std::nullopt;
        p = load::Profile::ramp(*from, *to, *d);
        break;
    }
    case K::Steps: {
        if (!c.args.isSet(QStringLiteral("steps"))) {
            c.console.error(
                QStringLiteral("the steps profile needs --steps rate:duration,... (e.g. 100:10s,500:10s)"));
            return std::nullopt;
        }
        auto steps = load::parseSteps(c.args.value(QStringLiteral("steps")));
        if (!steps) {
            c.console.error(QStringLiteral("--steps: %1").arg(steps.error().message));
            return std::nullopt;
        }
        p = load::Profile::stepped(*steps);
        break;
    }
    case K::Spike: {
        auto base = requiredRate(c, QStringLiteral("rate"));
        auto peak = base ? requiredRate(c, QStringLiteral("peak-rate")) : std::nullopt;
        auto d = peak ? secondsOption(c, QStringLiteral("duration")) : std::nullopt;
        auto at = d ? secondsOption(c, QStringLiteral("peak-at")) : std::nullopt;
        auto len = at ? secondsOption(c, QStringLiteral("peak-for")) : std::nullopt;
        if (!len)
            return std::nullopt;
        p = load::Profile::spike(*base, *peak, *at, *len, *d);
        break;
    }
    }
    if (auto problem = p.check()) {
        c.console.error(problem->message);
        return std::nullopt;
    }
    return p;
}

QString progressLine(const load::Profile& profile, const load::RunProgress& p) {
    const QLocale en(QLocale::English);
    QString when = profile.paced()
                       ? QStringLiteral("%1/%2 s").arg(p.elapsedSec, 0, 'f', 1).arg(p.plannedSec, 0, 'f', 0)
                       : QStringLiteral("%1 s").arg(p.elapsedSec, 0, 'f', 1);
    QString line = QStringLiteral("%1 · sent %2/%3 · accepted %4 (%5/s, p99 %6 ms) · failed %7")
                       .arg(when, en.toString(p.sent), en.toString(p.requested), en.toString(p.acked),
                            en.toString(p.lastSecondRate, 'f', 0))
                       .arg(p.lastSecondP99Ms, 0, 'f', 1)
                       .arg(en.toString(p.failed));
    if (profile.paced())
        line += QStringLiteral(" · late %1").arg(en.toString(p.late));
    return line;
}

int finishReport(Context& c, load::RunReport& report) {
    auto saved = report.save(c.settings.runsDir);
    if (!saved)
        c.console.error(saved.error().message);
    if (c.args.isSet(QStringLiteral("report"))) {
        if (auto w = report.saveAs(c.args.value(QStringLiteral("report"))); !w)
            c.console.error(w.error().message);
    }
    if (c.console.jsonMode()) {
        QJsonObject o = report.toJson();
        o.remove(QStringLiteral("unacked"));
        o.remove(QStringLiteral("timeline"));
        o.insert(QStringLiteral("unacked_count"), static_cast<qint64>(report.manifest.unacked.size()));
        o.insert(QStringLiteral("report"), saved ? *saved : QString());
        o.insert(QStringLiteral("ok"), report.ok());
        c.console.json(o);
    } else {
        c.console.line(report.text());
        if (saved)
            c.console.line(QStringLiteral("  report    %1 (and .csv); loadlevel-cli report show %2")
                               .arg(*saved, report.manifest.runId));
    }
    return report.ok() ? kOk : kFailed;
}

// --target and the HTTP options → where the run goes. The HTTP options are refused with Kafka.
std::optional<pipeline::RunTarget> targetFromArgs(Context& c, int& exitCode) {
    exitCode = kUsage;
    const QString arg = c.args.isSet(QStringLiteral("target")) ? c.args.value(QStringLiteral("target"))
                                                               : QStringLiteral("kafka");
    const bool verifyAsked = c.args.isSet(QStringLiteral("verify"));
    if (verifyAsked && c.args.isSet(QStringLiteral("no-verify"))) {
        c.console.error(QStringLiteral("--verify and --no-verify contradict each other: give one"));
        return std::nullopt;
    }
    pipeline::RunTarget t;
    if (arg == u"kafka") {
        QStringList httpOnly;
        for (const char* name :
             {"concurrency", "no-keep-alive", "body-template", "header", "timeout", "verify"})
            if (c.args.isSet(QString::fromLatin1(name)))
                httpOnly << u"--" + QString::fromLatin1(name);
        if (!httpOnly.isEmpty()) {
            c.console.error(QStringLiteral("%1 %2 to an HTTP target only (--target http://…); a Kafka run "
                                           "sends events to the topic and is always verified")
                                .arg(httpOnly.join(u", "), httpOnly.size() == 1 ? QStringLiteral("applies")
                                                                                : QStringLiteral("apply")));
            return std::nullopt;
        }
        if (c.settings.kafka.isEmpty()) {
            c.console.error(QStringLiteral("--target kafka needs --kafka or LOADLEVEL_KAFKA (the embedded "
                                           "pipeline is `loadlevel-cli demo`), or give an http:// URL"));
            return std::nullopt;
        }
        c.console.info(u"loadlevel " + c.settings.describe());
        return t;
    }
    if (c.args.isSet(QStringLiteral("no-create"))) {
        c.console.error(QStringLiteral("--no-create applies to --target kafka only"));
        return std::nullopt;
    }
    auto concurrency = intOption(c, QStringLiteral("concurrency"), 64, 1);
    auto timeout = intOption(c, QStringLiteral("timeout"), 10000, 1);
    if (!concurrency || !timeout)
        return std::nullopt;
    t.http = true;
    load::HttpTarget::Options& o = t.httpOptions;
    o.url = QUrl(arg);
    o.concurrency = static_cast<int>(*concurrency);
    o.keepAlive = !c.args.isSet(QStringLiteral("no-keep-alive"));
    o.timeout = std::chrono::milliseconds(*timeout);
    o.headers = c.args.values(QStringLiteral("header"));
    if (const QString token = qEnvironmentVariable("LOADLEVEL_HTTP_TOKEN");
        !token.isEmpty() && verifyAsked && !c.args.isSet(QStringLiteral("header")))
        o.headers << QStringLiteral("Authorization: Bearer %1").arg(token);
    if (c.args.isSet(QStringLiteral("body-template"))) {
        QString tpl = c.args.value(QStringLiteral("body-template"));
        if (tpl.startsWith(u'@')) {
            QFile f(tpl.mid(1));
            if (!f.open(QIODevice::ReadOnly)) {
                c.console.error(
                    QStringLiteral("cannot read the body template %1: %2").arg(tpl.mid(1), f.errorString()));
                return std::nullopt;
            }
            tpl = QString::fromUtf8(f.readAll()).trimmed();
        }
        o.bodyTemplate = tpl;
    } else if (verifyAsked) {
        o.bodyTemplate = load::BodyTemplate::loadlevelDefault();
    }
    if (verifyAsked && c.settings.database.isEmpty()) {
        c.console.error(
            QStringLiteral("--verify needs the database the sink writes to (--db or LOADLEVEL_DB)"));
        return std::nullopt;
    }
    exitCode = kOk;
    return t;
}

// Checks the run against the database when it can be, and notes in the report why not otherwise.
void verifyRun(Context& c, load::RunReport& report, bool verifiable, std::chrono::seconds wait) {
    if (c.args.isSet(QStringLiteral("no-verify"))) {
        report.verificationNote = QStringLiteral("--no-verify");
        return;
    }
    if (!verifiable) {
        report.verificationNote =
            QStringLiteral("the request body carries no run tags ({{run_id}}, {{run_seq}})");
        return;
    }
    if (c.settings.database.isEmpty()) {
        report.verificationNote = QStringLiteral("no database given (--db or LOADLEVEL_DB)");
        return;
    }
    if (interrupted().load()) {
        report.verificationNote = QStringLiteral("not verified: interrupted (loadlevel-cli verify --run %1)")
                                      .arg(report.manifest.runId);
        return;
    }
    auto store = store::openStore(c.settings.database, QStringLiteral("cli-run"));
    if (!store) {
        c.console.error(store.error().message);
        report.verificationNote = store.error().message;
        return;
    }
    auto verified = load::verifyReport(report, **store, wait, [&](const load::Verification& v) {
        c.console.progress(
            QStringLiteral("verifying: %1 of %2 accepted events persisted").arg(v.persisted).arg(v.acked));
        return !interrupted().load();
    });
    c.console.endProgress();
    if (!verified) {
        c.console.error(verified.error().message);
        report.verificationNote = verified.error().message;
    }
}

} // namespace

int runBurst(Context& c) {
    auto count = intOption(c, QStringLiteral("count"), 1000, 1);
    auto perSec = rateOption(c, QStringLiteral("rate"));
    auto seed = intOption(c, QStringLiteral("seed"), QDateTime::currentMSecsSinceEpoch(), 0);
    if (!count || !perSec || !seed)
        return kUsage;
    int problem = kOk;
    auto config = producerConfig(c, problem);
    if (!config)
        return problem;

    load::RunSpec spec;
    spec.count = *count;
    spec.ratePerSec = *perSec;
    spec.generator.seed = static_cast<quint64>(*seed);
    load::Runner runner(*config, c.settings.topic);
    auto report = runner.run(
        load::Runner::planFor(spec),
        [&](const load::RunProgress& p) {
            c.console.progress(QStringLiteral("sent %1/%2 · acked %3 · failed %4 · %5 s")
                                   .arg(p.sent)
                                   .arg(p.requested)
                                   .arg(p.acked)
                                   .arg(p.failed)
                                   .arg(p.elapsedSec, 0, 'f', 1));
        },
        &interrupted());
    c.console.endProgress();
    if (!report) {
        c.console.error(report.error().message);
        return exitFor(report.error());
    }
    report->manifest.ratePerSec = spec.ratePerSec;
    report->verificationNote =
        QStringLiteral("not verified yet (loadlevel-cli verify --run %1)").arg(report->manifest.runId);
    const load::RunManifest* manifest = &report->manifest;
    auto saved = report->save(c.settings.runsDir);
    if (!saved)
        c.console.error(saved.error().message);

    const double secs = std::max(0.001, manifest->startedAt.msecsTo(manifest->finishedAt) / 1000.0);
    if (c.console.jsonMode()) {
        QJsonObject o = manifest->toJson();
        o.remove(QStringLiteral("unacked"));
        o.insert(QStringLiteral("unacked_count"), static_cast<qint64>(manifest->unacked.size()));
        o.insert(QStringLiteral("acked_per_sec"), manifest->acked / secs);
        o.insert(QStringLiteral("manifest"), saved ? *saved : QString());
        c.console.json(o);
    } else {
        c.console.line(QStringLiteral("run %1: sent %2, acked %3, unacked %4 in %5 s (%6 acked/s); "
                                      "ack latency p50 %7 ms, p99 %8 ms")
                           .arg(manifest->runId)
                           .arg(manifest->sent)
                           .arg(manifest->acked)
                           .arg(manifest->unacked.size())
                           .arg(secs, 0, 'f', 2)
                           .arg(rate(manifest->acked / secs))
                           .arg(manifest->ackP50Ms, 0, 'f', 1)
                           .arg(manifest->ackP99Ms, 0, 'f', 1));
        c.console.line(QStringLiteral("check it with: loadlevel-cli verify --run %1").arg(manifest->runId));
    }
    if (!manifest->error.isEmpty())
        c.console.error(manifest->error);
    if (interrupted().load())
        return kInterrupted; // what was done is printed above
    return manifest->acked == manifest->requested ? kOk : kFailed;
}

int runRun(Context& c) {
    auto profile = profileFromArgs(c);
    auto seed = intOption(c, QStringLiteral("seed"), QDateTime::currentMSecsSinceEpoch(), 0);
    auto users = intOption(c, QStringLiteral("users"), 100000, 1);
    auto movies = intOption(c, QStringLiteral("movies"), 10000, 1);
    auto zipf = doubleOption(c, QStringLiteral("zipf"), 1.0);
    auto userZipf = doubleOption(c, QStringLiteral("user-zipf"), 0.8);
    auto lateAfter = doubleOption(c, QStringLiteral("late-after"), 10);
    auto wait = intOption(c, QStringLiteral("wait"), 120, 0);
    if (!profile || !seed || !users || !movies || !zipf || !userZipf || !lateAfter || !wait)
        return kUsage;
    load::RunPlan plan;
    plan.profile = *profile;
    plan.generator.seed = static_cast<quint64>(*seed);
    plan.generator.users = *users;
    plan.generator.movies = *movies;
    plan.generator.zipfExponent = *zipf;
    plan.generator.userZipfExponent = *userZipf;
    plan.lateAfter = std::chrono::milliseconds(static_cast<qint64>(*lateAfter));

    int problem = kOk;
    auto choice = targetFromArgs(c, problem);
    if (!choice)
        return problem;
    std::optional<kafka::ClientConfig> config;
    if (!choice->http) {
        config = producerConfig(c, problem);
        if (!config)
            return problem;
    }
    auto opened = pipeline::openTarget(*choice, config.value_or(kafka::ClientConfig{}), c.settings.topic);
    if (!opened) {
        c.console.error(opened.error().message);
        return exitFor(opened.error());
    }
    if (c.args.isSet(QStringLiteral("verify")) && !opened->verifiable) {
        c.console.error(QStringLiteral("--verify needs a body template with {{run_id}} and {{run_seq}}"));
        return kUsage;
    }

    const QString where = choice->http ? choice->httpOptions.url.toString()
                                       : QStringLiteral("Kafka topic %1").arg(c.settings.topic);
    c.console.info(QStringLiteral("run: %1, %2 events → %3")
                       .arg(plan.profile.describe())
                       .arg(plan.profile.totalEvents())
                       .arg(where));
    auto report = load::runPlan(
        *opened->target, plan,
        [&](const load::RunProgress& p) { c.console.progress(progressLine(plan.profile, p)); },
        &interrupted());
    c.console.endProgress();
    opened->target.reset(); // closes connections, flushes the producer
    if (!report) {
        c.console.error(report.error().message);
        return exitFor(report.error());
    }
    verifyRun(c, *report, opened->verifiable, std::chrono::seconds(*wait));
    const int code = finishReport(c, *report);
    return interrupted().load() ? kInterrupted : code;
}

} // namespace loadlevel::cli
