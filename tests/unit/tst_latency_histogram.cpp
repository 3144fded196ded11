#include "metrics/latency_histogram.h"

#include <QRandomGenerator>
#include <QtTest>
#include <algorithm>
#include <thread>

using namespace loadlevel::metrics;

class TestLatencyHistogram final : public QObject {
    Q_OBJECT

private slots:
    void bucketsKeepTwoSignificantDigits() {
        // Every value maps to a bucket whose highest value is within 1/64 above it.
        QRandomGenerator rng(5);
        for (int i = 0; i < 100000; ++i) {
            const qint64 v = static_cast<qint64>(std::exp(rng.bounded(22.0))); // 1 µs .. ~1 h
            const int b = LatencyHistogram::bucketOf(v);
            const qint64 hi = LatencyHistogram::highestIn(b);
            QVERIFY2(hi >= v, qPrintable(QString::number(v)));
            QVERIFY2(hi - v <= std::max<qint64>(0, v / 64),
                     qPrintable(QStringLiteral("%1 -> %2").arg(v).arg(hi)));
            if (b > 0)
                QVERIFY(LatencyHistogram::highestIn(b - 1) < v);
        }
        QCOMPARE(LatencyHistogram::bucketOf(0), 0);
        QCOMPARE(LatencyHistogram::bucketOf(127), 127);
        QCOMPARE(LatencyHistogram::bucketOf(Q_INT64_C(1) << 40), LatencyHistogram::kBuckets - 1);
    }

    void percentilesMatchAnExactSort_data() {
        QTest::addColumn<int>("distribution");
        QTest::addRow("uniform 0..10 ms") << 0;
        QTest::addRow("log-normal around 2 ms") << 1;
        QTest::addRow("bimodal 100 µs / 1 s") << 2;
    }
    void percentilesMatchAnExactSort() {
        QFETCH(int, distribution);
        QRandomGenerator rng(42);
        LatencyHistogram h;
        std::vector<qint64> values;
        for (int i = 0; i < 50000; ++i) {
            qint64 v = 0;
            if (distribution == 0)
                v = rng.bounded(10000);
            else if (distribution == 1)
                v = static_cast<qint64>(
                    std::exp(7.6 + 0.8 * (rng.generateDouble() + rng.generateDouble() - 1.0) * 2));
            else
                v = rng.bounded(100) < 95 ? 100 + rng.bounded(10) : 1000000 + rng.bounded(1000);
            values.push_back(v);
            h.record(v);
        }
        std::sort(values.begin(), values.end());
        const auto counts = h.snapshot();
        for (double p : {50.0, 90.0, 99.0, 99.9}) {
            const auto exact =
                static_cast<double>(values[static_cast<size_t>(std::ceil(values.size() * p / 100.0)) - 1]);
            const double got = counts.percentile(p);
            QVERIFY2(got >= exact && got <= exact * (1 + 1.0 / 64) + 1,
                     qPrintable(QStringLiteral("p%1: exact %2, histogram %3").arg(p).arg(exact).arg(got)));
        }
        QCOMPARE(counts.summary().max, static_cast<double>(values.back()));
        QCOMPARE(counts.summary().count, qint64(values.size()));
    }

    void recordsFromManyThreadsAndMerges() {
        LatencyHistogram a;
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&a, t] {
                for (int i = 0; i < 25000; ++i)
                    a.record(1000 * (t + 1));
            });
        for (auto& t : threads)
            t.join();
        auto counts = a.snapshot();
        QCOMPARE(counts.count, quint64(100000));
        QVERIFY(counts.percentile(25) >= 1000.0 &&
                counts.percentile(25) <= 1000.0 * (1 + 1.0 / 64)); // highest equivalent value
        QCOMPARE(counts.percentile(100), 4000.0);
        LatencyHistogram b;
        b.record(9000000);
        counts.merge(b.snapshot());
        QCOMPARE(counts.count, quint64(100001));
        QCOMPARE(counts.summary().max, 9000000.0);
        a.reset();
        QCOMPARE(a.snapshot().count, quint64(0));
        QCOMPARE(a.snapshot().percentile(50), 0.0);
    }

    void aWindowHoldsOnlyWhatCameAfterItsStart() {
        LatencyHistogram h;
        for (int i = 0; i < 1000; ++i)
            h.record(100000); // 100 ms, before the window
        const auto before = h.snapshot();
        for (int i = 1; i <= 100; ++i)
            h.record(i); // 1..100 µs, inside it
        const auto window = h.snapshot().since(before);
        QCOMPARE(window.count, quint64(100));
        QCOMPARE(window.percentile(50), 50.0);
        QCOMPARE(window.percentile(100), 100.0);
        QCOMPARE(window.max, qint64(100)); // not the 100 ms from before the window
        QCOMPARE(h.snapshot().since(h.snapshot()).count, quint64(0));
    }
};

QTEST_GUILESS_MAIN(TestLatencyHistogram)
#include "tst_latency_histogram.moc"
