// Commands on recorded runs: verify (against the database) and report.
#include "commands.h"
#include "load/omb_export.h"
#include "load/report.h"
#include "load/runner.h"
#include "options.h"
#include "store/store.h"

#include <QFile>
#include <QJsonDocument>
#include <QLocale>
#include <cstdio>

namespace loadlevel::cli {

int runVerify(Context& c) {
    const QString runId = c.args.value(QStringLiteral("run"));
    auto waitSec = intOption(c, QStringLiteral("wait"), 0, 0);
    if (!waitSec)
        return kUsage;
    if (runId.isEmpty()) {
        c.console.error(QStringLiteral("verify needs --run ID (printed by burst)"));
        return kUsage;
    }
    auto manifest = load::RunManifest::load(c.settings.runsDir, runId);
    if (!manifest) {
        c.console.error(manifest.error().message);
        return exitFor(manifest.error());
    }
    auto store = c.settings.storeFactory()(QStringLiteral("loadlevel-verify"));
    if (!store) {
        c.console.error(store.error().message);
        return exitFor(store.error());
    }
    // With --wait, give the sink time to catch up before judging.
    auto v = load::awaitVerification(
        **store, *manifest, std::chrono::seconds(*waitSec),
        [&](const load::Verification& p) {
            c.console.progress(QStringLiteral("waiting for the sink: %1 of %2 acknowledged events persisted")
                                   .arg(p.acked - p.missing)
                                   .arg(p.acked));
            return !interrupted().load();
        },
        std::chrono::milliseconds(500));
    c.console.endProgress();
    if (!v) {
        c.console.error(v.error().message);
        return exitFor(v.error());
    }
    if (c.console.jsonMode()) {
        c.console.json(v->toJson());
    } else {
        QStringList sample;
        for (qint64 s : v->missingSample)
            sample << QString::number(s);
        c.console.line(
            QStringLiteral("run %1: acknowledged %2, persisted %3, missing %4, duplicates %5%6 → %7")
                .arg(v->runId)
                .arg(v->acked)
                .arg(v->persisted)
                .arg(v->missing)
                .arg(v->duplicates)
                .arg(sample.isEmpty() ? QString()
                                      : QStringLiteral(" (first missing: %1)").arg(sample.join(u", ")))
                .arg(v->ok() ? QStringLiteral("OK") : QStringLiteral("FAILED")));
    }
    if (interrupted().load())
        return kInterrupted; // what was done is printed above
    return v->ok() ? kOk : kFailed;
}

namespace {

// report export RUN --format omb [--output FILE]: OpenMessaging Benchmark's result JSON.
int exportReport(Context& c, const QString& dir) {
    const QString format = c.args.value(QStringLiteral("format"));
    if (c.positional.size() != 2 || format != u"omb") {
        c.console.error(
            format.isEmpty() || format == u"omb"
                ? QStringLiteral(
                      "usage: loadlevel-cli report export RUN_ID|FILE --format omb [--output FILE]")
                : QStringLiteral("unknown --format '%1' (omb: OpenMessaging Benchmark's result JSON)")
                      .arg(format));
        return kUsage;
    }
    auto r = load::RunReport::load(dir, c.positional[1]);
    if (!r) {
        c.console.error(r.error().message);
        return exitFor(r.error());
    }
    const QByteArray json = QJsonDocument(load::ombResult(*r)).toJson();
    for (const QString& line : load::ombUnmapped(*r))
        c.console.info(u"omb: " + line);
    if (!c.args.isSet(QStringLiteral("output"))) {
        std::fwrite(json.constData(), 1, static_cast<size_t>(json.size()), stdout);
        return kOk;
    }
    QFile f(c.args.value(QStringLiteral("output")));
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(json) < 0) {
        c.console.error(QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString()));
        return kFailed;
    }
    c.console.info(QStringLiteral("wrote %1").arg(f.fileName()));
    return kOk;
}

} // namespace

int runReport(Context& c) {
    const QString sub = c.positional.value(0);
    const QString dir = c.settings.runsDir;
    if (sub == u"list") {
        auto n = intOption(c, QStringLiteral("count"), 20, 1);
        if (!n)
            return kUsage;
        const auto reports = load::RunReport::list(dir, static_cast<int>(*n));
        if (reports.empty()) {
            c.console.line(QStringLiteral("no runs in %1").arg(dir));
            return kOk;
        }
        const QLocale en(QLocale::English);
        for (const auto& r : reports) {
            if (c.console.jsonMode()) {
                c.console.json({{QStringLiteral("run_id"), r.manifest.runId},
                                {QStringLiteral("profile"), r.profile.describe()},
                                {QStringLiteral("target"), r.target.value(u"kind").toString()},
                                {QStringLiteral("sent"), r.manifest.sent},
                                {QStringLiteral("accepted"), r.accepted},
                                {QStringLiteral("p99_ms"), r.response.p99},
                                {QStringLiteral("ok"), r.ok()}});
                continue;
            }
            c.console.line(QStringLiteral("%1  %2  %3  sent %4  accepted %5  p99 %6 ms  %7")
                               .arg(r.manifest.runId, r.target.value(u"kind").toString().leftJustified(5),
                                    r.profile.describe().leftJustified(34),
                                    en.toString(r.manifest.sent).rightJustified(10),
                                    en.toString(r.accepted).rightJustified(10))
                               .arg(r.response.p99, 0, 'f', 1)
                               .arg(r.verification ? (r.verification->ok() ? QStringLiteral("verified")
                                                                           : QStringLiteral("MISSING ROWS"))
                                                   : QString()));
        }
        return kOk;
    }
    if (sub == u"show") {
        if (c.positional.size() != 2) {
            c.console.error(QStringLiteral("usage: loadlevel-cli report show RUN_ID|FILE"));
            return kUsage;
        }
        auto r = load::RunReport::load(dir, c.positional[1]);
        if (!r) {
            c.console.error(r.error().message);
            return exitFor(r.error());
        }
        if (c.console.jsonMode()) {
            c.console.json(r->toJson());
            return kOk;
        }
        c.console.line(r->text());
        if (QString table = r->timelineTable(60); !table.isEmpty()) {
            table.chop(1); // the last newline: line() adds its own
            c.console.line(u'\n' + table);
        }
        return kOk;
    }
    if (sub == u"compare") {
        if (c.positional.size() != 3) {
            c.console.error(QStringLiteral("usage: loadlevel-cli report compare RUN_A RUN_B"));
            return kUsage;
        }
        auto a = load::RunReport::load(dir, c.positional[1]);
        auto b = a ? load::RunReport::load(dir, c.positional[2]) : a;
        if (!a || !b) {
            const Error e = !a ? a.error() : b.error();
            c.console.error(e.message);
            return exitFor(e);
        }
        c.console.line(load::compareReports(*a, *b));
        return kOk;
    }
    if (sub == u"export")
        return exportReport(c, dir);
    c.console.error(
        QStringLiteral("report needs list, show RUN, compare RUN_A RUN_B or export RUN --format omb"));
    return kUsage;
}

} // namespace loadlevel::cli
