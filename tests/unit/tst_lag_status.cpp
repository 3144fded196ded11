#include "metrics/lag_monitor.h"
#include "metrics/lag_status.h"

#include <QtTest>

using namespace loadlevel::metrics;

Q_DECLARE_METATYPE(PartitionStatus)

namespace {
// "committed:lag" pairs, one observation per second.
std::deque<OffsetSample> history(const QString& text) {
    std::deque<OffsetSample> out;
    qint64 t = 0;
    for (const QString& pair : text.split(u' ', Qt::SkipEmptyParts)) {
        const auto parts = pair.split(u':');
        out.push_back({t, parts[0].toLongLong(), parts[1].toLongLong()});
        t += 1000;
    }
    return out;
}
} // namespace

class TestLagStatus final : public QObject {
    Q_OBJECT

private slots:
    void rules_data() {
        QTest::addColumn<QString>("samples");
        QTest::addColumn<bool>("members");
        QTest::addColumn<PartitionStatus>("expected");
        QTest::addColumn<bool>("complete");
        // Rule 2: caught up once in the window -> OK, even if lag is growing now.
        QTest::addRow("caught up") << "0:0 10:5 20:9 30:12 40:15 50:20 60:30 70:40 80:50 90:60" << true
                                   << PartitionStatus::Ok << true;
        // Rule 4: moving, but lag never goes down and ends higher -> WARN.
        QTest::addRow("falling behind") << "0:10 10:15 20:20 30:25 40:30 50:35 60:40 70:45 80:50 90:55"
                                        << true << PartitionStatus::Warn << true;
        // Lag grows then shrinks: keeping up -> OK.
        QTest::addRow("draining") << "0:10 10:20 20:30 30:40 40:50 50:45 60:40 70:35 80:30 90:25" << true
                                  << PartitionStatus::Ok << true;
        // Flat non-zero lag while moving (steady state) -> OK: lag did not end higher.
        QTest::addRow("steady lag") << "0:5 10:5 20:5 30:5 40:5 50:5 60:5 70:5 80:5 90:5" << true
                                    << PartitionStatus::Ok << true;
        // Rule 3 with live members: offset stuck with work waiting -> STALL.
        QTest::addRow("stalled") << "50:10 50:12 50:14 50:14 50:15 50:20 50:20 50:21 50:25 50:30" << true
                                 << PartitionStatus::Stall << true;
        // Rule 3 without members: nobody commits -> STOP.
        QTest::addRow("stopped") << "50:10 50:12 50:14 50:14 50:15 50:20 50:20 50:21 50:25 50:30" << false
                                 << PartitionStatus::Stop << true;
        // Stuck offset, lag constant, no producers, no consumer: still STOP (work is waiting).
        QTest::addRow("stopped flat")
            << "7:3 7:3 7:3 7:3 7:3 7:3 7:3 7:3 7:3 7:3" << false << PartitionStatus::Stop << true;
        // Rule 1: offset went backwards -> REWIND, before anything else.
        QTest::addRow("rewound") << "0:0 10:0 20:0 5:15 15:5 25:0 35:0 45:0 55:0 65:0" << true
                                 << PartitionStatus::Rewind << true;
        QTest::addRow("rewind incomplete") << "100:0 40:60" << true << PartitionStatus::Rewind << false;
        // Incomplete windows judge only rules 1 and 2.
        QTest::addRow("too few to stall") << "50:10 50:12 50:14" << true << PartitionStatus::Ok << false;
        QTest::addRow("too few to warn") << "0:10 10:15 20:20" << true << PartitionStatus::Ok << false;
        QTest::addRow("empty") << "" << true << PartitionStatus::Ok << false;
        // Idle topic, consumer caught up: OK.
        QTest::addRow("idle and caught up")
            << "9:0 9:0 9:0 9:0 9:0 9:0 9:0 9:0 9:0 9:0" << false << PartitionStatus::Ok << true;
        // Window slides: an 11th sample is more than the window; the caller keeps the last 10.
    }
    void rules() {
        QFETCH(QString, samples);
        QFETCH(bool, members);
        QFETCH(PartitionStatus, expected);
        QFETCH(bool, complete);
        const PartitionEvaluation e = evaluatePartition(history(samples), members);
        QVERIFY2(e.status == expected,
                 qPrintable(QStringLiteral("%1 (%2)").arg(statusName(e.status), e.reason)));
        QCOMPARE(e.complete, complete);
        QVERIFY(!e.reason.isEmpty());
    }

