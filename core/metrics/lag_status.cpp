#include "metrics/lag_status.h"

namespace loadlevel::metrics {

PartitionEvaluation evaluatePartition(const std::deque<OffsetSample>& w, bool groupHasLiveMembers) {
    PartitionEvaluation e;
    e.complete = static_cast<int>(w.size()) >= kWindow;
    if (w.empty()) {
        e.reason = QStringLiteral("no observations yet");
        return e;
    }
    // Rule 1: an offset that moves backwards means the group was reset or replayed.
    for (size_t i = 1; i < w.size(); ++i)
        if (w[i].committed >= 0 && w[i - 1].committed >= 0 && w[i].committed < w[i - 1].committed) {
            e.status = PartitionStatus::Rewind;
            e.reason = QStringLiteral("committed offset went back from %1 to %2")
                           .arg(w[i - 1].committed)
                           .arg(w[i].committed);
            return e;
        }
    // Rule 2: caught up at least once in the window.
    for (const auto& s : w)
        if (s.lag == 0) {
            e.reason = QStringLiteral("lag reached zero in the window");
            return e;
        }
    if (!e.complete) {
        e.reason = QStringLiteral("%1 of %2 observations").arg(w.size()).arg(kWindow);
        return e;
    }
    // Rule 3: not moving at all while there is work.
    bool moved = false;
    for (size_t i = 1; i < w.size(); ++i)
        moved = moved || w[i].committed != w[0].committed;
    if (!moved) {
        e.status = groupHasLiveMembers ? PartitionStatus::Stall : PartitionStatus::Stop;
        e.reason = groupHasLiveMembers
                       ? QStringLiteral("offset stuck at %1 with lag %2 while the group has members")
                             .arg(w.back().committed)
                             .arg(w.back().lag)
                       : QStringLiteral("no commits: offset stuck at %1 with lag %2 and no live member")
                             .arg(w.back().committed)
                             .arg(w.back().lag);
        return e;
    }
    // Rule 4: moving, but not fast enough to ever reduce the lag.
    bool neverDown = true;
    for (size_t i = 1; i < w.size(); ++i)
        neverDown = neverDown && w[i].lag >= w[i - 1].lag;
    if (neverDown && w.back().lag > w.front().lag) {
        e.status = PartitionStatus::Warn;
        e.reason =
            QStringLiteral("lag grew from %1 to %2 over the window").arg(w.front().lag).arg(w.back().lag);
        return e;
    }
    e.reason = QStringLiteral("consuming, lag %1").arg(w.back().lag);
    return e;
}

GroupStatus evaluateGroup(const QList<PartitionStatus>& partitions) {
    GroupStatus g = GroupStatus::Ok;
    for (PartitionStatus p : partitions) {
        if (p == PartitionStatus::Stop || p == PartitionStatus::Stall || p == PartitionStatus::Rewind)
            return GroupStatus::Err;
        if (p == PartitionStatus::Warn)
            g = GroupStatus::Warn;
    }
    return g;
}

QString statusName(PartitionStatus s) {
    switch (s) {
    case PartitionStatus::Ok:
        return QStringLiteral("OK");
    case PartitionStatus::Warn:
        return QStringLiteral("WARN");
    case PartitionStatus::Stop:
        return QStringLiteral("STOP");
    case PartitionStatus::Stall:
        return QStringLiteral("STALL");
    case PartitionStatus::Rewind:
        return QStringLiteral("REWIND");
    }
    return {};
}

QString statusName(GroupStatus s) {
    switch (s) {
    case GroupStatus::Ok:
        return QStringLiteral("OK");
    case GroupStatus::Warn:
        return QStringLiteral("WARN");
    case GroupStatus::Err:
        return QStringLiteral("ERR");
    }
    return {};
}

} // namespace loadlevel::metrics
