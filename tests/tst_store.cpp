// The store suite, built twice: against SQLite (label unit, no server) and against PostgreSQL
// (label integration). Both backends must behave the same.
#include "store/store.h"
#include "test_support.h"

#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>

using namespace loadlevel;

class TestStore final : public QObject {
    Q_OBJECT

    test::Stack m_stack = test::stack();
    QTemporaryDir m_dir;
    QString m_url;
    std::unique_ptr<store::Store> m_store;

    static store::RatingRow row(const QString& runId, qint64 seq, qint64 movie, double rating, int partition,
                                qint64 offset) {
        store::RatingRow r;
        r.event.eventId = event::newUuidV7();
        r.event.userId = 1 + seq;
        r.event.movieId = movie;
        r.event.rating = rating;
        r.event.eventTime = QDateTime::currentDateTimeUtc();
        r.event.source = QStringLiteral("/test \"quoted\", {braced}");
        r.event.runId = runId;
        r.event.runSeq = seq;
        r.partition = partition;
        r.offset = offset;
        return r;
    }
    // A batch of cluster c1, group g, on this topic.
    static store::Batch batchFor(const QString& topic) {
        store::Batch b;
        b.clusterId = QStringLiteral("c1");
        b.group = QStringLiteral("g");
        b.topic = topic;
        return b;
    }
    qint64 movieCount(qint64 movie) {
        auto s = m_store->movieStats(movie);
        return s && *s ? (*s)->count : -1;
    }

private slots:
    void initTestCase() {
#ifdef LOADLEVEL_STORE_POSTGRES
        LOADLEVEL_REQUIRE_STACK(m_stack);
        m_url = m_stack.db;
#else
        m_url = QStringLiteral("sqlite://") + m_dir.filePath(QStringLiteral("store.sqlite"));
#endif
        auto s = store::openStore(m_url, QStringLiteral("tst-store"));
        QVERIFY2(s.has_value(), s ? "" : qPrintable(s.error().message));
        m_store = std::move(*s);
        auto v = m_store->migrate();
        QVERIFY2(v.has_value(), v ? "" : qPrintable(v.error().message));
    }
    void cleanupTestCase() {
        m_store.reset();
    }

    void migrateIsIdempotent() {
        auto first = m_store->migrate();
        auto second = m_store->migrate();
        QVERIFY(first && second);
        QCOMPARE(*first, *second);
        QCOMPARE(*first, 4);
    }