    void groupStatusIsTheWorstPartition() {
        QCOMPARE(evaluateGroup({}), GroupStatus::Ok);
        QCOMPARE(evaluateGroup({PartitionStatus::Ok, PartitionStatus::Ok}), GroupStatus::Ok);
        QCOMPARE(evaluateGroup({PartitionStatus::Ok, PartitionStatus::Warn}), GroupStatus::Warn);
        QCOMPARE(evaluateGroup({PartitionStatus::Warn, PartitionStatus::Stall}), GroupStatus::Err);
        QCOMPARE(evaluateGroup({PartitionStatus::Stop}), GroupStatus::Err);
        QCOMPARE(evaluateGroup({PartitionStatus::Rewind, PartitionStatus::Ok}), GroupStatus::Err);
        QCOMPARE(statusName(GroupStatus::Err), QStringLiteral("ERR"));
        QCOMPARE(statusName(PartitionStatus::Stall), QStringLiteral("STALL"));
    }

    // "lag L · draining at R/s · clear in T s": the drain rate is consumed minus produced, and the
    // slowest partition decides when the group is clear.
    void drainEstimateIsTheSlowestPartitions() {
        std::deque<OffsetSample> w0, w1;
        for (qint64 i = 0; i < 5; ++i) {
            w0.push_back({i * 1000, 300 * i, 0, 10000 + 100 * i}); // consumes 300/s, 100/s produced
            w1.push_back({i * 1000, 1000 * i, 0, 5000 + 500 * i}); // consumes 1000/s, 500/s produced
        }
        PartitionLag p0;
        p0.partition = 0;
        p0.lag = 2000;
        measureRates(w0, p0);
        QCOMPARE(p0.consumeRate, 300.0);
        QCOMPARE(p0.produceRate, 100.0);
        QCOMPARE(p0.drainRate, 200.0);
        QCOMPARE(p0.clearSeconds, 10.0);
        QCOMPARE(p0.lagSeconds, 2000 / 300.0);
        PartitionLag p1;
        p1.partition = 1;
        p1.lag = 1000;
        measureRates(w1, p1);
        QCOMPARE(p1.clearSeconds, 2.0);

        GroupLag g;
        g.partitions = {p0, p1};
        g.totalLag = p0.lag + p1.lag;
        g.drainRate = p0.drainRate + p1.drainRate;
        g.ratesKnown = true;
        estimateClear(g);
        QCOMPARE(g.clearSeconds, 10.0);
        QCOMPARE(g.slowestPartition, 0);
        QCOMPARE(g.skew, 10.0 / (3000.0 / 700.0));
        QCOMPARE(
            drainText(g),
            QStringLiteral("lag 3,000 · draining at 700/s · clear in 10 s (partition 0 decides, skew 2.3×)"));

        // One partition falling behind: the group is not draining, and the text says which.
        std::deque<OffsetSample> behind;
        for (qint64 i = 0; i < 5; ++i)
            behind.push_back({i * 1000, 100 * i, 0, 5000 + 400 * i});
        measureRates(behind, p1);
        QVERIFY(p1.drainRate < 0);
        QCOMPARE(p1.clearSeconds, -1.0);
        g.partitions = {p0, p1};
        g.produceRate = p0.produceRate + p1.produceRate;
        g.consumeRate = p0.consumeRate + p1.consumeRate;
        estimateClear(g);
        QCOMPARE(g.clearSeconds, -1.0);
        QCOMPARE(drainText(g),
                 QStringLiteral("lag 3,000 · not draining (in 500/s, out 400/s; partition 1 is not)"));

        // Before two observations, no rates; with no lag, nothing to drain.
        g.ratesKnown = false;
        QVERIFY(drainText(g).endsWith(u"measuring…"));
        g.totalLag = 0;
        estimateClear(g);
        QCOMPARE(drainText(g), QStringLiteral("lag 0 · caught up"));
    }
};

QTEST_GUILESS_MAIN(TestLagStatus)
#include "tst_lag_status.moc"
