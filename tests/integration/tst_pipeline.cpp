// The spine against the real stack: Kafka 4 (KRaft) and PostgreSQL 15 from scripts/stack.
#include "kafka/admin.h"
#include "kafka/sink.h"
#include "load/runner.h"
#include "pipeline/settings.h"
#include "test_support.h"

#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <optional>
#include <thread>

using namespace loadlevel;

namespace {

// A run on its own thread, so the test can act (kill, stop, join) while events flow.
class BackgroundRun {
public:
    BackgroundRun(const kafka::ClientConfig& config, const QString& topic, qint64 count, double rate) {
        m_thread = std::thread([=, this] {
            load::RunSpec spec;
            spec.count = count;
            spec.ratePerSec = rate;
            spec.generator.seed = 1234;
            load::Runner runner(config, topic);
            m_result = runner.run(spec);
            m_done = true;
        });
    }
    ~BackgroundRun() { wait(); }
    bool done() const { return m_done.load(); }
    Result<load::RunManifest> wait() {
        if (m_thread.joinable())
            m_thread.join();
        return *m_result;
    }

private:
    std::thread m_thread;
    std::atomic<bool> m_done{false};
    std::optional<Result<load::RunManifest>> m_result;
};

} // namespace

class TestPipeline final : public QObject {
    Q_OBJECT

    test::Stack m_stack = test::stack();
    pipeline::Settings m_settings;
    std::unique_ptr<store::Store> m_store;

    kafka::ClientConfig config() const { return *kafka::ClientConfig::make(m_stack.kafka); }

    QString newTopic(const QString& prefix) {
        const QString topic = test::uniqueName(prefix);
        auto admin = kafka::Admin::create(config());
        [&] {
            QVERIFY(admin.has_value());
        }();
        auto created = (*admin)->ensureTopic(topic, 6, 1);
        [&] {
            QVERIFY2(created.has_value(), created ? "" : qPrintable(created.error().message));
        }();
        return topic;
    }

    std::unique_ptr<kafka::Sink> startSink(const QString& topic, const QString& group, int members) {
        kafka::SinkOptions o;
        o.topic = topic;
        o.group = group;
        o.members = members;
        auto sink = std::make_unique<kafka::Sink>(config(), o, m_settings.storeFactory());
        auto r = sink->start();
        [&] {
            QVERIFY2(r.has_value(), r ? "" : qPrintable(r.error().message));
        }();
        return sink;
    }

    qint64 persistedOf(const QString& runId) {
        return test::scalar(m_stack.db, QStringLiteral("SELECT count(*) FROM ratings WHERE run_id = ?"),
                            {runId})
            .toLongLong();
    }

    // The run ends with every event acknowledged, and then persisted exactly once.
    void expectAllOfIt(BackgroundRun& run, qint64 events) {
        auto m = run.wait();
        QVERIFY(m.has_value());
        QCOMPARE(m->acked, events);
        const auto v = waitVerified(*m, 120000);
        QCOMPARE(v.missing, qint64(0));
        QCOMPARE(v.duplicates, qint64(0));
        QCOMPARE(v.persisted, events);
    }

    // Waits until the run verifies or the time is up; returns the last verification.
    load::Verification waitVerified(const load::RunManifest& m, int timeoutMs) {
        auto v = load::awaitVerification(*m_store, m, std::chrono::milliseconds(timeoutMs), [](const auto&) {
            QCoreApplication::processEvents();
            return true;
        });
        if (!v)
            qWarning() << v.error().message;
        return v.value_or(load::Verification{});
    }

    QProcess* startSinkProcess(const QString& topic, const QString& group, const QStringList& extra = {}) {
        auto* p = new QProcess(this);
        p->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p->setStandardOutputFile(QProcess::nullDevice());
        p->start(QStringLiteral(LOADLEVEL_CLI_PATH),
                 QStringList{QStringLiteral("sink"), QStringLiteral("--kafka"), m_stack.kafka,
                             QStringLiteral("--db"), m_stack.db, QStringLiteral("--topic"), topic,
                             QStringLiteral("--group"), group} +
                     extra);
        [&] {
            QVERIFY(p->waitForStarted(10000));
        }();
        return p;
    }

private slots:
    void initTestCase() {
        LOADLEVEL_REQUIRE_STACK(m_stack);
        m_settings.kafka = m_stack.kafka;
        m_settings.database = m_stack.db;
        auto s = store::openStore(m_stack.db, QStringLiteral("tst-pipeline-verify"));
        QVERIFY(s.has_value());
        m_store = std::move(*s);
        QVERIFY(m_store->migrate().has_value());
    }
    void cleanupTestCase() { m_store.reset(); }

