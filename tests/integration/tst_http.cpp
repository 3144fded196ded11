// The HTTP rating service against the real stack: what it accepts, what it refuses and why,
// retries, a hanging broker, the token, and the OpenAPI document against the routes.
#include "ingest/openapi.h"
#include "ingest/service.h"
#include "load/http_target.h"
#include "load/runner.h"
#include "pipeline/pipeline.h"
#include "store/store.h"
#include "test_support.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

using namespace loadlevel;

namespace {

struct Reply {
    int status = 0;
    QByteArray headers;
    QByteArray body;
    [[nodiscard]] QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    [[nodiscard]] QByteArray header(const QByteArray& name) const {
        for (const QByteArray& line : headers.split('\n'))
            if (line.toLower().startsWith(QByteArray(name.toLower() + ':')))
                return line.mid(name.size() + 1).trimmed();
        return {};
    }
};

// One request on its own connection, written byte for byte as given.
Reply http(quint16 port, const QByteArray& method, const QByteArray& path, const QByteArray& body = {},
           const QByteArray& contentType = "application/json", const QByteArray& extraHeaders = {}) {
    QTcpSocket s;
    s.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!s.waitForConnected(5000))
        return {};
    QByteArray req = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!contentType.isEmpty())
        req += "Content-Type: " + contentType + "\r\n";
    req += extraHeaders;
    if (!body.isEmpty() || method == "POST")
        req += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    req += "\r\n" + body;
    s.write(req);
    QByteArray in;
    qsizetype headerEnd = -1;
    qsizetype length = -1;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 30000) {
        if (!s.waitForReadyRead(500) && s.state() != QAbstractSocket::ConnectedState &&
            s.bytesAvailable() == 0)
            break;
        in += s.readAll();
        if (headerEnd < 0 && (headerEnd = in.indexOf("\r\n\r\n")) >= 0) {
            for (const QByteArray& line : in.left(headerEnd).split('\n'))
                if (line.toLower().startsWith("content-length:"))
                    length = line.mid(15).trimmed().toLongLong();
        }
        if (headerEnd >= 0 && length >= 0 && in.size() >= headerEnd + 4 + length)
            break;
    }
    Reply r;
    if (headerEnd < 0)
        return r;
    r.headers = in.left(headerEnd);
    r.status = r.headers.split(' ').value(1).toInt();
    r.body = in.mid(headerEnd + 4);
    return r;
}

QByteArray rating(qint64 user, qint64 movie, const QByteArray& stars, const QString& id = {}) {
    QByteArray b = "{\"user_id\":" + QByteArray::number(user) + ",\"movie_id\":" + QByteArray::number(movie) +
                   ",\"rating\":" + stars;
    if (!id.isEmpty())
        b += ",\"event_id\":\"" + id.toUtf8() + '"';
    return b + '}';
}

} // namespace

class TestHttp final : public QObject {
    Q_OBJECT

    test::Stack m_stack = test::stack();
    QTemporaryDir m_dir;
    pipeline::Settings m_settings;
    std::unique_ptr<pipeline::Pipeline> m_pipe;
    std::unique_ptr<ingest::Service> m_service;
    quint16 m_port = 0;

    qint64 rowsOf(const QUuid& id) {
        return test::scalar(m_stack.db, QStringLiteral("SELECT count(*) FROM ratings WHERE event_id = ?"),
                            {id.toString(QUuid::WithoutBraces)})
            .toLongLong();
    }

private slots:
    void initTestCase() {
        LOADLEVEL_REQUIRE_STACK(m_stack);
        m_settings.kafka = m_stack.kafka;
        m_settings.database = m_stack.db;
        m_settings.topic = test::uniqueName(QStringLiteral("http"));
        m_settings.group = test::uniqueName(QStringLiteral("http-sink"));
        m_settings.runsDir = m_dir.filePath(QStringLiteral("runs"));
        pipeline::PipelineOptions po;
        po.members = 2;
        auto pipe = pipeline::Pipeline::start(m_settings, po);
        QVERIFY2(pipe.has_value(), pipe ? "" : qPrintable(pipe.error().message));
        m_pipe = std::move(*pipe);
        QVERIFY(m_pipe->waitForSink(std::chrono::seconds(60)).has_value());
        ingest::ServiceOptions o;
        o.port = 0;
        o.ackTimeout = std::chrono::milliseconds(2000);
        auto service = ingest::Service::start(
            o, {m_pipe->clientConfig(), m_settings.topic, m_settings.storeFactory(), &m_pipe->recorder()});
        QVERIFY2(service.has_value(), service ? "" : qPrintable(service.error().message));
        m_service = std::move(*service);
        m_port = m_service->port();
        QVERIFY(m_port > 0);
        QVERIFY(m_service->url().startsWith(u"http://127.0.0.1:")); // loopback by default
    }

