#include "store/postgres_store.h"

#include "store/pg_copy.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrlQuery>
#include <QVariant>
#include <array>
#include <map>

namespace loadlevel::store {

// Schema versions, applied in order under an advisory lock. Never edit a released step: add one.
const std::vector<QtSqlStore::Migration>& PostgresStore::migrations() const {
    static const std::vector<Migration> steps = {
        {1,
         {
             R"(CREATE TABLE ratings (
                  event_id        uuid PRIMARY KEY,
                  user_id         bigint NOT NULL CHECK (user_id > 0),
                  movie_id        bigint NOT NULL CHECK (movie_id > 0),
                  rating          numeric(2,1) NOT NULL CHECK (rating BETWEEN 0.5 AND 5.0),
                  event_time      timestamptz NOT NULL,
                  persisted_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
                  source          text,
                  run_id          text,
                  run_seq         bigint,
                  kafka_topic     text NOT NULL,
                  kafka_partition integer NOT NULL,
                  kafka_offset    bigint NOT NULL))",
             "CREATE INDEX ratings_run ON ratings (run_id, run_seq) WHERE run_id IS NOT NULL",
             "CREATE INDEX ratings_movie ON ratings (movie_id, persisted_at)",
             "CREATE INDEX ratings_user ON ratings (user_id, persisted_at)",
             R"(CREATE TABLE movie_stats (
                  movie_id     bigint PRIMARY KEY,
                  rating_count bigint NOT NULL,
                  rating_sum   numeric NOT NULL,
                  avg_rating   numeric GENERATED ALWAYS AS (round(rating_sum / NULLIF(rating_count, 0), 3)) STORED,
                  updated_at   timestamptz NOT NULL))",
             R"(CREATE TABLE kafka_offsets (
                  group_id        text NOT NULL,
                  topic           text NOT NULL,
                  kafka_partition integer NOT NULL,
                  next_offset     bigint NOT NULL,
                  updated_at      timestamptz NOT NULL,
                  PRIMARY KEY (group_id, topic, kafka_partition)))",
             R"(CREATE TABLE dead_letters (
                  id              bigserial PRIMARY KEY,
                  kafka_topic     text NOT NULL,
                  kafka_partition integer NOT NULL,
                  kafka_offset    bigint NOT NULL,
                  msg_key         bytea,
                  msg_value       bytea,
                  headers         jsonb NOT NULL,
                  reason          text NOT NULL,
                  received_at     timestamptz NOT NULL DEFAULT now(),
                  UNIQUE (kafka_topic, kafka_partition, kafka_offset)))",
         }},
        // Offsets describe one cluster's log: key them by the cluster id too.
        {2,
         {
             "ALTER TABLE kafka_offsets ADD COLUMN cluster_id text NOT NULL DEFAULT ''",
             "ALTER TABLE kafka_offsets DROP CONSTRAINT kafka_offsets_pkey",
             "ALTER TABLE kafka_offsets ADD PRIMARY KEY (cluster_id, group_id, topic, kafka_partition)",
         }},
        // Insertion order for keyset pagination of the rows browser and GET /ratings.
        {3,
         {
             "ALTER TABLE ratings ADD COLUMN row_id bigserial",
             "CREATE INDEX ratings_row ON ratings (row_id)",
             "CREATE INDEX ratings_persisted ON ratings (persisted_at)",
         }},
        // Dead letters are one cluster's log positions too: a re-created cluster or topic starts its
        // offsets again at 0, and its dead letters at the same coordinates were dropped as duplicates.
        {4,
         {
             "ALTER TABLE dead_letters ADD COLUMN cluster_id text NOT NULL DEFAULT ''",
             "ALTER TABLE dead_letters DROP CONSTRAINT "
             "dead_letters_kafka_topic_kafka_partition_kafka_offset_key",
             "ALTER TABLE dead_letters ADD UNIQUE (cluster_id, kafka_topic, kafka_partition, kafka_offset)",
         }},
    };
    return steps;
}

