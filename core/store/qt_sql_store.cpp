#include "store/qt_sql_store.h"

#include "event/codec.h"

#include <algorithm>

namespace loadlevel::store {

namespace {
constexpr const char* kSelectOffsets = "SELECT kafka_partition, next_offset FROM kafka_offsets WHERE "
                                       "cluster_id = ? AND group_id = ? AND topic = ?";
constexpr const char* kDeleteOffsets =
    "DELETE FROM kafka_offsets WHERE cluster_id = ? AND group_id = ? AND topic = ?";
constexpr const char* kCountAll = "SELECT count(*) FROM ratings";
constexpr const char* kCountRun = "SELECT count(*) FROM ratings WHERE run_id = ?";
constexpr const char* kRunSequences = "SELECT run_seq FROM ratings WHERE run_id = ?";
constexpr const char* kSelectDeadLetters = R"(
SELECT id, kafka_topic, kafka_partition, kafka_offset, msg_value, reason, received_at
  FROM dead_letters WHERE kafka_topic = ? ORDER BY id DESC LIMIT ?)";
constexpr const char* kSelectMovieStats =
    "SELECT movie_id, rating_count, avg_rating, updated_at FROM movie_stats WHERE movie_id = ?";
constexpr const char* kRecentMovieStats =
    "SELECT movie_id, rating_count, avg_rating, updated_at FROM movie_stats "
    "ORDER BY updated_at DESC, movie_id LIMIT ?";
constexpr const char* kRatingColumns =
    "event_id, user_id, movie_id, rating, event_time, source, run_id, run_seq, "
    "kafka_topic, kafka_partition, kafka_offset, persisted_at";
} // namespace

Result<int> QtSqlStore::migrate() {
    auto d = db();
    if (!d)
        return fail(d.error());
    QSqlQuery q(*d);
    auto run = [&](const QString& sql) -> Result<void> {
        if (!q.exec(sql)) {
            const QSqlError e = q.lastError();
            QSqlQuery(*d).exec(QStringLiteral("ROLLBACK"));
            return fail(dbError(u"migration: " + sql.simplified().left(60), e));
        }
        return {};
    };
    for (const char* statement : migrationPrologue())
        if (auto r = run(QString::fromUtf8(statement)); !r)
            return fail(r.error());
    if (auto r = run(QString::fromUtf8(migrationTableSql())); !r)
        return fail(r.error());
    if (auto r = run(QStringLiteral("SELECT coalesce(max(version), 0) FROM schema_migrations")); !r)
        return fail(r.error());
    int current = q.next() ? q.value(0).toInt() : 0;
    q.finish();
    for (const auto& m : migrations()) {
        if (m.version <= current)
            continue;
        for (const char* statement : m.statements)
            if (auto r = run(QString::fromUtf8(statement)); !r)
                return fail(r.error());
        if (auto r =
                run(QStringLiteral("INSERT INTO schema_migrations (version) VALUES (%1)").arg(m.version));
            !r)
            return fail(r.error());
        current = m.version;
    }
    if (auto r = run(QStringLiteral("COMMIT")); !r)
        return fail(r.error());
    return current;
}

Result<QSqlQuery> QtSqlStore::query(const char* sql, std::initializer_list<QVariant> binds,
                                    const QString& what) {
    return query(QString::fromUtf8(sql), QVariantList(binds), what);
}

Result<QSqlQuery> QtSqlStore::query(const QString& sql, const QVariantList& binds, const QString& what) {
    auto d = db();
    if (!d)
        return fail(d.error());
    QSqlQuery q(*d);
    q.setForwardOnly(true);
    if (!q.prepare(sql)) // "no such table" shows here; exec() would only say "parameter count mismatch"
        return fail(dbError(what, q.lastError()));
    for (const QVariant& b : binds)
        q.addBindValue(b);
    if (!q.exec())
        return fail(dbError(what, q.lastError()));
    return q;
}

StoredRating QtSqlStore::readRating(const QSqlQuery& q, int first) {
    StoredRating r;
    r.row.event.eventId = QUuid(q.value(first).toString());
    r.row.event.userId = q.value(first + 1).toLongLong();
    r.row.event.movieId = q.value(first + 2).toLongLong();
    r.row.event.rating = q.value(first + 3).toDouble();
    r.row.event.eventTime = readTime(q.value(first + 4));
    r.row.event.source = q.value(first + 5).toString();
    r.row.event.runId = q.value(first + 6).toString();
    r.row.event.runSeq = q.value(first + 7).isNull() ? -1 : q.value(first + 7).toLongLong();
    r.topic = q.value(first + 8).toString();
    r.row.partition = q.value(first + 9).toInt();
    r.row.offset = q.value(first + 10).toLongLong();
    r.persistedAt = readTime(q.value(first + 11));
    return r;
}