    void batchIsIdempotentAndCountsOnlyNewRows() {
        const QString topic = test::uniqueName(QStringLiteral("store"));
        const QString run = test::uniqueName(QStringLiteral("run"));
        const qint64 movieA = QDateTime::currentMSecsSinceEpoch();
        const qint64 movieB = movieA + 1;
        store::Batch b = batchFor(topic);
        b.rows = {row(run, 0, movieA, 4.5, 0, 10), row(run, 1, movieA, 3.0, 0, 11),
                  row(run, 2, movieB, 0.5, 1, 7)};
        b.offsets = {{0, 12}, {1, 8}};
        auto first = m_store->writeBatch(b);
        QVERIFY2(first.has_value(), first ? "" : qPrintable(first.error().message));
        QCOMPARE(first->inserted, qint64(3));
        QCOMPARE(first->duplicates, qint64(0));
        QCOMPARE(movieCount(movieA), qint64(2));
        QCOMPARE((*m_store->movieStats(movieA))->average, 3.75);
        QVERIFY(!m_store->movieStats(-5)->has_value());
        auto recent = m_store->recentMovieStats(10); // the stats tab: both movies, with their numbers
        QVERIFY2(recent.has_value(), recent ? "" : qPrintable(recent.error().message));
        const auto a = std::ranges::find(*recent, movieA, &store::MovieStats::movieId);
        QVERIFY(a != recent->end());
        QCOMPARE(a->count, qint64(2));
        QCOMPARE(a->average, 3.75);
        QVERIFY(a->updatedAt.isValid());
        QVERIFY(std::ranges::find(*recent, movieB, &store::MovieStats::movieId) != recent->end());

        // The same events again (a redelivery after a crash): nothing new, stats unchanged.
        b.offsets = {{0, 12, 12}, {1, 8, 8}};
        auto second = m_store->writeBatch(b);
        QVERIFY(second.has_value());
        QCOMPARE(second->inserted, qint64(0));
        QCOMPARE(second->duplicates, qint64(3));
        QCOMPARE(movieCount(movieA), qint64(2));
        QCOMPARE(*m_store->countRatings(run), qint64(3));
        auto stored = m_store->findRating(b.rows[0].event.eventId);
        QVERIFY(stored && stored->has_value());
        QCOMPARE((*stored)->row.event, b.rows[0].event); // every field, quotes and braces included
        QCOMPARE((*stored)->topic, topic);
        QCOMPARE((*stored)->row.offset, qint64(10));
        QVERIFY((*stored)->persistedAt >= b.rows[0].event.eventTime.addSecs(-1));
        auto latencies = m_store->runLatenciesMs(run);
        QVERIFY(latencies.has_value());
        QCOMPARE(latencies->size(), size_t(3));
        QVERIFY(!m_store->findRating(QUuid::createUuid())->has_value());

        auto offsets = m_store->storedOffsets(QStringLiteral("c1"), QStringLiteral("g"), topic);
        QVERIFY(offsets.has_value());
        QCOMPARE(*offsets, (std::map<int, qint64>{{0, 12}, {1, 8}}));
        QVERIFY(m_store->storedOffsets(QStringLiteral("c1"), QStringLiteral("other-group"), topic)->empty());
        // Another cluster's log (a re-created cluster, a new embedded one) starts from scratch.
        QVERIFY(m_store->storedOffsets(QStringLiteral("c2"), QStringLiteral("g"), topic)->empty());
        QVERIFY(m_store->forgetOffsets(QStringLiteral("c1"), QStringLiteral("g"), topic).has_value());
        QVERIFY(m_store->storedOffsets(QStringLiteral("c1"), QStringLiteral("g"), topic)->empty());
    }

    // A plain producer's event: no source, no run, so NULLs; and text beyond ASCII. Each field
    // comes back as it went in (PostgreSQL: through the binary COPY of the staging table).
    void eventsWithoutRunOrSourceKeepEveryField() {
        const QString topic = test::uniqueName(QStringLiteral("store"));
        store::Batch b = batchFor(topic);
        store::RatingRow plain = row(QString(), -1, 77, 5.0, 3, 1'000'000'000'000);
        plain.event.source.clear();
        plain.event.runSeq = -1;
        plain.event.userId = 42;
        plain.event.eventTime = QDateTime(QDate(1999, 12, 31), QTime(23, 59, 59, 999), Qt::UTC);
        store::RatingRow text = row(QStringLiteral("run-ü-★"), 0, 78, 0.5, 3, 1'000'000'000'001);
        text.event.source = QStringLiteral("/tést/★ \\ \"q\"");
        b.rows = {plain, text};
        auto r = m_store->writeBatch(b);
        QVERIFY2(r.has_value(), r ? "" : qPrintable(r.error().message));
        QCOMPARE(r->inserted, qint64(2));
        for (const auto& sent : b.rows) {
            auto stored = m_store->findRating(sent.event.eventId);
            QVERIFY(stored && stored->has_value());
            QCOMPARE((*stored)->row.event, sent.event);
            QCOMPARE((*stored)->row.partition, 3);
            QCOMPARE((*stored)->row.offset, sent.offset);
        }
    }

