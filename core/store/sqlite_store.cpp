#include "store/sqlite_store.h"

#include "event/codec.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace loadlevel::store {

// Timestamps are RFC 3339 text with milliseconds (sortable, readable, exact).
const std::vector<QtSqlStore::Migration>& SqliteStore::migrations() const {
    static const std::vector<Migration> steps = {
        {1,
         {
             R"(CREATE TABLE ratings (
                  event_id        TEXT PRIMARY KEY,
                  user_id         INTEGER NOT NULL CHECK (user_id > 0),
                  movie_id        INTEGER NOT NULL CHECK (movie_id > 0),
                  rating          REAL NOT NULL CHECK (rating BETWEEN 0.5 AND 5.0),
                  event_time      TEXT NOT NULL,
                  persisted_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                  source          TEXT,
                  run_id          TEXT,
                  run_seq         INTEGER,
                  kafka_topic     TEXT NOT NULL,
                  kafka_partition INTEGER NOT NULL,
                  kafka_offset    INTEGER NOT NULL))",
             "CREATE INDEX ratings_run ON ratings (run_id, run_seq) WHERE run_id IS NOT NULL",
             "CREATE INDEX ratings_movie ON ratings (movie_id, persisted_at)",
             "CREATE INDEX ratings_user ON ratings (user_id, persisted_at)",
             R"(CREATE TABLE movie_stats (
                  movie_id     INTEGER PRIMARY KEY,
                  rating_count INTEGER NOT NULL,
                  rating_sum   REAL NOT NULL,
                  avg_rating   REAL GENERATED ALWAYS AS (round(rating_sum / NULLIF(rating_count, 0), 3)) STORED,
                  updated_at   TEXT NOT NULL))",
             R"(CREATE TABLE kafka_offsets (
                  group_id        TEXT NOT NULL,
                  topic           TEXT NOT NULL,
                  kafka_partition INTEGER NOT NULL,
                  next_offset     INTEGER NOT NULL,
                  updated_at      TEXT NOT NULL,
                  PRIMARY KEY (group_id, topic, kafka_partition)))",
             R"(CREATE TABLE dead_letters (
                  id              INTEGER PRIMARY KEY AUTOINCREMENT,
                  kafka_topic     TEXT NOT NULL,
                  kafka_partition INTEGER NOT NULL,
                  kafka_offset    INTEGER NOT NULL,
                  msg_key         BLOB,
                  msg_value       BLOB,
                  headers         TEXT NOT NULL,
                  reason          TEXT NOT NULL,
                  received_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                  UNIQUE (kafka_topic, kafka_partition, kafka_offset)))",
         }},
        // Offsets describe one cluster's log: key them by the cluster id too (SQLite cannot change
        // a primary key in place, so the table is rebuilt).
        {2,
         {
             R"(CREATE TABLE kafka_offsets_v2 (
                  cluster_id      TEXT NOT NULL DEFAULT '',
                  group_id        TEXT NOT NULL,
                  topic           TEXT NOT NULL,
                  kafka_partition INTEGER NOT NULL,
                  next_offset     INTEGER NOT NULL,
                  updated_at      TEXT NOT NULL,
                  PRIMARY KEY (cluster_id, group_id, topic, kafka_partition)))",
             "INSERT INTO kafka_offsets_v2 (group_id, topic, kafka_partition, next_offset, updated_at) "
             "SELECT group_id, topic, kafka_partition, next_offset, updated_at FROM kafka_offsets",
             "DROP TABLE kafka_offsets",
             "ALTER TABLE kafka_offsets_v2 RENAME TO kafka_offsets",
         }},
        // Keyset pagination uses SQLite's own rowid (insertion order); time filters need this index.
        {3,
         {
             "CREATE INDEX ratings_persisted ON ratings (persisted_at)",
         }},
        // Dead letters are one cluster's log positions too (see kafka_offsets): rebuilt with the
        // cluster id in their key, as a re-created cluster's dead letters were dropped as duplicates.
        {4,
         {
             R"(CREATE TABLE dead_letters_v2 (
                  id              INTEGER PRIMARY KEY AUTOINCREMENT,
                  cluster_id      TEXT NOT NULL DEFAULT '',
                  kafka_topic     TEXT NOT NULL,
                  kafka_partition INTEGER NOT NULL,
                  kafka_offset    INTEGER NOT NULL,
                  msg_key         BLOB,
                  msg_value       BLOB,
                  headers         TEXT NOT NULL,
                  reason          TEXT NOT NULL,
                  received_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                  UNIQUE (cluster_id, kafka_topic, kafka_partition, kafka_offset)))",
             "INSERT INTO dead_letters_v2 (id, kafka_topic, kafka_partition, kafka_offset, msg_key, "
             "msg_value, "
             "headers, reason, received_at) SELECT id, kafka_topic, kafka_partition, kafka_offset, msg_key, "
             "msg_value, headers, reason, received_at FROM dead_letters",
             "DROP TABLE dead_letters",
             "ALTER TABLE dead_letters_v2 RENAME TO dead_letters",
         }},
    };
    return steps;
}

