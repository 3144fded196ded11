#include "event/codec.h"

#include <QJsonDocument>
#include <QJsonValue>
#include <QRegularExpression>
#include <QStringDecoder>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string_view>

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

// The value exactly as encodeValue() writes it: {"user_id":U,"movie_id":M,"rating":R}, ids of 1 to
// 16 digits without a leading zero and at most 2^53-1, R one digit with an optional ".0" or ".5",
// 0.5 to 5. Anything else (other spacing, order, members, forms of numbers, or values out of range)
// returns false, and decode() takes the general path, which also gives the reasons.
bool readCanonicalValue(QByteArrayView v, RatingEvent& out) {
    const char* p = v.data();
    const char* const end = p + v.size();
    auto literal = [&](std::string_view s) {
        if (end - p < static_cast<qsizetype>(s.size()) || std::memcmp(p, s.data(), s.size()) != 0)
            return false;
        p += s.size();
        return true;
    };
    auto id = [&](qint64& to) {
        if (p == end || *p < '1' || *p > '9')
            return false;
        qint64 n = 0;
        int digits = 0;
        for (; p != end && *p >= '0' && *p <= '9' && digits < 17; ++p, ++digits)
            n = n * 10 + (*p - '0');
        if (digits > 16 || n > static_cast<qint64>(kMaxExactInteger))
            return false;
        to = n;
        return true;
    };
    qint64 user = 0;
    qint64 movie = 0;
    if (!literal(R"({"user_id":)") || !id(user) || !literal(R"(,"movie_id":)") || !id(movie) ||
        !literal(R"(,"rating":)") || p == end || *p < '0' || *p > '5')
        return false;
    int halves = 2 * (*p++ - '0');
    if (p != end && *p == '.') {
        if (end - p < 2 || (p[1] != '0' && p[1] != '5'))
            return false;
        halves += p[1] == '5' ? 1 : 0;
        p += 2;
    }
    if (end - p != 1 || *p != '}' || halves < 1 || halves > 10)
        return false;
    out.userId = user;
    out.movieId = movie;
    out.rating = halves / 2.0;
    return true;
}

// The text of a header that repeats from event to event (a run's id, its source): converted once
// per thread and shared afterwards.
class Utf16Cache {
public:
    const QString& get(const QByteArray& utf8) {
        if (utf8 != m_bytes) {
            m_bytes = QByteArray(utf8.constData(), utf8.size()); // a deep copy: utf8 may be a view
            m_text = QString::fromUtf8(utf8);
        }
        return m_text;
    }

private:
    QByteArray m_bytes;
    QString m_text;
};

const QByteArray* findHeader(const std::vector<Header>& headers, const char* name) {
    // The last header of a name wins, as with Kafka's own Headers.lastHeader().
    const QByteArray* found = nullptr;
    for (const auto& h : headers)
        if (h.name == name)
            found = &h.value;
    return found;
}

} // namespace

QByteArray formatTimestamp(qint64 ms) {
    // Days since the epoch -> civil date (Howard Hinnant's algorithm, proleptic Gregorian).
    qint64 days = ms / 86400000;
    qint64 rem = ms % 86400000;
    if (rem < 0) {
        rem += 86400000;
        --days;
    }
    const qint64 z = days + 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const qint64 doe = z - era * 146097;
    const qint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const qint64 mp = (5 * doy + 2) / 153;
    const qint64 day = doy - (153 * mp + 2) / 5 + 1;
    const qint64 month = mp < 10 ? mp + 3 : mp - 9;
    const qint64 year = yoe + era * 400 + (month <= 2 ? 1 : 0);

    QByteArray out(24, Qt::Uninitialized);
    char* p = out.data();
    auto put = [&p](qint64 v, int width) {
        for (int i = width - 1; i >= 0; --i, v /= 10)
            p[i] = static_cast<char>('0' + v % 10);
        p += width;
    };
    put(year, 4);
    *p++ = '-';
    put(month, 2);
    *p++ = '-';
    put(day, 2);
    *p++ = 'T';
    put(rem / 3600000, 2);
    *p++ = ':';
    put(rem / 60000 % 60, 2);
    *p++ = ':';
    put(rem / 1000 % 60, 2);
    *p++ = '.';
    put(rem % 1000, 3);
    *p = 'Z';
    return out;
}

