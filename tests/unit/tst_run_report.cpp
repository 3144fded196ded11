// Run reports: JSON and CSV round trips, the runs folder, the side-by-side comparison.
#include "load/capacity.h"
#include "load/omb_export.h"
#include "load/report.h"
#include "load/threshold.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

using namespace loadlevel;
using namespace loadlevel::load;

namespace {
// A run id starts with its start time.
QDateTime startOf(const QString& runId) {
    QDateTime t = QDateTime::fromString(runId.left(15), QStringLiteral("yyyyMMdd-HHmmss"));
    t.setTimeSpec(Qt::UTC);
    return t;
}

RunReport sample(const QString& id, double p99, qint64 accepted, qint64 failed) {
    RunReport r;
    r.manifest.runId = id;
    r.manifest.topic = QStringLiteral("ratings");
    r.manifest.kafka = QStringLiteral("127.0.0.1:9092");
    r.manifest.startedAt = startOf(id);
    r.manifest.finishedAt = r.manifest.startedAt.addMSecs(10000);
    r.manifest.requested = accepted + failed;
    r.manifest.sent = accepted + failed;
    r.manifest.acked = accepted;
    for (qint64 s = 0; s < failed; ++s)
        r.manifest.unacked.push_back(s);
    r.manifest.seed = 99;
    r.profile = Profile::ramp(100, 1900, 10);
    r.target = {{QStringLiteral("kind"), QStringLiteral("http")},
                {QStringLiteral("url"), QStringLiteral("http://127.0.0.1:8080/ratings")},
                {QStringLiteral("concurrency"), 32},
                {QStringLiteral("keep_alive"), true}};
    r.generator = {99, 500, 50, 1.2};
    r.lateAfterMs = 10;
    r.accepted = accepted;
    r.failed = failed;
    r.late = 3;
    r.maxLateMs = 12.5;
    r.sendingSeconds = 9.99;
    r.outcomes = {{QStringLiteral("202"), accepted}};
    if (failed)
        r.outcomes[QStringLiteral("503")] = failed;
    r.response = {accepted, 1.5, 3.0, p99, p99 * 2, p99 * 3, 1.8};
    r.service = {accepted, 1.0, 2.0, p99 / 2, p99, p99 * 2, 1.2};
    r.persist = StageLatency{accepted, 40, 60, 90, 120, 150, 45};
    for (qint64 t = 0; t < 10; ++t)
        r.timeline.push_back(
            {t, 100 + 180 * t, 100 + 180 * t, 100 + 180 * t, 0, t == 5 ? 3 : 0, 1.5, p99, 90 + 180 * t});
    Verification v;
    v.runId = id;
    v.acked = accepted;
    v.persisted = accepted;
    r.verification = v;
    return r;
}
} // namespace