std::vector<const char*> SqliteStore::migrationPrologue() const {
    // IMMEDIATE takes the write lock first: concurrent migrators wait for each other.
    return {"BEGIN IMMEDIATE"};
}

const char* SqliteStore::migrationTableSql() const {
    return "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
           "applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))";
}

namespace {

constexpr const char* kInsertRating = R"(
INSERT INTO ratings (event_id, user_id, movie_id, rating, event_time, source, run_id, run_seq, kafka_topic,
                     kafka_partition, kafka_offset)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (event_id) DO NOTHING)";
constexpr const char* kUpsertStats = R"(
INSERT INTO movie_stats (movie_id, rating_count, rating_sum, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (movie_id) DO UPDATE
   SET rating_count = rating_count + excluded.rating_count,
       rating_sum = rating_sum + excluded.rating_sum,
       updated_at = excluded.updated_at)";
constexpr const char* kUpsertOffset = R"(
INSERT INTO kafka_offsets (cluster_id, group_id, topic, kafka_partition, next_offset, updated_at)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (cluster_id, group_id, topic, kafka_partition) DO UPDATE
   SET next_offset = excluded.next_offset, updated_at = excluded.updated_at)";
constexpr const char* kInsertDeadLetter = R"(
INSERT INTO dead_letters (cluster_id, kafka_topic, kafka_partition, kafka_offset, msg_key, msg_value, headers, reason)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (cluster_id, kafka_topic, kafka_partition, kafka_offset) DO NOTHING)";

QString nowText() {
    return QString::fromLatin1(event::formatTimestamp(QDateTime::currentMSecsSinceEpoch()));
}

} // namespace

SqliteStore::SqliteStore(QString path, QString connectionName)
    : m_path(std::move(path))
    , m_name(std::move(connectionName)) {}

SqliteStore::~SqliteStore() {
    if (QSqlDatabase::contains(m_name)) {
        QSqlDatabase::database(m_name, false).close();
        QSqlDatabase::removeDatabase(m_name);
    }
}

QString SqliteStore::describe() const {
    return u"SQLite " + m_path;
}

// SQLite numbers rows itself (the table has a rowid): no migration needed.
const char* SqliteStore::rowIdColumn() const {
    return "rowid";
}

QVariant SqliteStore::timeParameter(const QDateTime& t) const {
    return QString::fromLatin1(event::formatTimestamp(t.toMSecsSinceEpoch()));
}

const char* SqliteStore::runLatencySql() const {
    return "SELECT (julianday(persisted_at) - julianday(event_time)) * 86400000.0, "
           "CAST(round((julianday(persisted_at) - 2440587.5) * 86400000.0) AS INTEGER) FROM ratings WHERE "
           "run_id = ?";
}

Error SqliteStore::dbError(const QString& what, const QSqlError& e) {
    QString text = e.databaseText().trimmed();
    if (text.isEmpty())
        text = e.text().trimmed();
    const QString message = QStringLiteral("%1 (%2): %3").arg(what, describe(), text);
    // SQLITE_BUSY (5) / SQLITE_LOCKED (6): another writer holds the file longer than the busy timeout.
    const QString code = e.nativeErrorCode();
    if (code == u"5" || code == u"6" || text.contains(u"locked"))
        return Error::unavailable(message);
    return Error::failed(message);
}

