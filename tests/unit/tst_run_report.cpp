// Run reports: JSON and CSV round trips, the runs folder, the side-by-side comparison.
#include "load/report.h"

#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
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
        const RunReport a = sample(QStringLiteral("20261123-020000-aaaa"), 8.0, 10000, 0);
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
        QCOMPARE(lines[0], QStringLiteral("t_s,due,sent,accepted,failed,late,p50_ms,p99_ms,persisted"));
        QCOMPARE(lines[6], QStringLiteral("5,1000,1000,1000,0,3,1.500,8.000,990"));
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
};

QTEST_GUILESS_MAIN(TestRunReport)
#include "tst_run_report.moc"
