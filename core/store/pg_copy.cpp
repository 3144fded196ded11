#include "store/pg_copy.h"

#include <QSqlDriver>
#include <QVariant>
#include <QtEndian>
#include <algorithm>
#include <cstring>
#include <libpq-fe.h>
#include <optional>

namespace loadlevel::store::pg {

namespace {

constexpr qint64 kPostgresEpochMs = 946'684'800'000; // 2000-01-01T00:00:00Z, PostgreSQL's time 0

// Appends to a QByteArray through a cursor: one size check per row instead of one per field
// (QByteArray::append goes through insert(), which showed in the sink's profile).
class Writer {
public:
    explicit Writer(qsizetype reserve) { m_out.resize(reserve); }
    // Room for at least n more bytes.
    void ensure(qsizetype n) {
        if (m_pos + n > m_out.size())
            m_out.resize(std::max(m_out.size() * 2, m_pos + n));
    }
    template <typename T> void put(T value) {
        const T big = qToBigEndian(value);
        std::memcpy(m_out.data() + m_pos, &big, sizeof big);
        m_pos += sizeof big;
    }
    void bytes(const char* data, qsizetype n) {
        std::memcpy(m_out.data() + m_pos, data, static_cast<size_t>(n));
        m_pos += n;
    }
    template <typename T> void field(T value) {
        put<qint32>(sizeof(T));
        put<T>(value);
    }
    void nullField() { put<qint32>(-1); }
    void textField(const QByteArray& utf8) {
        if (utf8.isEmpty()) {
            nullField();
            return;
        }
        put<qint32>(static_cast<qint32>(utf8.size()));
        bytes(utf8.constData(), utf8.size());
    }
    void uuidField(const QUuid& id) {
        put<qint32>(16);
        put<quint32>(id.data1);
        put<quint16>(id.data2);
        put<quint16>(id.data3);
        bytes(reinterpret_cast<const char*>(id.data4), 8);
    }
    // A rating (0.5 to 5.0 in half stars) as PostgreSQL's binary numeric: digit count, weight of
    // the first base-10000 digit, sign, display scale, then the digits. 4.5 is {4, 5000} with
    // weight 0; 0.5 is {5000} with weight -1; 4.0 is {4}. The column's numeric(2,1) keeps scale 1.
    void numericHalves(int halves) {
        const qint16 whole = static_cast<qint16>(halves / 2);
        const bool half = halves % 2 != 0;
        const qint16 digits = static_cast<qint16>((whole > 0 ? 1 : 0) + (half ? 1 : 0));
        put<qint32>(8 + 2 * digits);
        put<qint16>(digits);
        put<qint16>(whole > 0 ? 0 : -1); // weight
        put<qint16>(0);                  // sign: positive
        put<qint16>(1);                  // display scale
        if (whole > 0)
            put<qint16>(whole);
        if (half)
            put<qint16>(5000);
    }
    QByteArray take() {
        m_out.truncate(m_pos);
        return std::move(m_out);
    }

private:
    QByteArray m_out;
    qsizetype m_pos = 0;
};

// PostgreSQL's answer, with SQLSTATE, as an Error of the right kind.
Error copyError(PGconn* conn, const PGresult* result, const char* what, QString* sqlState = nullptr) {
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const QString code = state ? QString::fromLatin1(state) : QString();
    if (sqlState)
        *sqlState = code;
    QString text = QString::fromUtf8(result ? PQresultErrorMessage(result) : PQerrorMessage(conn)).trimmed();
    if (text.isEmpty())
        text = QString::fromUtf8(PQerrorMessage(conn)).trimmed();
    const QString message = QStringLiteral("%1: %2").arg(QLatin1String(what), text.left(400));
    const bool transient = PQstatus(conn) != CONNECTION_OK || isTransientState(code);
    return transient ? Error::unavailable(message) : Error::failed(message);
}

// Reads the results of the command until libpq has none left; the first error wins.
Result<void> finish(PGconn* conn, const char* what, QString* sqlState = nullptr) {
    std::optional<Error> error;
    while (PGresult* r = PQgetResult(conn)) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && !error)
            error = copyError(conn, r, what, sqlState);
        PQclear(r);
    }
    if (error)
        return fail(*error);
    return {};
}

} // namespace

