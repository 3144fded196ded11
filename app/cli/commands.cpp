#include "commands.h"

#include "ingest/service.h"
#include "kafka/admin.h"
#include "kafka/sink.h"
#include "load/http_target.h"
#include "load/kafka_target.h"
#include "load/report.h"
#include "load/runner.h"
#include "metrics/lag_monitor.h"
#include "metrics/prometheus.h"
#include "pipeline/pipeline.h"
#include "store/store.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QLocale>
#include <QThread>
#include <QTimer>
#include <QUrl>
#include <optional>

namespace loadlevel::cli {

namespace {

int exitFor(const Error& e) {
    if (e.isFatal())
        return kUsage;
    return e.isRetriable() ? kUnavailable : kFailed;
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

double percentile(std::vector<double> v, double p) {
    if (v.empty())
        return 0;
    const auto idx = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(idx), v.end());
    return v[idx];
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

QString rate(double perSec) {
    return QString::number(perSec, 'f', 0);
}

Result<bool> ensureTopic(Context& c, const kafka::ClientConfig& config) {
    auto admin = kafka::Admin::create(config);
    if (!admin)
        return fail(admin.error());
    return (*admin)->ensureTopic(c.settings.topic, c.settings.partitions, c.settings.replicationFactor);
}

// The client configuration for sending to the topic, which is created first unless --no-create.
// On failure says why and sets the exit code.
std::optional<kafka::ClientConfig> producerConfig(Context& c, int& exitCode) {
    auto config = c.settings.clientConfig();
    if (!config) {
        c.console.error(config.error().message);
        exitCode = exitFor(config.error());
        return std::nullopt;
    }
    if (!c.args.isSet(QStringLiteral("no-create"))) {
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
    }
    return *config;
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
    return manifest->acked == manifest->requested ? kOk : kFailed;
}

int runSink(Context& c) {
    auto members = intOption(c, QStringLiteral("members"), 1, 1);
    auto batchRows = intOption(c, QStringLiteral("batch-rows"), 5000, 1);
    auto batchMs = intOption(c, QStringLiteral("batch-ms"), 50, 1);
    auto idle = intOption(c, QStringLiteral("exit-when-idle"), 0, 0);
    auto ceiling = rateOption(c, QStringLiteral("max-rows-per-sec"));
    if (!members || !batchRows || !batchMs || !ceiling || !idle)
        return kUsage;
    auto config = c.settings.clientConfig();
    if (!config) {
        c.console.error(config.error().message);
        return exitFor(config.error());
    }
    if (auto created = ensureTopic(c, *config); !created) {
        c.console.error(created.error().message);
        return exitFor(created.error());
    }

    kafka::SinkOptions opt;
    opt.topic = c.settings.topic;
    opt.group = c.settings.group;
    opt.groupProtocol = c.settings.groupProtocol;
    opt.members = static_cast<int>(*members);
    opt.batchRows = static_cast<int>(*batchRows);
    opt.batchMs = static_cast<int>(*batchMs);
    opt.maxRowsPerSec = *ceiling;
    metrics::Recorder recorder;
    opt.recorder = &recorder;
    kafka::Sink sink(*config, opt, c.settings.storeFactory());
    QObject::connect(
        &sink, &kafka::Sink::problem, &sink, [&](const QString& m) { c.console.error(m); },
        Qt::QueuedConnection);
    QObject::connect(
        &sink, &kafka::Sink::recovered, &sink, [&](const QString& m) { c.console.info(m); },
        Qt::QueuedConnection);
    if (auto r = sink.start(); !r) {
        c.console.error(r.error().message);
        return exitFor(r.error());
    }
    c.console.info(
        QStringLiteral("sink: group %1 · %2 member(s) · batches of up to %3 rows / %4 ms%5 · Ctrl+C stops")
            .arg(opt.group)
            .arg(opt.members)
            .arg(opt.batchRows)
            .arg(opt.batchMs)
            .arg(opt.maxRowsPerSec > 0 ? QStringLiteral(" · ceiling %1 rows/s").arg(opt.maxRowsPerSec)
                                       : QString()));

    QElapsedTimer clock;
    clock.start();
    qint64 lastPersisted = 0;
    qint64 lastConsumed = 0;
    qint64 lastActivityMs = 0;
    qint64 lastTickMs = 0;
    bool noMemberLeft = false;
    // Live metrics arrive as Snapshots (~10 Hz, queued signal); the line is redrawn once a second.
    metrics::SnapshotPublisher publisher(recorder);
    QObject::connect(
        &publisher, &metrics::SnapshotPublisher::snapshot, &sink,
        [&](const metrics::Snapshot& snap) {
            if (interrupted().load()) {
                QCoreApplication::quit();
                return;
            }
            const qint64 now = clock.elapsed();
            if (now - lastTickMs < 1000)
                return;
            const double dt = (now - lastTickMs) / 1000.0;
            lastTickMs = now;
            const kafka::SinkStatus s = sink.status();
            if (opt.members > 0 && s.members == 0) { // each said why when it stopped
                noMemberLeft = true;
                QCoreApplication::quit();
                return;
            }
            const double perSec = (s.persisted - lastPersisted) / dt;
            if (s.consumed != lastConsumed)
                lastActivityMs = now;
            lastPersisted = s.persisted;
            lastConsumed = s.consumed;
            QStringList parts;
            for (const auto& a : s.assignments) {
                QStringList ids;
                for (int p : a)
                    ids << QString::number(p);
                parts << u'[' + ids.join(u',') + u']';
            }
            const double p99 = snap.sendToPersisted.p99 / 1000.0;
            if (c.console.jsonMode()) {
                c.console.json({{QStringLiteral("persisted"), s.persisted},
                                {QStringLiteral("send_to_persisted_p99_ms"), p99},
                                {QStringLiteral("persisted_per_sec"), perSec},
                                {QStringLiteral("consumed"), s.consumed},
                                {QStringLiteral("duplicates"), s.duplicates},
                                {QStringLiteral("dead_letters"), s.deadLetters},
                                {QStringLiteral("database_up"), s.databaseUp},
                                {QStringLiteral("assignments"), parts.join(u' ')}});
            } else {
                c.console.progress(
                    QStringLiteral("persisted %1 (%2 rows/s, p99 %7 ms send→row) · duplicates skipped %3 · "
                                   "dead letters %4 · partitions %5 · database %6")
                        .arg(s.persisted)
                        .arg(rate(perSec))
                        .arg(s.duplicates)
                        .arg(s.deadLetters)
                        .arg(parts.join(u' '))
                        .arg(s.databaseUp ? QStringLiteral("up") : QStringLiteral("DOWN"))
                        .arg(p99, 0, 'f', 1));
            }
            if (*idle > 0 && s.consumed > 0 && now - lastActivityMs >= *idle * 1000)
                QCoreApplication::quit();
        },
        Qt::QueuedConnection);
    publisher.start();
    QCoreApplication::exec();
    c.console.endProgress();
    sink.stop();
    if (noMemberLeft) {
        c.console.error(
            QStringLiteral("sink: every member stopped (the reason is above); nothing is consuming"));
        return kFailed;
    }
    const kafka::SinkStatus s = sink.status();
    c.console.info(QStringLiteral("sink stopped: persisted %1, duplicates skipped %2, dead letters %3")
                       .arg(s.persisted)
                       .arg(s.duplicates)
                       .arg(s.deadLetters));
    if (s.fencedBatches + s.strayDropped + s.gapsRechecked > 0)
        c.console.info(QStringLiteral("sink safeguards: %1 batch(es) fenced by another writer, %2 stray "
                                      "message(s) dropped, %3 gap(s) in the offsets read again")
                           .arg(s.fencedBatches)
                           .arg(s.strayDropped)
                           .arg(s.gapsRechecked));
    return kOk;
}

int runTopics(Context& c) {
    const QString sub = c.positional.value(0);
    auto config = c.settings.clientConfig();
    if (!config) {
        c.console.error(config.error().message);
        return exitFor(config.error());
    }
    auto admin = kafka::Admin::create(*config);
    if (!admin) {
        c.console.error(admin.error().message);
        return exitFor(admin.error());
    }
    if (sub == u"ensure") {
        auto created =
            (*admin)->ensureTopic(c.settings.topic, c.settings.partitions, c.settings.replicationFactor);
        if (!created) {
            c.console.error(created.error().message);
            return exitFor(created.error());
        }
        c.console.line(*created ? QStringLiteral("created topic %1 (%2 partitions, replication factor %3)")
                                      .arg(c.settings.topic)
                                      .arg(c.settings.partitions)
                                      .arg(c.settings.replicationFactor)
                                : QStringLiteral("topic %1 already exists").arg(c.settings.topic));
        if (c.console.jsonMode())
            c.console.json(
                {{QStringLiteral("topic"), c.settings.topic}, {QStringLiteral("created"), *created}});
        return kOk;
    }
    if (sub == u"describe") {
        auto info = (*admin)->describeTopic(c.settings.topic);
        if (!info) {
            c.console.error(info.error().message);
            return exitFor(info.error());
        }
        if (c.console.jsonMode()) {
            QJsonArray parts;
            for (const auto& p : info->partitions)
                parts.append(QJsonObject{{QStringLiteral("partition"), p.id},
                                         {QStringLiteral("leader"), p.leader},
                                         {QStringLiteral("replicas"), static_cast<int>(p.replicas.size())},
                                         {QStringLiteral("isr"), static_cast<int>(p.isr.size())},
                                         {QStringLiteral("low"), p.low},
                                         {QStringLiteral("high"), p.high}});
            c.console.json({{QStringLiteral("topic"), info->name},
                            {QStringLiteral("partitions"), parts},
                            {QStringLiteral("messages"), info->messages()}});
            return kOk;
        }
        c.console.line(QStringLiteral("topic %1: %2 partitions, %3 messages on the broker")
                           .arg(info->name)
                           .arg(info->partitions.size())
                           .arg(info->messages()));
        c.console.line(QStringLiteral("%1 %2 %3 %4 %5")
                           .arg(u"partition", 9)
                           .arg(u"leader", 6)
                           .arg(u"isr", 7)
                           .arg(u"low", 12)
                           .arg(u"high", 12));
        for (const auto& p : info->partitions)
            c.console.line(QStringLiteral("%1 %2 %3 %4 %5")
                               .arg(p.id, 9)
                               .arg(p.leader, 6)
                               .arg(QStringLiteral("%1/%2").arg(p.isr.size()).arg(p.replicas.size()), 7)
                               .arg(p.low, 12)
                               .arg(p.high, 12));
        return kOk;
    }
    c.console.error(QStringLiteral("topics expects 'ensure' or 'describe'"));
    return kUsage;
}

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
        return kUsage;
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
    return v->ok() ? kOk : kFailed;
}

} // namespace loadlevel::cli

namespace loadlevel::cli {

int runServe(Context& c) {
    auto members = intOption(c, QStringLiteral("members"), 2, 0);
    auto maxBody = intOption(c, QStringLiteral("max-body"), 64 * 1024, 1);
    auto ackTimeout = intOption(c, QStringLiteral("ack-timeout"), 5000, 1);
    if (!members || !maxBody || !ackTimeout)
        return kUsage;
    ingest::ServiceOptions options;
    if (auto ok = ingest::parseListen(c.args.isSet(QStringLiteral("listen"))
                                          ? c.args.value(QStringLiteral("listen"))
                                          : QStringLiteral("127.0.0.1:8080"),
                                      options);
        !ok) {
        c.console.error(ok.error().message);
        return kUsage;
    }
    options.token = (c.args.isSet(QStringLiteral("token")) ? c.args.value(QStringLiteral("token"))
                                                           : qEnvironmentVariable("LOADLEVEL_HTTP_TOKEN"))
                        .toUtf8();
    options.maxBodyBytes = *maxBody;
    options.ackTimeout = std::chrono::milliseconds(*ackTimeout);

    c.console.info(QStringLiteral("starting the pipeline…"));
    pipeline::PipelineOptions po;
    po.members = static_cast<int>(*members);
    po.startSink = *members > 0;
    auto pipe = pipeline::Pipeline::start(c.settings, po);
    if (!pipe) {
        c.console.error(pipe.error().message);
        return exitFor(pipe.error());
    }
    if (kafka::Sink* sink = (*pipe)->sink())
        QObject::connect(
            sink, &kafka::Sink::problem, sink, [&](const QString& m) { c.console.error(m); },
            Qt::QueuedConnection);
    c.console.info(u"loadlevel " + (*pipe)->describe());
    auto service = ingest::Service::start(options, {(*pipe)->clientConfig(), c.settings.topic,
                                                    c.settings.storeFactory(), &(*pipe)->recorder()});
    if (!service) {
        c.console.error(service.error().message);
        return exitFor(service.error());
    }
    c.console.info(QStringLiteral("serving on %1 (POST /ratings, GET /ratings, /movies/{id}/stats, /health, "
                                  "/metrics, /openapi.json, /docs)%2 · Ctrl+C stops")
                       .arg((*service)->url(),
                            options.token.isEmpty() ? QString() : QStringLiteral(" · token required")));
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &poll, [&] {
        if (interrupted().load())
            QCoreApplication::quit();
    });
    poll.start(100);
    QCoreApplication::exec();
    c.console.info(QStringLiteral("stopping: accepted %1 ratings, refused %2 requests")
                       .arg((*service)->accepted())
                       .arg((*service)->rejected()));
    service->reset();
    return kOk;
}

int runDemo(Context& c) {
    auto count = intOption(c, QStringLiteral("count"), 1000, 1);
    auto members = intOption(c, QStringLiteral("members"), 2, 1);
    auto waitSec = intOption(c, QStringLiteral("wait"), 120, 1);
    auto perSec = rateOption(c, QStringLiteral("rate"));
    if (!count || !members || !waitSec || !perSec)
        return kUsage;

    c.console.info(QStringLiteral("starting the pipeline…"));
    pipeline::PipelineOptions options;
    options.members = static_cast<int>(*members);
    auto pipe = pipeline::Pipeline::start(c.settings, options);
    if (!pipe) {
        c.console.error(pipe.error().message);
        return exitFor(pipe.error());
    }
    kafka::Sink* sink = (*pipe)->sink();
    QObject::connect(
        sink, &kafka::Sink::problem, sink, [&](const QString& m) { c.console.error(m); },
        Qt::DirectConnection);
    c.console.info(u"loadlevel " + (*pipe)->describe());
    if (const QString w = (*pipe)->runLimitWarning(*count); !w.isEmpty())
        c.console.info(u"warning: " + w);
    // The producer starts while the sink joins its group (it needs a moment for its producer id).
    load::Runner runner((*pipe)->clientConfig(), c.settings.topic);
    runner.setRecorder(&(*pipe)->recorder());
    runner.setHoldBack((*pipe)->holdBack());
    if (auto prepared = runner.prepare(); !prepared) {
        c.console.error(prepared.error().message);
        return exitFor(prepared.error());
    }
    c.console.info(QStringLiteral("waiting for the sink to join its consumer group…"));
    if (auto ready = (*pipe)->waitForSink(std::chrono::seconds(60), &interrupted()); !ready) {
        c.console.error(ready.error().message);
        return exitFor(ready.error());
    }

    load::RunSpec spec;
    spec.count = *count;
    spec.ratePerSec = *perSec;
    spec.generator.seed = static_cast<quint64>(QDateTime::currentMSecsSinceEpoch());
    spec.source = QStringLiteral("/loadlevel/demo");
    QElapsedTimer clock;
    clock.start();
    auto manifest = runner.run(
        spec,
        [&](const load::RunProgress& p) {
            c.console.progress(QStringLiteral("sending: %1/%2 sent · %3 acknowledged")
                                   .arg(p.sent)
                                   .arg(p.requested)
                                   .arg(p.acked));
        },
        &interrupted());
    c.console.endProgress();
    if (!manifest) {
        c.console.error(manifest.error().message);
        return exitFor(manifest.error());
    }
    if (auto saved = manifest->save(c.settings.runsDir); !saved)
        c.console.error(saved.error().message);
    if (!manifest->error.isEmpty())
        c.console.error(manifest->error);

    // Wait for the sink to persist every acknowledged event, then verify.
    auto v = load::awaitVerification(
        (*pipe)->store(), *manifest, std::chrono::seconds(*waitSec),
        [&](const load::Verification& p) {
            c.console.progress(
                QStringLiteral("persisting: %1/%2 rows").arg(p.acked - p.missing).arg(p.acked));
            return !interrupted().load();
        },
        std::chrono::milliseconds(50));
    const double totalSec = clock.nsecsElapsed() / 1e9;
    c.console.endProgress();
    if (!v) {
        c.console.error(v.error().message);
        return exitFor(v.error());
    }
    const metrics::Snapshot snap = (*pipe)->recorder().snapshot();
    auto latencies = (*pipe)->store().runLatenciesMs(manifest->runId);
    const double p50 = latencies ? percentile(*latencies, 0.50) : 0;
    const double p99 = latencies ? percentile(*latencies, 0.99) : 0;
    const double sendSec = std::max(0.001, manifest->startedAt.msecsTo(manifest->finishedAt) / 1000.0);
    const bool ok = v->ok() && manifest->acked == manifest->requested;

    if (c.console.jsonMode()) {
        QJsonObject o = v->toJson();
        o.insert(QStringLiteral("mode"), c.settings.mode());
        o.insert(QStringLiteral("sent"), manifest->sent);
        o.insert(QStringLiteral("acked_per_sec"), manifest->acked / sendSec);
        o.insert(QStringLiteral("persisted_per_sec"), v->persisted / totalSec);
        o.insert(QStringLiteral("e2e_p50_ms"), p50);
        o.insert(QStringLiteral("e2e_p99_ms"), p99);
        o.insert(QStringLiteral("ok"), ok);
        auto summary = [](const metrics::LatencySummary& l) {
            return QJsonObject{
                {QStringLiteral("count"), l.count},         {QStringLiteral("p50_ms"), l.p50 / 1000},
                {QStringLiteral("p90_ms"), l.p90 / 1000},   {QStringLiteral("p99_ms"), l.p99 / 1000},
                {QStringLiteral("p999_ms"), l.p999 / 1000}, {QStringLiteral("max_ms"), l.max / 1000}};
        };
        o.insert(QStringLiteral("send_to_ack"), summary(snap.sendToAck));
        o.insert(QStringLiteral("ack_to_persisted"), summary(snap.ackToPersisted));
        o.insert(QStringLiteral("send_to_persisted"), summary(snap.sendToPersisted));
        c.console.json(o);
    } else {
        c.console.line(QStringLiteral("run %1 (%2 mode)").arg(manifest->runId, c.settings.mode()));
        c.console.line(
            QStringLiteral("  sent %1 · acknowledged %2 · persisted %3 · missing %4 · duplicates %5")
                .arg(manifest->sent)
                .arg(manifest->acked)
                .arg(v->persisted)
                .arg(v->missing)
                .arg(v->duplicates));
        c.console.line(QStringLiteral("  throughput: %1 events/s into Kafka, %2 rows/s end to end")
                           .arg(rate(manifest->acked / sendSec), rate(v->persisted / totalSec)));
        c.console.line(QStringLiteral("  end-to-end latency (send → row): p50 %1 ms · p99 %2 ms")
                           .arg(p50, 0, 'f', 1)
                           .arg(p99, 0, 'f', 1));
        auto line = [](const char* name, const metrics::LatencySummary& l) {
            if (l.count == 0)
                return QStringLiteral("  %1: n/a").arg(QString::fromUtf8(name));
            return QStringLiteral("  %1: p50 %2 ms · p90 %3 · p99 %4 · p99.9 %5 · max %6 (%7 events)")
                .arg(QString::fromUtf8(name))
                .arg(l.p50 / 1000, 0, 'f', 1)
                .arg(l.p90 / 1000, 0, 'f', 1)
                .arg(l.p99 / 1000, 0, 'f', 1)
                .arg(l.p999 / 1000, 0, 'f', 1)
                .arg(l.max / 1000, 0, 'f', 1)
                .arg(l.count);
        };
        c.console.line(line("send → ack      ", snap.sendToAck));
        c.console.line(
            line("ack → persisted ", snap.ackToPersisted) +
            (snap.ackToPersisted.count == 0 ? QStringLiteral(" (needs broker append times)") : QString()));
        c.console.line(line("send → persisted", snap.sendToPersisted));
        c.console.line(ok ? QStringLiteral("  → OK: every acknowledged rating was persisted exactly once")
                          : QStringLiteral("  → FAILED: see missing/duplicates above"));
    }
    if (c.args.isSet(QStringLiteral("metrics"))) {
        metrics::Snapshot withLag = snap;
        if (auto lag = (*pipe)->makeLagMonitor()->pollOnce())
            withLag.lag = *lag;
        std::fputs(metrics::toPrometheus(withLag).constData(), stdout);
    }
    return ok ? kOk : kFailed;
}

} // namespace loadlevel::cli