Result<std::vector<StoredRating>> QtSqlStore::ratingsPage(const RatingFilter& f, int limit,
                                                          qint64 beforeRowId) {
    // The statement is assembled from fixed fragments only; every value is bound.
    const QString rowId = QString::fromLatin1(rowIdColumn());
    QString sql = u"SELECT " + rowId + u", " + QLatin1String(kRatingColumns) + u" FROM ratings WHERE 1 = 1";
    QVariantList binds;
    if (f.userId) {
        sql += u" AND user_id = ?";
        binds << *f.userId;
    }
    if (f.movieId) {
        sql += u" AND movie_id = ?";
        binds << *f.movieId;
    }
    if (f.rating) {
        sql += u" AND rating = ?";
        binds << *f.rating;
    }
    if (!f.runId.isEmpty()) {
        sql += u" AND run_id = ?";
        binds << f.runId;
    }
    if (f.persistedFrom.isValid()) {
        sql += u" AND persisted_at >= ?";
        binds << timeParameter(f.persistedFrom);
    }
    if (f.persistedTo.isValid()) {
        sql += u" AND persisted_at < ?";
        binds << timeParameter(f.persistedTo);
    }
    if (beforeRowId > 0) {
        sql += u" AND " + rowId + u" < ?";
        binds << beforeRowId;
    }
    sql += u" ORDER BY " + rowId + u" DESC LIMIT ?";
    binds << std::clamp(limit, 1, 10000);
    auto q = query(sql, binds, QStringLiteral("reading ratings"));
    if (!q)
        return fail(q.error());
    std::vector<StoredRating> out;
    while (q->next()) {
        StoredRating r = readRating(*q, 1);
        r.rowId = q->value(0).toLongLong();
        out.push_back(std::move(r));
    }
    return out;
}

QDateTime QtSqlStore::readTime(const QVariant& v) {
    if (v.metaType().id() == QMetaType::QDateTime)
        return v.toDateTime().toUTC();
    return QDateTime::fromString(v.toString(), Qt::ISODateWithMs).toUTC();
}

Result<std::map<int, qint64>> QtSqlStore::storedOffsets(const QString& clusterId, const QString& group,
                                                        const QString& topic) {
    auto q = query(kSelectOffsets, {clusterId, group, topic}, QStringLiteral("reading stored offsets"));
    if (!q)
        return fail(q.error());
    std::map<int, qint64> out;
    while (q->next())
        out[q->value(0).toInt()] = q->value(1).toLongLong();
    return out;
}

Result<void> QtSqlStore::forgetOffsets(const QString& clusterId, const QString& group, const QString& topic) {
    auto q = query(kDeleteOffsets, {clusterId, group, topic}, QStringLiteral("forgetting stored offsets"));
    if (!q)
        return fail(q.error());
    return {};
}

Result<qint64> QtSqlStore::countRatings(const QString& runId) {
    auto q = runId.isEmpty() ? query(kCountAll, {}, QStringLiteral("counting ratings"))
                             : query(kCountRun, {runId}, QStringLiteral("counting ratings"));
    if (!q)
        return fail(q.error());
    return q->next() ? q->value(0).toLongLong() : 0;
}

Result<std::vector<qint64>> QtSqlStore::runSequences(const QString& runId) {
    auto q = query(kRunSequences, {runId}, QStringLiteral("reading the rows of run %1").arg(runId));
    if (!q)
        return fail(q.error());
    std::vector<qint64> out;
    while (q->next())
        out.push_back(q->value(0).toLongLong());
    return out;
}

Result<std::vector<DeadLetterRow>> QtSqlStore::deadLetters(const QString& topic, int limit) {
    auto q = query(kSelectDeadLetters, {topic, limit}, QStringLiteral("reading dead letters"));
    if (!q)
        return fail(q.error());
    std::vector<DeadLetterRow> out;
    while (q->next())
        out.push_back({q->value(0).toLongLong(), q->value(1).toString(), q->value(2).toInt(),
                       q->value(3).toLongLong(), q->value(4).toByteArray(), q->value(5).toString(),
                       readTime(q->value(6))});
    return out;
}

Result<std::optional<MovieStats>> QtSqlStore::movieStats(qint64 movieId) {
    auto q = query(kSelectMovieStats, {movieId}, QStringLiteral("reading movie_stats"));
    if (!q)
        return fail(q.error());
    if (!q->next())
        return std::optional<MovieStats>{};
    return MovieStats{q->value(0).toLongLong(), q->value(1).toLongLong(), q->value(2).toDouble(),
                      readTime(q->value(3))};
}

Result<std::vector<MovieStats>> QtSqlStore::recentMovieStats(int limit) {
    auto q = query(kRecentMovieStats, {std::clamp(limit, 1, 10000)}, QStringLiteral("reading movie_stats"));
    if (!q)
        return fail(q.error());
    std::vector<MovieStats> out;
    while (q->next())
        out.push_back({q->value(0).toLongLong(), q->value(1).toLongLong(), q->value(2).toDouble(),
                       readTime(q->value(3))});
    return out;
}

Result<std::optional<StoredRating>> QtSqlStore::findRating(const QUuid& eventId) {
    auto q = query(u"SELECT " + QLatin1String(kRatingColumns) + u" FROM ratings WHERE event_id = ?",
                   {QString::fromLatin1(event::formatUuid(eventId))}, QStringLiteral("reading a rating"));
    if (!q)
        return fail(q.error());
    if (!q->next())
        return std::optional<StoredRating>{};
    return readRating(*q, 0);
}

Result<std::vector<double>> QtSqlStore::runLatenciesMs(const QString& runId) {
    auto rows = runRowTimings(runId);
    if (!rows)
        return fail(rows.error());
    std::vector<double> out;
    out.reserve(rows->size());
    for (const auto& r : *rows)
        out.push_back(r.latencyMs);
    return out;
}

Result<std::vector<Store::RowTiming>> QtSqlStore::runRowTimings(const QString& runId) {
    auto q = query(runLatencySql(), {runId}, QStringLiteral("reading latencies of run %1").arg(runId));
    if (!q)
        return fail(q.error());
    std::vector<RowTiming> out;
    while (q->next())
        out.push_back({q->value(0).toDouble(), q->value(1).toLongLong()});
    return out;
}

} // namespace loadlevel::store
