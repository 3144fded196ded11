// The capacity search and the drain test on the embedded pipeline, whose sink is held to a known
// ceiling: the rate they report is that ceiling, and every step is kept as a run report with its
// lag column. No stack
// variables (embedded mode, as a new user's `loadlevel-cli capacity` runs).
#include "load/report.h"
#include "test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace loadlevel;

class TestCapacity final : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    test::CliJson cli(const QStringList& args) {
        return test::runCliJson(args, {QStringLiteral("LOADLEVEL_KAFKA="), QStringLiteral("LOADLEVEL_DB="),
                                       u"XDG_DATA_HOME=" + m_dir.filePath(QStringLiteral("data")),
                                       u"LOADLEVEL_RUNS_DIR=" + m_dir.filePath(QStringLiteral("runs"))});
    }

    // The search found `ceiling` ± 10 %, bracketed, searched and confirmed, each step a saved run.
    void expectCeilingFound(const test::CliJson& o, double ceiling) {
        QVERIFY2(o.code == 0, qPrintable(QStringLiteral("exit %1: %2").arg(o.code).arg(o.err.right(2000))));
        const double rate = o.json.value(u"rate").toDouble();
        qInfo() << "ceiling" << ceiling << "found" << rate << "in" << o.json.value(u"steps").toArray().size()
                << "steps";
        QVERIFY2(std::abs(rate - ceiling) <= 0.1 * ceiling, qPrintable(o.err.right(3000)));
        const QJsonArray steps = o.json.value(u"steps").toArray();
        QStringList phases;
        for (const auto& v : steps) {
            const QJsonObject s = v.toObject();
            if (!phases.contains(s.value(u"phase").toString()))
                phases << s.value(u"phase").toString();
            QVERIFY2(s.contains(u"lag_slope_per_s"), "the embedded pipeline's lag is watched");
            auto report =
                load::RunReport::load(m_dir.filePath(QStringLiteral("runs")), s.value(u"run_id").toString());
            QVERIFY2(report.has_value(), qPrintable(s.value(u"run_id").toString()));
            QCOMPARE(report->profile.rate, s.value(u"rate").toDouble());
            QVERIFY(std::any_of(report->timeline.begin(), report->timeline.end(),
                                [](const load::TimelineRow& r) { return r.lag >= 0; }));
            // A step over the ceiling is not sustained, and says why.
            if (s.value(u"rate").toDouble() > 1.25 * ceiling)
                QVERIFY2(!s.value(u"sustained").toBool() && s.value(u"why").toString().contains(u"backlog"),
                         QJsonDocument(s).toJson().constData());
        }
        QCOMPARE(phases.first(), QStringLiteral("bracket"));
        QCOMPARE(phases.last(), QStringLiteral("confirm"));
        const QJsonObject last = steps.last().toObject();
        QCOMPARE(last.value(u"rate").toDouble(), rate);
        QVERIFY(last.value(u"sustained").toBool());
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void findsTheSinksCeilingOf2000() {
        expectCeilingFound(cli({QStringLiteral("capacity"), QStringLiteral("--max-rows-per-sec"),
                                QStringLiteral("2000"), QStringLiteral("--hold"), QStringLiteral("5s")}),
                           2000);
    }

    void findsTheSinksCeilingOf500() {
        expectCeilingFound(cli({QStringLiteral("capacity"), QStringLiteral("--max-rows-per-sec"),
                                QStringLiteral("500"), QStringLiteral("--hold"), QStringLiteral("5s")}),
                           500);
    }

    // A start rate the pipeline cannot take: said so with the measurements, exit 2.
    void aBudgetThatCannotBeMetIsSaidPlainly() {
        const test::CliJson o = cli({QStringLiteral("capacity"), QStringLiteral("--max-rows-per-sec"),
                                     QStringLiteral("100"), QStringLiteral("--start-rate"),
                                     QStringLiteral("1000"), QStringLiteral("--hold"), QStringLiteral("5s")});
        QVERIFY2(o.code == 2, qPrintable(QStringLiteral("exit %1: %2").arg(o.code).arg(o.err.right(1000))));
        QVERIFY2(o.err.contains(u"cannot be met even at --start-rate 1000/s") &&
                     o.err.contains(u"backlog growing"),
                 qPrintable(o.err));
        QCOMPARE(o.json.value(u"steps").toArray().size(), 1);
        QVERIFY(!o.json.contains(u"rate"));
    }

    // A paused sink: the peak is the whole burst, exactly; released, it drains, and nothing is lost.
    void drainWithThePausedSink() {
        const test::CliJson o = cli({QStringLiteral("drain"), QStringLiteral("--count"),
                                     QStringLiteral("10000"), QStringLiteral("--pause-sink")});
        QVERIFY2(o.code == 0, qPrintable(QStringLiteral("exit %1: %2").arg(o.code).arg(o.err.right(1500))));
        QCOMPARE(o.json.value(u"peak_lag").toInteger(), 10000);
        QVERIFY(o.json.value(u"drain_s").toDouble() > 0);
        QCOMPARE(o.json.value(u"drain_rate_per_s").toDouble(), 10000 / o.json.value(u"drain_s").toDouble());
        QCOMPARE(o.json.value(u"verified").toObject().value(u"persisted").toInteger(), 10000);
        QCOMPARE(o.json.value(u"lag_samples").toArray().last().toArray().at(1).toInteger(), 0);
    }

    // A burst faster than a sink held to 2000 rows/s drains at that ceiling.
    void drainAtTheSinksCeiling() {
        const test::CliJson o =
            cli({QStringLiteral("drain"), QStringLiteral("--count"), QStringLiteral("20000"),
                 QStringLiteral("--max-rows-per-sec"), QStringLiteral("2000")});
        QVERIFY2(o.code == 0, qPrintable(QStringLiteral("exit %1: %2").arg(o.code).arg(o.err.right(1500))));
        const double rate = o.json.value(u"drain_rate_per_s").toDouble();
        qInfo() << "peak" << o.json.value(u"peak_lag").toInteger() << "drained in"
                << o.json.value(u"drain_s").toDouble() << "s at" << rate << "/s";
        QVERIFY2(std::abs(rate - 2000) <= 0.15 * 2000, qPrintable(o.err.right(1500)));
        QVERIFY(o.json.value(u"peak_lag").toInteger() >= 10000);
        QVERIFY(o.json.value(u"ok").toBool());
    }
};

QTEST_GUILESS_MAIN(TestCapacity)
#include "tst_capacity.moc"