namespace loadlevel::cli {

namespace {

QString colored(const Console& console, const QString& text, metrics::PartitionStatus s) {
    if (!console.colors())
        return text;
    const char* code = s == metrics::PartitionStatus::Ok     ? "32"
                       : s == metrics::PartitionStatus::Warn ? "33"
                                                             : "31";
    return QStringLiteral("\033[%1m%2\033[0m").arg(QLatin1String(code), text);
}

QString colored(const Console& console, const QString& text, metrics::GroupStatus s) {
    return colored(console, text,
                   s == metrics::GroupStatus::Ok     ? metrics::PartitionStatus::Ok
                   : s == metrics::GroupStatus::Warn ? metrics::PartitionStatus::Warn
                                                     : metrics::PartitionStatus::Stop);
}

QString seconds(double s) {
    return s < 0 ? QStringLiteral("-") : QString::number(s, 'f', 1);
}

QJsonObject lagJson(const metrics::GroupLag& g) {
    QJsonArray parts;
    for (const auto& p : g.partitions)
        parts.append(QJsonObject{{QStringLiteral("partition"), p.partition},
                                 {QStringLiteral("end"), p.end},
                                 {QStringLiteral("committed"), p.committed},
                                 {QStringLiteral("lag"), p.lag},
                                 {QStringLiteral("consume_rate"), p.consumeRate},
                                 {QStringLiteral("lag_seconds"), p.lagSeconds},
                                 {QStringLiteral("oldest_age_seconds"), p.oldestAgeSeconds},
                                 {QStringLiteral("status"), metrics::statusName(p.status)},
                                 {QStringLiteral("reason"), p.reason}});
    return {{QStringLiteral("time"), g.at.toString(Qt::ISODateWithMs)},
            {QStringLiteral("group"), g.group},
            {QStringLiteral("topic"), g.topic},
            {QStringLiteral("members"), g.members},
            {QStringLiteral("kafka_state"), g.state},
            {QStringLiteral("group_protocol"), g.protocol},
            {QStringLiteral("status"), metrics::statusName(g.status)},
            {QStringLiteral("complete"), g.complete},
            {QStringLiteral("total_lag"), g.totalLag},
            {QStringLiteral("consume_rate"), g.consumeRate},
            {QStringLiteral("lag_seconds"), g.lagSeconds},
            {QStringLiteral("error"), g.error},
            {QStringLiteral("partitions"), parts}};
}

void printLag(Console& console, const QList<metrics::GroupLag>& lags, bool redraw) {
    if (console.jsonMode()) {
        for (const auto& g : lags)
            console.json(lagJson(g));
        return;
    }
    QStringList out;
    if (redraw)
        out << QStringLiteral("\033[H\033[2J") +
                   QStringLiteral("loadlevel lag · %1 · Ctrl+C stops")
                       .arg(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss")));
    for (const auto& g : lags) {
        if (!g.error.isEmpty()) {
            out << QStringLiteral("group %1: %2").arg(g.group, g.error);
            continue;
        }
        // Kafka's own state and protocol beside Loadlevel's status: "Stable, consumer protocol".
        QString kafka = g.state.isEmpty() ? QString() : u" · Kafka: " + g.state;
        if (!g.protocol.isEmpty())
            kafka += QStringLiteral(", %1 protocol").arg(g.protocol);
        out << QStringLiteral("group %1 · topic %2 · %3%9 · status %4%5 · lag %6 (%7 s at %8 msg/s)")
                   .arg(g.group, g.topic,
                        g.members < 0 ? QStringLiteral("members unknown")
                                      : QStringLiteral("%1 member(s)").arg(g.members),
                        colored(console, metrics::statusName(g.status), g.status),
                        g.complete ? QString() : QStringLiteral(" (window filling)"))
                   .arg(g.totalLag)
                   .arg(seconds(g.lagSeconds))
                   .arg(g.consumeRate, 0, 'f', 1)
                   .arg(kafka);
        out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7  %8")
                   .arg(u"PARTITION", 9)
                   .arg(u"END", 12)
                   .arg(u"COMMITTED", 12)
                   .arg(u"LAG", 10)
                   .arg(u"RATE/s", 9)
                   .arg(u"LAG s", 8)
                   .arg(u"OLDEST s", 9)
                   .arg(u"STATUS");
        for (const auto& p : g.partitions)
            out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7  %8")
                       .arg(p.partition, 9)
                       .arg(p.end, 12)
                       .arg(p.committed < 0 ? QStringLiteral("-") : QString::number(p.committed), 12)
                       .arg(p.lag, 10)
                       .arg(p.consumeRate, 9, 'f', 1)
                       .arg(seconds(p.lagSeconds), 8)
                       .arg(seconds(p.oldestAgeSeconds), 9)
                       .arg(colored(console, metrics::statusName(p.status), p.status));
        out << QString();
    }
    console.line(out.join(u'\n'));
}

} // namespace

// The groups to report on: the --group values, or every group on the cluster that has committed
// offsets on the topic (the cluster's other groups are someone else's business).
Result<QStringList> groupsOnTopic(Context& c, const kafka::ClientConfig& config) {
    const QStringList given = c.args.values(QStringLiteral("group"));
    auto admin = kafka::Admin::create(config);
    if (!admin)
        return fail(admin.error());
    if (!given.isEmpty()) {
        // A group Kafka does not know has no lag to show: say so instead of a lag of everything.
        // (A cluster that cannot describe groups is taken at its word that the group exists.)
        for (const QString& group : given)
            if (auto d = (*admin)->describeGroup(group); d && d->missing())
                return fail(Error::notFound(
                    QStringLiteral(
                        "consumer group %1 does not exist on the cluster at %2 (`loadlevel-cli lag` "
                        "without --group lists the groups consuming topic %3)")
                        .arg(group, config.bootstrapServers(), c.settings.topic)));
        return given;
    }
    auto all = (*admin)->listGroups();
    if (!all)
        return fail(
            Error{all.error().kind, all.error().message + QStringLiteral(" (name the group with --group)")});
    metrics::LagMonitor::Options o;
    o.topic = c.settings.topic;
    o.groups = *all;
    o.peekOldest = false;
    auto lags = metrics::LagMonitor(config, o).pollOnce();
    if (!lags)
        return fail(lags.error());
    QStringList consuming;
    for (const auto& g : std::as_const(*lags))
        if (std::any_of(g.partitions.begin(), g.partitions.end(),
                        [](const auto& p) { return p.committed >= 0; }))
            consuming << g.group;
    if (consuming.isEmpty())
        return fail(Error::notFound(
            QStringLiteral("no consumer group has committed offsets on topic %1 (name one with --group)")
                .arg(o.topic)));
    return consuming;
}

int runLag(Context& c) {
    auto intervalMs = intOption(c, QStringLiteral("interval"), 1000, 100);
    if (!intervalMs)
        return kUsage;
    auto config = c.settings.clientConfig();
    if (!config) {
        c.console.error(config.error().message);
        return exitFor(config.error());
    }
    metrics::LagMonitor::Options o;
    o.topic = c.settings.topic;
    o.intervalMs = static_cast<int>(*intervalMs);
    auto groups = groupsOnTopic(c, *config);
    if (!groups) {
        c.console.error(groups.error().message);
        return exitFor(groups.error());
    }
    o.groups = *groups;
    metrics::LagMonitor monitor(*config, o);
    if (!c.args.isSet(QStringLiteral("watch"))) {
        auto lags = monitor.pollOnce();
        if (!lags) {
            c.console.error(lags.error().message);
            return exitFor(lags.error());
        }
        printLag(c.console, *lags, false);
        return kOk;
    }
    const bool redraw = c.console.stdoutIsTerminal() && !c.console.jsonMode();
    QObject::connect(
        &monitor, &metrics::LagMonitor::updated, &monitor,
        [&](const QList<metrics::GroupLag>& lags) { printLag(c.console, lags, redraw); },
        Qt::QueuedConnection);
    QObject::connect(
        &monitor, &metrics::LagMonitor::problem, &monitor, [&](const QString& m) { c.console.error(m); },
        Qt::QueuedConnection);
    QTimer interruptCheck;
    QObject::connect(&interruptCheck, &QTimer::timeout, &monitor, [] {
        if (interrupted().load())
            QCoreApplication::quit();
    });
    interruptCheck.start(100);
    monitor.start();
    QCoreApplication::exec();
    monitor.stop();
    return kOk;
}

int runMetrics(Context& c) {
    auto config = c.settings.clientConfig();
    if (!config) {
        c.console.error(config.error().message);
        return exitFor(config.error());
    }
    auto groups = groupsOnTopic(c, *config);
    if (!groups) {
        c.console.error(groups.error().message);
        return exitFor(groups.error());
    }
    metrics::LagMonitor::Options o;
    o.topic = c.settings.topic;
    o.groups = *groups;
    auto lags = metrics::LagMonitor(*config, o).pollOnce();
    if (!lags) {
        c.console.error(lags.error().message);
        return exitFor(lags.error());
    }
    metrics::Snapshot s;
    s.at = QDateTime::currentDateTimeUtc();
    s.lag = *lags;
    std::fputs(
        "# Consumer lag as of one observation (rates and windowed status need `lag --watch` or a running "
        "pipeline; counters and latency histograms come from a running pipeline, e.g. `demo --metrics`).\n",
        stdout);
    std::fputs(metrics::toPrometheus(s, false).constData(), stdout);
    return kOk;
}

} // namespace loadlevel::cli

namespace loadlevel::cli {

namespace {

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

std::optional<double> requiredRate(Context& c, const QString& name) {
    if (!c.args.isSet(name)) {
        c.console.error(QStringLiteral("this profile needs --%1 (events per second)").arg(name));
        return std::nullopt;
    }
    return doubleOption(c, name, 0);
}

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

} // namespace

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