QByteArray binaryCopy(const std::vector<RatingRow>& rows, Target target, const QString& topic) {
    const bool ratings = target == Target::Ratings;
    const QByteArray topicUtf8 = topic.toUtf8();
    event::Utf8Cache sources;
    event::Utf8Cache runIds;
    constexpr qsizetype kFixed = 2 + 20 + 12 + 12 + 4 + 12 + 12 + 4 + 4 + 12 + 4 + 8 + 12; // all but texts
    Writer out(19 + static_cast<qsizetype>(rows.size()) * (kFixed + 64) + 2);
    out.ensure(19);
    out.bytes("PGCOPY\n\xff\r\n\0", 11);
    out.put<qint32>(0); // flags
    out.put<qint32>(0); // header extension length
    for (const RatingRow& r : rows) {
        const event::RatingEvent& e = r.event;
        const QByteArray& source = sources.get(e.source);
        const QByteArray& runId = runIds.get(e.runId);
        out.ensure(kFixed + source.size() + runId.size() + topicUtf8.size());
        out.put<qint16>(ratings ? 11 : 10);
        out.uuidField(e.eventId);
        out.field<qint64>(e.userId);
        out.field<qint64>(e.movieId);
        if (ratings)
            out.numericHalves(event::halfStars(e.rating));
        else
            out.field<qint16>(static_cast<qint16>(event::halfStars(e.rating)));
        out.field<qint64>((e.eventTime.toMSecsSinceEpoch() - kPostgresEpochMs) * 1000);
        out.textField(source);
        out.textField(runId);
        if (e.runSeq >= 0)
            out.field<qint64>(e.runSeq);
        else
            out.nullField();
        if (ratings) {
            out.put<qint32>(static_cast<qint32>(topicUtf8.size()));
            out.bytes(topicUtf8.constData(), topicUtf8.size());
        }
        out.field<qint32>(r.partition);
        out.field<qint64>(r.offset);
    }
    out.ensure(2);
    out.put<qint16>(-1); // trailer
    return out.take();
}

Result<void> copyIn(const QSqlDatabase& db, const char* statement, const QByteArray& data,
                    QString* sqlState) {
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    // QPSQL's handle is its PGconn* (registered as "PGconn*", or by the compiler's name for it).
    if (!handle.isValid() ||
        (qstrcmp(handle.typeName(), "PGconn*") != 0 && qstrcmp(handle.typeName(), "pg_conn*") != 0))
        return fail(Error::failed(QStringLiteral("the database connection is not PostgreSQL's (QPSQL): %1")
                                      .arg(QLatin1String(handle.typeName()))));
    PGconn* conn = *static_cast<PGconn* const*>(handle.constData());
    if (!conn)
        return fail(Error::unavailable(QStringLiteral("the PostgreSQL connection is closed")));

    PGresult* start = PQexec(conn, statement);
    if (PQresultStatus(start) != PGRES_COPY_IN) {
        const Error e = copyError(conn, start, "starting COPY", sqlState);
        PQclear(start);
        (void)finish(conn, "starting COPY");
        return fail(e);
    }
    PQclear(start);
    if (PQputCopyData(conn, data.constData(), static_cast<int>(data.size())) != 1) {
        const Error e = copyError(conn, nullptr, "sending rows to COPY");
        (void)PQputCopyEnd(conn, "the client could not send its rows");
        (void)finish(conn, "ending COPY");
        return fail(e);
    }
    if (PQputCopyEnd(conn, nullptr) != 1)
        return fail(copyError(conn, nullptr, "ending COPY"));
    return finish(conn, "COPY", sqlState);
}

} // namespace loadlevel::store::pg
