#include "event/rating_event.h"
#include "load/run_manifest.h"
#include "store/store.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace loadlevel;

namespace {
// Rows of run "r1" with the given sequence numbers, each with its own event id (as when a client
// re-sends a logical event under a new id), stored in a real SQLite store.
void storeSequences(store::Store& st, const QList<qint64>& seqs) {
    store::Batch b;
    b.group = QStringLiteral("g");
    b.topic = QStringLiteral("t");
    qint64 offset = 0;
    for (qint64 seq : seqs) {
        store::RatingRow r;
        r.event.eventId = event::newUuidV7();
        r.event.userId = 1;
        r.event.movieId = 1;
        r.event.rating = 3;
        r.event.eventTime = QDateTime::currentDateTimeUtc();
        r.event.runId = QStringLiteral("r1");
        r.event.runSeq = seq;
        r.partition = 0;
        r.offset = offset++;
        b.rows.push_back(r);
    }
    QVERIFY(st.writeBatch(b).has_value());
}

load::RunManifest manifest(qint64 requested, std::vector<qint64> unacked = {}) {
    load::RunManifest m;
    m.runId = QStringLiteral("r1");
    m.requested = requested;
    m.sent = requested;
    m.acked = requested - static_cast<qint64>(unacked.size());
    m.unacked = std::move(unacked);
    return m;
}
} // namespace

class TestRunManifest final : public QObject {
    Q_OBJECT

private slots:
    void verification_data() {
        QTest::addColumn<qint64>("requested");
        QTest::addColumn<QList<qint64>>("unacked");
        QTest::addColumn<QList<qint64>>("stored");
        QTest::addColumn<qint64>("missing");
        QTest::addColumn<qint64>("duplicates");
        QTest::addColumn<qint64>("unackedPersisted");
        QTest::addRow("all there") << qint64(5) << QList<qint64>{} << QList<qint64>{0, 1, 2, 3, 4}
                                   << qint64(0) << qint64(0) << qint64(0);
        QTest::addRow("two missing") << qint64(5) << QList<qint64>{} << QList<qint64>{0, 2, 4} << qint64(2)
                                     << qint64(0) << qint64(0);
        QTest::addRow("one doubled") << qint64(3) << QList<qint64>{} << QList<qint64>{0, 1, 1, 2} << qint64(0)
                                     << qint64(1) << qint64(0);
        QTest::addRow("foreign seq") << qint64(3) << QList<qint64>{} << QList<qint64>{0, 1, 2, 9} << qint64(0)
                                     << qint64(1) << qint64(0);
        QTest::addRow("unacked absent is fine")
            << qint64(4) << QList<qint64>{3} << QList<qint64>{0, 1, 2} << qint64(0) << qint64(0) << qint64(0);
        QTest::addRow("unacked but landed") << qint64(4) << QList<qint64>{3} << QList<qint64>{0, 1, 2, 3}
                                            << qint64(0) << qint64(0) << qint64(1);
        QTest::addRow("nothing stored")
            << qint64(3) << QList<qint64>{} << QList<qint64>{} << qint64(3) << qint64(0) << qint64(0);
    }
    void verification() {
        QFETCH(qint64, requested);
        QFETCH(QList<qint64>, unacked);
        QFETCH(QList<qint64>, stored);
        QFETCH(qint64, missing);
        QFETCH(qint64, duplicates);
        QFETCH(qint64, unackedPersisted);
        QTemporaryDir dir;
        auto st =
            store::openStore(dir.filePath(QStringLiteral("verify.sqlite")), QStringLiteral("tst-verify"));
        QVERIFY(st.has_value());
        QVERIFY((*st)->migrate().has_value());
        storeSequences(**st, stored);
        auto v = load::verifyRun(**st, manifest(requested, {unacked.begin(), unacked.end()}));
        QVERIFY(v.has_value());
        QCOMPARE(v->missing, missing);
        QCOMPARE(v->duplicates, duplicates);
        QCOMPARE(v->unackedPersisted, unackedPersisted);
        QCOMPARE(v->persisted, qint64(stored.size()));
        QCOMPARE(v->ok(), missing == 0 && duplicates == 0);
    }

    void manifestRoundTripsThroughItsFolder() {
        QTemporaryDir dir;
        load::RunManifest m = manifest(10, {3, 7});
        m.runId = load::newRunId();
        m.topic = QStringLiteral("ratings");
        m.startedAt = QDateTime::fromMSecsSinceEpoch(1795400909123, Qt::UTC);
        m.finishedAt = m.startedAt.addMSecs(2500);
        m.seed = 18446744073709551615ULL; // survives JSON (kept as a string)
        m.ackP99Ms = 12.5;
        auto path = m.save(dir.path() + u"/runs");
        QVERIFY(path.has_value());
        auto back = load::RunManifest::load(dir.path() + u"/runs", m.runId);
        QVERIFY(back.has_value());
        QCOMPARE(back->toJson(), m.toJson());
        QCOMPARE(back->seed, m.seed);
        QCOMPARE(back->unacked, m.unacked);
    }

    void loadRefusesPathsAndReportsMissingRuns() {
        QTemporaryDir dir;
        QCOMPARE(load::RunManifest::load(dir.path(), QStringLiteral("../etc/passwd")).error().kind,
                 Error::Kind::InvalidArgument);
        QCOMPARE(load::RunManifest::load(dir.path(), QStringLiteral("nope")).error().kind,
                 Error::Kind::NotFound);
    }
};

QTEST_GUILESS_MAIN(TestRunManifest)
#include "tst_run_manifest.moc"
