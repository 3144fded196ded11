#include "event/codec.h"

#include <QtTest>

using namespace loadlevel::event;

class TestCodec final : public QObject {
    Q_OBJECT

private:
    static RatingEvent sample(qint64 user, qint64 movie, double rating) {
        RatingEvent e;
        e.userId = user;
        e.movieId = movie;
        e.rating = rating;
        e.eventTime = QDateTime::fromMSecsSinceEpoch(1795400909123, Qt::UTC);
        e.eventId = newUuidV7(e.eventTime);
        e.source = QStringLiteral("/test");
        return e;
    }
    static std::vector<Header> validHeaders() {
        return {{"ce_specversion", "1.0"},
                {"ce_id", "0190f3c2-7d1e-7a3b-8c4d-5e6f7a8b9c0d"},
                {"ce_type", kEventType},
                {"ce_time", "2026-11-23T02:19:35.123Z"}};
    }

private slots:
    void roundTrip_data() {
        QTest::addColumn<qint64>("user");
        QTest::addColumn<qint64>("movie");
        QTest::addColumn<double>("rating");
        QTest::addColumn<QString>("runId");
        QTest::addRow("half star") << qint64(42) << qint64(7) << 4.5 << QString();
        QTest::addRow("lowest") << qint64(1) << qint64(1) << 0.5 << QString();
        QTest::addRow("whole") << qint64(3) << qint64(9) << 5.0 << QStringLiteral("run-1");
        QTest::addRow("largest exact id")
            << qint64(9007199254740991) << qint64(2) << 3.0 << QStringLiteral("r\"un");
    }
    void roundTrip() {
        QFETCH(qint64, user);
        QFETCH(qint64, movie);
        QFETCH(double, rating);
        QFETCH(QString, runId);
        RatingEvent e = sample(user, movie, rating);
        e.runId = runId;
        e.runSeq = runId.isEmpty() ? -1 : 17;
        const WireMessage m = encode(e);
        QCOMPARE(m.key, QByteArray::number(movie));
        auto back = decode(m.value, m.headers, Origin{QStringLiteral("t"), 0, 5, -1});
        QVERIFY2(back.has_value(), back ? "" : qPrintable(back.error().reason));
        QCOMPARE(*back, e);
    }

    void wireFormatIsCompactJsonWithCloudEventsHeaders() {
        const RatingEvent e = sample(42, 7, 4.5);
        const WireMessage m = encode(e);
        QCOMPARE(m.value, QByteArray(R"({"user_id":42,"movie_id":7,"rating":4.5})"));
        QCOMPARE(encodeValue(sample(1, 2, 4.0)), QByteArray(R"({"user_id":1,"movie_id":2,"rating":4})"));
        auto header = [&](const char* name) {
            for (const auto& h : m.headers)
                if (h.name == name)
                    return h.value;
            return QByteArray("<missing>");
        };
        QCOMPARE(header("ce_specversion"), QByteArray("1.0"));
        QCOMPARE(header("ce_type"), QByteArray("loadlevel.rating.v1"));
        QCOMPARE(header("ce_id"), e.eventId.toByteArray(QUuid::WithoutBraces));
        QCOMPARE(header("ce_time"), QByteArray("2026-11-23T02:28:29.123Z"));
        QCOMPARE(header("ce_source"), QByteArray("/test"));
        QCOMPARE(header("ce_runid"), QByteArray("<missing>")); // only for events of a run
        // The CloudEvents Kafka binding (binary mode) declares the value's media type here.
        QCOMPARE(header("content-type"), QByteArray("application/json"));
    }

