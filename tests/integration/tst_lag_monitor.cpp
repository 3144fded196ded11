// LagMonitor against the real broker, cross-checked with Kafka's own kafka-consumer-groups tool.
#include "kafka/admin.h"
#include "kafka/sink.h"
#include "load/runner.h"
#include "metrics/lag_monitor.h"
#include "pipeline/settings.h"
#include "test_support.h"

#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

using namespace loadlevel;

class TestLagMonitor final : public QObject {
    Q_OBJECT

    test::Stack m_stack = test::stack();
    QString m_topic;
    QString m_group;

    kafka::ClientConfig config() const { return *kafka::ClientConfig::make(m_stack.kafka); }

    // Kafka's own kafka-consumer-groups with these arguments; its standard output.
    QString consumerGroups(const QStringList& args) {
        QProcess tool;
        tool.start(m_stack.script,
                   QStringList{QStringLiteral("kafka-tool"),
                               QStringLiteral("org.apache.kafka.tools.consumer.group.ConsumerGroupCommand"),
                               QStringLiteral("--bootstrap-server"), m_stack.kafka} +
                       args);
        [&] {
            QVERIFY(tool.waitForFinished(120000));
        }();
        return QString::fromUtf8(tool.readAllStandardOutput() + tool.readAllStandardError());
    }

    // (state, members) of a group as `kafka-consumer-groups --describe --state` prints them.
    std::pair<QString, int> kafkaToolState(const QString& group) {
        const QString out = consumerGroups(
            {QStringLiteral("--describe"), QStringLiteral("--state"), QStringLiteral("--group"), group});
        for (const QString& line : out.split(u'\n')) {
            const QStringList f = line.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
            if (f.size() >= 4 && f[0] == group)
                return {f[f.size() - 2], f.last().toInt()};
        }
        return {out, -1};
    }

    // partition -> (current offset, log-end offset, lag) as Kafka's tool prints them.
    std::map<int, std::array<qint64, 3>> kafkaToolDescribe() {
        const QString out =
            consumerGroups({QStringLiteral("--describe"), QStringLiteral("--group"), m_group});
        std::map<int, std::array<qint64, 3>> rows;
        for (const QString& line : out.split(u'\n')) {
            const QStringList f = line.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
            if (f.size() >= 6 && f[0] == m_group && f[1] == m_topic)
                rows[f[2].toInt()] = {f[3] == u"-" ? -1 : f[3].toLongLong(), f[4].toLongLong(),
                                      f[5] == u"-" ? -1 : f[5].toLongLong()};
        }
        [&] {
            QVERIFY2(!rows.empty(), qPrintable(out));
        }();
        return rows;
    }

private slots:
    void initTestCase() {
        LOADLEVEL_REQUIRE_STACK(m_stack);
        m_topic = test::uniqueName(QStringLiteral("lag"));
        m_group = test::uniqueName(QStringLiteral("g"));
        auto admin = kafka::Admin::create(config());
        QVERIFY((*admin)->ensureTopic(m_topic, 6, 1).has_value());
        load::RunSpec spec;
        spec.count = 20000;
        QVERIFY(load::Runner(config(), m_topic).run(spec).has_value());

        // Let a slow sink (2,000 rows/s) read part of it, then stop it: a group with lag, frozen.
        // Small fetches interleave the partitions (by default a member drains one partition, up to
        // 1 MB a fetch, before the next), so the group has committed on all of them when it stops.
        pipeline::Settings s;
        s.database = m_stack.db;
        kafka::SinkOptions o;
        o.topic = m_topic;
        o.group = m_group;
        o.maxRowsPerSec = 2000;
        o.members = 3;
        kafka::ClientConfig sinkConfig = config();
        sinkConfig.set("max.partition.fetch.bytes", "16384");
        kafka::Sink sink(sinkConfig, o, s.storeFactory());
        QVERIFY(sink.start().has_value());
        auto committedEverywhere = [&] {
            auto c = (*admin)->committedOffsets(m_group, m_topic);
            return c && c->size() == 6 &&
                   std::all_of(c->begin(), c->end(), [](const auto& kv) { return kv.second >= 0; });
        };
        QTRY_VERIFY_WITH_TIMEOUT(sink.status().persisted >= 4000 && committedEverywhere(), 60000);
        sink.stop();
        QTest::qWait(1000); // the last asynchronous offset commit reaches the broker
    }

    void agreesWithKafkaConsumerGroups() {
        metrics::LagMonitor::Options o;
        o.topic = m_topic;
        o.groups = {m_group};
        metrics::LagMonitor monitor(config(), o);
        auto lags = monitor.pollOnce();
        QVERIFY2(lags.has_value(), lags ? "" : qPrintable(lags.error().message));
        QCOMPARE(lags->size(), 1);
        const metrics::GroupLag& g = lags->front();
        QVERIFY(g.error.isEmpty());
        QVERIFY(g.totalLag > 0);
        QVERIFY(g.totalLag < 20000);

        // For a group without members, Kafka's tool lists the partitions it committed on.
        const auto kafka = kafkaToolDescribe();
        int compared = 0;
        for (const auto& p : g.partitions) {
            const auto it = kafka.find(p.partition);
            if (it == kafka.end()) {
                QCOMPARE(p.committed, qint64(-1)); // never committed here: not listed by Kafka either
                continue;
            }
            QCOMPARE(p.committed, it->second[0]);
            QCOMPARE(p.end, it->second[1]);
            QCOMPARE(p.lag, it->second[2]);
            ++compared;
        }
        QCOMPARE(compared, static_cast<int>(kafka.size()));
        QVERIFY2(compared >= 3, qPrintable(QString::number(compared)));
        QCOMPARE(g.members, 0); // the sink left the group
    }