    // Every rating value, then a batch that mixes stored events, new ones and one event twice, then
    // new ones again (PostgreSQL: the first and last batch are copied straight into ratings, the
    // mixed one goes through the staging table). Counts, per-row answers and stats stay exact.
    void everyRatingAndMixedBatchesCountExactly() {
        const QString topic = test::uniqueName(QStringLiteral("store"));
        const QString run = test::uniqueName(QStringLiteral("run"));
        const qint64 movie = QDateTime::currentMSecsSinceEpoch() + 11;
        store::Batch b = batchFor(topic);
        for (int halves = 1; halves <= 10; ++halves)
            b.rows.push_back(row(run, halves, movie, halves / 2.0, 0, halves));
        auto first = m_store->writeBatch(b);
        QVERIFY2(first.has_value(), first ? "" : qPrintable(first.error().message));
        QCOMPARE(first->inserted, qint64(10));
        QCOMPARE(first->newRows, std::vector<bool>(10, true));
        for (const auto& sent : b.rows) {
            auto stored = m_store->findRating(sent.event.eventId);
            QVERIFY(stored && stored->has_value());
            QCOMPARE((*stored)->row.event.rating, sent.event.rating);
        }
        QCOMPARE(movieCount(movie), qint64(10));
        QCOMPARE((*m_store->movieStats(movie))->average, 2.75);

        const store::RatingRow stored = b.rows[3];
        const store::RatingRow fresh = row(run, 20, movie, 4.5, 0, 20);
        store::RatingRow twice = row(run, 21, movie, 1.0, 0, 21);
        store::RatingRow again = twice;
        again.offset = 22;
        b.rows = {stored, fresh, twice, again};
        auto mixed = m_store->writeBatch(b);
        QVERIFY2(mixed.has_value(), mixed ? "" : qPrintable(mixed.error().message));
        QCOMPARE(mixed->inserted, qint64(2));
        QCOMPARE(mixed->duplicates, qint64(2));
        QCOMPARE(mixed->newRows.size(), size_t(4));
        QVERIFY(!mixed->newRows[0]);
        QVERIFY(mixed->newRows[1]);
        QVERIFY(mixed->newRows[2] != mixed->newRows[3]); // one of the two copies is the new row
        QCOMPARE(movieCount(movie), qint64(12));
        QCOMPARE((*m_store->movieStats(movie))->average, (27.5 + 4.5 + 1.0) / 12);

        b.rows = {row(run, 30, movie, 5.0, 1, 1), row(run, 31, movie + 1, 0.5, 1, 2)};
        auto last = m_store->writeBatch(b);
        QVERIFY2(last.has_value(), last ? "" : qPrintable(last.error().message));
        QCOMPARE(last->inserted, qint64(2));
        QCOMPARE(last->duplicates, qint64(0));
        QCOMPARE(movieCount(movie), qint64(13));
        QCOMPARE(movieCount(movie + 1), qint64(1));
        QCOMPARE(*m_store->countRatings(run), qint64(14));
    }

    void ratingsArePagedByKeysetNewestFirst() {
        const QString topic = test::uniqueName(QStringLiteral("store"));
        const QString run = test::uniqueName(QStringLiteral("run"));
        const qint64 movie = QDateTime::currentMSecsSinceEpoch() + 7;
        store::Batch b = batchFor(topic);
        for (int i = 0; i < 25; ++i)
            b.rows.push_back(row(run, i, i % 2 ? movie : movie + 1, 0.5 * (1 + i % 10), 0, i));
        QVERIFY(m_store->writeBatch(b).has_value());

        store::RatingFilter f;
        f.runId = run;
        QList<qint64> seen;
        qint64 cursor = 0;
        for (int page = 0; page < 10; ++page) {
            auto rows = m_store->ratingsPage(f, 10, cursor);
            QVERIFY2(rows.has_value(), rows ? "" : qPrintable(rows.error().message));
            if (rows->empty())
                break;
            for (const auto& r : *rows) {
                QVERIFY(cursor == 0 || r.rowId < cursor); // strictly older than the previous page
                seen << r.row.event.runSeq;
            }
            cursor = rows->back().rowId;
        }
        QCOMPARE(seen.size(), 25); // every row exactly once, across three pages of 10, 10, 5
        QCOMPARE(QSet<qint64>(seen.begin(), seen.end()).size(), 25);
        QCOMPARE(seen.first(), qint64(24)); // newest first

        f.movieId = movie;
        auto odd = m_store->ratingsPage(f, 100);
        QVERIFY(odd.has_value());
        QCOMPARE(odd->size(), size_t(12));
        for (const auto& r : *odd)
            QCOMPARE(r.row.event.movieId, movie);
        f.movieId.reset();
        f.rating = 5.0;
        QCOMPARE(m_store->ratingsPage(f, 100)->size(), size_t(2)); // seq 9 and 19
        f.rating.reset();
        f.persistedFrom = QDateTime::currentDateTimeUtc().addSecs(60);
        QVERIFY(m_store->ratingsPage(f, 100)->empty());
    }