std::vector<const char*> PostgresStore::migrationPrologue() const {
    // Several sink processes may start at once: one migrates, the others wait and then see it done.
    return {"BEGIN", "SET LOCAL client_min_messages = warning", "SELECT pg_advisory_xact_lock(774211)"};
}

const char* PostgresStore::migrationTableSql() const {
    return "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
           "applied_at timestamptz NOT NULL DEFAULT now())";
}

namespace {

// A batch's rows go in one of two ways (insertRows):
// - Directly: binary COPY into ratings under a savepoint, then movie_stats from the batch's own
//   per-movie sums (kAddMovieStats). Every row is new, or the COPY fails on the primary key
//   (unique_violation), is rolled back to the savepoint, and the batch takes the second way.
// - Through the staging table: binary COPY into the session's ratings_stage (pg_copy.h), then one
//   statement (kInsertFromStage) moves the rows in: duplicates skipped, movie_stats updated from
//   what was actually inserted (so a redelivered event never counts twice). It answers with the
//   partition and offset of each row it inserted, which tells new rows from duplicates.
// Either way, movies are locked in id order, which keeps concurrent sink members free of deadlocks
// on movie_stats. The direct way saves PostgreSQL a second write and read of every row, the
// speculative insertion of ON CONFLICT, and the RETURNING rows (bench/run: the database's time per
// row went from 1.4x a plain COPY's to about the same).
constexpr const char* kInsertFromStage = R"(
WITH inserted AS (
  INSERT INTO ratings (event_id, user_id, movie_id, rating, event_time, source, run_id, run_seq,
                       kafka_topic, kafka_partition, kafka_offset)
  SELECT event_id, user_id, movie_id, rating_halves / 2.0, event_time, source, run_id, run_seq, ?,
         kafka_partition, kafka_offset
    FROM ratings_stage
  ON CONFLICT (event_id) DO NOTHING
  RETURNING movie_id, rating, kafka_partition, kafka_offset
), stats AS (
  INSERT INTO movie_stats AS s (movie_id, rating_count, rating_sum, updated_at)
  SELECT movie_id, count(*), sum(rating), now() FROM inserted GROUP BY movie_id ORDER BY movie_id
  ON CONFLICT (movie_id) DO UPDATE
     SET rating_count = s.rating_count + EXCLUDED.rating_count,
         rating_sum   = s.rating_sum + EXCLUDED.rating_sum,
         updated_at   = EXCLUDED.updated_at
)
SELECT kafka_partition, kafka_offset FROM inserted)";

// movie_stats from a batch that was inserted whole: per movie, the count and sum of half stars.
// In movie id order, like kInsertFromStage.
constexpr const char* kAddMovieStats = R"(
INSERT INTO movie_stats AS s (movie_id, rating_count, rating_sum, updated_at)
SELECT m, c, h / 2.0, now() FROM unnest(?::bigint[], ?::bigint[], ?::bigint[]) AS t(m, c, h) ORDER BY m
ON CONFLICT (movie_id) DO UPDATE
   SET rating_count = s.rating_count + EXCLUDED.rating_count,
       rating_sum   = s.rating_sum + EXCLUDED.rating_sum,
       updated_at   = EXCLUDED.updated_at)";

// Moves each offset only from the value its writer expects (a compare-and-set; the row lock taken
// by ON CONFLICT makes concurrent writers wait and then see the newest value). A row is created
// only by a writer that expects none. Returns the partitions that were not moved.
constexpr const char* kUpsertOffsets = R"(
WITH input AS (
  SELECT * FROM unnest(?::int[], ?::bigint[], ?::bigint[]) AS t(p, o, expected)
), written AS (
  INSERT INTO kafka_offsets AS k (cluster_id, group_id, topic, kafka_partition, next_offset, updated_at)
  SELECT c.cluster_id, c.group_id, c.topic, p, o, now()
    FROM input, (SELECT ?::text AS cluster_id, ?::text AS group_id, ?::text AS topic) c
   WHERE expected = -1 OR EXISTS (SELECT 1 FROM kafka_offsets e
                                   WHERE (e.cluster_id, e.group_id, e.topic, e.kafka_partition)
                                       = (c.cluster_id, c.group_id, c.topic, p))
  ON CONFLICT (cluster_id, group_id, topic, kafka_partition) DO UPDATE
     SET next_offset = EXCLUDED.next_offset, updated_at = EXCLUDED.updated_at
   WHERE k.next_offset = (SELECT i.expected FROM input i WHERE i.p = k.kafka_partition)
  RETURNING k.kafka_partition
)
SELECT p FROM input WHERE p NOT IN (SELECT kafka_partition FROM written) ORDER BY p)";

