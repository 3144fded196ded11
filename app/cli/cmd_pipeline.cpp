// Commands that run the pipeline in this process: demo, sink, serve.
#include "commands.h"
#include "ingest/service.h"
#include "kafka/sink.h"
#include "load/runner.h"
#include "metrics/lag_monitor.h"
#include "metrics/prometheus.h"
#include "options.h"
#include "pipeline/pipeline.h"
#include "store/store.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QThread>
#include <QTimer>

namespace loadlevel::cli {

namespace {

// The recorder once every persisted row's send→persisted latency is in it (the sink records them
// right after its commit, so a snapshot taken the moment the rows are visible may miss the last
// batch); at most 2 s.
metrics::Snapshot settledSnapshot(const metrics::Recorder& recorder) {
    QElapsedTimer waited;
    waited.start();
    metrics::Snapshot snap = recorder.snapshot();
    while (snap.sendToPersisted.count < snap.totals.persisted && waited.elapsed() < 2000) {
        QThread::msleep(10);
        snap = recorder.snapshot();
    }
    return snap;
}

struct Throughput {
    double ackedPerSec = 0;
    double persistedPerSec = 0;
};

QString latencyLine(const char* name, const metrics::LatencySummary& l) {
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
}

QJsonObject latencyJson(const metrics::LatencySummary& l) {
    return QJsonObject{{QStringLiteral("count"), l.count},         {QStringLiteral("p50_ms"), l.p50 / 1000},
                       {QStringLiteral("p90_ms"), l.p90 / 1000},   {QStringLiteral("p99_ms"), l.p99 / 1000},
                       {QStringLiteral("p999_ms"), l.p999 / 1000}, {QStringLiteral("max_ms"), l.max / 1000}};
}

// The demo's summary. Its latencies are the pipeline's histograms (the README defines each); the
// end-to-end figure is send→persisted.
void printDemoSummary(Context& c, const load::RunManifest& manifest, const load::Verification& v,
                      const metrics::Snapshot& snap, Throughput t, bool ok) {
    if (c.console.jsonMode()) {
        QJsonObject o = v.toJson();
        o.insert(QStringLiteral("mode"), c.settings.mode());
        o.insert(QStringLiteral("sent"), manifest.sent);
        o.insert(QStringLiteral("acked_per_sec"), t.ackedPerSec);
        o.insert(QStringLiteral("persisted_per_sec"), t.persistedPerSec);
        o.insert(QStringLiteral("e2e_p50_ms"), snap.sendToPersisted.p50 / 1000); // send→persisted
        o.insert(QStringLiteral("e2e_p99_ms"), snap.sendToPersisted.p99 / 1000);
        o.insert(QStringLiteral("ok"), ok);
        o.insert(QStringLiteral("send_to_ack"), latencyJson(snap.sendToAck));
        o.insert(QStringLiteral("ack_to_persisted"), latencyJson(snap.ackToPersisted));
        o.insert(QStringLiteral("send_to_persisted"), latencyJson(snap.sendToPersisted));
        c.console.json(o);
        return;
    }
    c.console.line(QStringLiteral("run %1 (%2 mode)").arg(manifest.runId, c.settings.mode()));
    c.console.line(QStringLiteral("  sent %1 · acknowledged %2 · persisted %3 · missing %4 · duplicates %5")
                       .arg(manifest.sent)
                       .arg(manifest.acked)
                       .arg(v.persisted)
                       .arg(v.missing)
                       .arg(v.duplicates));
    c.console.line(QStringLiteral("  throughput: %1 events/s into Kafka, %2 rows/s end to end")
                       .arg(rate(t.ackedPerSec), rate(t.persistedPerSec)));
    c.console.line(latencyLine("send → ack      ", snap.sendToAck));
    c.console.line(
        latencyLine("ack → persisted ", snap.ackToPersisted) +
        (snap.ackToPersisted.count == 0 ? QStringLiteral(" (needs broker append times)") : QString()));
    c.console.line(latencyLine("send → persisted", snap.sendToPersisted) + QStringLiteral(" ← end to end"));
    c.console.line(ok ? QStringLiteral("  → OK: every acknowledged rating was persisted exactly once")
                      : QStringLiteral("  → FAILED: see missing/duplicates above"));
}

struct SinkArgs {
    kafka::SinkOptions sink;
    qint64 idleSec = 0; // --exit-when-idle
};

// sink's options, checked; nullopt (said why) on a bad value.
std::optional<SinkArgs> sinkOptionsFromArgs(Context& c) {
    auto members = intOption(c, QStringLiteral("members"), 1, 1);
    auto batchRows = intOption(c, QStringLiteral("batch-rows"), 5000, 1);
    auto batchMs = intOption(c, QStringLiteral("batch-ms"), 50, 1);
    auto idle = intOption(c, QStringLiteral("exit-when-idle"), 0, 0);
    auto ceiling = rateOption(c, QStringLiteral("max-rows-per-sec"));
    if (!members || !batchRows || !batchMs || !ceiling || !idle)
        return std::nullopt;
    SinkArgs a;
    a.sink.topic = c.settings.topic;
    a.sink.group = c.settings.group;
    a.sink.groupProtocol = c.settings.groupProtocol;
    a.sink.members = static_cast<int>(*members);
    a.sink.batchRows = static_cast<int>(*batchRows);
    a.sink.batchMs = static_cast<int>(*batchMs);
    a.sink.maxRowsPerSec = *ceiling;
    a.idleSec = *idle;
    return a;
}

// The sink's live line (or JSON object): rows, rate, send→persisted p99, assignments, database.
void printSinkProgress(Context& c, const kafka::SinkStatus& s, double perSec, double p99Ms) {
    QStringList parts;
    for (const auto& a : s.assignments) {
        QStringList ids;
        for (int p : a)
            ids << QString::number(p);
        parts << u'[' + ids.join(u',') + u']';
    }
    if (c.console.jsonMode()) {
        c.console.json({{QStringLiteral("persisted"), s.persisted},
                        {QStringLiteral("send_to_persisted_p99_ms"), p99Ms},
                        {QStringLiteral("persisted_per_sec"), perSec},
                        {QStringLiteral("consumed"), s.consumed},
                        {QStringLiteral("duplicates"), s.duplicates},
                        {QStringLiteral("dead_letters"), s.deadLetters},
                        {QStringLiteral("database_up"), s.databaseUp},
                        {QStringLiteral("assignments"), parts.join(u' ')}});
        return;
    }
    c.console.progress(
        QStringLiteral("persisted %1 (%2 rows/s, p99 %7 ms send→persisted) · duplicates skipped %3 · "
                       "dead letters %4 · partitions %5 · database %6")
            .arg(s.persisted)
            .arg(rate(perSec))
            .arg(s.duplicates)
            .arg(s.deadLetters)
            .arg(parts.join(u' '))
            .arg(s.databaseUp ? QStringLiteral("up") : QStringLiteral("DOWN"))
            .arg(p99Ms, 0, 'f', 1));
}

} // namespace

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
    // The rows are in the database; the sink records their latencies just after its commit.
    const metrics::Snapshot snap = settledSnapshot((*pipe)->recorder());
    const double sendSec = std::max(0.001, manifest->startedAt.msecsTo(manifest->finishedAt) / 1000.0);
    const bool ok = v->ok() && manifest->acked == manifest->requested;
    printDemoSummary(c, *manifest, *v, snap, {manifest->acked / sendSec, v->persisted / totalSec}, ok);
    if (c.args.isSet(QStringLiteral("metrics"))) {
        metrics::Snapshot withLag = snap;
        if (auto lag = (*pipe)->makeLagMonitor()->pollOnce())
            withLag.lag = *lag;
        std::fputs(metrics::toPrometheus(withLag).constData(), stdout);
    }
    if (interrupted().load())
        return kInterrupted; // what was done is printed above
    return ok ? kOk : kFailed;
}

int runSink(Context& c) {
    auto options = sinkOptionsFromArgs(c);
    if (!options)
        return kUsage;
    kafka::SinkOptions& opt = options->sink;
    int problem = kOk;
    auto config = clientConfig(c, problem);
    if (!config)
        return problem;
    if (auto created = ensureTopic(c, *config); !created) {
        c.console.error(created.error().message);
        return exitFor(created.error());
    }
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
            printSinkProgress(c, s, perSec, snap.sendToPersisted.p99 / 1000.0);
            if (options->idleSec > 0 && s.consumed > 0 && now - lastActivityMs >= options->idleSec * 1000)
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

} // namespace loadlevel::cli
