#include "metrics/prometheus.h"

#include <QFile>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QtTest>

using namespace loadlevel::metrics;

namespace {
Snapshot sample() {
    static Recorder r;
    r.reset();
    r.produced = 10;
    r.acked = 9;
    r.failed = 1;
    r.consumed = 9;
    r.persisted = 8;
    r.duplicates = 1;
    r.deadLetters = 2;
    for (qint64 us : {300, 800, 2000, 40000, 900000, 3000000})
        r.sendToAck.record(us);
    r.sendToPersisted.record(120000);
    Snapshot s = r.snapshot();
    GroupLag g;
    g.group = QStringLiteral("team \"a\"\\b\nc"); // quotes, backslash, newline: all must be escaped
    g.topic = QStringLiteral("ratings");
    g.members = 2;
    g.status = GroupStatus::Warn;
    PartitionLag p;
    p.partition = 0;
    p.end = 100;
    p.committed = 40;
    p.lag = 60;
    p.status = PartitionStatus::Warn;
    p.lagSeconds = -1;
    g.partitions << p;
    p.partition = 1;
    p.committed = 100;
    p.lag = 0;
    p.lagSeconds = 0;
    p.oldestAgeSeconds = 1.5;
    p.status = PartitionStatus::Ok;
    g.partitions << p;
    s.lag << g;
    return s;
}
} // namespace

class TestPrometheus final : public QObject {
    Q_OBJECT

private slots:
    void exposition_isWellFormed() {
        const QByteArray text = toPrometheus(sample());
        static const QRegularExpression sampleLine(QStringLiteral(
            "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\\n]|\\\\[\\\\\"n])*\")(,[a-"
            "zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\\n]|\\\\[\\\\\"n])*\")*\\})? (-?[0-9.e+-]+|\\+Inf|-Inf|NaN)$"));
        QMap<QString, QString> types;
        QString current;
        for (const QByteArray& raw : text.split('\n')) {
            const QString line = QString::fromUtf8(raw);
            if (line.isEmpty())
                continue;
            if (line.startsWith(u"# TYPE ")) {
                const QStringList f = line.split(u' ');
                QVERIFY2(!types.contains(f[2]), qPrintable(u"TYPE twice: " + f[2]));
                types[f[2]] = f[3];
                current = f[2];
                continue;
            }
            if (line.startsWith(u"# HELP "))
                continue;
            const auto m = sampleLine.match(line);
            QVERIFY2(m.hasMatch(), qPrintable(u"bad sample line: " + line));
            QString family = m.captured(1);
            for (const char* suffix : {"_bucket", "_sum", "_count"})
                if (types.value(current) == u"histogram" && family == current + QLatin1String(suffix))
                    family = current;
            QVERIFY2(family == current, qPrintable(u"sample outside its family block: " + line));
        }
        QCOMPARE(types.value(QStringLiteral("loadlevel_events_acked_total")), QStringLiteral("counter"));
        QCOMPARE(types.value(QStringLiteral("loadlevel_send_to_ack_seconds")), QStringLiteral("histogram"));
        QCOMPARE(types.value(QStringLiteral("loadlevel_consumer_lag_messages")), QStringLiteral("gauge"));
        QVERIFY(text.contains("loadlevel_events_acked_total 9\n"));
        QVERIFY(text.contains("loadlevel_dead_letters_total 2\n"));
        QVERIFY(text.contains("group=\"team \\\"a\\\"\\\\b\\nc\""));
        QVERIFY(text.contains("loadlevel_consumer_lag_messages{group=\"team "
                              "\\\"a\\\"\\\\b\\nc\",topic=\"ratings\",partition=\"0\"} 60"));
        QVERIFY(text.contains("loadlevel_consumer_lag_seconds{group=\"team "
                              "\\\"a\\\"\\\\b\\nc\",topic=\"ratings\",partition=\"0\"} +Inf"));
        QVERIFY(text.contains("partition=\"1\",status=\"OK\"} 1"));
        QVERIFY(text.contains("partition=\"1\",status=\"WARN\"} 0"));
        QVERIFY(text.contains("loadlevel_consumer_group_status{group=\"team "
                              "\\\"a\\\"\\\\b\\nc\",topic=\"ratings\",status=\"WARN\"} 1"));
        QVERIFY(text.contains("loadlevel_consumer_group_members{group=\"team \\\"a\\\"\\\\b\\nc\"} 2"));
    }