QByteArray formatUuid(const QUuid& id) {
    static constexpr char kHex[] = "0123456789abcdef";
    const uchar raw[16] = {
        uchar(id.data1 >> 24), uchar(id.data1 >> 16), uchar(id.data1 >> 8), uchar(id.data1),
        uchar(id.data2 >> 8),  uchar(id.data2),       uchar(id.data3 >> 8), uchar(id.data3),
        id.data4[0],           id.data4[1],           id.data4[2],          id.data4[3],
        id.data4[4],           id.data4[5],           id.data4[6],          id.data4[7]};
    QByteArray out(36, Qt::Uninitialized);
    char* p = out.data();
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = kHex[raw[i] >> 4];
        *p++ = kHex[raw[i] & 0x0F];
    }
    return out;
}

std::optional<qint64> parseTimestamp(QByteArrayView t) {
    if (t.size() != 24 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' ||
        t[19] != '.' || t[23] != 'Z')
        return std::nullopt;
    bool ok = true;
    auto num = [&](int at, int width) {
        qint64 v = 0;
        for (int i = at; i < at + width; ++i) {
            ok = ok && t[i] >= '0' && t[i] <= '9';
            v = v * 10 + (t[i] - '0');
        }
        return v;
    };
    const qint64 year = num(0, 4), month = num(5, 2), day = num(8, 2);
    const qint64 hour = num(11, 2), minute = num(14, 2), second = num(17, 2), ms = num(20, 3);
    const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!ok || year < 1000 || month < 1 || month > 12 || day < 1 ||
        day > kDays[month - 1] + (month == 2 && leap ? 1 : 0) || hour > 23 || minute > 59 || second > 59)
        return std::nullopt;
    // Civil date -> days since the epoch (Howard Hinnant's algorithm, as in formatTimestamp).
    const qint64 y = year - (month <= 2 ? 1 : 0);
    const qint64 era = y / 400;
    const qint64 yoe = y - era * 400;
    const qint64 doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const qint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const qint64 days = era * 146097 + doe - 719468;
    return days * 86400000 + hour * 3600000 + minute * 60000 + second * 1000 + ms;
}

QString formatRating(double rating) {
    const int h = halfStars(rating);
    return h % 2 == 0 ? QString::number(h / 2) : QString::number(h / 2) + u".5";
}

namespace {
char* appendLiteral(char* p, std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    return p + s.size();
}
char* appendNumber(char* p, qint64 v) {
    return std::to_chars(p, p + 20, v).ptr;
}
char* appendRating(char* p, double rating) {
    const int h = halfStars(rating);
    p = appendNumber(p, h / 2);
    return h % 2 == 0 ? p : appendLiteral(p, ".5");
}

QByteArray number(qint64 v) {
    char buf[24];
    return QByteArray(buf, appendNumber(buf, v) - buf);
}
// Header names and constant values are shared, never copied per event.
const QByteArray kSpecVersionName = QByteArrayLiteral("ce_specversion");
const QByteArray kSpecVersion = QByteArrayLiteral("1.0");
const QByteArray kIdName = QByteArrayLiteral("ce_id");
const QByteArray kSourceName = QByteArrayLiteral("ce_source");
const QByteArray kDefaultSourceValue(kDefaultSource);
const QByteArray kTypeName = QByteArrayLiteral("ce_type");
const QByteArray kTypeValue(kEventType);
const QByteArray kTimeName = QByteArrayLiteral("ce_time");
const QByteArray kRunIdName = QByteArrayLiteral("ce_runid");
const QByteArray kRunSeqName = QByteArrayLiteral("ce_runseq");
// The binding's datacontenttype: the value's media type, in the plain content-type header.
const QByteArray kContentTypeName = QByteArrayLiteral("content-type");
const QByteArray kContentType = QByteArrayLiteral("application/json");
} // namespace

QByteArray encodeValue(const RatingEvent& e) {
    char buf[96];
    char* p = appendLiteral(buf, R"({"user_id":)");
    p = appendNumber(p, e.userId);
    p = appendLiteral(p, R"(,"movie_id":)");
    p = appendNumber(p, e.movieId);
    p = appendLiteral(p, R"(,"rating":)");
    p = appendRating(p, e.rating);
    *p++ = '}';
    return QByteArray(buf, p - buf);
}

WireMessage encode(const RatingEvent& e) {
    WireMessage m;
    m.key = number(e.movieId);
    m.value = encodeValue(e);
    m.headers.reserve(8);
    m.headers.push_back({kSpecVersionName, kSpecVersion});
    m.headers.push_back({kContentTypeName, kContentType});
    m.headers.push_back({kIdName, formatUuid(e.eventId)});
    thread_local Utf8Cache sources;
    thread_local Utf8Cache runIds;
    m.headers.push_back({kSourceName, e.source.isEmpty() ? kDefaultSourceValue : sources.get(e.source)});
    m.headers.push_back({kTypeName, kTypeValue});
    m.headers.push_back({kTimeName, formatTimestamp(e.eventTime.toMSecsSinceEpoch())});
    if (!e.runId.isEmpty()) {
        m.headers.push_back({kRunIdName, runIds.get(e.runId)});
        m.headers.push_back({kRunSeqName, number(e.runSeq)});
    }
    return m;
}

