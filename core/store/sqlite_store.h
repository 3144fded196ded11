#pragma once

#include "store/store.h"

#include <QSqlDatabase>
#include <QSqlError>

namespace loadlevel::store {

// Store on an SQLite file: the embedded default (no PostgreSQL needed). Same semantics as
// PostgresStore: one transaction per batch, duplicates ignored by event_id, movie_stats from the
// rows actually inserted, offsets and dead letters in the same transaction, versioned migrations.
// WAL mode with synchronous=FULL, so a committed batch survives a crash of the process or machine.
// Several connections (sink members, readers) may use one file; writers take turns
// (BEGIN IMMEDIATE + busy timeout).
// Thread: the thread that created it, only.
class SqliteStore final : public Store {
public:
    SqliteStore(QString path, QString connectionName);
    ~SqliteStore() override;
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    QString describe() const override;
    Result<int> migrate() override;
    Result<std::map<int, qint64>> storedOffsets(const QString& clusterId, const QString& group,
                                                const QString& topic) override;
    Result<void> forgetOffsets(const QString& clusterId, const QString& group, const QString& topic) override;
    Result<BatchResult> writeBatch(const Batch& batch) override;
    Result<qint64> countRatings(const QString& runId) override;
    Result<std::vector<qint64>> runSequences(const QString& runId) override;
    Result<std::vector<DeadLetterRow>> deadLetters(const QString& topic, int limit) override;
    Result<std::optional<MovieStats>> movieStats(qint64 movieId) override;
    Result<std::optional<StoredRating>> findRating(const QUuid& eventId) override;
    Result<std::vector<double>> runLatenciesMs(const QString& runId) override;

private:
    Result<QSqlDatabase> db();
    Error dbError(const QString& what, const QSqlError& e) const;

    QString m_path;
    QString m_name;
};

} // namespace loadlevel::store