class TestRunReport final : public QObject {
    Q_OBJECT

private slots:
    void roundTripsThroughTheRunsFolder() {
        QTemporaryDir dir;
        RunReport a = sample(QStringLiteral("20261123-020000-aaaa"), 8.0, 10000, 0);
        a.annotations = {{0, QStringLiteral("run started")}, {2.5, QStringLiteral("ceiling 2,000 rows/s")}};
        auto path = a.save(dir.path());
        QVERIFY2(path.has_value(), path ? "" : qPrintable(path.error().message));
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("20261123-020000-aaaa.csv"))));

        auto b = RunReport::load(dir.path(), a.manifest.runId);
        QVERIFY2(b.has_value(), b ? "" : qPrintable(b.error().message));
        QCOMPARE(b->toJson(), a.toJson()); // every field survives
        QCOMPARE(b->profile.describe(), a.profile.describe());
        QCOMPARE(b->timeline.size(), a.timeline.size());
        QCOMPARE(b->timeline[5].late, qint64(3));
        QCOMPARE(b->outcomes.at(QStringLiteral("202")), qint64(10000));
        QCOMPARE(b->annotations.size(), size_t(2));
        QCOMPARE(b->annotations[1].atSeconds, 2.5);
        QCOMPARE(b->annotations[1].label, QStringLiteral("ceiling 2,000 rows/s"));
        QVERIFY(b->text().contains(u"at 2.5 s    ceiling 2,000 rows/s"));
        QVERIFY(b->persist.has_value());
        QCOMPARE(b->persist->p99, 90.0);
        QVERIFY(b->verification && b->verification->ok());
        QVERIFY(b->ok());

        // By path as well as by id; the manifest inside is what `verify` reads.
        QVERIFY(RunReport::load(dir.path(), *path).has_value());
        auto manifest = RunManifest::load(dir.path(), a.manifest.runId);
        QVERIFY(manifest.has_value());
        QCOMPARE(manifest->acked, qint64(10000));

        // A missing run names the folder and what to do.
        auto none = RunReport::load(dir.path(), QStringLiteral("20990101-000000-ffff"));
        QVERIFY(!none.has_value());
        QCOMPARE(none.error().kind, Error::Kind::NotFound);
        QVERIFY(none.error().message.contains(dir.path()));
    }

    void csvHasOneLinePerSecond() {
        const RunReport a = sample(QStringLiteral("20261123-020000-aaaa"), 8.0, 10000, 0);
        const QStringList lines = a.timelineCsv().trimmed().split(u'\n');
        QCOMPARE(lines.size(), 11);
        QCOMPARE(lines[0], QStringLiteral("t_s,due,sent,accepted,failed,late,p50_ms,p99_ms,persisted,lag"));
        QCOMPARE(lines[6], QStringLiteral("5,1000,1000,1000,0,3,1.500,8.000,990,")); // no lag watched
        QTemporaryDir dir;
        QVERIFY(a.saveAs(dir.filePath(QStringLiteral("out/timeline.csv"))).has_value());
        QFile f(dir.filePath(QStringLiteral("out/timeline.csv")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(f.readAll()), a.timelineCsv());
    }

    void listsNewestFirstAndReadsOldManifests() {
        QTemporaryDir dir;
        QVERIFY(sample(QStringLiteral("20261123-010000-aaaa"), 5, 100, 0).save(dir.path()).has_value());
        QVERIFY(sample(QStringLiteral("20261123-030000-cccc"), 5, 100, 0).save(dir.path()).has_value());
        // A manifest written by an older `burst` (no report fields).
        RunManifest old;
        old.runId = QStringLiteral("20261123-020000-bbbb");
        old.requested = old.sent = old.acked = 500;
        old.ratePerSec = 250;
        old.startedAt = startOf(old.runId);
        old.finishedAt = old.startedAt.addSecs(2);
        QVERIFY(old.save(dir.path()).has_value());
        QFile junk(dir.filePath(QStringLiteral("zz-not-a-report.json")));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("{oops");
        junk.close();
        // The drain test's file beside the runs carries a run id, and is not a run.
        QFile drain(dir.filePath(QStringLiteral("drain-20261123-030000-cccc.json")));
        QVERIFY(drain.open(QIODevice::WriteOnly));
        drain.write(
            QJsonDocument(QJsonObject{{QStringLiteral("run_id"), QStringLiteral("20261123-030000-cccc")},
                                      {QStringLiteral("peak_lag"), 10}})
                .toJson());
        drain.close();

        const auto all = RunReport::list(dir.path());
        QCOMPARE(all.size(), size_t(3));
        QCOMPARE(all[0].manifest.runId, QStringLiteral("20261123-030000-cccc"));
        QCOMPARE(all[1].manifest.runId, QStringLiteral("20261123-020000-bbbb"));
        QCOMPARE(all[1].profile.kind, Profile::Kind::Constant);
        QCOMPARE(all[1].profile.totalEvents(), qint64(500));
        QCOMPARE(all[1].accepted, qint64(500));
        QCOMPARE(RunReport::list(dir.path(), 1).size(), size_t(1));
    }

    void compareShowsEachDifferenceAndWhichWayItWent() {
        const RunReport a = sample(QStringLiteral("20261123-020000-aaaa"), 8.0, 10000, 0);
        const RunReport b = sample(QStringLiteral("20261123-030000-bbbb"), 12.0, 9900, 100);
        const QString table = compareReports(a, b);
        const QStringList lines = table.split(u'\n');
        auto lineOf = [&](const QString& name) {
            for (const QString& l : lines)
                if (l.startsWith(name))
                    return l;
            return QString();
        };
        QVERIFY(lines[0].contains(a.manifest.runId) && lines[0].contains(b.manifest.runId));
        QVERIFY2(lineOf(QStringLiteral("response p99")).contains(u"8.00 ms"), qPrintable(table));
        QVERIFY2(lineOf(QStringLiteral("response p99")).contains(u"12.00 ms"), qPrintable(table));
        QVERIFY2(lineOf(QStringLiteral("response p99")).contains(u"+50.0 % (worse)"), qPrintable(table));
        QVERIFY2(lineOf(QStringLiteral("accepted  ")).contains(u"-1.0 % (worse)"), qPrintable(table));
        QVERIFY2(lineOf(QStringLiteral("failed")).contains(u"worse (was 0)"), qPrintable(table));
        QVERIFY2(lineOf(QStringLiteral("late")).endsWith(u'='), qPrintable(table));
        QVERIFY2(lineOf(QStringLiteral("persist p99")).contains(u"90.00 ms"), qPrintable(table));
        QVERIFY(!b.ok());
        QVERIFY(a.ok());
        // The same report against itself: nothing changed.
        for (const QString& l : compareReports(a, a).split(u'\n').mid(3))
            QVERIFY2(l.endsWith(u'='), qPrintable(l));
    }

    void textSaysWhatHappened() {
        RunReport b = sample(QStringLiteral("20261123-030000-bbbb"), 12.0, 9900, 100);
        b.manifest.error = QStringLiteral("100 events failed, most often: 503 (100)");
        const QString t = b.text();
        QVERIFY2(t.contains(u"ramp 100 → 1,900/s over 10 s"), qPrintable(t));
        QVERIFY2(t.contains(u"503 × 100"), qPrintable(t));
        QVERIFY2(t.contains(u"http://127.0.0.1:8080/ratings, 32 connections"), qPrintable(t));
        QVERIFY2(t.contains(u"problem   100 events failed"), qPrintable(t));
        b.verification.reset();
        b.verificationNote = QStringLiteral("the request body carries no run tags");
        QVERIFY(b.text().contains(u"verified  no: the request body carries no run tags"));
    }

    // The expression language: metric, operator, value and unit; each mistake said plainly.
    void thresholdsReadTheirMetricsAndUnits() {
        auto t = Threshold::parse(QStringLiteral(" p99( persist ) < 0.25s "));
        QVERIFY2(t.has_value(), qPrintable(t ? QString() : t.error().message));
        QCOMPARE(t->metric, QStringLiteral("p99(persist)"));
        QCOMPARE(t->op, QStringLiteral("<"));
        QCOMPARE(t->limit, 250.0);
        QCOMPARE(Threshold::parse(QStringLiteral("ratio(late) <= 1%"))->limit, 0.01);
        QCOMPARE(Threshold::parse(QStringLiteral("rate(accepted) >= 950/s"))->limit, 950.0);
        QCOMPARE(Threshold::parse(QStringLiteral("max(response) < 500us"))->limit, 0.5);

        auto typo = Threshold::parse(QStringLiteral("p99(respons) < 250ms"));
        QVERIFY(!typo.has_value());
        QCOMPARE(typo.error().kind, Error::Kind::InvalidArgument);
        QVERIFY2(typo.error().message.contains(u"did you mean p99(response)?"),
                 qPrintable(typo.error().message));
        QVERIFY(typo.error().message.contains(u"ratio(failed|late|unacked|missing|duplicates)"));
        // The pipeline's live measure names point at the run report's.
        QVERIFY(Threshold::parse(QStringLiteral("p99(send_to_persisted) < 1s"))
                    .error()
                    .message.contains(u"did you mean p99(persist)?"));
        QVERIFY(Threshold::parse(QStringLiteral("rate(accepted) > 5ms")).error().message.contains(u"/s"));
        QVERIFY(Threshold::parse(QStringLiteral("missing = 0")).error().message.contains(u"METRIC OP VALUE"));
        QVERIFY(Threshold::parse(QStringLiteral("missing == 1%")).error().message.contains(u"no unit"));
    }

    // Each threshold is measured from the report's own figures; one the run did not measure fails.
    void thresholdsJudgeTheReportsFigures() {
        RunReport r = sample(QStringLiteral("20261202-100000-aaaa"), 8.0, 9000, 1000);
        std::vector<Threshold> ts;
        for (const char* e : {"p99(response) < 10ms", "p99(service) < 3ms", "rate(accepted) >= 900/s",
                              "ratio(failed) <= 10%", "missing == 0", "mean(persist) > 45ms"})
            ts.push_back(*Threshold::parse(QString::fromLatin1(e)));
        r.thresholds = evaluate(ts, r);
        QCOMPARE(r.thresholds.size(), ts.size());
        QCOMPARE(*r.thresholds[0].measured, r.response.p99);
        QVERIFY(r.thresholds[0].passed);
        QCOMPARE(*r.thresholds[1].measured, r.service.p99);
        QVERIFY(!r.thresholds[1].passed); // 4 ms
        QCOMPARE(*r.thresholds[2].measured, 9000 / r.durationSeconds());
        QVERIFY(r.thresholds[2].passed);
        QCOMPARE(*r.thresholds[3].measured, 0.1);
        QVERIFY(r.thresholds[3].passed);
        QCOMPARE(*r.thresholds[4].measured, 0.0);
        QVERIFY(!r.thresholds[5].passed); // equal is not more
        QVERIFY(!r.thresholdsPassed());

        r.verification.reset();
        r.persist.reset();
        r.verificationNote = QStringLiteral("--no-verify");
        const auto unmeasured = evaluate({ts[4], ts[5]}, r);
        for (const auto& u : unmeasured) {
            QVERIFY(!u.passed);
            QVERIFY(!u.measured);
            QVERIFY2(u.note.startsWith(u"not measured"), qPrintable(u.note));
        }

        // Kept in the report file.
        auto back = RunReport::fromJson(QJsonDocument::fromJson(QJsonDocument(r.toJson()).toJson()).object());
        QVERIFY(back.has_value());
        QCOMPARE(back->thresholds.size(), ts.size());
        QCOMPARE(back->thresholds[1].threshold.expression, QStringLiteral("p99(service) < 3ms"));
        QCOMPARE(*back->thresholds[1].measured, r.service.p99);
        QCOMPARE(back->thresholds[1].passed, false);
        QVERIFY(back->text().contains(u"threshold p99(service) < 3ms: 4.0 ms, FAILED"));
    }

    // JUnit XML: one case per threshold plus the verification, failures where they failed.
    void junitHasACasePerThresholdAndTheVerification() {
        RunReport r = sample(QStringLiteral("20261202-110000-bbbb"), 8.0, 10000, 0);
        r.thresholds = evaluate({*Threshold::parse(QStringLiteral("p99(response) < 1ms")),
                                 *Threshold::parse(QStringLiteral("missing == 0"))},
                                r);
        QXmlStreamReader xml(junitXml(r));
        QStringList cases, failed;
        int declaredFailures = -1;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            if (xml.name() == u"testsuite")
                declaredFailures = xml.attributes().value(QStringLiteral("failures")).toInt();
            if (xml.name() == u"testcase")
                cases << xml.attributes().value(QStringLiteral("name")).toString();
            if (xml.name() == u"failure")
                failed << cases.back();
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QCOMPARE(cases, (QStringList{QStringLiteral("verification"),
                                     QStringLiteral("threshold: p99(response) < 1ms"),
                                     QStringLiteral("threshold: missing == 0")}));
        QCOMPARE(failed, QStringList{QStringLiteral("threshold: p99(response) < 1ms")});
        QCOMPARE(declaredFailures, 1);
    }

    // A capacity step: the backlog's slope is the least-squares slope of the lag column over the
    // hold, the first second left out.
    void capacityStepJudgesTheBacklog() {
        RunReport r = sample(QStringLiteral("20261202-120000-cccc"), 8.0, 10000, 0);
        r.manifest.requested = 10000;
        r.sendingSeconds = 10;
        CapacityOptions o;
        o.holdSeconds = 10;
        for (auto& row : r.timeline)
            row.lag = row.t == 0 ? 5000 : 100 + 30 * row.t; // grows 30/s after a first-second spike
        CapacityStep s = judgeStep(r, 1000, o);
        QVERIFY(s.lagWatched);
        QCOMPARE(qRound(s.lagSlope), 30);
        QCOMPARE(s.lagEnd, qint64(100 + 30 * 9));
        QVERIFY2(s.sustained, qPrintable(s.why)); // 3 % of the rate

        for (auto& row : r.timeline)
            row.lag = 200 * row.t;
        s = judgeStep(r, 1000, o);
        QVERIFY(!s.sustained);
        QVERIFY2(s.why.contains(u"backlog growing at 200/s"), qPrintable(s.why));

        o.p99BudgetMs = 5;
        for (auto& row : r.timeline)
            row.lag = -1;
        s = judgeStep(r, 1000, o);
        QVERIFY(!s.lagWatched);
        QVERIFY2(s.why == u"p99 8.0 ms over the budget", qPrintable(s.why));
    }

    // An HTTP run's manifest names its URL and its response latency as what they are; reports
    // written before (URL under "kafka", latency under "ack_*") still read.
    void httpRunsNameTheirFieldsForWhatTheyAre() {
        RunManifest m;
        m.runId = QStringLiteral("20261202-130000-dddd");
        m.url = QStringLiteral("http://127.0.0.1:8080/ratings");
        m.ackP50Ms = 3.5;
        const QJsonObject o = m.toJson();
        QCOMPARE(o.value(u"url").toString(), m.url);
        QVERIFY(!o.contains(u"kafka"));
        QCOMPARE(o.value(u"response_p50_ms").toDouble(), 3.5);
        QVERIFY(!o.contains(u"ack_p50_ms"));
        QCOMPARE(RunManifest::fromJson(o)->url, m.url);
        QCOMPARE(RunManifest::fromJson(o)->ackP50Ms, 3.5);

        QJsonObject old = o;
        old.remove(QStringLiteral("url"));
        old.remove(QStringLiteral("response_p50_ms"));
        old.insert(QStringLiteral("kafka"), m.url);
        old.insert(QStringLiteral("ack_p50_ms"), 2.5);
        const auto read = RunManifest::fromJson(old);
        QCOMPARE(read->url, m.url);
        QVERIFY(read->kafka.isEmpty());
        QCOMPARE(read->ackP50Ms, 2.5);

        m.url.clear();
        m.kafka = QStringLiteral("127.0.0.1:9092");
        QVERIFY(m.toJson().contains(u"kafka") && m.toJson().contains(u"ack_p50_ms"));
    }

    // OpenMessaging Benchmark's result JSON: only OMB's field names, each with the figure it maps.
    void ombExportUsesOmbsFieldsOnly() {
        // The fields of OMB's TestResult (benchmark-framework/.../TestResult.java).
        QStringList omb{QStringLiteral("workload"),
                        QStringLiteral("driver"),
                        QStringLiteral("messageSize"),
                        QStringLiteral("topics"),
                        QStringLiteral("partitions"),
                        QStringLiteral("producersPerTopic"),
                        QStringLiteral("consumersPerTopic"),
                        QStringLiteral("publishRate"),
                        QStringLiteral("publishErrorRate"),
                        QStringLiteral("consumeRate"),
                        QStringLiteral("backlog")};
        for (const char* prefix :
             {"publishLatency", "publishDelayLatency", "aggregatedPublishLatency",
              "aggregatedPublishDelayLatency", "endToEndLatency", "aggregatedEndToEndLatency"})
            for (const char* q :
                 {"Avg", "50pct", "75pct", "95pct", "99pct", "999pct", "9999pct", "99999pct", "Max"})
                omb << QString::fromLatin1(prefix) + QString::fromLatin1(q);
        omb << QStringLiteral("aggregatedPublishLatencyQuantiles")
            << QStringLiteral("aggregatedPublishDelayLatencyQuantiles")
            << QStringLiteral("aggregatedEndToEndLatencyQuantiles");

        RunReport r = sample(QStringLiteral("20261202-140000-eeee"), 8.0, 10000, 0);
        r.service.p75 = 1.7;
        r.service.p9999 = 30;
        const QJsonObject o = ombResult(r);
        for (const QString& key : o.keys())
            QVERIFY2(omb.contains(key), qPrintable(key));
        QCOMPARE(o.value(u"publishRate").toArray().size(), static_cast<qsizetype>(r.timeline.size()));
        QCOMPARE(o.value(u"publishRate").toArray().at(3).toDouble(),
                 static_cast<double>(r.timeline[3].accepted));
        QCOMPARE(o.value(u"consumeRate").toArray().at(3).toDouble(),
                 static_cast<double>(r.timeline[3].persisted));
        // No lag watched: the backlog is what was accepted and not yet persisted.
        QCOMPARE(o.value(u"backlog").toArray().at(3).toInteger(), qint64(40));
        QCOMPARE(o.value(u"aggregatedPublishLatency99pct").toDouble(), r.service.p99);
        QCOMPARE(o.value(u"aggregatedPublishLatency75pct").toDouble(), 1.7);
        QCOMPARE(o.value(u"aggregatedPublishLatency9999pct").toDouble(), 30.0);
        QCOMPARE(o.value(u"aggregatedPublishLatencyQuantiles").toObject().value(u"99.0").toDouble(),
                 r.service.p99);
        QCOMPARE(o.value(u"aggregatedEndToEndLatency50pct").toDouble(), r.persist->p50);
        QCOMPARE(o.value(u"aggregatedPublishDelayLatencyMax").toInteger(), qint64(12500));
        QVERIFY(ombUnmapped(r).join(u'\n').contains(u"database row"));

        // A watched lag is the backlog.
        for (auto& row : r.timeline)
            row.lag = 7 * row.t;
        QCOMPARE(ombResult(r).value(u"backlog").toArray().at(3).toInteger(), qint64(21));
    }
};

QTEST_GUILESS_MAIN(TestRunReport)
#include "tst_run_report.moc"
