#include "event/codec.h"

#include <QJsonDocument>
#include <QJsonValue>
#include <QStringDecoder>

#include <cmath>

namespace loadlevel::event {

namespace {

constexpr double kMaxExactInteger = 9007199254740991.0; // 2^53 - 1: larger JSON numbers lose digits

// Namespace for ids derived from Kafka coordinates (a fixed random UUID, never change it).
const QUuid kDerivedNamespace(QStringLiteral("{6f1c1a4e-5c2b-4f4e-9a3e-2d7f0b6c9e11}"));

Rejection malformed(QString field, QString reason) {
    return {Rejection::Kind::Malformed, std::move(field), std::move(reason)};
}
Rejection invalid(QString field, QString reason) {
    return {Rejection::Kind::Invalid, std::move(field), std::move(reason)};
}

std::expected<qint64, Rejection> readId(const QJsonObject& o, const QString& name) {
    const QJsonValue v = o.value(name);
    if (v.isUndefined())
        return std::unexpected(invalid(name, name + u" is missing"));
    if (!v.isDouble())
        return std::unexpected(malformed(name, name + u" must be an integer"));
    const double d = v.toDouble();
    if (std::trunc(d) != d)
        return std::unexpected(malformed(name, name + u" must be an integer"));
    if (d <= 0)
        return std::unexpected(invalid(name, name + u" must be positive"));
    if (d > kMaxExactInteger)
        return std::unexpected(invalid(name, name + u" is too large (at most 2^53-1)"));
    return static_cast<qint64>(d);
}

const QByteArray* findHeader(const std::vector<Header>& headers, const char* name) {
    // The last header of a name wins, as with Kafka's own Headers.lastHeader().
    const QByteArray* found = nullptr;
    for (const auto& h : headers)
        if (h.name == name)
            found = &h.value;
    return found;
}

} // namespace

QString formatRating(double rating) {
    const int h = halfStars(rating);
    return h % 2 == 0 ? QString::number(h / 2) : QString::number(h / 2) + u".5";
}

QByteArray encodeValue(const RatingEvent& e) {
    QByteArray out;
    out.reserve(64);
    out += "{\"user_id\":";
    out += QByteArray::number(e.userId);
    out += ",\"movie_id\":";
    out += QByteArray::number(e.movieId);
    out += ",\"rating\":";
    out += formatRating(e.rating).toLatin1();
    out += '}';
    return out;
}

WireMessage encode(const RatingEvent& e) {
    WireMessage m;
    m.key = QByteArray::number(e.movieId);
    m.value = encodeValue(e);
    m.headers.reserve(7);
    m.headers.push_back({"ce_specversion", "1.0"});
    m.headers.push_back({"ce_id", e.eventId.toByteArray(QUuid::WithoutBraces)});
    m.headers.push_back({"ce_source", e.source.isEmpty() ? QByteArray(kDefaultSource) : e.source.toUtf8()});
    m.headers.push_back({"ce_type", kEventType});
    m.headers.push_back({"ce_time", e.eventTime.toUTC().toString(Qt::ISODateWithMs).toLatin1()});
    if (!e.runId.isEmpty()) {
        m.headers.push_back({"ce_runid", e.runId.toUtf8()});
        m.headers.push_back({"ce_runseq", QByteArray::number(e.runSeq)});
    }
    return m;
}

std::expected<QJsonDocument, Rejection> parseJson(QByteArrayView bytes, qsizetype limit) {
    if (bytes.size() > limit)
        return std::unexpected(Rejection{Rejection::Kind::TooLarge, {},
                                         QStringLiteral("value too large (%1 bytes, limit %2)")
                                             .arg(bytes.size())
                                             .arg(limit)});
    if (bytes.isEmpty())
        return std::unexpected(malformed({}, QStringLiteral("empty value")));
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = utf8.decode(bytes);
    if (utf8.hasError())
        return std::unexpected(malformed({}, QStringLiteral("value is not valid UTF-8")));
    if (text.contains(QChar(u'\0')))
        return std::unexpected(malformed({}, QStringLiteral("value contains a NUL character")));
    QJsonParseError error{};
    QJsonDocument doc = QJsonDocument::fromJson(bytes.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError)
        return std::unexpected(malformed(
            {}, QStringLiteral("malformed JSON: %1 at offset %2").arg(error.errorString()).arg(error.offset)));
    return doc;
}

std::expected<void, Rejection> readRatingObject(const QJsonObject& o, RatingEvent& out) {
    auto user = readId(o, QStringLiteral("user_id"));
    if (!user)
        return std::unexpected(user.error());
    auto movie = readId(o, QStringLiteral("movie_id"));
    if (!movie)
        return std::unexpected(movie.error());

    const QJsonValue r = o.value(u"rating");
    if (r.isUndefined())
        return std::unexpected(invalid(QStringLiteral("rating"), QStringLiteral("rating is missing")));
    if (!r.isDouble())
        return std::unexpected(malformed(QStringLiteral("rating"), QStringLiteral("rating must be a number")));
    const double rating = r.toDouble();
    if (!(rating >= 0.5 && rating <= 5.0))
        return std::unexpected(invalid(QStringLiteral("rating"),
                                       QStringLiteral("rating %1 is out of range (0.5 to 5.0)").arg(rating)));
    if (std::fmod(rating * 2.0, 1.0) != 0.0)
        return std::unexpected(invalid(QStringLiteral("rating"),
                                       QStringLiteral("rating %1 is not a multiple of 0.5").arg(rating)));

    const QJsonValue id = o.value(u"event_id");
    if (!id.isUndefined()) {
        const QUuid uuid(id.toString());
        if (!id.isString() || uuid.isNull())
            return std::unexpected(
                malformed(QStringLiteral("event_id"), QStringLiteral("event_id must be a UUID string")));
        out.eventId = uuid;
    }
    out.userId = *user;
    out.movieId = *movie;
    out.rating = rating;
    return {};
}

QUuid derivedEventId(const Origin& origin) {
    return QUuid::createUuidV5(kDerivedNamespace,
                               QStringLiteral("%1/%2/%3").arg(origin.topic).arg(origin.partition).arg(origin.offset));
}

std::expected<RatingEvent, Rejection> decode(QByteArrayView value, const std::vector<Header>& headers,
                                             const Origin& origin) {
    auto doc = parseJson(value);
    if (!doc)
        return std::unexpected(doc.error());
    if (!doc->isObject())
        return std::unexpected(malformed({}, QStringLiteral("value must be a JSON object")));

    RatingEvent e;
    if (auto ok = readRatingObject(doc->object(), e); !ok)
        return std::unexpected(ok.error());

    if (const QByteArray* spec = findHeader(headers, "ce_specversion"); spec && *spec != "1.0")
        return std::unexpected(invalid(QStringLiteral("ce_specversion"),
                                       u"unsupported CloudEvents specversion '" + QString::fromUtf8(*spec) + u'\''));
    if (const QByteArray* type = findHeader(headers, "ce_type"); type && *type != kEventType)
        return std::unexpected(invalid(QStringLiteral("ce_type"),
                                       u"unsupported event type '" + QString::fromUtf8(*type) + u'\''));

    if (const QByteArray* id = findHeader(headers, "ce_id")) {
        e.eventId = QUuid(QAnyStringView(*id));
        if (e.eventId.isNull())
            return std::unexpected(malformed(QStringLiteral("ce_id"), QStringLiteral("ce_id is not a UUID")));
    } else if (e.eventId.isNull()) {
        e.eventId = derivedEventId(origin);
    }

    if (const QByteArray* time = findHeader(headers, "ce_time")) {
        e.eventTime = QDateTime::fromString(QString::fromLatin1(*time), Qt::ISODateWithMs);
        if (!e.eventTime.isValid())
            return std::unexpected(
                malformed(QStringLiteral("ce_time"), QStringLiteral("ce_time is not an RFC 3339 timestamp")));
        e.eventTime = e.eventTime.toUTC();
    } else if (origin.timestampMs >= 0) {
        e.eventTime = QDateTime::fromMSecsSinceEpoch(origin.timestampMs, Qt::UTC);
    } else {
        e.eventTime = QDateTime::currentDateTimeUtc();
    }

    if (const QByteArray* source = findHeader(headers, "ce_source"))
        e.source = QString::fromUtf8(*source);
    if (const QByteArray* run = findHeader(headers, "ce_runid")) {
        e.runId = QString::fromUtf8(*run);
        bool ok = false;
        const QByteArray* seq = findHeader(headers, "ce_runseq");
        e.runSeq = seq ? seq->toLongLong(&ok) : -1;
        if (!ok || e.runSeq < 0)
            return std::unexpected(
                malformed(QStringLiteral("ce_runseq"), QStringLiteral("ce_runseq must be a non-negative integer")));
    }
    return e;
}

} // namespace loadlevel::event