    void acceptedRatingsArePersistedAndReadBack() {
        // movie_stats is shared by every run on this database: a movie of this test's own.
        const qint64 movie = QDateTime::currentMSecsSinceEpoch();
        const QByteArray m = QByteArray::number(movie);
        const Reply one = http(m_port, "POST", "/ratings", rating(4, movie, "4"));
        QCOMPARE(one.status, 202);
        const QJsonArray ids = one.json().value(u"event_ids").toArray();
        QCOMPARE(ids.size(), 1);
        const QUuid id(ids.first().toString());
        QVERIFY(!id.isNull());
        const Reply many = http(m_port, "POST", "/ratings",
                                '[' + rating(5, movie, "4.5") + ',' + rating(6, movie, "1") + ',' +
                                    rating(7, 8, "2.5") + ']');
        QCOMPARE(many.status, 202);
        QCOMPARE(many.json().value(u"accepted").toInt(), 3);
        QTRY_COMPARE_WITH_TIMEOUT(rowsOf(id), qint64(1), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(
            http(m_port, "GET", "/movies/" + m + "/stats").json().value(u"count").toInt(), 3, 30000);
        const Reply stats = http(m_port, "GET", "/movies/" + m + "/stats");
        QCOMPARE(stats.json().value(u"average").toDouble(), 3.167);
        // The read API, newest first, by keyset pages.
        const Reply page1 = http(m_port, "GET", "/ratings?movie_id=" + m + "&limit=2");
        QCOMPARE(page1.status, 200);
        const QJsonArray rows1 = page1.json().value(u"ratings").toArray();
        QCOMPARE(rows1.size(), 2);
        const qint64 after = page1.json().value(u"next_after").toInteger();
        QVERIFY(after > 0);
        const Reply page2 =
            http(m_port, "GET", "/ratings?movie_id=" + m + "&limit=2&after=" + QByteArray::number(after));
        const QJsonArray rows2 = page2.json().value(u"ratings").toArray();
        QVERIFY2(rows2.size() == 1, qPrintable(QStringLiteral("page 1: %1\npage 2 (%2): %3")
                                                   .arg(QString::fromUtf8(page1.body))
                                                   .arg(page2.status)
                                                   .arg(QString::fromUtf8(page2.body))));
        QCOMPARE(rows2.first().toObject().value(u"event_id").toString(), id.toString(QUuid::WithoutBraces));
        QVERIFY(page2.json().value(u"next_after").isNull());
        QCOMPARE(http(m_port, "GET", "/movies/999999999/stats").status, 404);
        const Reply health = http(m_port, "GET", "/health");
        QCOMPARE(health.status, 200);
        QCOMPARE(health.json().value(u"status").toString(), QStringLiteral("ok"));
        const Reply metrics = http(m_port, "GET", "/metrics");
        QCOMPARE(metrics.status, 200);
        QVERIFY(metrics.body.contains("loadlevel_http_accepted_total"));
    }

    void badRequestsAreRefusedWithStatusAndField_data() {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("field");
        const QByteArray json = "application/json";
        QTest::newRow("not JSON") << QByteArray("POST") << QByteArray("/ratings") << json
                                  << QByteArray("{bad") << 400 << QString();
        QTest::newRow("a string") << QByteArray("POST") << QByteArray("/ratings") << json
                                  << QByteArray("\"4\"") << 400 << QString();
        QTest::newRow("user_id as text") << QByteArray("POST") << QByteArray("/ratings") << json
                                         << QByteArray("{\"user_id\":\"4\",\"movie_id\":3,\"rating\":4}")
                                         << 400 << QStringLiteral("user_id");
        QTest::newRow("rating missing")
            << QByteArray("POST") << QByteArray("/ratings") << json
            << QByteArray("{\"user_id\":4,\"movie_id\":3}") << 422 << QStringLiteral("rating");
        QTest::newRow("rating 11") << QByteArray("POST") << QByteArray("/ratings") << json
                                   << rating(4, 3, "11") << 422 << QStringLiteral("rating");
        QTest::newRow("rating 4.3") << QByteArray("POST") << QByteArray("/ratings") << json
                                    << rating(4, 3, "4.3") << 422 << QStringLiteral("rating");
        QTest::newRow("user 0") << QByteArray("POST") << QByteArray("/ratings") << json << rating(0, 3, "4")
                                << 422 << QStringLiteral("user_id");
        QTest::newRow("bad event_id")
            << QByteArray("POST") << QByteArray("/ratings") << json
            << rating(4, 3, "4", QStringLiteral("not-a-uuid")) << 400 << QStringLiteral("event_id");
        QTest::newRow("second of an array")
            << QByteArray("POST") << QByteArray("/ratings") << json
            << '[' + rating(4, 3, "4") + ',' + rating(4, 3, "9") + ']' << 422 << QStringLiteral("[1].rating");
        QTest::newRow("run_id without run_seq")
            << QByteArray("POST") << QByteArray("/ratings") << json
            << QByteArray(R"({"user_id":1,"movie_id":2,"rating":3,"run_id":"r1"})") << 422
            << QStringLiteral("run_seq");
        QTest::newRow("run_id with a space")
            << QByteArray("POST") << QByteArray("/ratings") << json
            << QByteArray(R"({"user_id":1,"movie_id":2,"rating":3,"run_id":"r 1","run_seq":0})") << 422
            << QStringLiteral("run_id");
        QTest::newRow("run_seq as text")
            << QByteArray("POST") << QByteArray("/ratings") << json
            << QByteArray(R"({"user_id":1,"movie_id":2,"rating":3,"run_id":"r1","run_seq":"0"})") << 400
            << QStringLiteral("run_seq");
        QTest::newRow("empty array") << QByteArray("POST") << QByteArray("/ratings") << json
                                     << QByteArray("[]") << 400 << QString();
        QByteArray big = "[";
        for (int i = 0; i < 1001; ++i)
            big += rating(1, 2, "3") + (i < 1000 ? "," : "]");
        QTest::newRow("1001 ratings")
            << QByteArray("POST") << QByteArray("/ratings") << json << big << 422 << QString();
        QTest::newRow("body over 64 KiB") << QByteArray("POST") << QByteArray("/ratings") << json
                                          << QByteArray(70000, ' ') + rating(4, 3, "4") << 413 << QString();
        QTest::newRow("text/plain") << QByteArray("POST") << QByteArray("/ratings")
                                    << QByteArray("text/plain") << rating(4, 3, "4") << 415 << QString();
        QTest::newRow("no content type") << QByteArray("POST") << QByteArray("/ratings") << QByteArray()
                                         << rating(4, 3, "4") << 415 << QString();
        QTest::newRow("PUT") << QByteArray("PUT") << QByteArray("/ratings") << json << rating(4, 3, "4")
                             << 405 << QString();
        QTest::newRow("DELETE stats") << QByteArray("DELETE") << QByteArray("/movies/3/stats") << QByteArray()
                                      << QByteArray() << 405 << QString();
        QTest::newRow("unknown route")
            << QByteArray("GET") << QByteArray("/nope") << QByteArray() << QByteArray() << 404 << QString();
        QTest::newRow("stats of movie abc")
            << QByteArray("GET") << QByteArray("/movies/abc/stats") << QByteArray() << QByteArray() << 404
            << QStringLiteral("movie_id");
        QTest::newRow("stats of movie 0")
            << QByteArray("GET") << QByteArray("/movies/0/stats") << QByteArray() << QByteArray() << 404
            << QStringLiteral("movie_id");
        QTest::newRow("bad limit") << QByteArray("GET") << QByteArray("/ratings?limit=0") << QByteArray()
                                   << QByteArray() << 400 << QStringLiteral("limit");
        QTest::newRow("bad user filter") << QByteArray("GET") << QByteArray("/ratings?user_id=x")
                                         << QByteArray() << QByteArray() << 400 << QStringLiteral("user_id");
    }

    void badRequestsAreRefusedWithStatusAndField() {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, field);
        const qint64 acceptedBefore = m_service->accepted();
        const Reply r = http(m_port, method, path, body, contentType);
        QVERIFY2(r.status == status,
                 qPrintable(QStringLiteral("%1: %2").arg(r.status).arg(QString::fromUtf8(r.body))));
        const QJsonObject e = r.json();
        QVERIFY2(!e.value(u"error").toString().isEmpty(), r.body.constData());
        QVERIFY(!e.value(u"detail").toString().isEmpty());
        if (field.isEmpty())
            QVERIFY(e.value(u"field").isNull());
        else
            QCOMPARE(e.value(u"field").toString(), field);
        if (status == 405) // RFC 9110: a 405 says which methods the route takes
            QCOMPARE(r.header("Allow"), path == "/ratings" ? QByteArray("GET, POST") : QByteArray("GET"));
        QCOMPARE(m_service->accepted(), acceptedBefore); // nothing reached Kafka
    }

