#pragma once

#include "store/qt_sql_store.h"

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
class SqliteStore final : public QtSqlStore {
public:
    SqliteStore(QString path, QString connectionName);
    ~SqliteStore() override;
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    QString describe() const override;
    Result<BatchResult> writeBatch(const Batch& batch) override;

protected:
    Result<QSqlDatabase> db() override;
    Error dbError(const QString& what, const QSqlError& e) override;
    const char* runLatencySql() const override;
    const char* rowIdColumn() const override;
    QVariant timeParameter(const QDateTime& t) const override;
    std::vector<const char*> migrationPrologue() const override;
    const char* migrationTableSql() const override;
    const std::vector<Migration>& migrations() const override;

private:
    QString m_path;
    QString m_name;
};

} // namespace loadlevel::store
