#pragma once

#include "event/rating_event.h"

#include <QByteArray>
#include <QJsonObject>
#include <expected>
#include <optional>
#include <vector>

namespace loadlevel::event {

// The wire format of DESIGN.md: compact JSON value, CloudEvents Kafka-binding headers, key movie_id.

struct Header {
    QByteArray name;
    QByteArray value;
    friend bool operator==(const Header&, const Header&) = default;
};

struct WireMessage {
    QByteArray key;
    QByteArray value;
    std::vector<Header> headers;
};

// Where a consumed message came from; used for derived ids and dead letters.
struct Origin {
    QString topic;
    int partition = -1;
    qint64 offset = -1;
    qint64 timestampMs = -1; // Kafka message timestamp, -1 if none
};

// Why a message or request body was refused. `field` is empty when the whole input is at fault.
struct Rejection {
    enum class Kind {
        Malformed, // not JSON, not an object, not UTF-8, a field of the wrong type (HTTP 400)
        Invalid,   // well-formed but a value is out of range or missing (HTTP 422)
        TooLarge,  // over the size limit (HTTP 413)
    };
    Kind kind = Kind::Malformed;
    QString field;
    QString reason;
};

inline constexpr qsizetype kMaxValueBytes = 64 * 1024;
inline constexpr const char* kEventType = "loadlevel.rating.v1";
inline constexpr const char* kDefaultSource = "/loadlevel";

// The UTF-8 form of a text that repeats from event to event (a run's id, its source): converted
// once and shared afterwards. One per thread.
class Utf8Cache {
public:
    const QByteArray& get(const QString& s) {
        if (s != m_text) {
            m_text = s;
            m_bytes = s.toUtf8();
        }
        return m_bytes;
    }

private:
    QString m_text;
    QByteArray m_bytes;
};

QByteArray encodeValue(const RatingEvent& e);
WireMessage encode(const RatingEvent& e);

// Decodes a Kafka message. Without a ce_id header the id is derived from topic/partition/offset,
// so a redelivered plain message still maps to the same row. `headers` are read during the call
// only (they may be views of a consumed message's bytes). A value in encodeValue()'s exact form
// and a ce_time in formatTimestamp()'s are read directly; any other form through QJsonDocument
// and QDateTime, with the same result.
std::expected<RatingEvent, Rejection> decode(QByteArrayView value, const std::vector<Header>& headers,
                                             const Origin& origin);

// Validates the rating fields of one JSON object (shared with the HTTP service). Fills userId,
// movieId and rating of `out`; an "event_id" member, when present, must be a UUID and is taken.
std::expected<void, Rejection> readRatingObject(const QJsonObject& object, RatingEvent& out);
// The optional load-run tags of an HTTP rating, "run_id" (1-64 of A-Z a-z 0-9 . _ -) and
// "run_seq" (an integer >= 0), both or neither: how a load test through the HTTP service is
// verified against the database, as ce_runid/ce_runseq do on Kafka.
std::expected<void, Rejection> readRunTags(const QJsonObject& object, RatingEvent& out);

// Parses a UTF-8, size-limited JSON document; the first step of decode() and of HTTP bodies.
std::expected<QJsonDocument, Rejection> parseJson(QByteArrayView bytes, qsizetype limit = kMaxValueBytes);

QUuid derivedEventId(const Origin& origin);
QString formatRating(double rating);

// RFC 3339 UTC with milliseconds ("2026-11-23T02:19:35.123Z"), years 0000-9999. The same text as
// QDateTime::toString(Qt::ISODateWithMs) for UTC, without its formatting machinery: this is on
// the hot path of every produced event and every stored row.
QByteArray formatTimestamp(qint64 msSinceEpoch);
// The inverse of formatTimestamp for years 1000-9999: the instant in ms since the epoch, or nothing
// for any other text (decode() then asks QDateTime, which also reads other RFC 3339 forms).
std::optional<qint64> parseTimestamp(QByteArrayView text);
// A UUID as 36 lowercase hex characters with dashes (no braces), without allocation beyond the result.
QByteArray formatUuid(const QUuid& id);

} // namespace loadlevel::event