// How long one member's session may hold up the others. A transaction left idle this long is ended
// by the server (idle_in_transaction_session_timeout); a lock waited for this long fails the batch
// (lock_timeout), and the member then ends every Loadlevel session that has sat this long inside a
// writing transaction, in a statement waiting on its client: a process frozen mid-batch (SIGSTOP,
// a paused VM) in a COPY whose data stops coming, or not reading a statement's results, keeps its
// row locks for good otherwise, since the server applies no timeout to a statement waiting on its
// client. 10 s is the Kafka session timeout: by then the group has given the frozen member's
// partitions to another, the one waiting; the frozen member, once back, is fenced by the stored
// offsets.
constexpr int kStallSec = 10;

constexpr const char* kEndStalledWriters = R"(
SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
 WHERE application_name = 'loadlevel' AND datname = current_database() AND pid <> pg_backend_pid()
   AND state = 'active' AND wait_event_type = 'Client' AND backend_xid IS NOT NULL
   AND state_change < now() - make_interval(secs => ?))";

constexpr const char* kInsertDeadLetter = R"(
INSERT INTO dead_letters (cluster_id, kafka_topic, kafka_partition, kafka_offset, msg_key, msg_value, headers, reason)
VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?)
ON CONFLICT (cluster_id, kafka_topic, kafka_partition, kafka_offset) DO NOTHING)";

// A PostgreSQL array literal ("{a,b}") built from already-safe tokens (numbers, UUIDs).
template <typename Range, typename Fn> QString arrayLiteral(const Range& items, Fn token) {
    QString out;
    out.reserve(static_cast<qsizetype>(items.size()) * 12 + 2);
    out += u'{';
    bool first = true;
    for (const auto& item : items) {
        if (!first)
            out += u',';
        first = false;
        out += token(item);
    }
    out += u'}';
    return out;
}

QString headersJson(const std::vector<event::Header>& headers) {
    QJsonObject o;
    for (const auto& h : headers)
        o.insert(QString::fromUtf8(h.name), QString::fromUtf8(h.value));
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

// A lost connection or a transient SQLSTATE (pg::isTransientState).
bool isTransient(const QSqlError& e) {
    if (e.type() == QSqlError::ConnectionError)
        return true;
    const QString code = e.nativeErrorCode();
    if (pg::isTransientState(code))
        return true;
    const QString text = e.text().toLower();
    return code.isEmpty() && (text.contains(u"connection") || text.contains(u"server closed") ||
                              text.contains(u"terminat") || text.contains(u"could not send"));
}

} // namespace

PostgresStore::PostgresStore(const QUrl& url, QString connectionName)
    : m_url(url)
    , m_name(std::move(connectionName)) {}

PostgresStore::~PostgresStore() {
    if (QSqlDatabase::contains(m_name)) {
        QSqlDatabase::database(m_name, false).close();
        QSqlDatabase::removeDatabase(m_name);
    }
}

const char* PostgresStore::rowIdColumn() const {
    return "row_id";
}

QVariant PostgresStore::timeParameter(const QDateTime& t) const {
    return t.toUTC();
}

const char* PostgresStore::runLatencySql() const {
    return "SELECT extract(epoch FROM persisted_at - event_time) * 1000, "
           "(extract(epoch FROM persisted_at) * 1000)::bigint FROM ratings WHERE run_id = ?";
}

