// What the pipeline tests against the real stack share: a paced run on its own thread, a sink in
// this process or as a CLI process, verification, and a diagnosis when events go missing.
#pragma once

#include "kafka/admin.h"
#include "kafka/handles.h"
#include "kafka/producer.h"
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
#include <algorithm>
#include <csignal>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace loadlevel::test {

// The sink's trace (category loadlevel.sink, debug), kept in memory and shown only when a test
// loses events: it says which member read and wrote which offsets.
class SinkTrace {
public:
    static void install() {
        QLoggingCategory::setFilterRules(QStringLiteral("loadlevel.sink.debug=true"));
        s_previous = qInstallMessageHandler(&SinkTrace::handler);
    }
    static void clear() {
        std::lock_guard lock(s_mutex);
        s_lines.clear();
    }
    static QStringList lines() {
        std::lock_guard lock(s_mutex);
        return QStringList(s_lines.begin(), s_lines.end());
    }

private:
    static void handler(QtMsgType type, const QMessageLogContext& context, const QString& message) {
        if (type == QtDebugMsg && context.category && qstrcmp(context.category, "loadlevel.sink") == 0) {
            std::lock_guard lock(s_mutex);
            s_lines.push_back(QTime::currentTime().toString(QStringLiteral("HH:mm:ss.zzz ")) + message);
            if (s_lines.size() > 20000)
                s_lines.pop_front();
            return;
        }
        s_previous(type, context, message);
    }
    static inline QtMessageHandler s_previous = nullptr;
    static inline std::mutex s_mutex;
    static inline std::deque<QString> s_lines;
};

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

// Each Loadlevel session in the database, a line each: its state, what it waits for, since when,
// its statement and who blocks it.
inline constexpr const char* kSessionsSql =
    "SELECT coalesce(string_agg(format('pid %s %s%s for %s s, blocked by %s: %s', pid, state, "
    "coalesce(' waiting on ' || wait_event_type || '/' || wait_event, ''), "
    "extract(epoch FROM now() - state_change)::int, pg_blocking_pids(pid), left(query, 100)), "
    "E'\\n' ORDER BY pid), 'none') FROM pg_stat_activity "
    "WHERE application_name = 'loadlevel' AND datname = current_database()";

// The fixture of tst_pipeline and tst_faults (a QObject, so that processes and connections
// have an owner; the test classes add Q_OBJECT and the slots).
class PipelineFixture : public QObject {
protected:
    test::Stack m_stack = test::stack();
    pipeline::Settings m_settings;
    std::unique_ptr<store::Store> m_store;
    QString m_lastTopic;                              // the topic of the running test (newTopic)
    std::optional<kafka::ClientConfig> m_lastCluster; // its cluster, when not the stack's

    kafka::ClientConfig config() const { return *kafka::ClientConfig::make(m_stack.kafka); }

