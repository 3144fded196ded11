#pragma once

#include <QList>
#include <QString>
#include <deque>

namespace loadlevel::metrics {

// Consumer-lag health after Burrow's evaluation rules (github.com/linkedin/Burrow, "Consumer Lag
// Evaluation Rules"), over a sliding window of the last kWindow observations per partition.
enum class PartitionStatus { Ok, Warn, Stop, Stall, Rewind };
enum class GroupStatus { Ok, Warn, Err };

// One observation of a partition: the group's committed offset and its lag at that moment.
struct OffsetSample {
    qint64 timeMs = 0;
    qint64 committed = -1;
    qint64 lag = 0;
    qint64 end = -1; // the log-end offset (-1: unknown): what was produced over the window
    qint64 low = -1; // the first offset still on the broker
};

struct PartitionEvaluation {
    PartitionStatus status = PartitionStatus::Ok;
    bool complete = false; // the window is full; rules 3 and 4 need a full window
    QString reason;        // which rule decided, in words
};

inline constexpr int kWindow = 10;

// Applies the rules, in this order (first match wins):
//  1. REWIND if the committed offset went backwards anywhere in the window.
//  2. OK     if the lag was zero at any point in the window (the consumer caught up).
//  3. With a full window whose committed offset never moved (and lag > 0 throughout):
//     STALL  if the group has live members (they are there but make no progress),
//     STOP   if it has none, or membership is unknown (nobody is committing).
//  4. WARN   with a full window if the offset moved but the lag never went down and ended higher
//            than it started (the consumer falls behind).
//  5. OK     otherwise.
// Burrow counts commits; Kafka's OffsetFetch does not say when a group committed, so a window
// entry here is one observation per monitor tick, and "commits stopped" is told from "stalled" by
// the group's membership.
PartitionEvaluation evaluatePartition(const std::deque<OffsetSample>& window, bool groupHasLiveMembers);

// ERR if any partition is STOP, STALL or REWIND; WARN if any is WARN; OK otherwise.
GroupStatus evaluateGroup(const QList<PartitionStatus>& partitions);

QString statusName(PartitionStatus s);
QString statusName(GroupStatus s);

} // namespace loadlevel::metrics