    void burstOf1000LandsAsExactly1000Rows() {
        const QString topic = newTopic(QStringLiteral("burst"));
        auto sink = startSink(topic, test::uniqueName(QStringLiteral("g")), 1);
        load::RunSpec spec;
        spec.count = 1000;
        auto m = load::Runner(config(), topic).run(spec);
        QVERIFY2(m.has_value(), m ? "" : qPrintable(m.error().message));
        QCOMPARE(m->acked, qint64(1000));
        const auto v = waitVerified(*m, 60000);
        QCOMPARE(v.missing, qint64(0));
        QCOMPARE(v.duplicates, qint64(0));
        QCOMPARE(v.persisted, qint64(1000));
        QCOMPARE(persistedOf(m->runId), qint64(1000));
        QTRY_COMPARE_WITH_TIMEOUT(sink->status().persisted, qint64(1000), 10000);
        // Offsets went to the database and, after each transaction, to Kafka as well.
        auto admin = kafka::Admin::create(config());
        auto committed = (*admin)->committedOffsets(sink->options().group, topic);
        QVERIFY(committed.has_value());
        qint64 total = 0;
        for (const auto& [p, o] : *committed)
            total += std::max<qint64>(0, o);
        QCOMPARE(total, qint64(1000));
    }

    void loadTestRunsAreVerifiedReportedAndCompared() {
        // loadlevel-cli run, as a user types it: a stepped profile to Kafka with a sink process
        // running, verified in PostgreSQL, saved as a report; then report show and compare.
        const QString topic = newTopic(QStringLiteral("run"));
        const QString group = test::uniqueName(QStringLiteral("g"));
        QProcess* sink = startSinkProcess(topic, group, {QStringLiteral("--members"), QStringLiteral("2")});
        QTemporaryDir runs;
        QTemporaryDir elsewhere;
        auto cli = [&](const QStringList& args, QByteArray* out = nullptr) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("LOADLEVEL_RUNS_DIR"), runs.path());
            env.insert(QStringLiteral("LOADLEVEL_KAFKA"), m_stack.kafka);
            env.insert(QStringLiteral("LOADLEVEL_DB"), m_stack.db);
            p.setProcessEnvironment(env);
            p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
            p.start(QStringLiteral(LOADLEVEL_CLI_PATH), args);
            if (!p.waitForFinished(180000))
                return -1;
            if (out)
                *out = p.readAllStandardOutput();
            return p.exitCode();
        };
        const QString file = elsewhere.filePath(QStringLiteral("first.json"));
        const QStringList common{QStringLiteral("--topic"),  topic,
                                 QStringLiteral("--target"), QStringLiteral("kafka"),
                                 QStringLiteral("--seed"),   QStringLiteral("7")};
        QCOMPARE(cli(QStringList{QStringLiteral("run"), QStringLiteral("--profile"), QStringLiteral("steps"),
                                 QStringLiteral("--steps"), QStringLiteral("500:1s,1500:1s"),
                                 QStringLiteral("--report"), file} +
                     common),
                 0);
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject first = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(first.value(u"profile").toObject().value(u"kind").toString(), QStringLiteral("steps"));
        QCOMPARE(first.value(u"sent").toInteger(), qint64(2000));
        QCOMPARE(first.value(u"accepted").toInteger(), qint64(2000));
        const QJsonObject v = first.value(u"verification").toObject();
        QCOMPARE(v.value(u"persisted").toInteger(), qint64(2000));
        QCOMPARE(v.value(u"missing").toInteger(), qint64(0));
        QCOMPARE(v.value(u"duplicates").toInteger(), qint64(0));
        QCOMPARE(first.value(u"outcomes").toObject().value(u"ack").toInteger(), qint64(2000));
        const QString firstId = first.value(u"run_id").toString();
        QCOMPARE(persistedOf(firstId), qint64(2000));

        QByteArray out;
        QCOMPARE(
            cli(QStringList{QStringLiteral("run"), QStringLiteral("--profile"), QStringLiteral("burst"),
                            QStringLiteral("--count"), QStringLiteral("3000"), QStringLiteral("--json")} +
                    common,
                &out),
            0);
        const QJsonObject second = QJsonDocument::fromJson(out.trimmed().split('\n').last()).object();
        QCOMPARE(second.value(u"verification").toObject().value(u"persisted").toInteger(), qint64(3000));
        const QString secondId = second.value(u"run_id").toString();
        QVERIFY(!secondId.isEmpty());

        QCOMPARE(cli({QStringLiteral("report"), QStringLiteral("show"), firstId}, &out), 0);
        QVERIFY2(out.contains("steps 500/s for 1 s, 1,500/s for 1 s"), out.constData());
        QVERIFY2(out.contains("2,000 persisted, 0 missing, 0 duplicates"), out.constData());
        QCOMPARE(cli({QStringLiteral("report"), QStringLiteral("compare"), firstId, secondId}, &out), 0);
        QVERIFY2(out.contains("events sent") && out.contains("2,000") && out.contains("3,000") &&
                     out.contains("+50.0 % (better)"),
                 out.constData());
        QCOMPARE(cli({QStringLiteral("report"), QStringLiteral("list")}, &out), 0);
        QVERIFY(out.indexOf(secondId.toUtf8()) < out.indexOf(firstId.toUtf8())); // newest first
        QCOMPARE(
            cli({QStringLiteral("report"), QStringLiteral("show"), QStringLiteral("20000101-000000-0000")}),
            1);
        sink->terminate();
        QVERIFY(sink->waitForFinished(30000));
    }

    void secretsStayOutOfEveryOutputAndFile() {
        // A database password in the URL and Kafka credentials as properties (the stack's broker
        // ignores them: it takes plaintext; librdkafka still reads and checks them). Then a sink, a
        // load run with its report, report show, verify and the metrics: none of what they print
        // or write may contain either secret.
        const QByteArray dbSecret = "Pg-s3cret-4711";
        const QByteArray kafkaSecret = "Kafka-s3cret-0815";
        QUrl db(m_stack.db);
        db.setPassword(QString::fromLatin1(dbSecret));
        QTemporaryDir home;
        QByteArray everything;
        auto cli = [&](const QStringList& args, int timeoutMs = 180000) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("LOADLEVEL_RUNS_DIR"), home.filePath(QStringLiteral("runs")));
            env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
            env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
            env.insert(QStringLiteral("LOADLEVEL_KAFKA"), m_stack.kafka);
            env.insert(QStringLiteral("LOADLEVEL_DB"), db.toString());
            p.setProcessEnvironment(env);
            p.start(QStringLiteral(LOADLEVEL_CLI_PATH),
                    args + QStringList{QStringLiteral("-X"), QStringLiteral("sasl.username=loadlevel"),
                                       QStringLiteral("-X"),
                                       QStringLiteral("sasl.password=") + QString::fromLatin1(kafkaSecret)});
            p.waitForFinished(timeoutMs);
            everything += p.readAllStandardOutput() + p.readAllStandardError();
            return p.exitCode();
        };
        const QString topic = newTopic(QStringLiteral("secrets"));
        const QStringList where{QStringLiteral("--topic"), topic, QStringLiteral("--group"),
                                test::uniqueName(QStringLiteral("g"))};
        QProcess sink;
        {
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("LOADLEVEL_DB"), db.toString());
            sink.setProcessEnvironment(env);
            sink.start(QStringLiteral(LOADLEVEL_CLI_PATH),
                       QStringList{QStringLiteral("sink"), QStringLiteral("--kafka"), m_stack.kafka,
                                   QStringLiteral("--exit-when-idle"), QStringLiteral("5"),
                                   QStringLiteral("-X"),
                                   QStringLiteral("sasl.password=") + QString::fromLatin1(kafkaSecret)} +
                           where);
            QVERIFY(sink.waitForStarted(10000));
        }
        const QString report = home.filePath(QStringLiteral("out/report.json"));
        QCOMPARE(
            cli(QStringList{QStringLiteral("run"), QStringLiteral("--profile"), QStringLiteral("constant"),
                            QStringLiteral("--rate"), QStringLiteral("1000"), QStringLiteral("--duration"),
                            QStringLiteral("2s"), QStringLiteral("--target"), QStringLiteral("kafka"),
                            QStringLiteral("--report"), report} +
                where),
            0);
        QCOMPARE(cli({QStringLiteral("report"), QStringLiteral("list")}), 0);
        cli(QStringList{QStringLiteral("metrics")} + where, 60000);
        QVERIFY(sink.waitForFinished(120000));
        everything += sink.readAllStandardOutput() + sink.readAllStandardError();
        QVERIFY2(everything.contains("database: postgresql://"),
                 everything.constData()); // it did print the URL
        // Every file the commands wrote.
        QDirIterator files(home.path(), QDir::Files, QDirIterator::Subdirectories);
        int read = 0;
        while (files.hasNext()) {
            QFile f(files.next());
            QVERIFY(f.open(QIODevice::ReadOnly));
            everything += f.readAll();
            ++read;
        }
        QVERIFY(read >= 3); // the report, its CSV, the --report copy
        QVERIFY2(!everything.contains(dbSecret), "the database password leaked");
        QVERIFY2(!everything.contains(kafkaSecret), "the Kafka password leaked");
    }

    void sinkKilledThreeTimesMidRunLosesNothing() {
        const QString topic = newTopic(QStringLiteral("kill"));
        const QString group = test::uniqueName(QStringLiteral("g"));
        // A ceiling keeps the first sink from catching up with the whole run before it is killed
        // (a sink that joins late on a fresh cluster then drains a backlog in two seconds).
        QProcess* sink =
            startSinkProcess(topic, group, {QStringLiteral("--max-rows-per-sec"), QStringLiteral("8000")});
        BackgroundRun run(config(), topic, 100000, 20000);
        // Let about a third land, then kill the sink without warning.
        QElapsedTimer t;
        t.start();
        QString runId;
        while (t.elapsed() < 60000) {
            // kafka_topic has no index: look among the newest rows only (the row_id index), once;
            // then count through the run index. A scan of a database with millions of rows took
            // longer than the whole run.
            if (runId.isEmpty())
                runId = test::scalar(m_stack.db,
                                     QStringLiteral("SELECT run_id FROM ratings WHERE row_id > (SELECT "
                                                    "coalesce(max(row_id), 0) - 200000 FROM ratings) "
                                                    "AND kafka_topic = ? LIMIT 1"),
                                     {topic})
                            .toString();
            if (!runId.isEmpty() && persistedOf(runId) >= 30000)
                break;
            QTest::qWait(100);
        }
        QVERIFY2(!runId.isEmpty(), "the sink persisted nothing within 60 s");
        // Three times: SIGKILL (no flush, no commit, no goodbye to the group), then a new sink
        // process (capped too, so that the run is still going at the next kill).
        QProcess* current = sink;
        for (qint64 next : {45000, 60000, -1}) {
            const qint64 atKill = persistedOf(runId);
            current->kill();
            QVERIFY(current->waitForFinished(10000));
            qInfo() << "killed the sink at" << atKill << "rows";
            QVERIFY(atKill < 100000);
            current = startSinkProcess(
                topic, group,
                next < 0 ? QStringList{}
                         : QStringList{QStringLiteral("--max-rows-per-sec"), QStringLiteral("8000")});
            if (next < 0)
                break;
            QTRY_VERIFY_WITH_TIMEOUT(persistedOf(runId) >= next, 90000); // the backlog waits in Kafka
        }
        QProcess* restarted = current;
        auto m = run.wait();
        QVERIFY2(m.has_value(), m ? "" : qPrintable(m.error().message));
        QCOMPARE(m->acked, qint64(100000));
        const auto v = waitVerified(*m, 180000);
        restarted->terminate();
        QVERIFY(restarted->waitForFinished(30000));
        QCOMPARE(v.missing, qint64(0));
        QCOMPARE(v.duplicates, qint64(0));
        QCOMPARE(v.persisted, qint64(100000));
    }

    void poisonMessagesGoToDeadLettersAndTheSinkGoesOn() {
        const QString topic = newTopic(QStringLiteral("poison"));
        // A plain console producer (kcat), no headers: four poison messages, one good one.
        QByteArray lines;
        lines += "not json\n";
        lines += R"({"user_id":1,"movie_id":2,"rating":11})"
                 "\n";
        lines += "{\"user_id\":1,\"movie_id\":2,\"rating\":3,\"x\":\"\xff\xfe\"}\n";
        lines += R"({"user_id":1,"rating":3})"
                 "\n";
        lines += "{\"pad\":\"" + QByteArray(100000, 'x') + "\"}\n";
        lines += R"({"user_id":77,"movie_id":88,"rating":4})"
                 "\n";
        QProcess kcat;
        kcat.start(QStringLiteral("kcat"),
                   {QStringLiteral("-P"), QStringLiteral("-b"), m_stack.kafka, QStringLiteral("-t"), topic,
                    QStringLiteral("-p"), QStringLiteral("0")});
        QVERIFY2(kcat.waitForStarted(10000), "kcat is not installed (scripts/setup)");
        kcat.write(lines);
        kcat.closeWriteChannel();
        QVERIFY(kcat.waitForFinished(30000));
        QCOMPARE(kcat.exitCode(), 0);

        auto sink = startSink(topic, test::uniqueName(QStringLiteral("g")), 1);
        load::RunSpec spec;
        spec.count = 200;
        auto m = load::Runner(config(), topic).run(spec);
        QVERIFY(m.has_value());
        const auto v = waitVerified(*m, 60000);
        QVERIFY(v.ok());
        QTRY_COMPARE_WITH_TIMEOUT(sink->status().deadLetters, qint64(5), 30000);
        QCOMPARE(test::scalar(
                     m_stack.db,
                     QStringLiteral("SELECT count(*) FROM ratings WHERE kafka_topic = ? AND run_id IS NULL"),
                     {topic})
                     .toLongLong(),
                 qint64(1));
        QCOMPARE(test::scalar(
                     m_stack.db,
                     QStringLiteral("SELECT rating FROM ratings WHERE kafka_topic = ? AND run_id IS NULL"),
                     {topic})
                     .toDouble(),
                 4.0);
        auto dead = m_store->deadLetters(topic, 10);
        QVERIFY(dead.has_value());
        QCOMPARE(dead->size(), size_t(5));
        QStringList reasons;
        for (const auto& d : *dead)
            reasons << d.reason;
        const QString all = reasons.join(u" | ");
        for (const char* expected :
             {"malformed JSON", "out of range", "UTF-8", "movie_id is missing", "too large"})
            QVERIFY2(all.contains(QLatin1String(expected)), qPrintable(all));
        QCOMPARE(dead->back().value, QByteArray("not json")); // kept verbatim, oldest last
    }

    void databaseStoppedFor10SecondsLosesNothing() {
        const QString topic = newTopic(QStringLiteral("pgdown"));
        auto sink = startSink(topic, test::uniqueName(QStringLiteral("g")), 2);
        QSignalSpy problems(sink.get(), &kafka::Sink::problem);
        QSignalSpy recoveries(sink.get(), &kafka::Sink::recovered);
        connect(
            sink.get(), &kafka::Sink::problem, this, [](const QString& m) { qInfo() << "sink:" << m; },
            Qt::DirectConnection);
        connect(
            sink.get(), &kafka::Sink::recovered, this, [](const QString& m) { qInfo() << "sink:" << m; },
            Qt::DirectConnection);
        BackgroundRun run(config(), topic, 40000, 2000); // 20 s of events
        QTRY_VERIFY_WITH_TIMEOUT(sink->status().persisted > 2000,
                                 90000); // generous: CI machines may be loaded
        QCOMPARE(test::runStack({QStringLiteral("pg-stop"), QStringLiteral("--immediate")}), 0);
        QTest::qWait(10000);
        QVERIFY(!sink->status().databaseUp);
        QCOMPARE(test::runStack({QStringLiteral("pg-start")}), 0);
        auto m = run.wait();
        QVERIFY(m.has_value());
        const auto v = waitVerified(*m, 120000);
        if (!v.ok())
            qInfo() << "sink status:" << sink->status().persisted << "persisted," << sink->status().consumed
                    << "consumed, database up:" << sink->status().databaseUp
                    << "last error:" << sink->status().lastError
                    << "first missing:" << QList<qint64>(v.missingSample.begin(), v.missingSample.end());
        QCOMPARE(v.missing, qint64(0));
        QCOMPARE(v.duplicates, qint64(0));
        QCOMPARE(v.persisted, qint64(40000));
        QVERIFY(problems.count() >= 1);
        QTRY_VERIFY_WITH_TIMEOUT(recoveries.count() >= 1, 10000);
        QVERIFY(sink->status().databaseUp);
    }

    void backendConnectionsKilledMidTransactionLoseNothing() {
        // 100,000 events at 20,000/s; three times during the run every busy database connection of
        // the sink is terminated (pg_terminate_backend), mid-transaction as it writes.
        const QString topic = newTopic(QStringLiteral("pgkill"));
        auto sink = startSink(topic, test::uniqueName(QStringLiteral("g")), 2);
        QSignalSpy problems(sink.get(), &kafka::Sink::problem);
        BackgroundRun run(config(), topic, 100000, 20000);
        qint64 killed = 0;
        for (qint64 threshold : {10000, 35000, 60000}) {
            QTRY_VERIFY_WITH_TIMEOUT(sink->status().persisted > threshold || run.done(), 90000);
            killed += test::scalar(
                          m_stack.db,
                          QStringLiteral("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                         "WHERE application_name = 'loadlevel' AND pid <> pg_backend_pid() "
                                         "AND datname = current_database() AND state <> 'idle'"))
                          .toLongLong();
        }
        expectAllOfIt(run, 100000);
        qInfo() << "terminated" << killed << "busy backends;" << problems.count()
                << "problems reported by the sink";
        QVERIFY(killed >= 1);
    }

    void brokerKilledAndRestartedMidRunLosesNothing() {
        // 100,000 events at 10,000/s; the broker is killed (SIGKILL) with about 20,000 persisted
        // and started again 3 s later. The producer retries what was not acknowledged, the sink
        // reconnects and resumes from the database's offsets.
        const QString topic = newTopic(QStringLiteral("brokerkill"));
        auto sink = startSink(topic, test::uniqueName(QStringLiteral("g")), 2);
        BackgroundRun run(config(), topic, 100000, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(sink->status().persisted > 20000, 90000);
        QCOMPARE(test::runStack({QStringLiteral("kafka-kill")}), 0);
        QTest::qWait(3000);
        QCOMPARE(test::runStack({QStringLiteral("kafka-start")}), 0);
        expectAllOfIt(run, 100000);
    }

    void membersComingAndGoingUnderLoadLoseNothing() {
        // 100,000 events at 10,000/s while the group changes size every 1.5 s: 1, 3, 2, 1, 3, 2 members.
        const QString topic = newTopic(QStringLiteral("churn"));
        auto sink = startSink(topic, test::uniqueName(QStringLiteral("g")), 2);
        BackgroundRun run(config(), topic, 100000, 10000);
        for (int members : {1, 3, 2, 1, 3, 2}) {
            QTest::qWait(1500);
            sink->setMembers(members);
        }
        expectAllOfIt(run, 100000);
    }

    void membersSplitPartitionsAndAThirdJoiningChangesNothing() {
        const QString topic = newTopic(QStringLiteral("members"));
        const QString group = test::uniqueName(QStringLiteral("g"));
        auto first = startSink(topic, group, 2);
        QTRY_VERIFY_WITH_TIMEOUT(first->status().assignments.size() == 2 &&
                                     !first->status().assignments[0].isEmpty() &&
                                     !first->status().assignments[1].isEmpty(),
                                 30000);
        QCOMPARE(first->status().assignments[0].size() + first->status().assignments[1].size(), 6);
        BackgroundRun run(config(), topic, 40000, 5000); // 8 s of events
        QTest::qWait(3000);
        auto third = startSink(topic, group, 1);
        QTRY_VERIFY_WITH_TIMEOUT(!third->status().assignments.value(0).isEmpty(), 30000);
        auto m = run.wait();
        QVERIFY(m.has_value());
        const auto v = waitVerified(*m, 120000);
        QCOMPARE(v.missing, qint64(0));
        QCOMPARE(v.duplicates, qint64(0));
        QCOMPARE(v.persisted, qint64(40000));
        int owned = 0;
        for (const auto& a : first->status().assignments + third->status().assignments)
            owned += static_cast<int>(a.size());
        QCOMPARE(owned, 6);
    }
};

QTEST_GUILESS_MAIN(TestPipeline)
#include "tst_pipeline.moc"