    void aLoadTestThroughTheServiceIsVerifiedInTheDatabase() {
        // What `loadlevel-cli run --target http://… --verify` does: a paced run through POST /ratings
        // with the run tags in each body, then every accepted event looked up in PostgreSQL.
        load::HttpTarget::Options o;
        o.url = QUrl(m_service->url() + QStringLiteral("/ratings"));
        o.concurrency = 16;
        o.bodyTemplate = load::BodyTemplate::loadlevelDefault();
        auto target = load::HttpTarget::create(o);
        QVERIFY2(target.has_value(), target ? "" : qPrintable(target.error().message));
        load::RunPlan plan;
        plan.profile = load::Profile::ramp(200, 1800, 3); // 3,000 events
        plan.lateAfter = std::chrono::milliseconds(50);
        auto report = load::runPlan(**target, plan);
        QVERIFY2(report.has_value(), report ? "" : qPrintable(report.error().message));
        QCOMPARE(report->manifest.sent, qint64(3000));
        QCOMPARE(report->accepted, qint64(3000));
        QCOMPARE(report->outcomes, (std::map<QString, qint64>{{QStringLiteral("202"), 3000}}));
        auto store = m_settings.storeFactory()(QStringLiteral("tst-http-load"));
        QVERIFY(store.has_value());
        auto verified = load::verifyReport(*report, **store, std::chrono::seconds(60));
        QVERIFY2(verified.has_value(), verified ? "" : qPrintable(verified.error().message));
        QVERIFY(report->verification.has_value());
        QCOMPARE(report->verification->persisted, qint64(3000));
        QCOMPARE(report->verification->missing, qint64(0));
        QCOMPARE(report->verification->duplicates, qint64(0));
        QVERIFY(report->persist.has_value());
        QCOMPARE(report->persist->count, qint64(3000));
        qint64 persisted = 0;
        for (const auto& row : report->timeline)
            persisted += row.persisted;
        QCOMPARE(persisted, qint64(3000));
        QVERIFY(report->ok());
        // The rows carry the run id the service was given.
        QCOMPARE(test::scalar(m_stack.db, QStringLiteral("SELECT count(*) FROM ratings WHERE run_id = ?"),
                              {report->manifest.runId})
                     .toLongLong(),
                 qint64(3000));
    }