QString PostgresStore::describe() const {
    return QStringLiteral("PostgreSQL %1:%2%3").arg(m_url.host()).arg(m_url.port(5432)).arg(m_url.path());
}

Error PostgresStore::dbError(const QString& what, const QSqlError& e) {
    // A failed statement may have left the connection broken: reconnect on the next call, once
    // no QSqlQuery of this call is alive any more.
    m_reconnect = true;
    m_lockWaitEnded = m_lockWaitEnded || e.nativeErrorCode() == pg::kLockNotAvailable;
    QString text = e.databaseText().trimmed();
    if (text.isEmpty())
        text = e.text().trimmed();
    if (text.size() > 400) // PostgreSQL quotes the offending literal, which can be a whole batch
        text = text.left(400) + QStringLiteral("…");
    const QString message = QStringLiteral("%1 (%2): %3").arg(what, describe(), text);
    return isTransient(e) ? Error::unavailable(message) : Error::failed(message);
}

Result<QSqlDatabase> PostgresStore::db() {
    QSqlDatabase d;
    if (QSqlDatabase::contains(m_name)) {
        d = QSqlDatabase::database(m_name, false);
        if (m_reconnect) {
            d.close();
            m_reconnect = false;
        }
    } else {
        if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")))
            return fail(Error::failed(QStringLiteral("Qt's PostgreSQL driver (QPSQL) is not installed "
                                                     "(Debian: libqt6sql6-psql)")));
        d = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_name);
        d.setHostName(m_url.host().isEmpty() ? QStringLiteral("127.0.0.1") : m_url.host());
        d.setPort(m_url.port(5432));
        d.setDatabaseName(m_url.path().mid(1));
        d.setUserName(m_url.userName());
        d.setPassword(m_url.password());
        // Fail fast and notice dead peers, so the sink can report "database down" and retry.
        QStringList options = {
            QStringLiteral("connect_timeout=5"),  QStringLiteral("application_name=loadlevel"),
            QStringLiteral("keepalives_idle=5"),  QStringLiteral("keepalives_interval=2"),
            QStringLiteral("keepalives_count=3"), QStringLiteral("tcp_user_timeout=10000")};
        const auto items = QUrlQuery(m_url).queryItems(QUrl::FullyDecoded);
        // A sink process frozen inside its transaction would hold its row locks for good: see
        // kStallSec. A user's own `options` parameter replaces this one.
        if (std::ranges::none_of(items, [](const auto& kv) { return kv.first == u"options"; }))
            options << QStringLiteral("options='-c idle_in_transaction_session_timeout=%1'")
                           .arg(kStallSec * 1000);
        for (const auto& [k, v] : items) {
            QString value = v;
            value.replace(u'\\', QStringLiteral("\\\\")).replace(u'\'', QStringLiteral("\\'"));
            options << k + u"='" + value + u'\'';
        }
        d.setConnectOptions(options.join(u';'));
    }
    if (!d.isOpen())
        m_staged = m_lockWaitBounded = false; // a new session: no staging table, no lock_timeout yet
    if (!d.isOpen() && !d.open()) {
        const QSqlError e = d.lastError();
        return fail(Error::unavailable(
            QStringLiteral("cannot connect to %1: %2").arg(describe(), e.text().trimmed())));
    }
    return d;
}

Result<BatchResult> PostgresStore::writeBatch(const Batch& batch) {
    m_lockWaitEnded = false;
    auto written = writeInTransaction(batch);
    if (!written && m_lockWaitEnded)
        return fail(endStalledWriters(written.error()));
    return written;
}

Error PostgresStore::endStalledWriters(const Error& waited) {
    auto d = db(); // a new session: the failed one is closed
    if (!d)
        return waited;
    QSqlQuery q(*d);
    q.prepare(QString::fromUtf8(kEndStalledWriters));
    q.addBindValue(kStallSec);
    if (!q.exec())
        return Error{waited.kind, QStringLiteral("%1; looking for sessions left waiting failed: %2")
                                      .arg(waited.message, q.lastError().text().trimmed())};
    q.next(); // one row, always (an aggregate)
    const int ended = q.value(0).toInt();
    if (ended == 0)
        return waited;
    return Error::unavailable(QStringLiteral("%1; ended %2 Loadlevel session(s) whose client had left "
                                             "them waiting inside a transaction for over %3 s (a frozen "
                                             "process)")
                                  .arg(waited.message)
                                  .arg(ended)
                                  .arg(kStallSec));
}

