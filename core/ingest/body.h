#pragma once

#include "event/rating_event.h"

#include <QByteArrayView>
#include <QDateTime>
#include <QString>
#include <expected>
#include <vector>

namespace loadlevel::ingest {

// Why a POST /ratings body was refused, as the HTTP answer says it.
struct BodyRefusal {
    int status = 400; // 400 malformed, 413 too large, 422 a value out of range
    QString error;    // "malformed", "too_large", "invalid"
    QString field;    // "rating", "[3].user_id"; empty for the body as a whole
    QString detail;   // for a person
};

// Parses and validates a POST /ratings body: one rating object, or an array of 1 to maxBatch of
// them. Every rating is checked before any is taken (a request is produced whole or not at all).
// The events get the time `now`, an event id when the client gave none, and the HTTP source.
// Pure: no I/O, safe on any input (the fuzz target feeds it arbitrary bytes).
std::expected<std::vector<event::RatingEvent>, BodyRefusal>
parseRatingsBody(QByteArrayView body, qsizetype maxBytes, int maxBatch, const QDateTime& now);

} // namespace loadlevel::ingest
