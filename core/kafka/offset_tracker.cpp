#include "kafka/offset_tracker.h"

#include <algorithm>

namespace loadlevel::kafka {

void OffsetTracker::assign(int partition, qint64 stored) {
    m_position[partition] = stored >= 0 ? stored : -1;
    m_gapSeen.erase(partition);
    if (stored >= 0)
        m_stored[partition] = stored;
    else
        m_stored.erase(partition);
}

void OffsetTracker::revoke(int partition) {
    m_position.erase(partition);
    m_stored.erase(partition);
    m_gapSeen.erase(partition);
}

void OffsetTracker::clear() {
    m_position.clear();
    m_stored.clear();
    m_gapSeen.clear();
}

qint64 OffsetTracker::position(int partition) const {
    const auto it = m_position.find(partition);
    return it != m_position.end() ? it->second : -1;
}

OffsetTracker::Decision OffsetTracker::check(int partition, qint64 offset, qint64 logStart) {
    const auto pos = m_position.find(partition);
    if (pos == m_position.end())
        return {Verdict::Stray}; // fetched under an earlier assignment: another member may own it now
    const qint64 expected = pos->second >= 0 ? pos->second : logStart;
    if (expected >= 0 && offset < expected)
        return {Verdict::Stray}; // already in the batch or the database
    if (expected >= 0 && offset > expected) {
        const auto seen = m_gapSeen.find(partition);
        if (seen == m_gapSeen.end() || seen->second != offset) {
            m_gapSeen[partition] = offset;
            pos->second = expected;
            return {Verdict::Reread, expected};
        }
        // Read again and the hole is still there: it is real.
    }
    m_gapSeen.erase(partition);
    pos->second = offset + 1;
    return {Verdict::Accept};
}

qint64 OffsetTracker::rewindTarget(int partition, qint64 offset) const {
    // A message fetched before an earlier rewind may come after it: seeking to its offset would
    // skip the ones in between.
    const qint64 pos = position(partition);
    return pos >= 0 ? std::min(pos, offset) : offset;
}

void OffsetTracker::restartFromLogStart(int partition) {
    if (const auto pos = m_position.find(partition); pos != m_position.end())
        pos->second = -1;
    m_gapSeen.erase(partition);
}

qint64 OffsetTracker::stored(int partition) const {
    const auto it = m_stored.find(partition);
    return it != m_stored.end() ? it->second : -1;
}

void OffsetTracker::committed(int partition, qint64 next) {
    m_stored[partition] = next;
}

qint64 OffsetTracker::fenced(int partition, qint64 now) {
    const auto pos = m_position.find(partition);
    if (pos == m_position.end()) { // revoked meanwhile: none of this member's business any more
        m_stored.erase(partition);
        return -2;
    }
    if (now >= 0)
        m_stored[partition] = now;
    else
        m_stored.erase(partition);
    pos->second = now >= 0 ? now : -1;
    m_gapSeen.erase(partition);
    return pos->second;
}

} // namespace loadlevel::kafka
