#include "store/pg_copy.h"

#include <QSqlDriver>
#include <QVariant>
#include <QtEndian>
#include <libpq-fe.h>
#include <optional>

namespace loadlevel::store::pg {

namespace {

constexpr qint64 kPostgresEpochMs = 946'684'800'000; // 2000-01-01T00:00:00Z, PostgreSQL's time 0
constexpr qint16 kColumns = 10;

template <typename T> void put(QByteArray& out, T value) {
    const T big = qToBigEndian(value);
    out.append(reinterpret_cast<const char*>(&big), sizeof big);
}

template <typename T> void field(QByteArray& out, T value) {
    put<qint32>(out, sizeof(T));
    put<T>(out, value);
}

void nullField(QByteArray& out) {
    put<qint32>(out, -1);
}

void textField(QByteArray& out, const QString& text) {
    if (text.isEmpty()) {
        nullField(out);
        return;
    }
    const QByteArray utf8 = text.toUtf8();
    put<qint32>(out, static_cast<qint32>(utf8.size()));
    out.append(utf8);
}

// PostgreSQL's answer, with SQLSTATE, as an Error of the right kind.
Error copyError(PGconn* conn, const PGresult* result, const char* what) {
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const QString code = state ? QString::fromLatin1(state) : QString();
    QString text = QString::fromUtf8(result ? PQresultErrorMessage(result) : PQerrorMessage(conn)).trimmed();
    if (text.isEmpty())
        text = QString::fromUtf8(PQerrorMessage(conn)).trimmed();
    const QString message = QStringLiteral("%1: %2").arg(QLatin1String(what), text.left(400));
    const bool transient = PQstatus(conn) != CONNECTION_OK || isTransientState(code);
    return transient ? Error::unavailable(message) : Error::failed(message);
}

// Reads the results of the command until libpq has none left; the first error wins.
Result<void> finish(PGconn* conn, const char* what) {
    std::optional<Error> error;
    while (PGresult* r = PQgetResult(conn)) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && !error)
            error = copyError(conn, r, what);
        PQclear(r);
    }
    if (error)
        return fail(*error);
    return {};
}

} // namespace

QByteArray binaryCopy(const std::vector<RatingRow>& rows) {
    QByteArray out;
    out.reserve(19 + static_cast<qsizetype>(rows.size()) * 150 + 2);
    out.append("PGCOPY\n\xff\r\n\0", 11);
    put<qint32>(out, 0); // flags
    put<qint32>(out, 0); // header extension length
    for (const RatingRow& r : rows) {
        const event::RatingEvent& e = r.event;
        put<qint16>(out, kColumns);
        put<qint32>(out, 16);
        out.append(e.eventId.toRfc4122());
        field<qint64>(out, e.userId);
        field<qint64>(out, e.movieId);
        field<qint16>(out, static_cast<qint16>(event::halfStars(e.rating)));
        field<qint64>(out, (e.eventTime.toMSecsSinceEpoch() - kPostgresEpochMs) * 1000);
        textField(out, e.source);
        textField(out, e.runId);
        if (e.runSeq >= 0)
            field<qint64>(out, e.runSeq);
        else
            nullField(out);
        field<qint32>(out, r.partition);
        field<qint64>(out, r.offset);
    }
    put<qint16>(out, -1); // trailer
    return out;
}

Result<void> copyIntoStage(const QSqlDatabase& db, const QByteArray& data) {
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    // QPSQL's handle is its PGconn* (registered as "PGconn*", or by the compiler's name for it).
    if (!handle.isValid() ||
        (qstrcmp(handle.typeName(), "PGconn*") != 0 && qstrcmp(handle.typeName(), "pg_conn*") != 0))
        return fail(Error::failed(QStringLiteral("the database connection is not PostgreSQL's (QPSQL): %1")
                                      .arg(QLatin1String(handle.typeName()))));
    PGconn* conn = *static_cast<PGconn* const*>(handle.constData());
    if (!conn)
        return fail(Error::unavailable(QStringLiteral("the PostgreSQL connection is closed")));

    PGresult* start = PQexec(conn, "COPY ratings_stage FROM STDIN (FORMAT binary)");
    if (PQresultStatus(start) != PGRES_COPY_IN) {
        const Error e = copyError(conn, start, "starting COPY into the staging table");
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
    return finish(conn, "COPY into the staging table");
}

} // namespace loadlevel::store::pg