Result<BatchResult> PostgresStore::writeInTransaction(const Batch& batch) {
    auto d = db();
    if (!d)
        return fail(d.error());
    if (!m_lockWaitBounded) { // per session: kStallSec
        QSqlQuery q(*d);
        if (!q.exec(QStringLiteral("SET lock_timeout = '%1s'").arg(kStallSec)))
            return fail(dbError(QStringLiteral("setting lock_timeout"), q.lastError()));
        m_lockWaitBounded = true;
    }
    BatchResult result;
    m_stageCreated = false;
    if (!d->transaction())
        return fail(dbError(QStringLiteral("begin batch"), d->lastError()));
    auto abort = [&](const QString& what, const QSqlError& e) {
        d->rollback();
        return fail(dbError(what, e));
    };

    // Offsets first: a fenced batch costs no row inserts.
    if (!batch.offsets.empty()) {
        QSqlQuery q(*d);
        q.prepare(QString::fromUtf8(kUpsertOffsets));
        q.addBindValue(
            arrayLiteral(batch.offsets, [](const OffsetRecord& o) { return QString::number(o.partition); }));
        q.addBindValue(
            arrayLiteral(batch.offsets, [](const OffsetRecord& o) { return QString::number(o.nextOffset); }));
        q.addBindValue(
            arrayLiteral(batch.offsets, [](const OffsetRecord& o) { return QString::number(o.expected); }));
        q.addBindValue(batch.clusterId);
        q.addBindValue(batch.group);
        q.addBindValue(batch.topic);
        if (!q.exec())
            return abort(QStringLiteral("storing offsets"), q.lastError());
        while (q.next())
            result.fenced.push_back(q.value(0).toInt());
        if (!result.fenced.empty()) {
            d->rollback();
            return result;
        }
    }

    if (!batch.rows.empty()) {
        auto inserted = insertRows(*d, batch, result);
        if (!inserted) {
            d->rollback();
            return fail(inserted.error());
        }
    }

    if (!batch.deadLetters.empty()) {
        QSqlQuery q(*d);
        q.prepare(QString::fromUtf8(kInsertDeadLetter));
        for (const auto& dl : batch.deadLetters) {
            q.addBindValue(batch.clusterId);
            q.addBindValue(dl.topic);
            q.addBindValue(dl.partition);
            q.addBindValue(dl.offset);
            q.addBindValue(dl.key.isNull() ? QVariant(QMetaType(QMetaType::QByteArray)) : QVariant(dl.key));
            q.addBindValue(dl.value.isNull() ? QVariant(QMetaType(QMetaType::QByteArray))
                                             : QVariant(dl.value));
            q.addBindValue(headersJson(dl.headers));
            q.addBindValue(dl.reason);
            if (!q.exec())
                return abort(QStringLiteral("storing a dead letter"), q.lastError());
            result.deadLetters += q.numRowsAffected() > 0 ? 1 : 0;
        }
    }

    if (!d->commit())
        return abort(QStringLiteral("commit"), d->lastError());
    m_staged = m_staged || m_stageCreated; // the staging table's creation is committed too
    return result;
}

Error PostgresStore::copyFailed(const Error& e) {
    m_reconnect = true; // libpq's COPY state is unknown after a failure: start a new session
    return Error{e.kind, QStringLiteral("%1 (%2)").arg(e.message, describe())};
}