    // A Java consumer of each group protocol (KIP-848's "consumer" and "classic"): the state, the
    // members and their assignment as Kafka's own tool gives them, while it runs and after it left.
    void groupsOfBothProtocolsAreDescribedAsKafkaDoes_data() {
        QTest::addColumn<QString>("protocol");
        QTest::addRow("consumer (KIP-848)") << QStringLiteral("consumer");
        QTest::addRow("classic") << QStringLiteral("classic");
    }
    void groupsOfBothProtocolsAreDescribedAsKafkaDoes() {
        QFETCH(QString, protocol);
        const QString group = test::uniqueName(QStringLiteral("java-") + protocol);
        QProcess java;
        java.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        java.setStandardOutputFile(QProcess::nullDevice());
        java.start(m_stack.script,
                   {QStringLiteral("kafka-tool"),
                    QStringLiteral("org.apache.kafka.tools.consumer.ConsoleConsumer"),
                    QStringLiteral("--bootstrap-server"), m_stack.kafka, QStringLiteral("--topic"), m_topic,
                    QStringLiteral("--group"), group, QStringLiteral("--consumer-property"),
                    QStringLiteral("group.protocol=") + protocol});
        QVERIFY(java.waitForStarted());
        auto stopJava = qScopeGuard([&] {
            java.terminate();
            java.waitForFinished(30000);
        });
        auto admin = kafka::Admin::create(config());
        QVERIFY(admin.has_value());
        QTRY_VERIFY_WITH_TIMEOUT(kafkaToolState(group) == std::make_pair(QStringLiteral("Stable"), 1), 90000);

        auto d = (*admin)->describeGroup(group);
        QVERIFY2(d.has_value(), d ? "" : qPrintable(d.error().message));
        QCOMPARE(d->state, QStringLiteral("Stable"));
        QCOMPARE(d->protocol, protocol);
        QCOMPARE(d->members.size(), 1);
        QSet<int> assigned;
        for (const auto& [topic, partition] : d->members.front().assignment)
            if (topic == m_topic)
                assigned << partition;
        QCOMPARE(assigned, (QSet<int>{0, 1, 2, 3, 4, 5}));
        const QStringList listed = *(*admin)->listGroups();
        QVERIFY2(listed.contains(group), qPrintable(listed.join(u' ')));

        metrics::LagMonitor::Options o;
        o.topic = m_topic;
        o.groups = {group};
        metrics::LagMonitor monitor(config(), o);
        auto lags = monitor.pollOnce();
        QVERIFY(lags.has_value());
        QCOMPARE(lags->front().members, 1);
        QCOMPARE(lags->front().state, QStringLiteral("Stable"));
        QCOMPARE(lags->front().protocol, protocol);

        // Gone: Kafka says Empty with no members once the consumer left; so must we.
        stopJava.dismiss();
        java.terminate();
        QVERIFY(java.waitForFinished(30000));
        QTRY_VERIFY_WITH_TIMEOUT(kafkaToolState(group).first == u"Empty", 90000);
        d = (*admin)->describeGroup(group);
        QVERIFY(d.has_value());
        QCOMPARE(d->state, QStringLiteral("Empty"));
        QCOMPARE(d->members.size(), 0);
        QVERIFY(!d->missing());
    }

    void aGroupKafkaDoesNotKnowIsMissing() {
        const QString group = test::uniqueName(QStringLiteral("no-such-group"));
        auto admin = kafka::Admin::create(config());
        auto d = (*admin)->describeGroup(group);
        QVERIFY2(d.has_value(), d ? "" : qPrintable(d.error().message));
        QVERIFY2(d->missing(), qPrintable(d->state));
        QCOMPARE(d->members.size(), 0);

        // `lag --group` with it says so and fails, instead of a lag of the whole topic and OK.
        QProcess cli;
        cli.setProcessChannelMode(QProcess::MergedChannels);
        cli.start(QStringLiteral(LOADLEVEL_CLI_PATH),
                  {QStringLiteral("lag"), QStringLiteral("--kafka"), m_stack.kafka, QStringLiteral("--topic"),
                   m_topic, QStringLiteral("--group"), group});
        QVERIFY(cli.waitForFinished(60000));
        const QString out = QString::fromUtf8(cli.readAll());
        QVERIFY2(cli.exitCode() == 4, qPrintable(out)); // not found (README: exit codes)
        QVERIFY2(out.contains(QStringLiteral("consumer group %1 does not exist").arg(group)),
                 qPrintable(out));
    }

    void frozenGroupWithLagIsStoppedAfterAFullWindow() {
        metrics::LagMonitor::Options o;
        o.topic = m_topic;
        o.groups = {m_group};
        o.peekOldest = true;
        metrics::LagMonitor monitor(config(), o);
        Result<QList<metrics::GroupLag>> lags = fail(Error::failed(QStringLiteral("not polled")));
        for (int i = 0; i < metrics::kWindow; ++i) {
            lags = monitor.pollOnce();
            QVERIFY(lags.has_value());
            QTest::qWait(50);
        }
        const metrics::GroupLag& g = lags->front();
        QVERIFY(g.complete);
        QCOMPARE(g.status, metrics::GroupStatus::Err);
        for (const auto& p : g.partitions) {
            if (p.lag > 0) {
                QCOMPARE(p.status, metrics::PartitionStatus::Stop);
                QCOMPARE(p.lagSeconds, -1.0); // never, at a consume rate of zero
                QVERIFY2(p.oldestAgeSeconds > 0, qPrintable(QStringLiteral("partition %1").arg(p.partition)));
            } else {
                QCOMPARE(p.status, metrics::PartitionStatus::Ok);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestLagMonitor)
#include "tst_lag_monitor.moc"
