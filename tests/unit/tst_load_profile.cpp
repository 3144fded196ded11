// Load profiles, their schedules, duration parsing and the HTTP body template.
#include "load/body_template.h"
#include "load/profile.h"

#include <QJsonDocument>
#include <QtTest>
#include <cmath>

using namespace loadlevel;
using namespace loadlevel::load;

namespace {
// Events due in each whole second of a schedule.
std::vector<qint64> perSecond(const Profile& p) {
    Schedule s(p);
    std::vector<qint64> out;
    double last = -1;
    for (qint64 i = 0; i < s.total(); ++i) {
        const double t = s.dueSeconds(i);
        [&] {
            QVERIFY2(t >= last, qPrintable(QStringLiteral("event %1 due before its predecessor").arg(i)));
        }();
        last = t;
        const auto sec = static_cast<size_t>(t);
        if (out.size() <= sec)
            out.resize(sec + 1, 0);
        ++out[sec];
    }
    return out;
}
} // namespace

class TestLoadProfile final : public QObject {
    Q_OBJECT

private slots:
    void constantRateIsEvenlySpaced() {
        const Profile p = Profile::constant(2000, 10);
        QVERIFY(!p.check());
        QCOMPARE(p.totalEvents(), qint64(20000));
        Schedule s(p);
        QCOMPARE(s.dueSeconds(0), 0.0);
        QCOMPARE(s.dueSeconds(1), 0.0005);
        QCOMPARE(s.dueSeconds(2000), 1.0);
        QCOMPARE(s.dueSeconds(19999), 9.9995);
        const auto counts = perSecond(p);
        QCOMPARE(counts.size(), size_t(10));
        for (qint64 n : counts)
            QCOMPARE(n, qint64(2000));
    }

    void rampGrowsLinearly() {
        const Profile p = Profile::ramp(100, 1100, 10); // average 600/s
        QCOMPARE(p.totalEvents(), qint64(6000));
        const auto counts = perSecond(p);
        QCOMPARE(counts.size(), size_t(10));
        // Second k holds the integral of the rate over [k, k+1]: 150, 250, ..., 1050 (± rounding).
        for (size_t k = 0; k < counts.size(); ++k)
            QVERIFY2(std::abs(counts[k] - (150 + 100 * static_cast<qint64>(k))) <= 1,
                     qPrintable(QStringLiteral("second %1: %2").arg(k).arg(counts[k])));
        QCOMPARE(p.rateAt(5), 600.0);
        // Down as well as up, and from zero.
        QCOMPARE(Profile::ramp(1000, 0, 4).totalEvents(), qint64(2000));
        const auto fromZero = perSecond(Profile::ramp(0, 400, 4));
        QCOMPARE(fromZero.size(), size_t(4));
        QVERIFY(fromZero[0] < fromZero[3]);
    }

    void stepsAndSpikeHoldEachLevel() {
        auto steps = parseSteps(QStringLiteral("100:2s, 0:1s, 300:2s"));
        QVERIFY(steps.has_value());
        const Profile p = Profile::stepped(*steps);
        QCOMPARE(p.totalEvents(), qint64(800));
        QCOMPARE(p.durationSeconds(), 5.0);
        const auto counts = perSecond(p);
        QCOMPARE(counts, (std::vector<qint64>{100, 100, 0, 300, 300}));

        const Profile spike = Profile::spike(100, 1000, 2, 1, 5);
        QVERIFY(!spike.check());
        QCOMPARE(spike.totalEvents(), qint64(100 * 4 + 1000));
        QCOMPARE(perSecond(spike), (std::vector<qint64>{100, 100, 1000, 100, 100}));
        QCOMPARE(spike.rateAt(2.5), 1000.0);
        QCOMPARE(spike.rateAt(3.5), 100.0);
    }

    void burstAndSingleAreUnpaced() {
        QVERIFY(!Profile::burst(1000).paced());
        QCOMPARE(Profile::burst(1000).totalEvents(), qint64(1000));
        QCOMPARE(Profile::single().totalEvents(), qint64(1));
        Schedule s(Profile::burst(5));
        QCOMPARE(s.total(), qint64(5));
        QCOMPARE(s.dueSeconds(4), 0.0);
    }

    void invalidProfilesAreRefusedWithTheField() {
        struct Case {
            Profile p;
            const char* mentions;
        };
        const std::vector<Case> cases = {
            {Profile::burst(0), "count"},
            {Profile::constant(0, 10), "rate"},
            {Profile::constant(100, 0), "duration"},
            {Profile::constant(std::nan(""), 10), "rate"},
            {Profile::constant(1e12, 10), "rate"},
            {Profile::ramp(0, 0, 10), "ramp from 0 to 0"},
            {Profile::ramp(-5, 10, 10), "from"},
            {Profile::stepped({}), "steps"},
            {Profile::stepped({{100, -1}}), "step 1's duration"},
            {Profile::spike(100, 1000, 8, 5, 10), "spike"},
            {Profile::constant(0.1, 1), "sends no event"},
        };
        for (const auto& c : cases) {
            const auto e = c.p.check();
            QVERIFY2(e.has_value(), qPrintable(c.p.describe()));
            QVERIFY2(e->message.contains(QLatin1String(c.mentions)), qPrintable(e->message));
            QCOMPARE(e->kind, Error::Kind::InvalidArgument);
        }
    }

