// Verifying someone else's pipeline: a small rating service built like the seeds (POST → its own
// queue → its own subscriber → its own PostgreSQL table, in Python with psycopg: not Loadlevel's
// sink), started by the test, loaded by `loadlevel-cli run --verify-table`. The report's missing,
// duplicates and persisted counts are checked against the table itself, and a service that loses
// and doubles ratings on purpose is caught.
#include "load/report.h"
#include "test_support.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

using namespace loadlevel;

namespace {

const QString kBody = QStringLiteral(
    "{\"requestId\":\"{{event_id}}\",\"userId\":{{user_id}},\"movieId\":{{movie_id}},\"stars\":{{rating}}}");

quint16 freePort() {
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost);
    return probe.serverPort();
}

} // namespace

class TestTheirPipeline final : public QObject {
    Q_OBJECT

    test::Stack m_stack;
    QTemporaryDir m_dir;
    std::vector<std::unique_ptr<QProcess>> m_services;

    // Starts the rating service on a table of its own; its URL, or empty after a failure.
    QString startService(const QString& table, const QStringList& extra = {}) {
        const quint16 port = freePort();
        auto p = std::make_unique<QProcess>();
        p->setProcessChannelMode(QProcess::MergedChannels);
        p->start(QStringLiteral(LOADLEVEL_SOURCE_DIR "/tests/tools/rating-service"),
                 QStringList{QStringLiteral("--port"), QString::number(port), QStringLiteral("--db"),
                             m_stack.db, QStringLiteral("--table"), table} +
                     extra);
        QByteArray out;
        while (!out.contains("listening on") && p->waitForReadyRead(180000))
            out += p->readAll();
        if (!out.contains("listening on")) {
            qWarning() << "rating-service:" << out;
            return {};
        }
        m_services.push_back(std::move(p));
        return QStringLiteral("http://127.0.0.1:%1/ratings").arg(port);
    }

    test::CliJson run(const QStringList& args) {
        return test::runCliJson(QStringList{QStringLiteral("run")} + args,
                                {u"LOADLEVEL_RUNS_DIR=" + m_dir.filePath(QStringLiteral("runs"))}, 300000);
    }

    qint64 count(const QString& sql) { return test::scalar(m_stack.db, sql).toLongLong(); }

private slots:
    void initTestCase() {
        m_stack = test::stack();
        LOADLEVEL_REQUIRE_STACK(m_stack);
        QVERIFY(m_dir.isValid());
    }

    void cleanupTestCase() {
        for (auto& p : m_services) {
            p->kill();
            p->waitForFinished();
        }
    }

    // A paced run against a pipeline that keeps everything: nothing missing, one row per event, and
    // the request → row latency from their own time column.
    void theirTableHasEveryAcceptedEvent() {
        const QString table = test::uniqueName(QStringLiteral("their_ratings")).replace(u'-', u'_');
        const QString url = startService(table);
        QVERIFY(!url.isEmpty());
        const test::CliJson o =
            run({QStringLiteral("--profile"), QStringLiteral("constant"), QStringLiteral("--rate"),
                 QStringLiteral("500"), QStringLiteral("--duration"), QStringLiteral("3s"),
                 QStringLiteral("--target"), url, QStringLiteral("--body-template"), kBody,
                 QStringLiteral("--verify-table"),
                 QStringLiteral("table=%1,key=request_id,time=created_at").arg(table)});
        QVERIFY2(o.code == 0, qPrintable(QStringLiteral("exit %1: %2").arg(o.code).arg(o.err.right(1500))));
        const QJsonObject v = o.json.value(u"verification").toObject();
        const qint64 accepted = o.json.value(u"accepted").toInteger();
        QCOMPARE(accepted, qint64(1500));
        // The table itself, read by psql's way (plain SQL), agrees with the report.
        QCOMPARE(v.value(u"persisted").toInteger(),
                 count(QStringLiteral("SELECT count(*) FROM %1").arg(table)));
        QCOMPARE(v.value(u"persisted").toInteger(), accepted);
        QCOMPARE(v.value(u"missing").toInteger(), qint64(0));
        QCOMPARE(v.value(u"duplicates").toInteger(), qint64(0));
        QCOMPARE(
            o.json.value(u"latency_ms").toObject().value(u"persist").toObject().value(u"count").toInteger(),
            accepted);
        QVERIFY(o.json.value(u"target").toObject().value(u"verify_table").toString().contains(table));
        QVERIFY(!o.json.contains(u"kafka")); // an HTTP run names its URL as such
        QCOMPARE(o.json.value(u"url").toString(), url);
    }

    // Their subscriber loses every 50th rating and writes every 70th twice: the report says exactly
    // how many, and the run is a problem found.
    void lostAndDoubledRatingsAreFound() {
        const QString table = test::uniqueName(QStringLiteral("their_ratings")).replace(u'-', u'_');
        const QString url = startService(table, {QStringLiteral("--lose-every"), QStringLiteral("50"),
                                                 QStringLiteral("--duplicate-every"), QStringLiteral("70")});
        QVERIFY(!url.isEmpty());
        const test::CliJson o =
            run({QStringLiteral("--count"), QStringLiteral("1000"), QStringLiteral("--target"), url,
                 QStringLiteral("--body-template"), kBody, QStringLiteral("--wait"), QStringLiteral("5"),
                 QStringLiteral("--verify-table"), QStringLiteral("table=%1,key=request_id").arg(table)});
        QVERIFY2(o.code == 1, qPrintable(QStringLiteral("exit %1: %2").arg(o.code).arg(o.err.right(1500))));
        QCOMPARE(o.json.value(u"accepted").toInteger(), qint64(1000));
        const QJsonObject v = o.json.value(u"verification").toObject();
        QCOMPARE(v.value(u"missing").toInteger(), qint64(1000 / 50));
        // Every 70th is doubled unless it is also a 50th (350, 700): lost first.
        QCOMPARE(v.value(u"duplicates").toInteger(), qint64(1000 / 70 - 2));
        QCOMPARE(v.value(u"persisted").toInteger(),
                 count(QStringLiteral("SELECT count(*) FROM %1").arg(table)));
        QVERIFY(!o.json.value(u"latency_ms").toObject().contains(u"persist")); // no time column given
    }