    void offsetsMoveOnlyFromTheValueTheWriterExpects() {
        // Two writers that both believe they own partition 0 (one missed a rebalance): the
        // first one's batch goes in, the second one's is refused whole, and says which partition.
        const QString topic = test::uniqueName(QStringLiteral("store"));
        const QString run = test::uniqueName(QStringLiteral("run"));
        // A movie no other test uses (ids from the clock collided with the keyset test's rows).
        const qint64 movie = 9000000000000 + QRandomGenerator::global()->bounded(1000000000);
        store::Batch b = batchFor(topic);
        b.rows = {row(run, 0, movie, 4.0, 0, 0)};
        b.offsets = {{0, 1, -1}};
        auto first = m_store->writeBatch(b);
        QVERIFY2(first.has_value(), first ? "" : qPrintable(first.error().message));
        QVERIFY(first->fenced.empty());
        QCOMPARE(first->inserted, qint64(1));

        b.rows = {row(run, 1, movie, 3.0, 0, 1)};
        b.offsets = {{0, 2, -1}}; // believes nothing is stored yet
        auto zombie = m_store->writeBatch(b);
        QVERIFY2(zombie.has_value(), zombie ? "" : qPrintable(zombie.error().message));
        QCOMPARE(zombie->fenced, std::vector<int>{0});
        QCOMPARE(zombie->inserted, qint64(0));
        QCOMPARE(*m_store->countRatings(run), qint64(1));
        QCOMPARE(movieCount(movie), qint64(1));

        // One fenced partition refuses the whole batch, the good partition's part included.
        b.offsets = {{0, 2, 1}, {1, 5, 4}};
        auto mixed = m_store->writeBatch(b);
        QVERIFY(mixed.has_value());
        QCOMPARE(mixed->fenced, std::vector<int>{1});
        QCOMPARE(*m_store->countRatings(run), qint64(1));
        auto stored = m_store->storedOffsets(QStringLiteral("c1"), QStringLiteral("g"), topic);
        QVERIFY(stored.has_value());
        QCOMPARE(*stored, (std::map<int, qint64>{{0, 1}}));

        // From the value read back, the writer goes on.
        b.offsets = {{0, 2, 1}};
        auto again = m_store->writeBatch(b);
        QVERIFY(again.has_value());
        QVERIFY(again->fenced.empty());
        QCOMPARE(again->inserted, qint64(1));
        QCOMPARE(*m_store->storedOffsets(QStringLiteral("c1"), QStringLiteral("g"), topic),
                 (std::map<int, qint64>{{0, 2}}));
    }

    void failedBatchLeavesNothingBehind() {
        const QString topic = test::uniqueName(QStringLiteral("store"));
        const QString run = test::uniqueName(QStringLiteral("run"));
        store::Batch b = batchFor(topic);
        b.rows = {row(run, 0, 5, 4.0, 0, 0), row(run, 1, 5, 7.0, 0, 1)}; // 7 breaks the table's CHECK
        b.offsets = {{0, 2}};
        store::DeadLetter dl;
        dl.topic = topic;
        dl.partition = 0;
        dl.offset = 3;
        dl.value = "x";
        dl.reason = QStringLiteral("test");
        b.deadLetters = {dl};
        auto r = m_store->writeBatch(b);
        QVERIFY(!r.has_value());
        QVERIFY2(r.error().message.contains(u"check", Qt::CaseInsensitive), qPrintable(r.error().message));
        QCOMPARE(*m_store->countRatings(run), qint64(0));
        QVERIFY(m_store->storedOffsets(QStringLiteral("c1"), QStringLiteral("g"), topic)->empty());
        QVERIFY(m_store->deadLetters(topic, 10)->empty());
        // and the store is usable afterwards
        QVERIFY(m_store->countRatings({}).has_value());
    }