    void durationsAsPeopleTypeThem() {
        QCOMPARE(*parseSeconds(QStringLiteral("90")), 90.0);
        QCOMPARE(*parseSeconds(QStringLiteral("90s")), 90.0);
        QCOMPARE(*parseSeconds(QStringLiteral("1500ms")), 1.5);
        QCOMPARE(*parseSeconds(QStringLiteral("2m")), 120.0);
        QCOMPARE(*parseSeconds(QStringLiteral("1m30s")), 90.0);
        QCOMPARE(*parseSeconds(QStringLiteral("1h")), 3600.0);
        for (const char* bad : {"", "ten", "10x", "-5s", "5 s"})
            QVERIFY2(!parseSeconds(QLatin1String(bad)).has_value(), bad);
        QVERIFY(!parseSteps(QStringLiteral("100")).has_value());
        QVERIFY(!parseSteps(QStringLiteral("fast:10s")).has_value());
        QVERIFY(!parseSteps(QStringLiteral("100:soon")).has_value());
    }

    void profilesRoundTripThroughJson() {
        const std::vector<Profile> all = {Profile::single(),
                                          Profile::burst(12345),
                                          Profile::constant(250, 30),
                                          Profile::ramp(100, 5000, 60),
                                          Profile::stepped({{100, 10}, {500, 5.5}}),
                                          Profile::spike(50, 900, 10, 3, 40)};
        for (const Profile& p : all) {
            const QByteArray json = QJsonDocument(p.toJson()).toJson();
            auto back = Profile::fromJson(QJsonDocument::fromJson(json).object());
            QVERIFY2(back.has_value(), json.constData());
            QCOMPARE(back->kind, p.kind);
            QCOMPARE(back->totalEvents(), p.totalEvents());
            QCOMPARE(back->describe(), p.describe());
        }
        QVERIFY(!Profile::fromJson({{QStringLiteral("kind"), QStringLiteral("wave")}}).has_value());
        QVERIFY(!Profile::fromJson({{QStringLiteral("kind"), QStringLiteral("constant")}}).has_value());
    }

    void bodyTemplateFillsEveryPlaceholder() {
        event::RatingEvent e;
        e.userId = 42;
        e.movieId = 7;
        e.rating = 4.5;
        e.eventId = QUuid(QStringLiteral("01890a5d-ac96-774b-bcce-b302099a8057"));
        e.eventTime = QDateTime::fromMSecsSinceEpoch(1795400000123, Qt::UTC);
        e.runId = QStringLiteral("20261123-080000-abcd");
        e.runSeq = 17;
        e.source = QStringLiteral("/loadlevel/cli");
        auto plain = BodyTemplate::compile(BodyTemplate::plainDefault());
        QVERIFY(plain.has_value());
        QVERIFY(!plain->tagsRuns());
        QByteArray out;
        plain->render(e, out);
        QCOMPARE(out, QByteArray(R"({"user_id":42,"movie_id":7,"rating":4.5})"));
        e.rating = 3;
        out.clear();
        plain->render(e, out);
        QCOMPARE(out, QByteArray(R"({"user_id":42,"movie_id":7,"rating":3})"));

        auto tagged = BodyTemplate::compile(BodyTemplate::loadlevelDefault());
        QVERIFY(tagged && tagged->tagsRuns());
        out.clear();
        tagged->render(e, out);
        const QJsonObject o = QJsonDocument::fromJson(out).object();
        QCOMPARE(o.value(u"event_id").toString(), QStringLiteral("01890a5d-ac96-774b-bcce-b302099a8057"));
        QCOMPARE(o.value(u"run_id").toString(), e.runId);
        QCOMPARE(o.value(u"run_seq").toInteger(), qint64(17));

        auto custom = BodyTemplate::compile(
            QStringLiteral("u={{ user_id }}&m={{movie_id}}&at={{event_time}}&from={{source}}"));
        QVERIFY(custom.has_value());
        out.clear();
        custom->render(e, out);
        QCOMPARE(out, QByteArray("u=42&m=7&at=2026-11-23T02:13:20.123Z&from=/loadlevel/cli"));

        auto bad = BodyTemplate::compile(QStringLiteral(R"({"stars":{{stars}}})"));
        QVERIFY(!bad.has_value());
        QVERIFY(bad.error().message.contains(u"{{stars}}"));
    }

    // A typo in a placeholder is refused, never sent literally (issue 17).
    void bodyTemplatesRefuseMistypedPlaceholders_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("said");
        QTest::newRow("upper case") << QStringLiteral("{\"u\":{{USER_ID}}}")
                                    << QStringLiteral("did you mean {{user_id}}?");
        QTest::newRow("unclosed") << QStringLiteral("{\"u\":{{user_id}")
                                  << QStringLiteral("unclosed placeholder at character 6");
        QTest::newRow("unclosed at the end")
            << QStringLiteral("x={{") << QStringLiteral("unclosed placeholder");
        QTest::newRow("empty") << QStringLiteral("{{}}") << QStringLiteral("unknown placeholder {{}}");
        QTest::newRow("unknown") << QStringLiteral("{{stars}}") << QStringLiteral("known: user_id");
    }
    void bodyTemplatesRefuseMistypedPlaceholders() {
        QFETCH(QString, text);
        QFETCH(QString, said);
        auto t = BodyTemplate::compile(text);
        QVERIFY(!t.has_value());
        QVERIFY2(t.error().message.contains(said), qPrintable(t.error().message));
        QVERIFY(t.error().isFatal());
    }

    void bodyTemplatesKeepNestedJson() {
        auto t = BodyTemplate::compile(QStringLiteral("{\"r\":{\"u\":{{ user_id }}}}"));
        QVERIFY(t.has_value());
        event::RatingEvent e;
        e.userId = 9;
        QByteArray out;
        t->render(e, out);
        QCOMPARE(out, QByteArray("{\"r\":{\"u\":9}}"));
    }
};

QTEST_GUILESS_MAIN(TestLoadProfile)
#include "tst_load_profile.moc"