std::expected<QJsonDocument, Rejection> parseJson(QByteArrayView bytes, qsizetype limit) {
    if (bytes.size() > limit)
        return std::unexpected(
            Rejection{Rejection::Kind::TooLarge,
                      {},
                      QStringLiteral("value too large (%1 bytes, limit %2)").arg(bytes.size()).arg(limit)});
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
            {},
            QStringLiteral("malformed JSON: %1 at offset %2").arg(error.errorString()).arg(error.offset)));
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
        return std::unexpected(
            malformed(QStringLiteral("rating"), QStringLiteral("rating must be a number")));
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

std::expected<void, Rejection> readRunTags(const QJsonObject& o, RatingEvent& out) {
    const QJsonValue id = o.value(u"run_id");
    const QJsonValue seq = o.value(u"run_seq");
    if (id.isUndefined() && seq.isUndefined())
        return {};
    if (id.isUndefined() || seq.isUndefined())
        return std::unexpected(
            invalid(id.isUndefined() ? QStringLiteral("run_id") : QStringLiteral("run_seq"),
                    QStringLiteral("run_id and run_seq come together")));
    static const QRegularExpression runIdForm(QStringLiteral("^[A-Za-z0-9._-]{1,64}$"));
    if (!id.isString())
        return std::unexpected(
            malformed(QStringLiteral("run_id"), QStringLiteral("run_id must be a string")));
    if (!runIdForm.match(id.toString()).hasMatch())
        return std::unexpected(
            invalid(QStringLiteral("run_id"), QStringLiteral("run_id must be 1 to 64 of A-Z a-z 0-9 . _ -")));
    if (!seq.isDouble() || seq.toDouble() != std::floor(seq.toDouble()))
        return std::unexpected(
            malformed(QStringLiteral("run_seq"), QStringLiteral("run_seq must be an integer")));
    if (seq.toDouble() < 0)
        return std::unexpected(invalid(QStringLiteral("run_seq"), QStringLiteral("run_seq must be >= 0")));
    if (seq.toDouble() > kMaxExactInteger)
        return std::unexpected(
            invalid(QStringLiteral("run_seq"), QStringLiteral("run_seq is too large (at most 2^53-1)")));
    out.runId = id.toString();
    out.runSeq = static_cast<qint64>(seq.toDouble());
    return {};
}

QUuid derivedEventId(const Origin& origin) {
    return QUuid::createUuidV5(
        kDerivedNamespace,
        QStringLiteral("%1/%2/%3").arg(origin.topic).arg(origin.partition).arg(origin.offset));
}

std::expected<RatingEvent, Rejection> decode(QByteArrayView value, const std::vector<Header>& headers,
                                             const Origin& origin) {
    RatingEvent e;
    if (!readCanonicalValue(value, e)) {
        auto doc = parseJson(value);
        if (!doc)
            return std::unexpected(doc.error());
        if (!doc->isObject())
            return std::unexpected(malformed({}, QStringLiteral("value must be a JSON object")));
        if (auto ok = readRatingObject(doc->object(), e); !ok)
            return std::unexpected(ok.error());
    }

    if (const QByteArray* spec = findHeader(headers, "ce_specversion"); spec && *spec != "1.0")
        return std::unexpected(
            invalid(QStringLiteral("ce_specversion"),
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
        if (const auto ms = parseTimestamp(*time))
            e.eventTime = QDateTime::fromMSecsSinceEpoch(*ms, Qt::UTC);
        else
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

    thread_local Utf16Cache sources;
    thread_local Utf16Cache runIds;
    if (const QByteArray* source = findHeader(headers, "ce_source"))
        e.source = sources.get(*source);
    // An empty ce_runid names no run (found by fuzzing: it used to keep the ce_runseq beside an
    // empty run id, which encode() then dropped).
    if (const QByteArray* run = findHeader(headers, "ce_runid"); run && !run->isEmpty()) {
        e.runId = runIds.get(*run);
        bool ok = false;
        const QByteArray* seq = findHeader(headers, "ce_runseq");
        e.runSeq = seq ? seq->toLongLong(&ok) : -1;
        if (!ok || e.runSeq < 0)
            return std::unexpected(malformed(QStringLiteral("ce_runseq"),
                                             QStringLiteral("ce_runseq must be a non-negative integer")));
    }
    return e;
}

} // namespace loadlevel::event