    // {{run_seq}} as the key, scoped to this run by the time column.
    void aRunSeqKeyNeedsTheTimeColumn() {
        const QString table = test::uniqueName(QStringLiteral("their_ratings")).replace(u'-', u'_');
        const QString url = startService(table);
        QVERIFY(!url.isEmpty());
        QString body = kBody;
        body.replace(QStringLiteral("{{event_id}}"), QStringLiteral("{{run_seq}}"));
        const QStringList common{QStringLiteral("--count"),         QStringLiteral("300"),
                                 QStringLiteral("--target"),        url,
                                 QStringLiteral("--body-template"), body};
        test::CliJson o = run(common + QStringList{QStringLiteral("--verify-table"),
                                                   QStringLiteral("table=%1,key=request_id").arg(table)});
        QCOMPARE(o.code, 2);
        QVERIFY2(o.err.contains(u"give time=COLUMN"), qPrintable(o.err));
        for (int i = 0; i < 2; ++i) { // the second run's rows are told from the first's by time
            o = run(common +
                    QStringList{QStringLiteral("--verify-table"),
                                QStringLiteral("table=%1,key=request_id,time=created_at").arg(table)});
            QVERIFY2(o.code == 0,
                     qPrintable(QStringLiteral("exit %1: %2").arg(o.code).arg(o.err.right(1500))));
            QCOMPARE(o.json.value(u"verification").toObject().value(u"persisted").toInteger(), qint64(300));
        }
    }

    // A mapping naming what is not there: said with what is there, before anything is sent.
    // The capacity search on an HTTP target: their service answers 429 over 400 ratings a second,
    // so the highest rate sustained without failures is 400/s, ± the 10 % tolerance. Every step is
    // a saved run against their URL, and a step over the limit is not sustained because of the 429s.
    void capacityOfAnHttpServiceIsItsLimit() {
        const QString url = startService(QStringLiteral("their_capacity"),
                                         {QStringLiteral("--max-per-sec"), QStringLiteral("400")});
        QVERIFY(!url.isEmpty());
        const QString runs = m_dir.filePath(QStringLiteral("capacity-runs"));
        const test::CliJson o = test::runCliJson(
            {QStringLiteral("capacity"), QStringLiteral("--target"), url, QStringLiteral("--body-template"),
             kBody, QStringLiteral("--start-rate"), QStringLiteral("100"), QStringLiteral("--hold"),
             QStringLiteral("5s"), QStringLiteral("--tolerance"), QStringLiteral("10%")},
            {u"LOADLEVEL_RUNS_DIR=" + runs}, 600000);
        QVERIFY2(o.code == 0, qPrintable(QStringLiteral("exit %1: %2").arg(o.code).arg(o.err.right(3000))));
        const double rate = o.json.value(u"rate").toDouble();
        qInfo() << "limit 400/s, found" << rate << "in" << o.json.value(u"steps").toArray().size() << "steps";
        QVERIFY2(std::abs(rate - 400) <= 40, qPrintable(o.err.right(3000)));
        QCOMPARE(o.json.value(u"target").toString(), url);
        bool overSeen = false;
        for (const auto& v : o.json.value(u"steps").toArray()) {
            const QJsonObject step = v.toObject();
            auto report = load::RunReport::load(runs, step.value(u"run_id").toString());
            QVERIFY2(report.has_value(), qPrintable(step.value(u"run_id").toString()));
            QCOMPARE(report->manifest.url, url);
            if (step.value(u"rate").toDouble() >= 500) {
                overSeen = true;
                QVERIFY2(!step.value(u"sustained").toBool() && step.value(u"failed").toInt() > 0,
                         QJsonDocument(step).toJson().constData());
            }
        }
        QVERIFY2(overSeen, "the search went over the limit before it bracketed it");
    }

    void aMissingTableOrColumnIsAUsageError() {
        const QString table = test::uniqueName(QStringLiteral("their_ratings")).replace(u'-', u'_');
        const QString url = startService(table);
        QVERIFY(!url.isEmpty());
        const QStringList common{QStringLiteral("--count"),         QStringLiteral("10"),
                                 QStringLiteral("--target"),        url,
                                 QStringLiteral("--body-template"), kBody,
                                 QStringLiteral("--verify-table")};
        test::CliJson o =
            run(common + QStringList{QStringLiteral("table=%1,key=request_id,time=written_at").arg(table)});
        QCOMPARE(o.code, 2);
        QVERIFY2(o.err.contains(u"has no column written_at (it has: id, request_id"), qPrintable(o.err));
        o = run(common + QStringList{QStringLiteral("table=%1_nope,key=request_id").arg(table)});
        QCOMPARE(o.code, 2);
        QVERIFY2(o.err.contains(u"cannot be read"), qPrintable(o.err));
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM %1").arg(table)), qint64(0)); // nothing sent
    }
};

QTEST_GUILESS_MAIN(TestTheirPipeline)
#include "tst_their_pipeline.moc"
