#pragma once

#include <QtGlobal>
#include <map>

namespace loadlevel::kafka {

// The offset bookkeeping of one sink member, the part of exactly once that Kafka cannot be trusted
// with. For each assigned partition it keeps
//  - the position: the offset the next message must have (-1: the log's first, not known yet);
//  - the stored offset: the partition's next offset in the database as this member last read or
//    wrote it (-1: none), which each transaction must move from (compare-and-set; a member whose
//    value is stale is fenced, not obeyed).
// Every fetched message is checked against the position: a message of a partition that is not
// assigned, or behind the position, is a stray (fetched before a seek or a rebalance) and is
// dropped; a message ahead of it is read again once from the position, and the hole is accepted
// only if it is still there (holes are legal: transaction markers, compaction, retention).
// Thread: the member's own. Errors: none; verdicts say what to do.
class OffsetTracker {
public:
    enum class Verdict {
        Accept, // the message continues the partition: use it
        Stray,  // not assigned, or already read: drop it
        Reread, // offsets were skipped: seek to `seekTo` and read them again
    };
    struct Decision {
        Verdict verdict = Verdict::Accept;
        qint64 seekTo = -1; // for Reread
    };

    // The partition is now this member's, starting at `stored` (the database's next offset for
    // it, -1: none; the log's first then).
    void assign(int partition, qint64 stored);
    void revoke(int partition);
    void clear();

    [[nodiscard]] bool assigned(int partition) const { return m_position.contains(partition); }
    // The offset the next message of the partition must have; -1: the log's first, or not assigned.
    [[nodiscard]] qint64 position(int partition) const;
    // `logStart`: the partition's first offset on the broker, used while the position is -1
    // (pass -1 when unknown: then any first offset is accepted).
    [[nodiscard]] Decision check(int partition, qint64 offset, qint64 logStart = -1);
    // Where to fetch from again so that nothing between the position and `offset` is skipped.
    [[nodiscard]] qint64 rewindTarget(int partition, qint64 offset) const;
    // The stored offset is gone (retention): continue from the log's first offset.
    void restartFromLogStart(int partition);

    // The database's next offset for the partition as this member knows it; -1: none.
    [[nodiscard]] qint64 stored(int partition) const;
    [[nodiscard]] const std::map<int, qint64>& storedOffsets() const { return m_stored; }
    // A transaction moved the partition's stored offset to `next`.
    void committed(int partition, qint64 next);
    // A transaction was fenced: the database holds `now` for the partition (-1: nothing), written
    // by someone else. The member continues from there; returns the offset to seek to (-1: the
    // log's first), or nothing to seek when the partition is no longer assigned (-2).
    qint64 fenced(int partition, qint64 now);

private:
    std::map<int, qint64> m_position;
    std::map<int, qint64> m_stored;
    std::map<int, qint64> m_gapSeen; // a gap in front of this offset was read again once already
};

} // namespace loadlevel::kafka