    QString newTopic(const QString& prefix) {
        const QString topic = test::uniqueName(prefix);
        m_lastTopic = topic;
        m_lastCluster.reset();
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

    // The sinks' consumer group protocol for a whole suite: LOADLEVEL_GROUP_PROTOCOL (classic, or
    // consumer for KIP-848; tests/CMakeLists.txt runs the fault suite once with each).
    static QString suiteGroupProtocol() {
        const QString p = qEnvironmentVariable("LOADLEVEL_GROUP_PROTOCOL");
        return p.isEmpty() ? QStringLiteral("classic") : p;
    }

    std::unique_ptr<kafka::Sink> startSink(const QString& topic, const QString& group, int members) {
        return startSink(topic, group, members, config());
    }
    std::unique_ptr<kafka::Sink> startSink(const QString& topic, const QString& group, int members,
                                           const kafka::ClientConfig& clientConfig,
                                           const QString& groupProtocol = suiteGroupProtocol()) {
        kafka::SinkOptions o;
        o.topic = topic;
        o.group = group;
        o.members = members;
        o.groupProtocol = groupProtocol;
        auto sink = std::make_unique<kafka::Sink>(clientConfig, o, m_settings.storeFactory());
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

    // The run whose rows are landing from `topic` (empty while none has landed).
    QString runOnTopic(const QString& topic) {
        return test::scalar(m_stack.db,
                            QStringLiteral("SELECT run_id FROM ratings WHERE row_id > (SELECT "
                                           "coalesce(max(row_id), 0) - 200000 FROM ratings) "
                                           "AND kafka_topic = ? LIMIT 1"),
                            {topic})
            .toString();
    }

    // The run ends with every event acknowledged, and then persisted exactly once.
    void expectAllOfIt(BackgroundRun& run, qint64 events) {
        auto m = run.wait();
        QVERIFY(m.has_value());
        QCOMPARE(m->acked, events);
        const auto v = waitVerified(*m, 120000);
        explainMissing(m_lastTopic, v);
        QCOMPARE(v.missing, qint64(0));
        QCOMPARE(v.duplicates, qint64(0));
        QCOMPARE(v.persisted, events);
    }

    // After a loss: where the missing events are in the topic, what the database holds around
    // them, and the sink's trace (written to a file beside the runs; the key lines printed).
    void explainMissing(const QString& topic, const load::Verification& v) {
        if (v.missing == 0)
            return;
        std::set<qint64> missing(v.missingSample.begin(), v.missingSample.end());
        qInfo() << "missing" << v.missing
                << "events; first:" << QList<qint64>(missing.begin(), missing.end());
        auto conf = m_lastCluster.value_or(config()).build(
            {}, {{"group.id", "loadlevel-diagnosis"}, {"enable.auto.commit", "false"}});
        std::array<char, 256> err{};
        kafka::KafkaHandle rk(conf ? rd_kafka_new(RD_KAFKA_CONSUMER, conf->release(), err.data(), err.size())
                                   : nullptr);
        std::map<int, qint64> highs;
        if (rk) {
            kafka::PartitionList parts(rd_kafka_topic_partition_list_new(6));
            for (int p = 0; p < 6; ++p) {
                int64_t low = 0, high = 0;
                rd_kafka_query_watermark_offsets(rk.get(), topic.toUtf8().constData(), p, &low, &high, 5000);
                highs[p] = high;
                rd_kafka_topic_partition_list_add(parts.get(), topic.toUtf8().constData(), p)->offset = low;
            }
            rd_kafka_assign(rk.get(), parts.get());
            std::map<int, qint64> reached;
            const QByteArray runId = v.runId.toUtf8();
            for (QElapsedTimer t; (t.isValid() || (t.start(), true)) && t.elapsed() < 60000;) {
                bool done = true;
                for (const auto& [p, high] : highs)
                    done = done && reached[p] + 1 >= high;
                if (done)
                    break;
                kafka::MessageHandle msg{rd_kafka_consumer_poll(rk.get(), 200)};
                if (!msg || msg->err)
                    continue;
                reached[msg->partition] = msg->offset;
                rd_kafka_headers_t* hdrs = nullptr;
                const void* value = nullptr;
                size_t size = 0;
                if (rd_kafka_message_headers(msg.get(), &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR ||
                    rd_kafka_header_get_last(hdrs, "ce_runid", &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR ||
                    QByteArray(static_cast<const char*>(value), static_cast<qsizetype>(size)) != runId ||
                    rd_kafka_header_get_last(hdrs, "ce_runseq", &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR)
                    continue;
                const qint64 seq =
                    QByteArray(static_cast<const char*>(value), static_cast<qsizetype>(size)).toLongLong();
                if (!missing.contains(seq))
                    continue;
                const qint64 off = msg->offset;
                const QString near =
                    test::scalar(
                        m_stack.db,
                        QStringLiteral("SELECT string_agg(kafka_offset::text, ',' ORDER BY kafka_offset) "
                                       "FROM ratings WHERE kafka_topic = ? AND kafka_partition = ? AND "
                                       "kafka_offset BETWEEN ? AND ?"),
                        {topic, msg->partition, off - 3, off + 3})
                        .toString();
                qInfo() << "missing seq" << seq << "is in the topic at partition" << msg->partition
                        << "offset" << off << "; the database has offsets" << near << "around it";
            }
            rd_kafka_consumer_close(rk.get());
        }
        qInfo() << "high watermarks" << highs << "; stored offsets:"
                << test::scalar(
                       m_stack.db,
                       QStringLiteral("SELECT string_agg(kafka_partition || ':' || next_offset, ' ' "
                                      "ORDER BY kafka_partition) FROM kafka_offsets WHERE topic = ?"),
                       {topic})
                       .toString();
        const QStringList trace = SinkTrace::lines();
        const QString path = QDir(qEnvironmentVariable("LOADLEVEL_RUNS_DIR", QDir::tempPath()))
                                 .filePath(QStringLiteral("sink-trace-%1.log").arg(topic));
        QDir().mkpath(QFileInfo(path).path());
        if (QFile f(path); f.open(QIODevice::WriteOnly))
            f.write(trace.join(u'\n').toUtf8());
        qInfo() << "sink trace:" << trace.size() << "lines in" << path;
        for (const QString& line : trace)
            if (!line.contains(u" wrote "))
                qInfo().noquote() << "  " << line;
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
                             QStringLiteral("--group"), group, QStringLiteral("--group-protocol"),
                             suiteGroupProtocol()} +
                     extra);
        [&] {
            QVERIFY(p->waitForStarted(10000));
        }();
        return p;
    }

    // cleanup() of each test function: a process that a failed function left running (a sink, maybe
    // frozen) is stopped, so that it neither writes on during the next functions nor fills their
    // output. After a failure, first what every Loadlevel session in the database is doing and
    // where those processes are (a stall shows who waits for whom). One that outlives SIGTERM by
    // 30 s shows its stacks and fails the function.
    void stopLeftoverProcesses() {
        const QList<QProcess*> processes = findChildren<QProcess*>();
        const bool running =
            std::ranges::any_of(processes, [](QProcess* p) { return p->state() != QProcess::NotRunning; });
        if (QTest::currentTestFailed() && running) {
            qInfo().noquote() << "the database's Loadlevel sessions:\n"
                              << scalar(m_stack.db, QString::fromUtf8(kSessionsSql)).toString();
            for (QProcess* p : processes) {
                if (p->state() != QProcess::NotRunning) {
                    qInfo() << "the stacks of process" << p->processId() << p->arguments();
                    printStacks(p->processId());
                }
            }
        }
        bool allStopped = true;
        for (QProcess* p : processes) {
            if (p->state() != QProcess::NotRunning) {
                const qint64 pid = p->processId();
                ::kill(static_cast<pid_t>(pid), SIGCONT); // a frozen process sees SIGTERM only then
                p->terminate();
                if (!p->waitForFinished(30000)) {
                    qWarning() << "process" << pid << p->arguments().value(0)
                               << "still running 30 s after SIGTERM; its stacks:";
                    printStacks(pid);
                    p->kill();
                    p->waitForFinished(5000);
                    allStopped = false;
                }
            }
            delete p;
        }
        QVERIFY2(allStopped, "a process did not stop on SIGTERM");
    }

    // initTestCase() of each test, after LOADLEVEL_REQUIRE_STACK.
    void openFixture() {
        SinkTrace::install();
        m_settings.kafka = m_stack.kafka;
        m_settings.database = m_stack.db;
        auto s = store::openStore(m_stack.db, QStringLiteral("tst-pipeline-verify"));
        QVERIFY(s.has_value());
        m_store = std::move(*s);
        QVERIFY(m_store->migrate().has_value());
    }
};

} // namespace loadlevel::test
