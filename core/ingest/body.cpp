#include "ingest/body.h"

#include "event/codec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace loadlevel::ingest {

namespace {

BodyRefusal refusal(const event::Rejection& r, const QString& prefix = {}) {
    switch (r.kind) {
    case event::Rejection::Kind::Invalid:
        return {422, QStringLiteral("invalid"), prefix + r.field, r.reason};
    case event::Rejection::Kind::TooLarge:
        return {413, QStringLiteral("too_large"), prefix + r.field, r.reason};
    case event::Rejection::Kind::Malformed:
        break;
    }
    return {400, QStringLiteral("malformed"), prefix + r.field, r.reason};
}

} // namespace

std::expected<std::vector<event::RatingEvent>, BodyRefusal>
parseRatingsBody(QByteArrayView body, qsizetype maxBytes, int maxBatch, const QDateTime& now) {
    if (body.size() > maxBytes)
        return std::unexpected(BodyRefusal{
            413,
            QStringLiteral("too_large"),
            {},
            QStringLiteral("the body has %1 bytes; the limit is %2").arg(body.size()).arg(maxBytes)});
    auto doc = event::parseJson(body, maxBytes);
    if (!doc)
        return std::unexpected(refusal(doc.error()));
    QJsonArray items;
    const bool batch = doc->isArray();
    if (batch) {
        items = doc->array();
        if (items.isEmpty())
            return std::unexpected(
                BodyRefusal{400, QStringLiteral("malformed"), {}, QStringLiteral("the array is empty")});
        if (items.size() > maxBatch)
            // A schema limit (maxItems), so 422 like every other; 413 is for the body's bytes.
            return std::unexpected(BodyRefusal{
                422,
                QStringLiteral("invalid"),
                {},
                QStringLiteral("%1 ratings in one request; at most %2").arg(items.size()).arg(maxBatch)});
    } else if (doc->isObject()) {
        items.append(doc->object());
    } else {
        return std::unexpected(
            BodyRefusal{400,
                        QStringLiteral("malformed"),
                        {},
                        QStringLiteral("the body must be a rating object or an array of them")});
    }
    std::vector<event::RatingEvent> events;
    events.reserve(static_cast<size_t>(items.size()));
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QString prefix = batch ? QStringLiteral("[%1].").arg(i) : QString();
        if (!items[i].isObject())
            return std::unexpected(BodyRefusal{400, QStringLiteral("malformed"),
                                               batch ? QStringLiteral("[%1]").arg(i) : QString(),
                                               QStringLiteral("each rating must be a JSON object")});
        const QJsonObject o = items[i].toObject();
        event::RatingEvent e;
        if (auto ok = event::readRatingObject(o, e); !ok)
            return std::unexpected(refusal(ok.error(), prefix));
        if (auto ok = event::readRunTags(o, e); !ok)
            return std::unexpected(refusal(ok.error(), prefix));
        e.eventTime = now;
        if (e.eventId.isNull())
            e.eventId = event::newUuidV7(now);
        e.source = QStringLiteral("/loadlevel/http");
        events.push_back(std::move(e));
    }
    return events;
}

} // namespace loadlevel::ingest
