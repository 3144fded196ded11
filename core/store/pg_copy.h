#pragma once

#include "error.h"
#include "store/store.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <vector>

namespace loadlevel::store::pg {

// The sink's rows in PostgreSQL's binary COPY format (a header, one tuple per row, a trailer), for
// one of two targets:
// - Target::Stage, the staging table kStageTable: event_id uuid, user_id int8, movie_id int8,
//   rating_halves int2 (4.5 stars → 9), event_time timestamptz, source text, run_id text, run_seq
//   int8, kafka_partition int4, kafka_offset int8;
// - Target::Ratings, the ratings table itself in the column order of kCopyIntoRatings: the same,
//   with rating numeric (4.5) in place of the halves and kafka_topic (`topic`) before the partition.
// Empty source and run id, and a negative run_seq, are NULL.
enum class Target { Stage, Ratings };
QByteArray binaryCopy(const std::vector<RatingRow>& rows, Target target, const QString& topic = {});

inline constexpr const char* kCopyIntoStage = "COPY ratings_stage FROM STDIN (FORMAT binary)";
inline constexpr const char* kCopyIntoRatings =
    "COPY ratings (event_id, user_id, movie_id, rating, event_time, source, run_id, run_seq, kafka_topic, "
    "kafka_partition, kafka_offset) FROM STDIN (FORMAT binary)";

// SQLSTATE unique_violation: a COPY into ratings met an event_id that is already stored.
inline constexpr QStringView kUniqueViolation = u"23505";
// SQLSTATE lock_not_available: lock_timeout passed.
inline constexpr QStringView kLockNotAvailable = u"55P03";

// SQLSTATE classes that mean "try again": connection exceptions (08), operator intervention such
// as a shutdown (57), insufficient resources (53), deadlock/serialization (40), and a lock wait
// that timed out (the holder goes away, or is ended: postgres_store.cpp's kStallSec).
inline bool isTransientState(QStringView code) {
    return code.startsWith(u"08") || code.startsWith(u"57") || code.startsWith(u"53") ||
           code.startsWith(u"40") || code == kLockNotAvailable;
}

// The session's staging table: created once per connection, emptied at each commit.
inline constexpr const char* kStageTable = R"(CREATE TEMP TABLE IF NOT EXISTS ratings_stage (
    event_id uuid, user_id bigint, movie_id bigint, rating_halves smallint, event_time timestamptz,
    source text, run_id text, run_seq bigint, kafka_partition integer, kafka_offset bigint)
  ON COMMIT DELETE ROWS)";

// Streams `data` (binaryCopy's) with `statement` (kCopyIntoStage or kCopyIntoRatings), on the
// libpq connection under the open Qt SQL one (QPSQL), so it joins that connection's transaction.
// Errors: unavailable for a lost connection or a transient SQLSTATE (08, 40, 53, 57, 55P03), else failed;
// the message carries PostgreSQL's, and `sqlState`, when given, receives the SQLSTATE.
Result<void> copyIn(const QSqlDatabase& db, const char* statement, const QByteArray& data,
                    QString* sqlState = nullptr);

} // namespace loadlevel::store::pg