    const QString targetArg = c.args.isSet(QStringLiteral("target")) ? c.args.value(QStringLiteral("target"))
                                                                     : QStringLiteral("kafka");
    const bool verifyAsked = c.args.isSet(QStringLiteral("verify"));
    const bool noVerify = c.args.isSet(QStringLiteral("no-verify"));
    std::unique_ptr<load::Target> target;
    bool verifiable = false;
    if (targetArg == u"kafka") {
        if (c.settings.kafka.isEmpty()) {
            c.console.error(
                QStringLiteral("--target kafka needs --kafka or LOADLEVEL_KAFKA (the embedded pipeline "
                               "is `loadlevel-cli demo`), or give an http:// URL"));
            return kUsage;
        }
        int problem = kOk;
        auto config = producerConfig(c, problem);
        if (!config)
            return problem;
        auto t = load::KafkaTarget::create(*config, c.settings.topic);
        if (!t) {
            c.console.error(t.error().message);
            return exitFor(t.error());
        }
        (void)(*t)->waitUntilReady(std::chrono::seconds(2)); // the schedule starts when it can send
        target = std::move(*t);
        verifiable = true;
    } else {
        auto concurrency = intOption(c, QStringLiteral("concurrency"), 64, 1);
        auto timeout = intOption(c, QStringLiteral("timeout"), 10000, 1);
        if (!concurrency || !timeout)
            return kUsage;
        load::HttpTarget::Options o;
        o.url = QUrl(targetArg);
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
                    c.console.error(QStringLiteral("cannot read the body template %1: %2")
                                        .arg(tpl.mid(1), f.errorString()));
                    return kUsage;
                }
                tpl = QString::fromUtf8(f.readAll()).trimmed();
            }
            o.bodyTemplate = tpl;
        } else if (verifyAsked) {
            o.bodyTemplate = load::BodyTemplate::loadlevelDefault();
        }
        auto t = load::HttpTarget::create(o);
        if (!t) {
            c.console.error(t.error().message);
            return exitFor(t.error());
        }
        verifiable = (*t)->bodyTemplate().tagsRuns();
        if (verifyAsked && !verifiable) {
            c.console.error(QStringLiteral("--verify needs a body template with {{run_id}} and {{run_seq}}"));
            return kUsage;
        }
        target = std::move(*t);
    }
    if (verifyAsked && c.settings.database.isEmpty()) {
        c.console.error(
            QStringLiteral("--verify needs the database the sink writes to (--db or LOADLEVEL_DB)"));
        return kUsage;
    }

    c.console.info(
        QStringLiteral("run: %1, %2 events → %3")
            .arg(plan.profile.describe())
            .arg(plan.profile.totalEvents())
            .arg(targetArg == u"kafka" ? QStringLiteral("Kafka topic %1").arg(c.settings.topic) : targetArg));
    auto report = load::runPlan(
        *target, plan, [&](const load::RunProgress& p) { c.console.progress(progressLine(plan.profile, p)); },
        &interrupted());
    c.console.endProgress();
    target.reset(); // closes connections, flushes the producer
    if (!report) {
        c.console.error(report.error().message);
        return exitFor(report.error());
    }

    if (noVerify) {
        report->verificationNote = QStringLiteral("--no-verify");
    } else if (!verifiable) {
        report->verificationNote =
            QStringLiteral("the request body carries no run tags ({{run_id}}, {{run_seq}})");
    } else if (c.settings.database.isEmpty()) {
        report->verificationNote = QStringLiteral("no database given (--db or LOADLEVEL_DB)");
    } else {
        auto store = store::openStore(c.settings.database, QStringLiteral("cli-run"));
        if (!store) {
            c.console.error(store.error().message);
            report->verificationNote = store.error().message;
        } else {
            auto verified = load::verifyReport(
                *report, **store, std::chrono::seconds(*wait), [&](const load::Verification& v) {
                    c.console.progress(QStringLiteral("verifying: %1 of %2 accepted events persisted")
                                           .arg(v.persisted)
                                           .arg(v.acked));
                    return !interrupted().load();
                });
            c.console.endProgress();
            if (!verified) {
                c.console.error(verified.error().message);
                report->verificationNote = verified.error().message;
            }
        }
    }
    return finishReport(c, *report);
}

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
    c.console.error(QStringLiteral("report needs list, show RUN or compare RUN_A RUN_B"));
    return kUsage;
}

} // namespace loadlevel::cli
