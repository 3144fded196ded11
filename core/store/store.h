#pragma once

#include "error.h"
#include "event/codec.h"
#include "event/rating_event.h"

#include <QDateTime>
#include <QString>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace loadlevel::store {

// A decoded event and where it was read from.
struct RatingRow {
    event::RatingEvent event;
    int partition = -1;
    qint64 offset = -1;
    qint64 appendTimeMs = -1; // the broker's append time (LogAppendTime topics), else -1
};

// A message that could not be decoded or validated, kept verbatim with the reason.
struct DeadLetter {
    QString topic;
    int partition = -1;
    qint64 offset = -1;
    QByteArray key;
    QByteArray value;
    std::vector<event::Header> headers;
    QString reason;
};

// The next offset to consume for one partition, written in the same transaction as the rows.
// `expected` is the offset the writer last read or wrote for the partition (-1: none stored yet).
// It fences writers: if another writer moved the offset since (a member that missed a rebalance,
// or a commit that went through although its reply was lost), the batch is refused.
struct OffsetRecord {
    int partition = -1;
    qint64 nextOffset = -1;
    qint64 expected = -1;
};

// One sink batch: stored atomically (all or nothing).
struct Batch {
    QString clusterId; // offsets belong to one cluster's log: a re-created cluster starts afresh
    QString group;
    QString topic;
    std::vector<RatingRow> rows;
    std::vector<DeadLetter> deadLetters;
    std::vector<OffsetRecord> offsets;
    [[nodiscard]] bool empty() const { return rows.empty() && deadLetters.empty() && offsets.empty(); }
};

struct BatchResult {
    qint64 inserted = 0;   // new rows
    qint64 duplicates = 0; // rows whose event_id was already stored (redelivery)
    // Per row of the batch, in order: true when it was inserted (its latency is a latency), false
    // for a duplicate. Empty when the batch had no rows or was fenced.
    std::vector<bool> newRows;
    qint64 deadLetters = 0;
    // Partitions whose stored offset was not the one expected. When not empty, nothing of the
    // batch was stored: read the offsets again (storedOffsets) and continue from there.
    std::vector<int> fenced;
};

struct DeadLetterRow {
    qint64 id = 0;
    QString topic;
    int partition = -1;
    qint64 offset = -1;
    QByteArray value;
    QString reason;
    QDateTime receivedAt;
};

struct MovieStats {
    qint64 movieId = 0;
    qint64 count = 0;
    double average = 0;
    QDateTime updatedAt;
};

// A stored rating with its storage metadata.
struct StoredRating {
    RatingRow row;
    QString topic;
    QDateTime persistedAt;
    qint64 rowId = 0; // insertion order; the cursor of ratingsPage()
};

// What the rows browser and GET /ratings filter on; unset fields do not filter.
struct RatingFilter {
    std::optional<qint64> userId;
    std::optional<qint64> movieId;
    std::optional<double> rating;
    QString runId;
    QDateTime persistedFrom; // inclusive
    QDateTime persistedTo;   // exclusive
};

// A table of someone else's pipeline that a run's events end up in, one row per event, found by a
// key column that carries the event's id ({{event_id}}) or its sequence number in the run
// ({{run_seq}}, which needs the time column to tell this run's rows from older ones). Written as
// `table=NAME,key=COLUMN[,time=COLUMN][,by=event_id|run_seq][,db=URL]` (`--verify-table`).
struct ExternalTable {
    QString database; // URL, as openStore() takes it
    QString table;    // [schema.]name
    QString keyColumn;
    QString keyKind;    // "event_id" or "run_seq"
    QString timeColumn; // when the row was written (its latency's end); empty: none

    // `defaultDatabase` (--db) when the mapping names none; `keyKind` when it says no `by=`.
    static Result<ExternalTable> parse(const QString& mapping, const QString& defaultDatabase,
                                       const QString& keyKind);
    [[nodiscard]] QString describe() const; // "their_ratings.request_id (event_id), time created_at, in …"
};