    void hostileBodiesAreRefusedAndTheTablesStayIntact_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status"); // 4xx: refused, 202: accepted (the hostile part ignored)
        // No raw string literals here: moc (6.4) misreads them and leaves the test without its meta-object.
        const QByteArray sql = "'); DROP TABLE ratings;--";
        const QByteArray fields = "\"movie_id\":1,\"rating\":3";
        QTest::newRow("deep nesting") << QByteArray(3000, '[') + QByteArray(3000, ']') << 400;
        QTest::newRow("deep object as user_id")
            << "{\"user_id\":" + QByteArray(2000, '[') + QByteArray(2000, ']') + ',' + fields + '}' << 400;
        QTest::newRow("1e400") << "{\"user_id\":1e400," + fields + '}' << 0;
        QTest::newRow("beyond 2^53") << "{\"user_id\":99999999999999999999999," + fields + '}' << 422;
        QTest::newRow("negative zero rating")
            << QByteArray("{\"user_id\":1,\"movie_id\":1,\"rating\":-0.0}") << 422;
        QTest::newRow("NaN") << QByteArray("{\"user_id\":1,\"movie_id\":1,\"rating\":NaN}") << 400;
        QTest::newRow("SQL in event_id")
            << "{\"user_id\":1," + fields + ",\"event_id\":\"" + sql + "\"}" << 400;
        QTest::newRow("SQL in run_id")
            << "{\"user_id\":1," + fields + ",\"run_seq\":1,\"run_id\":\"" + sql + "\"}" << 422;
        QTest::newRow("SQL as user_id") << "{\"user_id\":\"" + sql + "\"," + fields + '}' << 400;
        QTest::newRow("NUL byte") << QByteArray("{\"user_id\":1,") + fields + QByteArray(",\"x\":\"a") +
                                         '\0' + QByteArray("b\"}")
                                  << 400;
        QTest::newRow("escaped NUL in a key") << "{\"user_id\\u0000\":1," + fields + '}' << 422;
        QTest::newRow("invalid UTF-8") << "{\"user_id\":1," + fields + ",\"x\":\"\xff\xfe\"}" << 400;
        QTest::newRow("SQL in an extra field (ignored)")
            << "{\"user_id\":1," + fields + ",\"comment\":\"" + sql + "\"}" << 202;
    }

    void hostileBodiesAreRefusedAndTheTablesStayIntact() {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        const Reply r = http(m_port, "POST", "/ratings", body);
        // 0: any refusal (400 or 422: how Qt's parser takes 1e400 is its business, refusing it is ours).
        const bool expected = status == 0 ? (r.status == 400 || r.status == 422) : r.status == status;
        QVERIFY2(expected, qPrintable(QStringLiteral("%1: %2").arg(r.status).arg(QString::fromUtf8(r.body))));
        if (r.status != 202)
            QVERIFY2(!r.json().value(u"detail").toString().isEmpty(), r.body.constData());
        // The service is still up and the tables are there.
        QCOMPARE(http(m_port, "GET", "/health").status, 200);
        QVERIFY(test::scalar(m_stack.db, QStringLiteral("SELECT count(*) FROM ratings")).toLongLong() > 0);
        QVERIFY(test::scalar(m_stack.db, QStringLiteral("SELECT count(*) FROM movie_stats")).toLongLong() >
                0);
    }

    void slowAndIdleClientsAreClosedAndOthersServed() {
        // A second service with tight limits: a request must arrive within 1 s of its first byte,
        // an idle connection lasts 1 s, and at most 4 connections are open.
        ingest::ServiceOptions o;
        o.port = 0;
        o.requestTimeout = std::chrono::milliseconds(1000);
        o.idleTimeout = std::chrono::milliseconds(1000);
        o.maxConnections = 4;
        auto service = ingest::Service::start(
            o, {m_pipe->clientConfig(), m_settings.topic, m_settings.storeFactory(), &m_pipe->recorder()});
        QVERIFY(service.has_value());
        const quint16 port = (*service)->port();

        // Slowloris: headers one byte every 200 ms, never finished.
        QTcpSocket slow;
        slow.connectToHost(QStringLiteral("127.0.0.1"), port);
        QVERIFY(slow.waitForConnected(5000));
        const QByteArray partial =
            "POST /ratings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Slow: ";
        slow.write(partial);
        QElapsedTimer t;
        t.start();
        // A well-behaved client meanwhile is served.
        QCOMPARE(http(port, "POST", "/ratings", rating(3, 4, "5")).status, 202);
        while (slow.state() == QAbstractSocket::ConnectedState && t.elapsed() < 20000) {
            slow.write("a");
            slow.waitForBytesWritten(100);
            QTest::qWait(200);
        }
        QCOMPARE(slow.state(), QAbstractSocket::UnconnectedState);

        // An idle connection is closed too.
        QTcpSocket idle;
        idle.connectToHost(QStringLiteral("127.0.0.1"), port);
        QVERIFY(idle.waitForConnected(5000));
        QTRY_COMPARE_WITH_TIMEOUT(idle.state(), QAbstractSocket::UnconnectedState, 20000);

        // Past the connection limit, a new connection is closed at once.
        std::vector<std::unique_ptr<QTcpSocket>> many;
        for (int i = 0; i < 6; ++i) {
            many.push_back(std::make_unique<QTcpSocket>());
            many.back()->connectToHost(QStringLiteral("127.0.0.1"), port);
            QVERIFY(many.back()->waitForConnected(5000));
        }
        QTRY_VERIFY_WITH_TIMEOUT(
            std::any_of(many.begin(), many.end(),
                        [](const auto& s) { return s->state() == QAbstractSocket::UnconnectedState; }),
            10000);
        QTRY_VERIFY_WITH_TIMEOUT((*service)->closedSlow() >= 3, 5000); // counted at the next sweep
        many.clear();
        QTest::qWait(200);
        const Reply metrics = http(port, "GET", "/metrics");
        QVERIFY(metrics.body.contains("loadlevel_http_closed_slow_total"));
    }

    void aRetryWithTheSameEventIdEndsAsOneRow() {
        const QUuid id = QUuid::createUuid();
        const QString text = id.toString(QUuid::WithoutBraces);
        for (int attempt = 0; attempt < 3; ++attempt) {
            const Reply r = http(m_port, "POST", "/ratings", rating(11, 12, "3.5", text));
            QCOMPARE(r.status, 202);
            QCOMPARE(r.json().value(u"event_ids").toArray().first().toString(), text);
        }
        QTRY_COMPARE_WITH_TIMEOUT(rowsOf(id), qint64(1), 30000);
        QTest::qWait(1000); // the redeliveries have been consumed by now: still one
        QCOMPARE(rowsOf(id), qint64(1));
    }

    void aHangingBrokerGets503NotAFalse202() {
        const QUuid id = QUuid::createUuid();
        QCOMPARE(test::runStack({QStringLiteral("kafka-pause")}), 0);
        const Reply r =
            http(m_port, "POST", "/ratings", rating(21, 22, "5", id.toString(QUuid::WithoutBraces)));
        const Reply health = http(m_port, "GET", "/health");
        QCOMPARE(test::runStack({QStringLiteral("kafka-resume")}), 0);
        QVERIFY2(r.status == 503, r.body.constData());
        QCOMPARE(r.header("Retry-After"), QByteArray("1"));
        QCOMPARE(r.json().value(u"error").toString(), QStringLiteral("kafka_unavailable"));
        Q_UNUSED(health);
        // The client retries with the same id once the broker is back: exactly one row, whether
        // or not the first attempt reached the log after all.
        QTRY_COMPARE_WITH_TIMEOUT(
            http(m_port, "POST", "/ratings", rating(21, 22, "5", id.toString(QUuid::WithoutBraces))).status,
            202, 60000);
        QTRY_COMPARE_WITH_TIMEOUT(rowsOf(id), qint64(1), 30000);
    }

    void aKilledBrokerGets503AndARetryLandsOnce() {
        // SIGKILL this time: the broker is gone, not just slow.
        const QUuid id = QUuid::createUuid();
        const QByteArray body = rating(23, 24, "4.5", id.toString(QUuid::WithoutBraces));
        QCOMPARE(test::runStack({QStringLiteral("kafka-kill")}), 0);
        const Reply r = http(m_port, "POST", "/ratings", body);
        QCOMPARE(test::runStack({QStringLiteral("kafka-start")}), 0);
        QVERIFY2(r.status == 503, r.body.constData());
        QCOMPARE(r.json().value(u"error").toString(), QStringLiteral("kafka_unavailable"));
        QTRY_COMPARE_WITH_TIMEOUT(http(m_port, "POST", "/ratings", body).status, 202, 90000);
        QTRY_COMPARE_WITH_TIMEOUT(rowsOf(id), qint64(1), 60000);
    }

    void theTokenGuardsEveryRouteButHealthAndTheDocs() {
        ingest::ServiceOptions o;
        o.port = 0;
        o.token = "s3cret-token";
        auto guarded = ingest::Service::start(
            o, {m_pipe->clientConfig(), m_settings.topic, m_settings.storeFactory(), &m_pipe->recorder()});
        QVERIFY(guarded.has_value());
        const quint16 port = (*guarded)->port();
        QCOMPARE(http(port, "POST", "/ratings", rating(1, 2, "3")).status, 401);
        QCOMPARE(http(port, "GET", "/ratings").status, 401);
        QCOMPARE(http(port, "GET", "/metrics").status, 401);
        QCOMPARE(http(port, "POST", "/ratings", rating(1, 2, "3"), "application/json",
                      "Authorization: Bearer wrong-token\r\n")
                     .status,
                 401);
        QCOMPARE(http(port, "GET", "/health").status, 200);
        QCOMPARE(http(port, "POST", "/ratings", rating(1, 2, "3"), "application/json",
                      "Authorization: Bearer s3cret-token\r\n")
                     .status,
                 202);
        // /docs loads /openapi.json without the token (issue 17: its fetch got 401), and the
        // document declares the bearer scheme this service has, at the address it listens on.
        QCOMPARE(http(port, "GET", "/docs").status, 200);
        const Reply doc = http(port, "GET", "/openapi.json");
        QCOMPARE(doc.status, 200);
        const QJsonObject root = QJsonDocument::fromJson(doc.body).object();
        QCOMPARE(root.value(u"servers").toArray().first().toObject().value(u"url").toString(),
                 (*guarded)->url());
        QVERIFY(
            root.value(u"components").toObject().value(u"securitySchemes").toObject().contains(u"bearer"));
        QVERIFY(root.value(u"security").toArray().first().toObject().contains(u"bearer"));
        const QJsonObject post =
            root.value(u"paths").toObject().value(u"/ratings").toObject().value(u"post").toObject();
        QVERIFY(post.value(u"responses").toObject().contains(u"401"));
    }

    void theOpenApiDocumentIsValidAndMatchesTheRoutes() {
        const Reply r = http(m_port, "GET", "/openapi.json");
        QCOMPARE(r.status, 200);
        QJsonParseError pe{};
        const QJsonDocument doc = QJsonDocument::fromJson(r.body, &pe);
        QCOMPARE(pe.error, QJsonParseError::NoError);
        const QJsonObject root = doc.object();
        QVERIFY(root.value(u"openapi").toString().startsWith(u"3.0."));
        QVERIFY(!root.value(u"info").toObject().value(u"title").toString().isEmpty());
        QVERIFY(!root.value(u"info").toObject().value(u"version").toString().isEmpty());
        // Every $ref resolves inside the document.
        std::function<void(const QJsonValue&)> walk = [&](const QJsonValue& v) {
            if (v.isObject()) {
                const QJsonObject o = v.toObject();
                if (o.contains(u"$ref")) {
                    const QString ref = o.value(u"$ref").toString();
                    QVERIFY2(ref.startsWith(u"#/"), qPrintable(ref));
                    QJsonValue target = root;
                    for (const QString& part : ref.mid(2).split(u'/'))
                        target = target.toObject().value(part);
                    QVERIFY2(target.isObject(), qPrintable(u"unresolved " + ref));
                }
                for (const QJsonValue& child : o)
                    walk(child);
            } else if (v.isArray()) {
                for (const QJsonValue& child : v.toArray())
                    walk(child);
            }
        };
        walk(root);
        // Exactly the documented operations exist: each answers with something other than 404/405,
        // with a status the document lists; a method not documented gets 405.
        static const QStringList methods{QStringLiteral("get"), QStringLiteral("post"), QStringLiteral("put"),
                                         QStringLiteral("delete"), QStringLiteral("patch")};
        const QJsonObject paths = root.value(u"paths").toObject();
        QCOMPARE(paths.keys().size(), 6);
        for (auto it = paths.begin(); it != paths.end(); ++it) {
            QByteArray path = it.key().toUtf8();
            QVERIFY2(it.key().startsWith(u'/'), qPrintable(it.key()));
            const QJsonObject item = it.value().toObject();
            if (path.contains("{movie_id}")) {
                path.replace("{movie_id}", "3");
                const QJsonArray params = item.value(u"get").toObject().value(u"parameters").toArray();
                QCOMPARE(params.first().toObject().value(u"in").toString(), QStringLiteral("path"));
            }
            for (const QString& m : methods) {
                const QByteArray body = m == u"post" ? rating(31, 32, "4") : QByteArray();
                const Reply answer = http(m_port, m.toUpper().toUtf8(), path, body,
                                          m == u"post" ? QByteArray("application/json") : QByteArray());
                if (!item.contains(m)) {
                    QVERIFY2(answer.status == 405,
                             qPrintable(QStringLiteral("%1 %2: %3").arg(m, it.key()).arg(answer.status)));
                    continue;
                }
                const QJsonObject op = item.value(m).toObject();
                QVERIFY(!op.value(u"operationId").toString().isEmpty());
                QVERIFY2(op.value(u"responses").toObject().contains(QString::number(answer.status)),
                         qPrintable(QStringLiteral("%1 %2 answered %3, not documented")
                                        .arg(m, it.key())
                                        .arg(answer.status)));
            }
        }
        // /docs is Swagger UI, its assets compiled in (no CDN), pointed at /openapi.json.
        const Reply page = http(m_port, "GET", "/docs");
        QCOMPARE(page.status, 200);
        QVERIFY(page.body.contains("/docs/swagger-ui-bundle.js") &&
                page.body.contains("/docs/swagger-ui.css"));
        const Reply bundle = http(m_port, "GET", "/docs/swagger-ui-bundle.js");
        QCOMPARE(bundle.status, 200);
        QVERIFY(bundle.body.contains("SwaggerUIBundle"));
        QVERIFY(http(m_port, "GET", "/docs/swagger-ui.css").body.contains(".swagger-ui"));
        QVERIFY(http(m_port, "GET", "/docs/init.js").body.contains("'/openapi.json'"));
        QCOMPARE(http(m_port, "GET", "/docs/nope.js").status, 404);
        // This service has no token: the document declares no auth and no 401, and names the
        // address the service really listens on (issue 17: it said 8080 and bearer whatever ran).
        QCOMPARE(r.body, ingest::openApiDocument({m_service->url(), false}));
        QVERIFY(!root.contains(u"security"));
        QVERIFY(!root.value(u"components").toObject().contains(u"securitySchemes"));
        QVERIFY(!r.body.contains("\"401\""));
        QCOMPARE(root.value(u"servers").toArray().first().toObject().value(u"url").toString(),
                 m_service->url());
    }

    // Each counter of /metrics and the count of its histogram agree, and the rows the sink says it
    // persisted are the database's rows of this topic (issue 17: HTTP ratings never reached
    // send_to_ack, and a batch holding a redelivery was left out of send_to_persisted).
    void metricsCountersAgreeWithTheirHistogramsAndTheDatabase() {
        const qint64 movie = QDateTime::currentMSecsSinceEpoch();
        const QString first = QUuid::createUuid().toString(QUuid::WithoutBraces);
        QCOMPARE(http(m_port, "POST", "/ratings", rating(5, movie, "3", first)).status, 202);
        QTRY_COMPARE_WITH_TIMEOUT(rowsOf(QUuid(first)), qint64(1), 30000);
        // The same event again, with a new one of the same movie (so the same partition, and most
        // likely the same batch): one duplicate, one new row.
        const QString second = QUuid::createUuid().toString(QUuid::WithoutBraces);
        QCOMPARE(http(m_port, "POST", "/ratings",
                      '[' + rating(5, movie, "3", first) + ',' + rating(6, movie, "4", second) + ']')
                     .status,
                 202);
        QTRY_COMPARE_WITH_TIMEOUT(rowsOf(QUuid(second)), qint64(1), 30000);
        auto value = [](const QByteArray& text, const QByteArray& name) {
            for (const QByteArray& line : text.split('\n'))
                if (line.startsWith(QByteArray(name + ' ')))
                    return line.mid(name.size() + 1).toLongLong();
            return qint64(-1);
        };
        auto rowsOfTopic = [&] {
            return test::scalar(m_stack.db,
                                QStringLiteral("SELECT count(*) FROM ratings WHERE kafka_topic = ?"),
                                {m_settings.topic})
                .toLongLong();
        };
        QByteArray text;
        qint64 rows = -1;
        auto agree = [&] {
            text = http(m_port, "GET", "/metrics").body;
            rows = rowsOfTopic();
            return value(text, "loadlevel_events_acked_total") ==
                       value(text, "loadlevel_send_to_ack_seconds_count") &&
                   value(text, "loadlevel_rows_persisted_total") ==
                       value(text, "loadlevel_send_to_persisted_seconds_count") &&
                   value(text, "loadlevel_rows_persisted_total") == rows;
        };
        QTRY_VERIFY2_WITH_TIMEOUT(agree(),
                                  qPrintable(QStringLiteral("database rows %1 of topic; /metrics:\n%2")
                                                 .arg(rows)
                                                 .arg(QString::fromUtf8(text))),
                                  30000);
        QVERIFY(value(text, "loadlevel_events_acked_total") > 0);
        QVERIFY(value(text, "loadlevel_rows_duplicate_total") >= 1);
    }

    void cleanupTestCase() {
        m_service.reset();
        m_pipe.reset();
    }
};

QTEST_GUILESS_MAIN(TestHttp)
#include "tst_http.moc"
