#pragma once

#include "error.h"
#include "kafka/client_config.h"
#include "metrics/recorder.h"
#include "store/store.h"

#include <QList>
#include <QObject>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace loadlevel::kafka {

struct SinkOptions {
    QString topic = QStringLiteral("ratings");
    QString group = QStringLiteral("loadlevel-sink");
    // The consumer group protocol: "classic" (the group coordinator assigns through a leader
    // member; every Kafka) or "consumer" (KIP-848: the broker assigns; Kafka 4+).
    QString groupProtocol = QStringLiteral("classic");
    int members = 1;
    int batchRows = 5000; // a batch closes at this many messages ...
    int batchMs = 50;     // ... or this long after its first message
    int fetchWaitMs = 50; // how long a broker may hold a fetch with no data (fetch.wait.max.ms)
    // ... or when no message came for this long (0: off). Off for a database server, where the
    // window bounds its transactions per second at a trickle; on in embedded mode (a local file).
    int quietMs = 0;
    double maxRowsPerSec = 0; // database protection: 0 = no ceiling
    // The ceiling is the whole group's (the database's pace) or each member's (one connection's
    // pace: adding members then raises the group's rate, as on a database that is not the limit).
    bool ceilingPerMember = false;
    // A classic group notices a killed member after this long. The mock cluster also waits this
    // long less 1 s for members to rejoin on every rebalance, so embedded mode makes it short.
    int sessionTimeoutMs = 10000;
    metrics::Recorder* recorder = nullptr; // live counters and latencies; may be null
};

struct SinkStatus {
    qint64 consumed = 0;   // messages read from Kafka
    qint64 persisted = 0;  // new rows committed
    qint64 duplicates = 0; // redelivered events the database already had
    qint64 deadLetters = 0;
    qint64 batches = 0;
    qint64 strayDropped = 0;  // fetched under an earlier assignment or position, not used
    qint64 gapsRechecked = 0; // offsets missing in a fetch, read again to be sure
    qint64 fencedBatches = 0; // batches refused because another writer moved the stored offset
    int members = 0;          // running (a member stopped by a fatal Kafka error no longer counts)
    bool databaseUp = true;
    bool paused = false;
    QString lastError;
    QList<QList<int>> assignments; // partitions per member
};

// Persists the topic into a Store exactly once, as N members of one consumer group.
// Each member is a thread with its own consumer and its own Store connection. Per batch, one
// transaction stores rows, movie_stats, dead letters and the next offsets; on assignment a member
// seeks to the offsets in the database, and after each transaction commits them to Kafka too.
// Two safeguards keep that true when Kafka's view and the member's disagree: every message's
// offset is checked against the position the member expects (a stray message from an earlier
// assignment is dropped, a jump is read again once), and each transaction moves an offset only
// from the value the member last saw (a member that missed a rebalance is fenced, not obeyed).
// Thread: create, start and stop from one thread; status() from any thread. Signals come from
// member threads (use queued connections).
// Errors: a database outage pauses the member, retries with backoff and emits problem() once and
// recovered() when it is back; Kafka client errors are emitted as problem() as well.
class Sink final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Sink)
public:
    using StoreFactory = std::function<Result<std::unique_ptr<store::Store>>(const QString& connectionName)>;

    Sink(ClientConfig config, SinkOptions options, StoreFactory stores, QObject* parent = nullptr);
    ~Sink() override;

    // Migrates the schema, then starts the members. Fails if the database cannot be reached.
    Result<void> start();
    // Stops every member within a bounded time; a member flushes its batch first if it can.
    void stop();

    [[nodiscard]] SinkStatus status() const;
    [[nodiscard]] const SinkOptions& options() const { return m_options; }
    void setMaxRowsPerSecond(double rowsPerSec);
    void setCeilingPerMember(bool perMember);
    [[nodiscard]] double maxRowsPerSecond() const { return m_maxRowsPerSec.load(); }
    // Changes the number of members while running (0 stops consuming; the group rebalances).
    // Blocks while removed members finish their batch: call it off the UI thread.
    void setMembers(int members);
    // Paused members stay in the group but fetch nothing (lag builds up); resume drains it.
    void setPaused(bool paused);
    [[nodiscard]] bool paused() const { return m_paused.load(); }

signals:
    void problem(const QString& message);
    void recovered(const QString& message);

private:
    class Member;
    friend class Member;
    // Blocks until `rows` more rows fit under the ceiling (or stop() is called). A per-member
    // ceiling keeps its schedule in the member's `nextFreeSec`.
    void throttle(qint64 rows, double& nextFreeSec);
    void reportProblem(const QString& message);
    void reportRecovered(const QString& message);

    ClientConfig m_config;
    SinkOptions m_options;
    StoreFactory m_stores;
    mutable std::mutex m_membersMutex; // guards m_members and m_retired (status() reads them)
    std::vector<std::unique_ptr<Member>> m_members;
    SinkStatus m_retired; // counters of members already stopped, so totals survive stop()
    std::atomic<bool> m_stopping{false};
    std::atomic<bool> m_paused{false};
    int m_nextMemberIndex = 0;
    std::atomic<int> m_memberCount{0}; // read by members (batch smoothing), written by setMembers()
    std::atomic<double> m_maxRowsPerSec{0};
    std::atomic<bool> m_ceilingPerMember{false};

    std::mutex m_throttleMutex;
    double m_throttleNextFreeSec = 0;

    mutable std::mutex m_errorMutex;
    QString m_lastError;
    std::atomic<int> m_databaseDownMembers{0};
    std::atomic<qint64> m_strayMessages{0};
    std::atomic<qint64> m_gapsRechecked{0};
    std::atomic<qint64> m_fencedBatches{0};
};

} // namespace loadlevel::kafka