    void rejects_data() {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QByteArray>("headerName");
        QTest::addColumn<QByteArray>("headerValue");
        QTest::addColumn<QString>("field");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("reason");
        const int malformed = int(Rejection::Kind::Malformed);
        const int invalid = int(Rejection::Kind::Invalid);
        const QByteArray ok = R"({"user_id":1,"movie_id":2,"rating":3})";
        auto row = [&](const char* name, QByteArray v, QString field, int kind, QString reason,
                       QByteArray hn = {}, QByteArray hv = {}) {
            QTest::addRow("%s", name) << v << hn << hv << field << kind << reason;
        };
        row("empty", "", {}, malformed, QStringLiteral("empty value"));
        row("not json", "not json", {}, malformed, QStringLiteral("malformed JSON"));
        row("truncated", R"({"user_id":1,)", {}, malformed, QStringLiteral("malformed JSON"));
        row("array", "[1,2]", {}, malformed, QStringLiteral("must be a JSON object"));
        row("user missing", R"({"movie_id":2,"rating":3})", QStringLiteral("user_id"), invalid,
            QStringLiteral("user_id is missing"));
        row("user as string", R"({"user_id":"1","movie_id":2,"rating":3})", QStringLiteral("user_id"),
            malformed, QStringLiteral("must be an integer"));
        row("user fractional", R"({"user_id":1.5,"movie_id":2,"rating":3})", QStringLiteral("user_id"),
            malformed, QStringLiteral("must be an integer"));
        row("user zero", R"({"user_id":0,"movie_id":2,"rating":3})", QStringLiteral("user_id"), invalid,
            QStringLiteral("must be positive"));
        row("user negative", R"({"user_id":-4,"movie_id":2,"rating":3})", QStringLiteral("user_id"), invalid,
            QStringLiteral("must be positive"));
        row("user huge", R"({"user_id":1e300,"movie_id":2,"rating":3})", QStringLiteral("user_id"), invalid,
            QStringLiteral("too large"));
        row("movie missing", R"({"user_id":1,"rating":3})", QStringLiteral("movie_id"), invalid,
            QStringLiteral("movie_id is missing"));
        row("movie null", R"({"user_id":1,"movie_id":null,"rating":3})", QStringLiteral("movie_id"),
            malformed, QStringLiteral("must be an integer"));
        row("rating missing", R"({"user_id":1,"movie_id":2})", QStringLiteral("rating"), invalid,
            QStringLiteral("rating is missing"));
        row("rating as string", R"({"user_id":1,"movie_id":2,"rating":"4"})", QStringLiteral("rating"),
            malformed, QStringLiteral("must be a number"));
        row("rating 11", R"({"user_id":1,"movie_id":2,"rating":11})", QStringLiteral("rating"), invalid,
            QStringLiteral("out of range"));
        row("rating 0", R"({"user_id":1,"movie_id":2,"rating":0})", QStringLiteral("rating"), invalid,
            QStringLiteral("out of range"));
        row("rating negative", R"({"user_id":1,"movie_id":2,"rating":-1})", QStringLiteral("rating"), invalid,
            QStringLiteral("out of range"));
        row("rating not half step", R"({"user_id":1,"movie_id":2,"rating":4.3})", QStringLiteral("rating"),
            invalid, QStringLiteral("multiple of 0.5"));
        row("bad utf-8", QByteArray("{\"user_id\":1,\"movie_id\":2,\"rating\":3,\"x\":\"\xff\xfe\"}"), {},
            malformed, QStringLiteral("UTF-8"));
        row("nul byte", QByteArray("{\"user_id\":1,\"movie_id\":2,\"rating\":3}\0", 38), {}, malformed,
            QStringLiteral("NUL"));
        row("too large", QByteArray(70000, ' ') + ok, {}, int(Rejection::Kind::TooLarge),
            QStringLiteral("too large"));
        row("event_id not uuid", R"({"user_id":1,"movie_id":2,"rating":3,"event_id":"abc"})",
            QStringLiteral("event_id"), malformed, QStringLiteral("UUID"));
        row("ce_id not uuid", ok, QStringLiteral("ce_id"), malformed, QStringLiteral("not a UUID"), "ce_id",
            "nope");
        row("ce_type foreign", ok, QStringLiteral("ce_type"), invalid,
            QStringLiteral("unsupported event type"), "ce_type", "com.example.other");
        row("ce_specversion 2", ok, QStringLiteral("ce_specversion"), invalid, QStringLiteral("specversion"),
            "ce_specversion", "2.0");
        row("ce_time garbage", ok, QStringLiteral("ce_time"), malformed, QStringLiteral("RFC 3339"),
            "ce_time", "yesterday");
        row("ce_runid without seq", ok, QStringLiteral("ce_runseq"), malformed, QStringLiteral("ce_runseq"),
            "ce_runid", "r1");
    }
    void rejects() {
        QFETCH(QByteArray, value);
        QFETCH(QByteArray, headerName);
        QFETCH(QByteArray, headerValue);
        QFETCH(QString, field);
        QFETCH(int, kind);
        QFETCH(QString, reason);
        std::vector<Header> headers;
        if (!headerName.isEmpty())
            headers.push_back({headerName, headerValue});
        auto r = decode(value, headers, Origin{QStringLiteral("t"), 0, 1, -1});
        QVERIFY(!r.has_value());
        QCOMPARE(r.error().field, field);
        QCOMPARE(int(r.error().kind), kind);
        QVERIFY2(r.error().reason.contains(reason), qPrintable(r.error().reason));
    }