    void deadLettersKeepRawBytesAndReason() {
        const QString topic = test::uniqueName(QStringLiteral("store"));
        store::Batch b = batchFor(topic);
        store::DeadLetter dl;
        dl.topic = topic;
        dl.partition = 2;
        dl.offset = 40;
        static constexpr char kHostile[] = "\xff\x00'); DROP TABLE ratings;--";
        dl.value = QByteArray(kHostile, sizeof(kHostile) - 1);
        dl.headers = {{"ce_id", "x"}};
        dl.reason = QStringLiteral("value is not valid UTF-8");
        b.deadLetters = {dl, dl}; // the same coordinates twice: stored once
        b.offsets = {{2, 41}};
        auto r = m_store->writeBatch(b);
        QVERIFY2(r.has_value(), r ? "" : qPrintable(r.error().message));
        QCOMPARE(r->deadLetters, qint64(1));
        auto rows = m_store->deadLetters(topic, 10);
        QVERIFY(rows.has_value());
        QCOMPARE(rows->size(), size_t(1));
        QCOMPARE(rows->front().value, dl.value);
        QCOMPARE(rows->front().reason, dl.reason);
        QCOMPARE(rows->front().offset, qint64(40));
        QVERIFY(m_store->countRatings({}).has_value()); // the table is still there
    }

    // A re-created cluster (a new embedded session on the same database, a topic deleted and made
    // again) starts its offsets at 0 again: its dead letters at coordinates an earlier cluster used
    // are new ones, kept; the same cluster's again are duplicates, stored once.
    void deadLettersOfAnotherClusterAtTheSameOffsetAreKept() {
        const QString topic = test::uniqueName(QStringLiteral("store"));
        auto write = [&](const QString& cluster, const QByteArray& value) {
            store::Batch b;
            b.clusterId = cluster;
            b.group = QStringLiteral("g");
            b.topic = topic;
            store::DeadLetter dl;
            dl.topic = topic;
            dl.partition = 0;
            dl.offset = 5;
            dl.value = value;
            dl.reason = QStringLiteral("not JSON");
            b.deadLetters = {dl}; // no offsets: the same batch again is not fenced, only deduplicated
            auto r = m_store->writeBatch(b);
            return r ? r->deadLetters : qint64(-1);
        };
        QCOMPARE(write(QStringLiteral("cluster-a"), "first"), qint64(1));
        QCOMPARE(write(QStringLiteral("cluster-b"), "second"), qint64(1));
        QCOMPARE(write(QStringLiteral("cluster-b"), "second"), qint64(0));
        auto rows = m_store->deadLetters(topic, 10);
        QVERIFY(rows.has_value());
        QCOMPARE(rows->size(), size_t(2));
        QCOMPARE(rows->front().value, QByteArray("second")); // newest first
    }

#ifdef LOADLEVEL_STORE_POSTGRES
    void aWriterFrozenInsideItsCopyIsEndedByTheNextOne() {
        // A sink process frozen in the middle of a batch's COPY (SIGSTOP, a paused VM) leaves its
        // server session waiting for data, which no server timeout ends, with its row locks held.
        // Here that client is psql, left in a COPY FROM STDIN whose data never comes, after it
        // locked the offsets row of partition 0 in its transaction.
        const QString topic = test::uniqueName(QStringLiteral("store"));
        const QString run = test::uniqueName(QStringLiteral("run"));
        store::Batch b = batchFor(topic);
        b.rows = {row(run, 0, 5, 4.0, 0, 0)};
        b.offsets = {{ 0, 1, -1 }};
        QVERIFY(m_store->writeBatch(b).has_value());
        const QString psqlPath = QStandardPaths::findExecutable(QStringLiteral("psql"));
        QVERIFY2(!psqlPath.isEmpty(), "psql (PostgreSQL's client, installed with the stack) is needed");
        QProcess psql;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PGAPPNAME"), QStringLiteral("loadlevel")); // as the sink's sessions
        psql.setProcessEnvironment(env);
        psql.start(psqlPath, {QStringLiteral("-q"), QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"),
                              QStringLiteral("-d"), m_url});
        QVERIFY(psql.waitForStarted(10000));
        psql.write(QStringLiteral("BEGIN;\nUPDATE kafka_offsets SET updated_at = now() WHERE topic = '%1';\n"
                                  "COPY ratings (event_id) FROM STDIN;\n")
                       .arg(topic)
                       .toUtf8());
        const QString stuck = QStringLiteral(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'loadlevel' AND state = "
            "'active' AND wait_event = 'ClientRead' AND query LIKE 'COPY ratings (event_id) FROM STDIN%'");
        QTRY_COMPARE_WITH_TIMEOUT(test::scalar(m_url, stuck).toInt(), 1, 20000);

        // The next writer of partition 0 waits for that row, gives up after its lock_timeout, ends
        // the stuck session and says so; its next attempt goes through.
        b.rows = {row(run, 1, 5, 4.0, 0, 1)};
        b.offsets = {{ 0, 2, 1 }};
        auto blocked = m_store->writeBatch(b);
        QVERIFY(!blocked.has_value());
        QVERIFY2(blocked.error().message.contains(u"ended 1 Loadlevel session"),
                 qPrintable(blocked.error().message));
        QVERIFY(blocked.error().isRetriable());
        QTRY_COMPARE_WITH_TIMEOUT(test::scalar(m_url, stuck).toInt(), 0, 10000); // ended, not only told to
        psql.closeWriteChannel();
        QVERIFY(psql.waitForFinished(10000));
        QVERIFY(psql.exitCode() != 0); // its session was ended under it
        auto retried = m_store->writeBatch(b);
        QVERIFY2(retried.has_value(), retried ? "" : qPrintable(retried.error().message));
        QVERIFY(retried->fenced.empty());
        QCOMPARE(retried->inserted, qint64(1));
        QCOMPARE(*m_store->storedOffsets(QStringLiteral("c1"), QStringLiteral("g"), topic),
                 (std::map<int, qint64>{
                     { 0,
                       2 }}));
    }