Result<void> PostgresStore::insertRows(QSqlDatabase& d, const Batch& batch, BatchResult& result) {
    if (m_copyDirect) {
        auto direct = copyIntoRatings(d, batch, result);
        if (!direct)
            return fail(direct.error());
        if (*direct)
            return {};
    }
    auto staged = insertThroughStage(d, batch, result);
    // A batch that met stored events suggests a redelivery in progress: its followers are likely
    // to meet them too, and go through the staging table until one batch is all new again.
    m_copyDirect = staged && result.duplicates == 0;
    return staged;
}

Result<bool> PostgresStore::copyIntoRatings(QSqlDatabase& d, const Batch& batch, BatchResult& result) {
    const auto& rows = batch.rows;
    QSqlQuery q(d);
    if (!q.exec(QStringLiteral("SAVEPOINT ratings_copy")))
        return fail(dbError(QStringLiteral("starting to copy %1 ratings").arg(rows.size()), q.lastError()));
    QString state;
    auto copied =
        pg::copyIn(d, pg::kCopyIntoRatings, pg::binaryCopy(rows, pg::Target::Ratings, batch.topic), &state);
    if (!copied && state == pg::kUniqueViolation) {
        if (!q.exec(QStringLiteral("ROLLBACK TO SAVEPOINT ratings_copy")))
            return fail(
                dbError(QStringLiteral("taking back a copy of %1 ratings").arg(rows.size()), q.lastError()));
        return false;
    }
    if (!copied) {
        m_lockWaitEnded = m_lockWaitEnded || state == pg::kLockNotAvailable;
        return fail(copyFailed(copied.error()));
    }
    // Per movie, in id order: how many ratings and their sum in half stars.
    std::map<qint64, std::pair<qint64, qint64>> movies;
    for (const auto& r : rows) {
        auto& [count, halves] = movies[r.event.movieId];
        ++count;
        halves += event::halfStars(r.event.rating);
    }
    q.prepare(QString::fromUtf8(kAddMovieStats));
    q.addBindValue(arrayLiteral(movies, [](const auto& m) { return QString::number(m.first); }));
    q.addBindValue(arrayLiteral(movies, [](const auto& m) { return QString::number(m.second.first); }));
    q.addBindValue(arrayLiteral(movies, [](const auto& m) { return QString::number(m.second.second); }));
    if (!q.exec())
        return fail(
            dbError(QStringLiteral("adding %1 ratings to movie_stats").arg(rows.size()), q.lastError()));
    result.newRows.assign(rows.size(), true);
    result.inserted = static_cast<qint64>(rows.size());
    result.duplicates = 0;
    return true;
}

Result<void> PostgresStore::insertThroughStage(QSqlDatabase& d, const Batch& batch, BatchResult& result) {
    const auto& rows = batch.rows;
    if (!m_staged) {
        QSqlQuery create(d);
        if (!create.exec(QString::fromUtf8(pg::kStageTable)))
            return fail(dbError(QStringLiteral("creating the staging table"), create.lastError()));
        m_stageCreated = true;
    }
    if (auto copied = pg::copyIn(d, pg::kCopyIntoStage, pg::binaryCopy(rows, pg::Target::Stage)); !copied)
        return fail(copyFailed(copied.error()));
    QSqlQuery q(d);
    q.prepare(QString::fromUtf8(kInsertFromStage));
    q.addBindValue(batch.topic);
    if (!q.exec())
        return fail(dbError(QStringLiteral("inserting %1 ratings").arg(rows.size()), q.lastError()));
    // (partition, offset) is unique within a batch: it names the row that was inserted.
    std::map<std::pair<int, qint64>, size_t> index;
    for (size_t i = 0; i < rows.size(); ++i)
        index.emplace(std::pair{rows[i].partition, rows[i].offset}, i);
    result.newRows.assign(rows.size(), false);
    while (q.next()) {
        const auto it = index.find({q.value(0).toInt(), q.value(1).toLongLong()});
        if (it != index.end() && !result.newRows[it->second]) {
            result.newRows[it->second] = true;
            ++result.inserted;
        }
    }
    result.duplicates = static_cast<qint64>(rows.size()) - result.inserted;
    return {};
}

} // namespace loadlevel::store