    // The run tags of an HTTP body: each refusal names its real reason (issue 17: 2^53 was
    // refused as "must be >= 0").
    void runTags_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("reason"); // empty: accepted
        QTest::newRow("neither") << QByteArray("{}") << QString() << QString();
        QTest::newRow("both") << QByteArray("{\"run_id\":\"r1\",\"run_seq\":9007199254740991}") << QString()
                              << QString();
        QTest::newRow("run_seq 2^53")
            << QByteArray("{\"run_id\":\"r1\",\"run_seq\":9007199254740992}") << QStringLiteral("run_seq")
            << QStringLiteral("too large (at most 2^53-1)");
        QTest::newRow("run_seq 1e300") << QByteArray("{\"run_id\":\"r1\",\"run_seq\":1e300}")
                                       << QStringLiteral("run_seq") << QStringLiteral("too large");
        QTest::newRow("run_seq -1") << QByteArray("{\"run_id\":\"r1\",\"run_seq\":-1}")
                                    << QStringLiteral("run_seq") << QStringLiteral("must be >= 0");
        QTest::newRow("run_id alone") << QByteArray("{\"run_id\":\"r1\"}") << QStringLiteral("run_seq")
                                      << QStringLiteral("come together");
        QTest::newRow("run_seq alone")
            << QByteArray("{\"run_seq\":3}") << QStringLiteral("run_id") << QStringLiteral("come together");
    }
    void runTags() {
        QFETCH(QByteArray, body);
        QFETCH(QString, field);
        QFETCH(QString, reason);
        RatingEvent e;
        const auto r = readRunTags(QJsonDocument::fromJson(body).object(), e);
        if (reason.isEmpty()) {
            QVERIFY(r.has_value());
            return;
        }
        QVERIFY(!r.has_value());
        QCOMPARE(r.error().field, field);
        QVERIFY2(r.error().reason.contains(reason), qPrintable(r.error().reason));
    }

    void wholeNumbersAndPlainProducersAccepted() {
        // A console producer sends no headers: the id comes from topic/partition/offset, the time
        // from the Kafka timestamp.
        const Origin origin{QStringLiteral("ratings"), 3, 1234, 1795400909000};
        auto r = decode(R"({"user_id":4,"movie_id":3,"rating":4})", {}, origin);
        QVERIFY(r.has_value());
        QCOMPARE(r->rating, 4.0);
        QCOMPARE(r->eventId, derivedEventId(origin));
        QCOMPARE(r->eventTime.toMSecsSinceEpoch(), qint64(1795400909000));
        auto again = decode(R"({"user_id":4,"movie_id":3,"rating":4})", {}, origin);
        QCOMPARE(again->eventId, r->eventId); // redelivery maps to the same row
        Origin next = origin;
        next.offset += 1;
        QVERIFY(derivedEventId(next) != r->eventId);
    }

    void headersOverrideDefaults() {
        auto r = decode(R"({"user_id":4,"movie_id":3,"rating":2.5})", validHeaders(), Origin{});
        QVERIFY(r.has_value());
        QCOMPARE(r->eventId, QUuid(QStringLiteral("0190f3c2-7d1e-7a3b-8c4d-5e6f7a8b9c0d")));
        QCOMPARE(r->eventTime,
                 QDateTime::fromString(QStringLiteral("2026-11-23T02:19:35.123Z"), Qt::ISODateWithMs));
    }

    void fastFormattersMatchQt() {
        // Spot values around leap days, year ends and the epoch, plus random instants.
        QList<qint64> samples = {0, 951782400000, 951868799999, 1709164800123, 4102444799999, 253402300799999,
                                 -1};
        QRandomGenerator rng(99);
        for (int i = 0; i < 2000; ++i)
            samples << static_cast<qint64>(rng.bounded(253402300799.0) * 1000);
        for (qint64 ms : std::as_const(samples)) {
            const QDateTime t = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
            QCOMPARE(formatTimestamp(ms), t.toString(Qt::ISODateWithMs).toLatin1());
        }
        for (int i = 0; i < 100; ++i) {
            const QUuid id = newUuidV7();
            QCOMPARE(formatUuid(id), id.toByteArray(QUuid::WithoutBraces));
        }
    }

    // parseTimestamp reads back every formatTimestamp text as QDateTime does, and declines every
    // other text (decode() then asks QDateTime).
    void timestampsParseAsQtDoes() {
        QList<qint64> samples = {-30610224000000, 0, 951782400000, 951868799999, 1709164800123, 4102444799999,
                                 253402300799999};
        QRandomGenerator rng(7);
        for (int i = 0; i < 2000; ++i)
            samples << static_cast<qint64>(rng.bounded(253402300799.0 + 30610224000.0) * 1000) -
                           30610224000000;
        for (qint64 ms : std::as_const(samples)) {
            const QByteArray text = formatTimestamp(ms);
            QCOMPARE(parseTimestamp(text), std::optional<qint64>(ms));
            QCOMPARE(QDateTime::fromString(QString::fromLatin1(text), Qt::ISODateWithMs).toMSecsSinceEpoch(),
                     ms);
        }
        for (const char* other :
             {"2026-02-29T00:00:00.000Z", "2026-13-01T00:00:00.000Z", "2026-00-10T00:00:00.000Z",
              "2026-04-31T00:00:00.000Z", "2026-01-01T24:00:00.000Z", "2026-01-01T00:60:00.000Z",
              "2026-01-01T00:00:60.000Z", "2026-01-01T00:00:00.000+00:00", "2026-01-01T00:00:00Z",
              "2026-01-01 00:00:00.000Z", "2026-01-01T00:00:0x.000Z", "0999-01-01T00:00:00.000Z", ""})
            QCOMPARE(parseTimestamp(QByteArrayView(other)), std::nullopt);
        QCOMPARE(parseTimestamp("2024-02-29T23:59:59.999Z"), std::optional<qint64>(1709251199999));
    }

    // Values in encodeValue's exact form are read without a JSON document; any other spelling of
    // the same object takes the general path. Both must give the same event, for every rating,
    // ids from 1 to 2^53-1, and the refusals must stay the general path's.
    void canonicalAndGeneralValuesDecodeAlike() {
        QRandomGenerator rng(11);
        const Origin origin{QStringLiteral("t"), 0, 1, -1};
        for (int i = 0; i < 500; ++i) {
            const qint64 user = i == 0 ? 9007199254740991 : 1 + static_cast<qint64>(rng.bounded(1e15));
            const qint64 movie = 1 + static_cast<qint64>(rng.bounded(i % 2 ? 100.0 : 1e9));
            const RatingEvent e = sample(user, movie, (1 + i % 10) / 2.0);
            const WireMessage m = encode(e);
            QByteArray spaced = m.value;
            spaced.replace(":", ": ");
            QByteArray reordered = QByteArray("{\"rating\":") + QByteArray::number(e.rating) +
                                   ",\"movie_id\":" + QByteArray::number(movie) +
                                   ",\"user_id\":" + QByteArray::number(user) + "}";
            for (const QByteArray& value : {m.value, spaced, reordered}) {
                auto back = decode(value, m.headers, origin);
                QVERIFY2(back.has_value(), value.constData());
                QCOMPARE(*back, e);
            }
        }
        QCOMPARE(decode(QByteArrayView(R"({"user_id":1,"movie_id":2,"rating":4.0})"), {}, origin)->rating,
                 4.0);
        QCOMPARE(decode(QByteArrayView(R"({"user_id":1,"movie_id":2,"rating":0.5})"), {}, origin)->rating,
                 0.5);
        for (const char* refused :
             {R"({"user_id":1,"movie_id":2,"rating":0})", R"({"user_id":1,"movie_id":2,"rating":5.5})",
              R"({"user_id":1,"movie_id":2,"rating":4.3})", R"({"user_id":0,"movie_id":2,"rating":3})",
              R"({"user_id":01,"movie_id":2,"rating":3})",
              R"({"user_id":1,"movie_id":9007199254740992,"rating":3})",
              R"({"user_id":1,"movie_id":2,"rating":3}x)"})
            QVERIFY2(!decode(QByteArrayView(refused), {}, origin).has_value(), refused);
    }

    void uuidV7IsTimeOrderedAndVersioned() {
        const QDateTime t = QDateTime::fromMSecsSinceEpoch(1795400909123, Qt::UTC);
        const QUuid a = newUuidV7(t);
        const QUuid b = newUuidV7(t.addMSecs(1));
        QCOMPARE(a.data3 >> 12, 7); // Qt 6.4 predates v7, so QUuid::version() cannot tell
        QCOMPARE(a.variant(), QUuid::DCE);
        QVERIFY(a.toRfc4122() < b.toRfc4122());
        QVERIFY(a != newUuidV7(t)); // random bits differ within one millisecond
        QCOMPARE(a.toRfc4122().left(6).toHex(),
                 QByteArray::number(Q_INT64_C(1795400909123), 16).rightJustified(12, '0'));
    }
};

QTEST_GUILESS_MAIN(TestCodec)
#include "tst_codec.moc"