    void unreachableDatabaseIsRetriable() {
        auto s = store::openStore(QStringLiteral("postgresql://nobody@127.0.0.1:1/none"),
                                  QStringLiteral("tst-unreachable"));
        QVERIFY(s.has_value());
        auto r = (*s)->countRatings({});
        QVERIFY(!r.has_value());
        QVERIFY(r.error().isRetriable());
        QVERIFY(r.error().message.contains(u"127.0.0.1:1"));
    }
#else
    void unwritableFileIsAnError() {
        auto s = store::openStore(QStringLiteral("sqlite:///proc/no/such/dir/x.sqlite"),
                                  QStringLiteral("tst-unwritable"));
        QVERIFY(s.has_value());
        auto r = (*s)->migrate();
        QVERIFY(!r.has_value());
        QVERIFY(r.error().message.contains(u"/proc/no/such/dir"));
    }

    void urlsAreParsed_data() {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("describes");
        QTest::addRow("sqlite url") << QStringLiteral("sqlite:///tmp/a.sqlite") << true
                                    << QStringLiteral("SQLite /tmp/a.sqlite");
        QTest::addRow("bare path") << QStringLiteral("/tmp/b.sqlite") << true
                                   << QStringLiteral("SQLite /tmp/b.sqlite");
        QTest::addRow("postgres") << QStringLiteral("postgresql://u@h:5/db") << true
                                  << QStringLiteral("PostgreSQL h:5/db");
        QTest::addRow("postgres no db") << QStringLiteral("postgresql://u@h:5") << false << QString();
        QTest::addRow("mysql") << QStringLiteral("mysql://u@h/db") << false << QString();
        QTest::addRow("empty") << QString() << false << QString();
    }
    void urlsAreParsed() {
        QFETCH(QString, url);
        QFETCH(bool, ok);
        QFETCH(QString, describes);
        auto s = store::openStore(url, QStringLiteral("tst-url"));
        QCOMPARE(s.has_value(), ok);
        if (ok)
            QCOMPARE((*s)->describe(), describes);
        else
            QVERIFY(!s.error().message.isEmpty());
    }
#endif
};

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
