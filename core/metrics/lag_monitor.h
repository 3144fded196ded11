#pragma once

#include "error.h"
#include "kafka/client_config.h"
#include "metrics/lag_status.h"

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QStringList>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace loadlevel::kafka {
class Admin;
struct PartitionInfo;
} // namespace loadlevel::kafka

namespace loadlevel::metrics {

// Lag of one partition for one group, as of one observation.
struct PartitionLag {
    int partition = -1;
    qint64 low = -1;              // first offset still on the broker
    qint64 end = -1;              // log-end offset
    qint64 committed = -1;        // -1: the group never committed here
    qint64 lag = 0;               // end - committed (end - low when nothing is committed)
    double consumeRate = 0;       // messages/s the group committed over the window
    double lagSeconds = -1;       // time to drain at that rate; -1: unknown or never (rate 0 with lag)
    double produceRate = 0;       // messages/s appended over the window
    double drainRate = 0;         // consumeRate - produceRate: how fast the lag shrinks (< 0: grows)
    double clearSeconds = -1;     // lag / drainRate: when the lag is gone at this pace; -1: not draining
    double oldestAgeSeconds = -1; // age of the oldest unconsumed message; -1: none or unknown
    PartitionStatus status = PartitionStatus::Ok;
    QString reason;
};

// Lag of one group on one topic.
struct GroupLag {
    QString group;
    QString topic;
    QDateTime at;
    QList<PartitionLag> partitions;
    qint64 totalLag = 0;
    double consumeRate = 0;
    double lagSeconds = -1;
    double produceRate = 0;
    double drainRate = 0;      // the partitions' drain rates summed
    double clearSeconds = -1;  // the slowest partition's clearSeconds: the lag is gone when it is
    int slowestPartition = -1; // the partition that decides clearSeconds
    double skew = 0;           // clearSeconds / (totalLag / drainRate): 1 when the lag drains evenly
    bool ratesKnown = false;   // every partition has two observations at least (rates need two)
    int members = -1;          // -1: unknown (the group could not be described)
    QString state;             // Kafka's own group state (Stable, Empty, ...); empty: not described
    QString protocol;          // "classic" or "consumer" (KIP-848); empty: not described
    GroupStatus status = GroupStatus::Ok;
    bool complete = false; // every partition has a full evaluation window
    QString error;         // set when this group could not be read this time
};

// A partition's rates over its window of observations: consumed (committed offsets), produced
// (log-end offsets), their difference (drainRate), and the time to drain at each (lagSeconds at
// the consume rate, clearSeconds at the drain rate). Needs two observations; before, the rates are 0.
void measureRates(const std::deque<OffsetSample>& window, PartitionLag& p);
// The group's clear time from its partitions' (after their drainRate and clearSeconds are summed
// into g and measured): the slowest partition decides, and the skew says how uneven the drain is.
void estimateClear(GroupLag& g);

// The drain estimate people read, the same in `lag --watch` and the desktop: "lag 12,000 ·
// draining at 1,950/s · clear in 7.1 s (partition 3 decides, skew 1.2×)", "lag 0 · caught up", or
// "lag 900 · not draining (in 2,000/s, out 1,900/s)".
QString drainText(const GroupLag& g);

// Watches the consumer lag of any groups on one topic: every interval it reads log-end offsets
// and the groups' committed offsets from the broker, derives consume rate and time to drain,
// peeks at the oldest unconsumed message of lagging partitions for its age, and evaluates each
// partition with the Burrow rules of lag_status.h.
// Thread: start() runs the polling on the monitor's own thread and emits updated() from it;
// pollOnce() can instead be called from one thread of the caller's choosing (not both at once).
// Errors: a broker that does not answer makes pollOnce() fail; per-group read errors are carried
// in GroupLag::error and emitted as problem().
class LagMonitor final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LagMonitor)
public:
    struct Options {
        QString topic = QStringLiteral("ratings");
        QStringList groups;
        int intervalMs = 1000;
        bool peekOldest = true;
        // Live members of a group the caller runs itself (the embedded cluster cannot describe
        // groups); return -1 when unknown.
        std::function<int(const QString& group)> knownMembers;
    };

    LagMonitor(kafka::ClientConfig config, Options options, QObject* parent = nullptr);
    ~LagMonitor() override;

    void start();
    void stop();
    Result<QList<GroupLag>> pollOnce();
    [[nodiscard]] const Options& options() const { return m_options; }

signals:
    void updated(const QList<loadlevel::metrics::GroupLag>& lag);
    void problem(const QString& message);

private:
    Result<void> ensureClients();
    void peekOldest(QList<PartitionLag>& partitions, qint64 nowMs);
    // One partition's lag now, its window of samples moved on (not when its leader did not answer:
    // then its last known log end stands in). complete: its window is full and current;
    // ratesKnown: it holds two samples at least.
    PartitionLag observe(const QString& group, const kafka::PartitionInfo& tp, qint64 committed, qint64 nowMs,
                         bool hasMembers, bool& complete, bool& ratesKnown);
    void run();

    kafka::ClientConfig m_config;
    Options m_options;
    std::unique_ptr<kafka::Admin> m_admin;
    kafka::KafkaHandle m_peek; // a consumer without a group, to read the oldest unconsumed message
    kafka::TopicHandle m_peekTopic;
    std::map<std::pair<QString, int>, std::deque<OffsetSample>> m_windows;
    // A cluster that could not describe a group (the embedded one has no DescribeGroups) is not
    // asked again for a while, so that a poll does not wait on it every time.
    std::chrono::steady_clock::time_point m_describeAgainAt{};
    std::mutex m_pollMutex;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

} // namespace loadlevel::metrics

Q_DECLARE_METATYPE(loadlevel::metrics::GroupLag)
Q_DECLARE_METATYPE(QList<loadlevel::metrics::GroupLag>)
