// Commands that send load: burst (to Kafka) and run (a profile, to Kafka or HTTP).
#include "commands.h"
#include "options.h"
#include "run_support.h"

#include <QDateTime>
#include <QFile>
#include <QJsonObject>
#include <QLocale>
#include <QUrl>

namespace loadlevel::cli {

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
    auto plan = planFromArgs(c);
    auto wait = intOption(c, QStringLiteral("wait"), 120, 0);
    auto thresholds = thresholdsFromArgs(c);
    if (!profile || !plan || !wait || !thresholds)
        return kUsage;
    plan->profile = *profile;
    plan->thresholds = *thresholds;
    int problem = kOk;
    auto choice = targetFromArgs(c, problem);
    if (!choice)
        return problem;
    auto session = RunSession::open(c, *choice, problem);
    if (!session)
        return problem;
    if (c.args.isSet(QStringLiteral("verify")) && !session->verifiable()) {
        c.console.error(QStringLiteral("--verify needs a body template with {{run_id}} and {{run_seq}}"));
        return kUsage;
    }
    c.console.info(QStringLiteral("run: %1, %2 events → %3")
                       .arg(plan->profile.describe())
                       .arg(plan->profile.totalEvents())
                       .arg(session->where()));
    auto report = session->run(
        *plan, [&](const load::RunProgress& p) { c.console.progress(progressLine(plan->profile, p)); });
    c.console.endProgress();
    session->closeTarget(); // closes connections, flushes the producer
    if (!report) {
        c.console.error(report.error().message);
        return exitFor(report.error());
    }
    session->verify(*report, std::chrono::seconds(*wait));
    report->thresholds = load::evaluate(plan->thresholds, *report);
    const int code = finishReport(c, *report);
    return interrupted().load() ? kInterrupted : code;
}

} // namespace loadlevel::cli