// The rows of an ExternalTable for some keys: how many carry each, and the earliest time (ms since
// the epoch; -1 without a time column).
struct KeyedRows {
    QString key;
    qint64 count = 0;
    qint64 firstMs = -1;
};

// Persistence for the sink and the read side. One instance per thread: it owns a named
// connection that belongs to the thread that opened it.
// Errors: Unavailable when the database cannot be reached (the caller retries; the instance
// reconnects on the next call), Failed for anything else, with the database's message.
class Store {
public:
    virtual ~Store() = default;

    [[nodiscard]] virtual QString describe() const = 0; // "PostgreSQL 127.0.0.1:5432/db", no password

    // Brings the schema to the newest version; safe to call from several processes at once.
    virtual Result<int> migrate() = 0;

    // Offsets stored for (cluster, group, topic): partition -> next offset to consume.
    virtual Result<std::map<int, qint64>> storedOffsets(const QString& clusterId, const QString& group,
                                                        const QString& topic) = 0;
    // Drops them (a new, empty cluster under the same id must not inherit them).
    virtual Result<void> forgetOffsets(const QString& clusterId, const QString& group,
                                       const QString& topic) = 0;

    // One transaction: rows (duplicates ignored), movie_stats, dead letters and offsets; or
    // nothing, when an offset is fenced (see OffsetRecord).
    virtual Result<BatchResult> writeBatch(const Batch& batch) = 0;

    // Read side.
    virtual Result<qint64> countRatings(const QString& runId = {}) = 0;
    virtual Result<std::vector<qint64>> runSequences(const QString& runId) = 0; // one entry per stored row
    virtual Result<std::vector<DeadLetterRow>> deadLetters(const QString& topic, int limit) = 0;
    virtual Result<std::optional<MovieStats>> movieStats(qint64 movieId) = 0;
    // The movies updated most recently, newest first, at most `limit` (the desktop's stats tab).
    virtual Result<std::vector<MovieStats>> recentMovieStats(int limit) = 0;
    virtual Result<std::optional<StoredRating>> findRating(const QUuid& eventId) = 0;
    // Newest first, keyset-paginated (never OFFSET): rows with rowId < beforeRowId (0: from the
    // newest), at most `limit`. The last row's rowId is the cursor of the next page.
    virtual Result<std::vector<StoredRating>> ratingsPage(const RatingFilter& filter, int limit,
                                                          qint64 beforeRowId = 0) = 0;
    // persisted_at - event_time of every row of a run, in milliseconds (end-to-end latency).
    virtual Result<std::vector<double>> runLatenciesMs(const QString& runId) = 0;
    // The same, with each row's persisted_at (ms since the epoch): a run report's timeline.
    struct RowTiming {
        double latencyMs = 0;
        qint64 persistedMs = 0;
    };
    virtual Result<std::vector<RowTiming>> runRowTimings(const QString& runId) = 0;

    // Someone else's table. checkTable(): NotFound naming the missing table or column (and the
    // table's columns). keyedRows(): by event id, the rows whose key is one of `keys`; by run_seq,
    // the rows written at or after `since`.
    virtual Result<void> checkTable(const ExternalTable& t) = 0;
    virtual Result<std::vector<KeyedRows>> keyedRows(const ExternalTable& t, const QStringList& keys,
                                                     const QDateTime& since) = 0;
};

// Opens a store from a URL: postgresql://user[:password]@host[:port]/db[?sslmode=...], or
// sqlite:///absolute/path.sqlite, or a bare file path (SQLite). connectionName must be unique per thread.
Result<std::unique_ptr<Store>> openStore(const QString& url, const QString& connectionName);
// Whether openStore() would accept the URL (its form only; nothing is connected).
Result<void> checkUrl(const QString& url);

// The URL with any password removed, for output.
QString redactUrl(const QString& url);

} // namespace loadlevel::store
