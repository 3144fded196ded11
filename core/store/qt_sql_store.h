#pragma once

#include "store/store.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <initializer_list>
#include <vector>

namespace loadlevel::store {

// What PostgresStore and SqliteStore share: the read side and the offset bookkeeping are the same
// Qt SQL flows and the same SQL on both. A backend provides its connection, its error rules, its
// migrations and its batch write (where the two really differ).
// Thread: the thread that created it, only (Qt SQL connections belong to one thread).
class QtSqlStore : public Store {
public:
    // One schema version: its statements run in order, in the migration transaction.
    struct Migration {
        int version;
        std::vector<const char*> statements;
    };

    // Brings the schema to the newest version in one transaction; concurrent migrators (several
    // sink processes starting at once) wait for each other (see migrationPrologue()).
    Result<int> migrate() override;
    Result<std::map<int, qint64>> storedOffsets(const QString& clusterId, const QString& group,
                                                const QString& topic) override;
    Result<void> forgetOffsets(const QString& clusterId, const QString& group, const QString& topic) override;
    Result<qint64> countRatings(const QString& runId) override;
    Result<std::vector<qint64>> runSequences(const QString& runId) override;
    Result<std::vector<DeadLetterRow>> deadLetters(const QString& topic, int limit) override;
    Result<std::optional<MovieStats>> movieStats(qint64 movieId) override;
    Result<std::vector<MovieStats>> recentMovieStats(int limit) override;
    Result<std::optional<StoredRating>> findRating(const QUuid& eventId) override;
    Result<std::vector<double>> runLatenciesMs(const QString& runId) override;
    Result<std::vector<RowTiming>> runRowTimings(const QString& runId) override;
    Result<std::vector<StoredRating>> ratingsPage(const RatingFilter& filter, int limit,
                                                  qint64 beforeRowId) override;
    Result<void> checkTable(const ExternalTable& t) override;
    Result<std::vector<KeyedRows>> keyedRows(const ExternalTable& t, const QStringList& keys,
                                             const QDateTime& since) override;

protected:
    virtual Result<QSqlDatabase> db() = 0;
    virtual Error dbError(const QString& what, const QSqlError& e) = 0;
    // SQL: persisted_at - event_time in milliseconds, and persisted_at in milliseconds since the
    // epoch, for the rows of run `?`.
    [[nodiscard]] virtual const char* runLatencySql() const = 0;
    // The column that numbers rows in insertion order ("row_id" on PostgreSQL, "rowid" on SQLite).
    [[nodiscard]] virtual const char* rowIdColumn() const = 0;
    // A timestamp as the backend compares it (QDateTime for PostgreSQL, RFC 3339 text for SQLite).
    [[nodiscard]] virtual QVariant timeParameter(const QDateTime& t) const = 0;
    // Statements that open the migration transaction and take a lock against concurrent migrators.
    [[nodiscard]] virtual std::vector<const char*> migrationPrologue() const = 0;
    // CREATE TABLE IF NOT EXISTS schema_migrations (version, applied_at) in this dialect.
    [[nodiscard]] virtual const char* migrationTableSql() const = 0;
    // The schema versions, oldest first. Never edit a released step: add one.
    [[nodiscard]] virtual const std::vector<Migration>& migrations() const = 0;

    // Prepares, binds and runs one statement; the error names `what` and the database.
    Result<QSqlQuery> query(const char* sql, std::initializer_list<QVariant> binds, const QString& what);
    Result<QSqlQuery> query(const QString& sql, const QVariantList& binds, const QString& what);
    static StoredRating readRating(const QSqlQuery& q, int first); // the kRatingColumns, from column `first`
    // A timestamp column: QDateTime from PostgreSQL, RFC 3339 text from SQLite.
    static QDateTime readTime(const QVariant& v);
};

} // namespace loadlevel::store
