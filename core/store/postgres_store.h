#pragma once

#include "store/store.h"

#include <QSqlDatabase>
#include <QUrl>

namespace loadlevel::store {

// Store on PostgreSQL through Qt SQL (QPSQL). Batch writes are one INSERT ... SELECT FROM unnest()
// of array parameters, never one round trip per row.
// Thread: the thread that created it, only. Reconnects after a lost connection on the next call.
class PostgresStore final : public Store {
public:
    PostgresStore(const QUrl& url, QString connectionName);
    ~PostgresStore() override;
    PostgresStore(const PostgresStore&) = delete;
    PostgresStore& operator=(const PostgresStore&) = delete;

    Result<void> connect();

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
    Error dbError(const QString& what, const QSqlError& e);

    QUrl m_url;
    QString m_name;
    bool m_reconnect = false;
};

} // namespace loadlevel::store
