#pragma once

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QUuid>

namespace loadlevel::event {

// One rating, as it travels from the load generator (or an HTTP client) to the database.
// A plain value type: copy it freely between threads.
struct RatingEvent {
    QUuid eventId;       // UUIDv7 for events Loadlevel creates; derived for plain producers
    qint64 userId = 0;   // > 0
    qint64 movieId = 0;  // > 0; also the Kafka key, so one movie stays in one partition
    double rating = 0;   // 0.5 .. 5.0 in 0.5 steps
    QDateTime eventTime; // UTC, millisecond precision
    QString source;      // ce_source
    QString runId;       // the load run that produced it (CloudEvents extension ce_runid), may be empty
    qint64 runSeq = -1;  // its sequence number inside that run (ce_runseq), -1 when not from a run

    friend bool operator==(const RatingEvent&, const RatingEvent&) = default;
};

// A time-ordered UUID (RFC 9562 version 7): 48-bit Unix milliseconds, then random bits.
QUuid newUuidV7(const QDateTime& at = QDateTime::currentDateTimeUtc());

// Rating in half stars (4.5 -> 9), the exact integer form used for storage and sums.
inline int halfStars(double rating) {
    return static_cast<int>(rating * 2.0 + 0.5);
}

} // namespace loadlevel::event

Q_DECLARE_METATYPE(loadlevel::event::RatingEvent)
