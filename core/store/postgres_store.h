#pragma once

#include "store/qt_sql_store.h"

#include <QSqlDatabase>
#include <QUrl>

namespace loadlevel::store {

// Store on PostgreSQL through Qt SQL (QPSQL). A batch's rows go in by binary COPY (through libpq,
// on the same connection and transaction): straight into ratings when none of them is stored yet,
// else into a temporary staging table from which one INSERT … SELECT … ON CONFLICT DO NOTHING
// RETURNING moves the new ones (postgres_store.cpp says how it chooses). Never one round trip per
// row.
// Thread: the thread that created it, only. Reconnects after a lost connection on the next call.
class PostgresStore final : public QtSqlStore {
public:
    PostgresStore(const QUrl& url, QString connectionName);
    ~PostgresStore() override;
    PostgresStore(const PostgresStore&) = delete;
    PostgresStore& operator=(const PostgresStore&) = delete;

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
    // writeBatch's work, in one transaction.
    Result<BatchResult> writeInTransaction(const Batch& batch);
    // After a lock wait that timed out: ends the Loadlevel sessions that a frozen client left
    // waiting inside a transaction (kStallSec in postgres_store.cpp); says so in the returned error.
    Error endStalledWriters(const Error& waited);
    // The batch's rows into ratings (and movie_stats); fills result's inserted, duplicates and
    // newRows.
    Result<void> insertRows(QSqlDatabase& d, const Batch& batch, BatchResult& result);
    // By COPY into ratings under a savepoint: false (and rolled back to it) when an event was
    // already stored.
    Result<bool> copyIntoRatings(QSqlDatabase& d, const Batch& batch, BatchResult& result);
    // By COPY into the staging table, then INSERT … ON CONFLICT DO NOTHING.
    Result<void> insertThroughStage(QSqlDatabase& d, const Batch& batch, BatchResult& result);
    // A failed COPY (pg::copyIn) as this store's error; the next call reconnects.
    Error copyFailed(const Error& e);

    QUrl m_url;
    QString m_name;
    bool m_reconnect = false;
    bool m_staged = false;          // this session's staging table exists (committed)
    bool m_stageCreated = false;    // ... or is created by the open transaction
    bool m_copyDirect = true;       // the next batch tries COPY straight into ratings
    bool m_lockWaitBounded = false; // this session has its lock_timeout
    bool m_lockWaitEnded = false;   // a statement of this batch met lock_timeout
};

} // namespace loadlevel::store