Result<QSqlDatabase> SqliteStore::db() {
    if (QSqlDatabase::contains(m_name)) {
        QSqlDatabase d = QSqlDatabase::database(m_name, false);
        if (d.isOpen())
            return d;
    }
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return fail(Error::failed(
            QStringLiteral("Qt's SQLite driver (QSQLITE) is not installed (Debian: libqt6sql6-sqlite)")));
    if (!QDir().mkpath(QFileInfo(m_path).absolutePath()))
        return fail(Error::failed(QStringLiteral("cannot create the folder of %1").arg(m_path)));
    QSqlDatabase d = QSqlDatabase::contains(m_name)
                         ? QSqlDatabase::database(m_name, false)
                         : QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
    d.setDatabaseName(m_path);
    d.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=15000"));
    if (!d.open())
        return fail(Error::failed(QStringLiteral("cannot open %1: %2").arg(m_path, d.lastError().text())));
    QSqlQuery q(d);
    for (const char* pragma :
         {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"})
        if (!q.exec(QString::fromLatin1(pragma)))
            return fail(dbError(QString::fromLatin1(pragma), q.lastError()));
    return d;
}

Result<BatchResult> SqliteStore::writeBatch(const Batch& batch) {
    auto d = db();
    if (!d)
        return fail(d.error());
    BatchResult result;
    QSqlQuery control(*d);
    if (!control.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return fail(dbError(QStringLiteral("begin batch"), control.lastError()));
    auto abort = [&](const QString& what, const QSqlError& e) {
        const Error err = dbError(what, e);
        QSqlQuery(*d).exec(QStringLiteral("ROLLBACK"));
        return fail(err);
    };
    const QString now = nowText();

    // Offsets first: a fenced batch costs no row inserts. BEGIN IMMEDIATE holds the write lock,
    // so the check and the update see the same value.
    if (!batch.offsets.empty()) {
        QSqlQuery check(*d);
        check.prepare(
            QStringLiteral("SELECT next_offset FROM kafka_offsets WHERE cluster_id = ? AND group_id = ? "
                           "AND topic = ? AND kafka_partition = ?"));
        QSqlQuery q(*d);
        q.prepare(QString::fromUtf8(kUpsertOffset));
        for (const auto& o : batch.offsets) {
            check.addBindValue(batch.clusterId);
            check.addBindValue(batch.group);
            check.addBindValue(batch.topic);
            check.addBindValue(o.partition);
            if (!check.exec())
                return abort(QStringLiteral("reading offsets"), check.lastError());
            const qint64 stored = check.next() ? check.value(0).toLongLong() : -1;
            check.finish();
            if (stored != o.expected) {
                result.fenced.push_back(o.partition);
                continue;
            }
            q.addBindValue(batch.clusterId);
            q.addBindValue(batch.group);
            q.addBindValue(batch.topic);
            q.addBindValue(o.partition);
            q.addBindValue(o.nextOffset);
            q.addBindValue(now);
            if (!q.exec())
                return abort(QStringLiteral("storing offsets"), q.lastError());
        }
        if (!result.fenced.empty()) {
            QSqlQuery(*d).exec(QStringLiteral("ROLLBACK"));
            return result;
        }
    }

    // SQLite runs in-process: a prepared statement per row inside one transaction costs no round
    // trips, which is what the COPY and one INSERT … SELECT save on PostgreSQL.
    std::map<qint64, std::pair<qint64, double>> stats; // movie -> (count, sum) of inserted rows
    if (!batch.rows.empty()) {
        QSqlQuery q(*d);
        q.prepare(QString::fromUtf8(kInsertRating));
        result.newRows.reserve(batch.rows.size());
        for (const auto& r : batch.rows) {
            const auto& e = r.event;
            q.addBindValue(QString::fromLatin1(event::formatUuid(e.eventId)));
            q.addBindValue(e.userId);
            q.addBindValue(e.movieId);
            q.addBindValue(e.rating);
            q.addBindValue(QString::fromLatin1(event::formatTimestamp(e.eventTime.toMSecsSinceEpoch())));
            q.addBindValue(e.source.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(e.source));
            q.addBindValue(e.runId.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(e.runId));
            q.addBindValue(e.runSeq >= 0 ? QVariant(e.runSeq) : QVariant(QMetaType(QMetaType::LongLong)));
            q.addBindValue(batch.topic);
            q.addBindValue(r.partition);
            q.addBindValue(r.offset);
            if (!q.exec())
                return abort(QStringLiteral("inserting ratings"), q.lastError());
            result.newRows.push_back(q.numRowsAffected() > 0);
            if (result.newRows.back()) {
                ++result.inserted;
                auto& s = stats[e.movieId];
                ++s.first;
                s.second += e.rating;
            }
        }
        result.duplicates = static_cast<qint64>(batch.rows.size()) - result.inserted;
        QSqlQuery st(*d);
        st.prepare(QString::fromUtf8(kUpsertStats));
        for (const auto& [movie, cs] : stats) {
            st.addBindValue(movie);
            st.addBindValue(cs.first);
            st.addBindValue(cs.second);
            st.addBindValue(now);
            if (!st.exec())
                return abort(QStringLiteral("updating movie_stats"), st.lastError());
        }
    }

    if (!batch.deadLetters.empty()) {
        QSqlQuery q(*d);
        q.prepare(QString::fromUtf8(kInsertDeadLetter));
        for (const auto& dl : batch.deadLetters) {
            QJsonObject headers;
            for (const auto& h : dl.headers)
                headers.insert(QString::fromUtf8(h.name), QString::fromUtf8(h.value));
            q.addBindValue(batch.clusterId);
            q.addBindValue(dl.topic);
            q.addBindValue(dl.partition);
            q.addBindValue(dl.offset);
            q.addBindValue(dl.key.isNull() ? QVariant(QMetaType(QMetaType::QByteArray)) : QVariant(dl.key));
            q.addBindValue(dl.value.isNull() ? QVariant(QMetaType(QMetaType::QByteArray))
                                             : QVariant(dl.value));
            q.addBindValue(QString::fromUtf8(QJsonDocument(headers).toJson(QJsonDocument::Compact)));
            q.addBindValue(dl.reason);
            if (!q.exec())
                return abort(QStringLiteral("storing a dead letter"), q.lastError());
            result.deadLetters += q.numRowsAffected() > 0 ? 1 : 0;
        }
    }

    if (!control.exec(QStringLiteral("COMMIT")))
        return abort(QStringLiteral("commit"), control.lastError());
    return result;
}

} // namespace loadlevel::store