    void histogramBucketsAreCumulative() {
        const QByteArray text = toPrometheus(sample());
        static const QRegularExpression bucket(
            QStringLiteral("^loadlevel_send_to_ack_seconds_bucket\\{le=\"([^\"]+)\"\\} (\\d+)$"));
        qint64 previous = -1;
        qint64 inf = -1;
        QMap<QString, qint64> byBound;
        for (const QByteArray& raw : text.split('\n')) {
            const auto m = bucket.match(QString::fromUtf8(raw));
            if (!m.hasMatch())
                continue;
            const qint64 n = m.captured(2).toLongLong();
            QVERIFY(n >= previous);
            previous = n;
            byBound[m.captured(1)] = n;
            if (m.captured(1) == u"+Inf")
                inf = n;
        }
        QCOMPARE(inf, qint64(6));
        QVERIFY(text.contains("loadlevel_send_to_ack_seconds_count 6\n"));
        QCOMPARE(byBound.value(QStringLiteral("0.0005")), qint64(1)); // 300 µs
        QCOMPARE(byBound.value(QStringLiteral("0.001")), qint64(2));  // 800 µs
        QCOMPARE(byBound.value(QStringLiteral("0.05")), qint64(4));   // 40 ms
        QCOMPARE(byBound.value(QStringLiteral("1")), qint64(5));      // 0.9 s
        QCOMPARE(byBound.value(QStringLiteral("5")), qint64(6));      // 3 s
        // _sum is in seconds: 0.0003 + 0.0008 + 0.002 + 0.04 + 0.9 + 3
        QVERIFY(text.contains("loadlevel_send_to_ack_seconds_sum 3.9431\n"));
    }

    // Every metric the README names is exposed, and every exposed metric is named in the README
    // (issue 17), brace lists expanded: `loadlevel_rows_{persisted,duplicate}_total`.
    void theReadmeNamesExactlyTheExposedMetrics() {
        QSet<QString> exposed;
        const QByteArray text = toPrometheus(sample()) + toPrometheus(HttpCounters{3, 2, 1});
        static const QRegularExpression type(QStringLiteral("^# TYPE (\\S+) "),
                                             QRegularExpression::MultilineOption);
        for (auto it = type.globalMatch(QString::fromUtf8(text)); it.hasNext();)
            exposed.insert(it.next().captured(1));
        QVERIFY(exposed.size() > 10);

        QFile readme(QStringLiteral(LOADLEVEL_SOURCE_DIR "/README.md"));
        QVERIFY(readme.open(QIODevice::ReadOnly));
        const QString all = QString::fromUtf8(readme.readAll());
        const qsizetype from = all.indexOf(u"Prometheus names:");
        QVERIFY2(from >= 0, "the README has no list of Prometheus names");
        const QString list = all.mid(from, all.indexOf(u"\n\n", from) - from);
        QSet<QString> named;
        static const QRegularExpression code(QStringLiteral("`(loadlevel_[^`{]*(\\{[a-z_,]+\\}[^`{]*)?)"));
        for (auto it = code.globalMatch(list); it.hasNext();) {
            QString name = it.next().captured(1);
            const qsizetype open = name.indexOf(u'{');
            if (open < 0) {
                named.insert(name);
                continue;
            }
            const qsizetype close = name.indexOf(u'}', open);
            for (const QString& part : name.mid(open + 1, close - open - 1).split(u','))
                named.insert(name.left(open) + part + name.mid(close + 1));
        }
        QStringList missingFromReadme, missingFromExposition;
        for (const QString& n : exposed)
            if (!named.contains(n))
                missingFromReadme << n;
        for (const QString& n : named)
            if (!exposed.contains(n))
                missingFromExposition << n;
        QVERIFY2(missingFromReadme.isEmpty(),
                 qPrintable(u"exposed, not in the README: " + missingFromReadme.join(u", ")));
        QVERIFY2(missingFromExposition.isEmpty(),
                 qPrintable(u"in the README, not exposed: " + missingFromExposition.join(u", ")));
    }

    void lagOnlyExpositionLeavesCountersOut() {
        const QByteArray text = toPrometheus(sample(), false);
        QVERIFY(!text.contains("_total"));
        QVERIFY(!text.contains("_seconds_bucket"));
        QVERIFY(text.contains("loadlevel_log_end_offset{topic=\"ratings\",partition=\"0\"} 100"));
    }

    void publisherComputesRatesBetweenSnapshots() {
        Recorder r;
        SnapshotPublisher publisher(r, 50);
        QSignalSpy spy(&publisher, &SnapshotPublisher::snapshot);
        publisher.start();
        QVERIFY(spy.wait(2000));
        r.acked += 1000;
        r.persisted += 500;
        QTRY_VERIFY_WITH_TIMEOUT(spy.size() >= 3, 2000);
        publisher.stop();
        bool sawRate = false;
        for (const auto& args : std::as_const(spy)) {
            const auto s = args.at(0).value<Snapshot>();
            QVERIFY(s.rates.acked >= 0);
            sawRate = sawRate || s.rates.acked > 0;
        }
        QVERIFY(sawRate);
        QCOMPARE(spy.last().at(0).value<Snapshot>().totals.acked, qint64(1000));
        QCOMPARE(spy.last().at(0).value<Snapshot>().totals.persisted, qint64(500));
    }
};

QTEST_GUILESS_MAIN(TestPrometheus)
#include "tst_prometheus.moc"
