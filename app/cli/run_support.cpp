#include "run_support.h"

#include "load/table_verification.h"
#include "options.h"
#include "store/store.h"

#include <QDateTime>
#include <QFile>
#include <QJsonObject>
#include <QLocale>
#include <QUrl>

namespace loadlevel::cli {

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

std::optional<load::RunPlan> planFromArgs(Context& c) {
    auto seed = intOption(c, QStringLiteral("seed"), QDateTime::currentMSecsSinceEpoch(), 0);
    auto users = intOption(c, QStringLiteral("users"), 100000, 1);
    auto movies = intOption(c, QStringLiteral("movies"), 10000, 1);
    auto zipf = doubleOption(c, QStringLiteral("zipf"), 1.0);
    auto userZipf = doubleOption(c, QStringLiteral("user-zipf"), 0.8);
    auto lateAfter = doubleOption(c, QStringLiteral("late-after"), 10);
    if (!seed || !users || !movies || !zipf || !userZipf || !lateAfter)
        return std::nullopt;
    load::RunPlan plan;
    plan.generator.seed = static_cast<quint64>(*seed);
    plan.generator.users = *users;
    plan.generator.movies = *movies;
    plan.generator.zipfExponent = *zipf;
    plan.generator.userZipfExponent = *userZipf;
    plan.lateAfter = std::chrono::milliseconds(static_cast<qint64>(*lateAfter));
    return plan;
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
std::optional<std::vector<load::Threshold>> thresholdsFromArgs(Context& c) {
    std::vector<load::Threshold> out;
    for (const QString& expression : c.args.values(QStringLiteral("threshold"))) {
        auto t = load::Threshold::parse(expression);
        if (!t) {
            c.console.error(t.error().message);
            return std::nullopt;
        }
        out.push_back(*t);
    }
    return out;
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
        o.insert(QStringLiteral("thresholds_passed"), report.thresholdsPassed());
        c.console.json(o);
    } else {
        c.console.line(report.text());
        if (saved)
            c.console.line(QStringLiteral("  report    %1 (and .csv); loadlevel-cli report show %2")
                               .arg(*saved, report.manifest.runId));
    }
    if (c.args.isSet(QStringLiteral("junit"))) {
        QFile junit(c.args.value(QStringLiteral("junit")));
        if (!junit.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
            junit.write(load::junitXml(report)) < 0)
            c.console.error(QStringLiteral("cannot write the JUnit file %1: %2")
                                .arg(junit.fileName(), junit.errorString()));
    }
    if (!report.ok())
        return kFailed;
    return report.thresholdsPassed() ? kOk : kThreshold;
}
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
        exitCode = kOk;
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

std::unique_ptr<RunSession> RunSession::open(Context& c, const pipeline::RunTarget& target, int& exitCode,
                                             const pipeline::PipelineOptions& embedded) {
    std::unique_ptr<RunSession> s(new RunSession(c));
    if (c.args.isSet(QStringLiteral("verify-table")) && !s->openExternalTable(target, exitCode))
        return nullptr;
    kafka::ClientConfig config;
    if (target.http) {
        s->m_where = target.httpOptions.url.toString();
    } else if (c.settings.kafka.isEmpty()) {
        c.console.info(QStringLiteral("no Kafka address given (--kafka, LOADLEVEL_KAFKA): starting the "
                                      "embedded pipeline…"));
        auto pipe = pipeline::Pipeline::start(c.settings, embedded);
        if (!pipe) {
            c.console.error(pipe.error().message);
            exitCode = exitFor(pipe.error());
            return nullptr;
        }
        s->m_pipeline = std::move(*pipe);
        c.console.info(u"loadlevel " + s->m_pipeline->describe());
        config = s->m_pipeline->clientConfig();
        s->m_where = QStringLiteral("the embedded pipeline (topic %1)").arg(c.settings.topic);
    } else {
        c.console.info(u"loadlevel " + c.settings.describe());
        auto produced = producerConfig(c, exitCode);
        if (!produced)
            return nullptr;
        config = *produced;
        s->m_where = QStringLiteral("Kafka topic %1").arg(c.settings.topic);
    }
    auto opened = pipeline::openTarget(target, config, c.settings.topic);
    if (!opened) {
        c.console.error(opened.error().message);
        exitCode = exitFor(opened.error());
        return nullptr;
    }
    s->m_opened = std::move(*opened);
    s->m_opened.verifiable = s->m_opened.verifiable || s->m_external.has_value();
    if (s->m_pipeline) {
        c.console.info(QStringLiteral("waiting for the sink to join its consumer group…"));
        if (auto ready = s->m_pipeline->waitForSink(std::chrono::seconds(60), &interrupted()); !ready) {
            c.console.error(ready.error().message);
            exitCode = exitFor(ready.error());
            return nullptr;
        }
    }
    exitCode = kOk;
    return s;
}

RunSession::~RunSession() = default;

bool RunSession::openExternalTable(const pipeline::RunTarget& target, int& exitCode) {
    Context& c = m_c;
    exitCode = kUsage;
    if (!target.http || c.args.isSet(QStringLiteral("verify"))) {
        c.console.error(target.http
                            ? QStringLiteral("--verify checks Loadlevel's own table, --verify-table yours: "
                                             "give one")
                            : QStringLiteral("--verify-table checks the table of your own pipeline behind "
                                             "an HTTP target (--target http://…); a Kafka run is verified "
                                             "against Loadlevel's table"));
        return false;
    }
    const QString body = target.httpOptions.bodyTemplate;
    const QString kind = body.contains(u"{{event_id}}")  ? QStringLiteral("event_id")
                         : body.contains(u"{{run_seq}}") ? QStringLiteral("run_seq")
                                                         : QString();
    if (kind.isEmpty()) {
        c.console.error(QStringLiteral("--verify-table needs a --body-template that puts {{event_id}} (or "
                                       "{{run_seq}}) into a field your service stores in the key column"));
        return false;
    }
    auto table =
        store::ExternalTable::parse(c.args.value(QStringLiteral("verify-table")), c.settings.database, kind);
    if (!table) {
        c.console.error(table.error().message);
        return false;
    }
    auto opened = store::openStore(table->database, QStringLiteral("cli-verify-table"));
    if (!opened) {
        c.console.error(opened.error().message);
        exitCode = exitFor(opened.error());
        return false;
    }
    if (auto checked = (*opened)->checkTable(*table); !checked) {
        c.console.error(checked.error().message);
        exitCode = checked.error().kind == Error::Kind::NotFound ? kUsage : exitFor(checked.error());
        return false;
    }
    c.console.info(u"verifying against " + table->describe());
    m_external = *table;
    m_externalStore = std::move(*opened);
    return true;
}

Result<load::RunReport> RunSession::run(load::RunPlan plan, const load::ProgressFn& progress) {
    if (!m_opened.target)
        return fail(Error::failed(QStringLiteral("the run's target is closed")));
    metrics::Recorder* recorder = nullptr;
    plan.recordSent = m_external.has_value();
    if (m_pipeline) {
        if (!plan.holdBack)
            plan.holdBack = m_pipeline->holdBack();
        recorder = &m_pipeline->recorder();
    }
    return load::runPlan(*m_opened.target, plan, progress, &interrupted(), recorder);
}

void RunSession::verify(load::RunReport& report, std::chrono::seconds wait) {
    Context& c = m_c;
    if (c.args.isSet(QStringLiteral("no-verify"))) {
        report.verificationNote = QStringLiteral("--no-verify");
        return;
    }
    if (!m_opened.verifiable) {
        report.verificationNote =
            QStringLiteral("the request body carries no run tags ({{run_id}}, {{run_seq}})");
        return;
    }
    if (m_external) {
        auto verified =
            load::verifyTable(report, *m_external, *m_externalStore, wait, [&](const load::Verification& v) {
                c.console.progress(QStringLiteral("verifying %1: %2 of %3 accepted events have their row")
                                       .arg(m_external->table)
                                       .arg(v.acked - v.missing)
                                       .arg(v.acked));
                return !interrupted().load();
            });
        c.console.endProgress();
        if (!verified) {
            c.console.error(verified.error().message);
            report.verificationNote = verified.error().message;
        }
        return;
    }
    std::unique_ptr<store::Store> opened;
    store::Store* store = m_pipeline ? &m_pipeline->store() : nullptr;
    if (!store && c.settings.database.isEmpty()) {
        report.verificationNote = QStringLiteral("no database given (--db or LOADLEVEL_DB)");
        return;
    }
    if (interrupted().load()) {
        report.verificationNote = QStringLiteral("not verified: interrupted (loadlevel-cli verify --run %1)")
                                      .arg(report.manifest.runId);
        return;
    }
    if (!store) {
        auto s = store::openStore(c.settings.database, QStringLiteral("cli-run"));
        if (!s) {
            c.console.error(s.error().message);
            report.verificationNote = s.error().message;
            return;
        }
        opened = std::move(*s);
        store = opened.get();
    }
    auto verified = load::verifyReport(report, *store, wait, [&](const load::Verification& v) {
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

std::unique_ptr<LagWatch> watchLag(Context& c, RunSession& session, bool http, int intervalMs) {
    if (auto* pipe = session.embedded())
        return std::make_unique<LagWatch>(pipe->makeLagMonitor(intervalMs));
    if (http && !c.args.isSet(QStringLiteral("group")))
        return nullptr;
    auto config = c.settings.clientConfig();
    if (!config)
        return nullptr;
    metrics::LagMonitor::Options o;
    o.topic = c.settings.topic;
    o.groups = {c.settings.group};
    o.intervalMs = intervalMs;
    o.peekOldest = false;
    return std::make_unique<LagWatch>(std::make_unique<metrics::LagMonitor>(*config, o));
}

} // namespace loadlevel::cli
