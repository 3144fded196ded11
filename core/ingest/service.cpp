#include "ingest/service.h"

#include "event/codec.h"
#include "ingest/body.h"
#include "ingest/openapi.h"
#include "kafka/producer.h"
#include "metrics/prometheus.h"
#include "store/store.h"

#include <QHash>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMetaObject>
#include <QPointer>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace loadlevel::ingest {

using Status = QHttpServerResponder::StatusCode;

namespace {

constexpr quint64 kTokenBits = 11; // up to 2048 events per request in one delivery token

QByteArray errorBody(const QString& error, const QString& field, const QString& detail) {
    QJsonObject o{{QStringLiteral("error"), error}, {QStringLiteral("detail"), detail}};
    o.insert(QStringLiteral("field"), field.isEmpty() ? QJsonValue() : QJsonValue(field));
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

void sendJson(QHttpServerResponder& r, Status status, const QByteArray& body, bool retryAfter = false) {
    if (retryAfter)
        r.write(body, {{"Content-Type", "application/json"}, {"Retry-After", "1"}}, status);
    else
        r.write(body, {{"Content-Type", "application/json"}}, status);
}

void sendError(QHttpServerResponder& r, Status status, const QString& error, const QString& field,
               const QString& detail) {
    sendJson(r, status, errorBody(error, field, detail), status == Status::ServiceUnavailable);
}

QJsonObject ratingJson(const store::StoredRating& r) {
    return {{QStringLiteral("event_id"), r.row.event.eventId.toString(QUuid::WithoutBraces)},
            {QStringLiteral("user_id"), r.row.event.userId},
            {QStringLiteral("movie_id"), r.row.event.movieId},
            {QStringLiteral("rating"), r.row.event.rating},
            {QStringLiteral("event_time"), r.row.event.eventTime.toString(Qt::ISODateWithMs)},
            {QStringLiteral("persisted_at"), r.persistedAt.toString(Qt::ISODateWithMs)},
            {QStringLiteral("partition"), r.row.partition},
            {QStringLiteral("offset"), r.row.offset},
            {QStringLiteral("row_id"), r.rowId}};
}

// A positive integer query parameter, or an error naming it.
std::optional<qint64> positiveParam(const QUrlQuery& q, const QString& name, bool* bad) {
    if (!q.hasQueryItem(name))
        return std::nullopt;
    bool ok = false;
    const qint64 v = q.queryItemValue(name).toLongLong(&ok);
    if (!ok || v <= 0) {
        *bad = true;
        return std::nullopt;
    }
    return v;
}

// Qt HttpServer 6.4 hands a responder a raw pointer to its socket, and deletes the socket when
// the client goes away. A 202 that waits for the broker outlives its request handler, so it must
// know whether its socket still exists. This server creates the sockets itself and notes which
// one is being read: its readyRead connection is made before Qt's, so it runs first, and Qt
// calls the route handler from inside its own readyRead handling.
//
// It also guards against slow and idle clients: Qt HttpServer 6.4 keeps a connection open for as
// long as the client likes, so a client that sends a request a byte at a time (slowloris), or
// many that connect and say nothing, would hold sockets forever. Here each socket notes when the
// request it is reading began (its first byte after the last answer) and when it was last active;
// sweep() closes those past the limits.
class TrackingServer final : public QTcpServer {
public:
    TrackingServer(const ServiceOptions& options, QObject* parent)
        : QTcpServer(parent)
        , m_options(options) {}
    QPointer<QTcpSocket> current;
    qint64 closedSlow = 0;

    // A request on this socket is complete and waits for the broker: not slow.
    static void markComplete(QTcpSocket* socket) {
        if (socket)
            socket->setProperty(kRequestStart, QVariant());
    }

    void sweep(qint64 nowMs) {
        for (auto* socket : findChildren<QTcpSocket*>(Qt::FindDirectChildrenOnly)) {
            const QVariant start = socket->property(kRequestStart);
            const qint64 last = socket->property(kLastActive).toLongLong();
            const bool slow =
                start.isValid() && nowMs - start.toLongLong() > m_options.requestTimeout.count();
            const bool idle = !start.isValid() && nowMs - last > m_options.idleTimeout.count();
            if (slow || idle) {
                ++closedSlow;
                socket->abort(); // Qt HttpServer deletes it on the disconnect
            }
        }
    }

protected:
    void incomingConnection(qintptr descriptor) override {
        auto* socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        if (findChildren<QTcpSocket*>(Qt::FindDirectChildrenOnly).size() > m_options.maxConnections) {
            ++closedSlow;
            delete socket; // never handed to Qt HttpServer: closed here
            return;
        }
        socket->setProperty(kLastActive, QDateTime::currentMSecsSinceEpoch());
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
            current = socket;
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            socket->setProperty(kLastActive, now);
            if (!socket->property(kRequestStart).isValid())
                socket->setProperty(kRequestStart, now);
        });
        // An answer went out: the next byte starts the next request.
        connect(socket, &QTcpSocket::bytesWritten, this, [socket] {
            socket->setProperty(kRequestStart, QVariant());
            socket->setProperty(kLastActive, QDateTime::currentMSecsSinceEpoch());
        });
        addPendingConnection(socket);
    }

private:
    static constexpr const char* kRequestStart = "loadlevel_request_start";
    static constexpr const char* kLastActive = "loadlevel_last_active";
    const ServiceOptions& m_options;
};

} // namespace

// Lives on the service thread: the HTTP server, the producer's answers, the read-side store.
class Service::Impl final : public QObject {
public:
    Impl(Service& owner, ServiceOptions options, Dependencies deps)
        : m_owner(owner)
        , m_options(std::move(options))
        , m_deps(std::move(deps))
        , m_sweep(this) {}

    ~Impl() override {
        m_sweep.stop();
        // Unanswered requests are answered before the sockets go away.
        for (auto& [id, p] : m_pending)
            if (reachable(p))
                sendError(p.responder, Status::ServiceUnavailable, QStringLiteral("shutting_down"), {},
                          QStringLiteral("the service is stopping; retry with the same event_id"));
        m_pending.clear();
        m_producer.reset(); // stops its poller before this object's memory goes
    }

    Result<quint16> init() {
        auto producer = kafka::Producer::create(
            m_deps.kafka, m_deps.topic, [this](const kafka::Delivery& d) { onDelivery(d); },
            [this](const Error& e) { noteKafkaError(e.message); });
        if (!producer)
            return fail(producer.error());
        m_producer = std::move(*producer);
        auto st =
            m_deps.stores(QStringLiteral("loadlevel-http-%1").arg(reinterpret_cast<quintptr>(this), 0, 16));
        if (!st)
            return fail(st.error());
        m_store = std::move(*st);
        routes();
        auto* tcp = new TrackingServer(m_options, this);
        m_tcp = tcp;
        const bool listening = tcp->listen(m_options.address, m_options.port);
        const quint16 port = listening ? tcp->serverPort() : 0;
        if (listening)
            m_server.bind(tcp);
        if (port == 0)
            return fail(
                Error::unavailable(QStringLiteral("cannot listen on %1:%2 (in use, or not an address of "
                                                  "this machine)")
                                       .arg(m_options.address.toString())
                                       .arg(m_options.port)));
        m_url = QStringLiteral("http://%1:%2")
                    .arg(m_options.address.protocol() == QAbstractSocket::IPv6Protocol
                             ? u'[' + m_options.address.toString() + u']'
                             : m_options.address.toString())
                    .arg(port);
        m_sweep.setInterval(100);
        connect(&m_sweep, &QTimer::timeout, this, &Impl::expire);
        m_sweep.start();
        return port;
    }

private:
    QString m_url; // http://host:port, once listening (for the OpenAPI document's servers)

    struct Pending {
        QHttpServerResponder responder;
        QPointer<QTcpSocket> socket; // null once the client is gone: then nothing is written
        std::vector<QString> ids;
        int remaining = 0;
        QString failure;
        qint64 deadlineMs = 0;
    };

    bool authorized(const QHttpServerRequest& req, QHttpServerResponder& r) {
        if (m_options.token.isEmpty())
            return true;
        const QByteArray expected = "Bearer " + m_options.token;
        const QByteArray given = req.value("Authorization");
        // Compared in constant time: the answer does not tell how much of a guess was right.
        unsigned char diff = given.size() == expected.size() ? 0 : 1;
        for (qsizetype i = 0; i < std::min(given.size(), expected.size()); ++i)
            diff |= static_cast<unsigned char>(given[i] ^ expected[i]);
        if (diff == 0)
            return true;
        reject(r, Status::Unauthorized, QStringLiteral("unauthorized"), {},
               QStringLiteral("send the service's token as 'Authorization: Bearer <token>'"));
        return false;
    }

    void reject(QHttpServerResponder& r, Status s, const QString& error, const QString& field,
                const QString& detail) {
        ++m_owner.m_rejected;
        sendError(r, s, error, field, detail);
    }

    void routes() {
        m_server.route(
            QStringLiteral("/ratings"), QHttpServerRequest::Method::Post,
            [this](const QHttpServerRequest& req, QHttpServerResponder&& r) { post(req, std::move(r)); });
        m_server.route(QStringLiteral("/ratings"), QHttpServerRequest::Method::Get,
                       [this](const QHttpServerRequest& req, QHttpServerResponder&& r) { list(req, r); });
        m_server.route(QStringLiteral("/movies/<arg>/stats"), QHttpServerRequest::Method::Get,
                       [this](qint64 movie, const QHttpServerRequest& req, QHttpServerResponder&& r) {
                           stats(movie, req, r);
                       });
        m_server.route(QStringLiteral("/health"), QHttpServerRequest::Method::Get,
                       [this](const QHttpServerRequest&, QHttpServerResponder&& r) { health(r); });
        m_server.route(QStringLiteral("/metrics"), QHttpServerRequest::Method::Get,
                       [this](const QHttpServerRequest& req, QHttpServerResponder&& r) {
                           if (!authorized(req, r))
                               return;
                           QByteArray text;
                           if (m_deps.recorder)
                               text = metrics::toPrometheus(m_deps.recorder->snapshot());
                           text += metrics::toPrometheus(metrics::HttpCounters{m_owner.m_accepted.load(),
                                                                               m_owner.m_rejected.load(),
                                                                               m_owner.m_closedSlow.load()});
                           r.write(text, {{"Content-Type", "text/plain; version=0.0.4"}}, Status::Ok);
                       });
        // The API's description is public, like /health: /docs must be able to load it, and it
        // holds nothing secret. With a token it says which routes need it.
        m_server.route(QStringLiteral("/openapi.json"), QHttpServerRequest::Method::Get,
                       [this](const QHttpServerRequest&, QHttpServerResponder&& r) {
                           r.write(openApiDocument({m_url, !m_options.token.isEmpty()}),
                                   {{"Content-Type", "application/json"}}, Status::Ok);
                       });
        m_server.route(QStringLiteral("/docs"), QHttpServerRequest::Method::Get,
                       [](const QHttpServerRequest&, QHttpServerResponder&& r) {
                           r.write(docsPage(), {{"Content-Type", "text/html; charset=utf-8"}}, Status::Ok);
                       });
        m_server.route(
            QStringLiteral("/docs/<arg>"), QHttpServerRequest::Method::Get,
            [this](const QString& name, const QHttpServerRequest&, QHttpServerResponder&& r) {
                const auto asset = docsAsset(name);
                if (!asset)
                    return reject(r, Status::NotFound, QStringLiteral("not_found"), {},
                                  QStringLiteral("no /docs/%1").arg(name));
                r.write(asset->body,
                        {{"Content-Type", asset->contentType}, {"Cache-Control", "public, max-age=86400"}},
                        Status::Ok);
            });
        m_server.setMissingHandler([this](const QHttpServerRequest& req, QHttpServerResponder&& r) {
            const QString path = req.url().path();
            // The methods each route takes, for 405's Allow header (RFC 9110 15.5.6).
            static const QHash<QString, QByteArray> allowed{
                {QStringLiteral("/ratings"), "GET, POST"},
                {QStringLiteral("/health"), "GET"},
                {QStringLiteral("/metrics"), "GET"},
                {QStringLiteral("/openapi.json"), "GET"},
                {QStringLiteral("/docs"), "GET"},
                {QStringLiteral("/movies/{movie_id}/stats"), "GET"}};
            static const QRegularExpression statsPath(QStringLiteral("^/movies/([^/]*)/stats$"));
            QString route = path;
            if (const auto m = statsPath.match(path); m.hasMatch()) {
                bool number = false;
                const qint64 movie = m.captured(1).toLongLong(&number);
                if (!number || movie < 1)
                    return reject(
                        r, Status::NotFound, QStringLiteral("not_found"), QStringLiteral("movie_id"),
                        QStringLiteral("no movie '%1': movie ids are whole numbers >= 1").arg(m.captured(1)));
                route = QStringLiteral("/movies/{movie_id}/stats");
            }
            if (const auto it = allowed.constFind(route); it != allowed.cend()) {
                ++m_owner.m_rejected;
                r.write(errorBody(
                            QStringLiteral("method_not_allowed"), {},
                            QStringLiteral("%1 takes %2 (see /openapi.json)").arg(path, QLatin1String(*it))),
                        {{"Content-Type", "application/json"}, {"Allow", *it}}, Status::MethodNotAllowed);
                return;
            }
            reject(r, Status::NotFound, QStringLiteral("not_found"), {},
                   QStringLiteral("no route %1 (see /openapi.json)").arg(path));
        });
    }

    void post(const QHttpServerRequest& req, QHttpServerResponder&& r) {
        if (!authorized(req, r))
            return;
        const QByteArray type = req.value("Content-Type").toLower();
        if (!type.startsWith("application/json"))
            return reject(r, Status::UnsupportedMediaType, QStringLiteral("unsupported_media_type"), {},
                          QStringLiteral("send Content-Type: application/json"));
        // Validate everything first: a request is produced whole or not at all.
        auto parsed = parseRatingsBody(req.body(), m_options.maxBodyBytes, m_options.maxBatch,
                                       QDateTime::currentDateTimeUtc());
        if (!parsed)
            return reject(r, static_cast<Status>(parsed.error().status), parsed.error().error,
                          parsed.error().field, parsed.error().detail);
        std::vector<event::RatingEvent>& events = *parsed;
        const auto n = static_cast<qint64>(events.size());
        if (m_inFlight + n > m_options.maxPendingEvents)
            return reject(
                r, Status::ServiceUnavailable, QStringLiteral("overloaded"), {},
                QStringLiteral("%1 ratings are waiting for the broker; retry shortly").arg(m_inFlight));
        if (const QString trouble = kafkaTrouble(kFailFastMs); !trouble.isEmpty())
            return reject(r, Status::ServiceUnavailable, QStringLiteral("kafka_unavailable"), {}, trouble);
        const quint64 id = ++m_nextRequest;
        TrackingServer::markComplete(m_tcp->current);
        Pending p{std::move(r), m_tcp->current,
                  {},           static_cast<int>(n),
                  {},           QDateTime::currentMSecsSinceEpoch() + m_options.ackTimeout.count()};
        p.ids.reserve(events.size());
        for (qsizetype i = 0; i < n; ++i) {
            const auto& e = events[static_cast<size_t>(i)];
            p.ids.push_back(e.eventId.toString(QUuid::WithoutBraces));
            if (auto sent = m_producer->produce(event::encode(e), (id << kTokenBits) | quint64(i),
                                                std::chrono::milliseconds(0));
                !sent) {
                // The producer's queue is full: what was queued may still land (a retry with the
                // same event ids stores each once); the client is told to come back.
                p.remaining -= static_cast<int>(n - i);
                p.failure = sent.error().message;
                break;
            }
            ++m_inFlight;
            if (m_deps.recorder)
                ++m_deps.recorder->produced;
        }
        if (p.remaining == 0) {
            ++m_owner.m_rejected;
            sendError(p.responder, Status::ServiceUnavailable, QStringLiteral("overloaded"), {}, p.failure);
            return;
        }
        m_pending.emplace(id, std::move(p));
    }

    // On the producer's poller thread: hand the answers over in batches.
    void onDelivery(const kafka::Delivery& d) {
        if (m_deps.recorder) { // the pipeline's stages count what came in over HTTP too
            ++(d.ok ? m_deps.recorder->acked : m_deps.recorder->failed);
            // send→ack of a rating that came over HTTP: from its produce() to the broker's
            // acknowledgement (librdkafka's own measure), so that the histogram's count is
            // loadlevel_events_acked_total.
            if (d.ok)
                m_deps.recorder->sendToAck.record(std::max<qint64>(0, d.latencyUs));
        }
        std::lock_guard lock(m_mutex);
        m_deliveries.push_back({d.token, d.ok, d.error});
        if (d.ok)
            m_lastAckMs = QDateTime::currentMSecsSinceEpoch();
        if (!m_posted) {
            m_posted = true;
            QMetaObject::invokeMethod(this, &Impl::drain, Qt::QueuedConnection);
        }
    }

    void drain() {
        std::vector<Answer> batch;
        {
            std::lock_guard lock(m_mutex);
            batch.swap(m_deliveries);
            m_posted = false;
        }
        for (const Answer& a : batch) {
            --m_inFlight;
            const auto it = m_pending.find(a.token >> kTokenBits);
            if (it == m_pending.end())
                continue; // answered already (timed out)
            Pending& p = it->second;
            if (!a.ok && p.failure.isEmpty())
                p.failure = a.error;
            if (--p.remaining > 0)
                continue;
            finish(p);
            m_pending.erase(it);
        }
    }

    static bool reachable(const Pending& p) {
        return p.socket && p.socket->state() == QAbstractSocket::ConnectedState;
    }

    void finish(Pending& p) {
        if (!reachable(p))
            return; // the client left; a retry with the same event ids stores each rating once
        if (!p.failure.isEmpty() || p.ids.size() == 0) {
            ++m_owner.m_rejected;
            sendError(p.responder, Status::ServiceUnavailable, QStringLiteral("kafka_unavailable"), {},
                      QStringLiteral("the broker did not acknowledge every rating (%1); retry with the same "
                                     "event_id values")
                          .arg(p.failure));
            return;
        }
        m_owner.m_accepted += static_cast<qint64>(p.ids.size());
        QJsonArray ids;
        for (const QString& id : p.ids)
            ids.append(id);
        sendJson(p.responder, Status::Accepted,
                 QJsonDocument(QJsonObject{{QStringLiteral("accepted"), static_cast<qint64>(p.ids.size())},
                                           {QStringLiteral("event_ids"), ids}})
                     .toJson(QJsonDocument::Compact));
    }

    void expire() {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (now - m_lastSweepMs >= 1000) {
            m_lastSweepMs = now;
            m_tcp->sweep(now);
            m_owner.m_closedSlow = m_tcp->closedSlow;
        }
        for (auto it = m_pending.begin(); it != m_pending.end();) {
            if (it->second.deadlineMs > now) {
                ++it;
                continue;
            }
            ++m_owner.m_rejected;
            if (reachable(it->second))
                sendError(it->second.responder, Status::ServiceUnavailable,
                          QStringLiteral("kafka_unavailable"), {},
                          QStringLiteral("the broker did not acknowledge within %1 ms; retry with the same "
                                         "event_id values")
                              .arg(m_options.ackTimeout.count()));
            it = m_pending.erase(it);
        }
    }

    void list(const QHttpServerRequest& req, QHttpServerResponder& r) {
        if (!authorized(req, r))
            return;
        const QUrlQuery q = req.query();
        bool bad = false;
        store::RatingFilter f;
        f.userId = positiveParam(q, QStringLiteral("user_id"), &bad);
        if (bad)
            return reject(r, Status::BadRequest, QStringLiteral("malformed"), QStringLiteral("user_id"),
                          QStringLiteral("user_id must be a positive integer"));
        f.movieId = positiveParam(q, QStringLiteral("movie_id"), &bad);
        if (bad)
            return reject(r, Status::BadRequest, QStringLiteral("malformed"), QStringLiteral("movie_id"),
                          QStringLiteral("movie_id must be a positive integer"));
        const auto limit = positiveParam(q, QStringLiteral("limit"), &bad).value_or(100);
        if (bad || limit > 1000)
            return reject(r, Status::BadRequest, QStringLiteral("malformed"), QStringLiteral("limit"),
                          QStringLiteral("limit must be 1..1000"));
        const auto after = positiveParam(q, QStringLiteral("after"), &bad).value_or(0);
        if (bad)
            return reject(r, Status::BadRequest, QStringLiteral("malformed"), QStringLiteral("after"),
                          QStringLiteral("after must be the next_after of a previous page"));
        auto rows = m_store->ratingsPage(f, static_cast<int>(limit), after);
        if (!rows)
            return reject(r, Status::ServiceUnavailable, QStringLiteral("database_unavailable"), {},
                          rows.error().message);
        QJsonArray out;
        for (const auto& row : *rows)
            out.append(ratingJson(row));
        QJsonObject page{{QStringLiteral("ratings"), out}};
        page.insert(QStringLiteral("next_after"), static_cast<qint64>(rows->size()) == limit && !rows->empty()
                                                      ? QJsonValue(rows->back().rowId)
                                                      : QJsonValue());
        sendJson(r, Status::Ok, QJsonDocument(page).toJson(QJsonDocument::Compact));
    }

    void stats(qint64 movie, const QHttpServerRequest& req, QHttpServerResponder& r) {
        if (!authorized(req, r))
            return;
        auto s = m_store->movieStats(movie);
        if (!s)
            return reject(r, Status::ServiceUnavailable, QStringLiteral("database_unavailable"), {},
                          s.error().message);
        if (!s->has_value())
            return reject(r, Status::NotFound, QStringLiteral("not_found"), QStringLiteral("movie_id"),
                          QStringLiteral("no ratings of movie %1 yet").arg(movie));
        const store::MovieStats& m = **s;
        sendJson(r, Status::Ok,
                 QJsonDocument(
                     QJsonObject{{QStringLiteral("movie_id"), m.movieId},
                                 {QStringLiteral("count"), m.count},
                                 {QStringLiteral("average"), m.average},
                                 {QStringLiteral("updated_at"), m.updatedAt.toString(Qt::ISODateWithMs)}})
                     .toJson(QJsonDocument::Compact));
    }

    void health(QHttpServerResponder& r) {
        QString kafka = kafkaTrouble();
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (const auto& [id, p] : m_pending)
            if (p.deadlineMs - m_options.ackTimeout.count() < now - m_options.ackTimeout.count() / 2)
                kafka = QStringLiteral("ratings wait for the broker's acknowledgement for more than %1 ms")
                            .arg(m_options.ackTimeout.count() / 2);
        auto probe = m_store->ratingsPage({}, 1);
        const QString db = probe ? QString() : probe.error().message;
        const bool ok = kafka.isEmpty() && db.isEmpty();
        QJsonObject o{{QStringLiteral("status"), ok ? QStringLiteral("ok") : QStringLiteral("degraded")},
                      {QStringLiteral("kafka"), QJsonObject{{QStringLiteral("ok"), kafka.isEmpty()},
                                                            {QStringLiteral("detail"), kafka}}},
                      {QStringLiteral("database"),
                       QJsonObject{{QStringLiteral("ok"), db.isEmpty()}, {QStringLiteral("detail"), db}}},
                      {QStringLiteral("waiting_for_ack"), m_inFlight}};
        sendJson(r, ok ? Status::Ok : Status::ServiceUnavailable,
                 QJsonDocument(o).toJson(QJsonDocument::Compact), !ok);
    }

    struct Answer {
        quint64 token;
        bool ok;
        QString error;
    };

    Service& m_owner;
    ServiceOptions m_options;
    Dependencies m_deps;
    QHttpServer m_server{this};
    TrackingServer* m_tcp = nullptr;
    std::unique_ptr<kafka::Producer> m_producer;
    std::unique_ptr<store::Store> m_store;
    std::unordered_map<quint64, Pending> m_pending;
    quint64 m_nextRequest = 0;
    qint64 m_inFlight = 0;
    QTimer m_sweep;
    qint64 m_lastSweepMs = 0; // slow and idle connections are swept once a second

    std::mutex m_mutex; // guards what the producer's thread hands over
    std::vector<Answer> m_deliveries;
    bool m_posted = false;
    QString m_kafkaError;
    qint64 m_kafkaErrorMs = 0;
    qint64 m_lastAckMs = 0;

    // The producer's last client error (all brokers down, …) unless an acknowledgement came since.
    // The last Kafka error when no acknowledgement came after it; empty when Kafka is fine. With
    // withinMs, only an error that recent: POST answers 503 at once right after an error, and then
    // lets ratings through again, which is how the service finds out that the broker is back (a
    // POST that always failed fast would never produce, so never see an ack, and stay refused for
    // good: that is what a SIGKILLed and restarted broker did). /health keeps the whole picture.
    QString kafkaTrouble(qint64 withinMs = -1) {
        std::lock_guard lock(m_mutex);
        if (m_lastAckMs >= m_kafkaErrorMs)
            return {};
        if (withinMs >= 0 && QDateTime::currentMSecsSinceEpoch() - m_kafkaErrorMs > withinMs)
            return {};
        return m_kafkaError;
    }
    static constexpr qint64 kFailFastMs = 1000; // as long as the Retry-After the 503 gives

public:
    void noteKafkaError(const QString& e) {
        std::lock_guard lock(m_mutex);
        m_kafkaError = e;
        m_kafkaErrorMs = QDateTime::currentMSecsSinceEpoch();
    }
};

Result<void> parseListen(const QString& listen, ServiceOptions& o) {
    const QString s = listen.trimmed();
    const qsizetype colon = s.lastIndexOf(u':');
    const QString host = colon >= 0 ? s.left(colon) : QString();
    const QString portText = colon >= 0 ? s.mid(colon + 1) : s;
    bool ok = false;
    const int port = portText.toInt(&ok);
    if (!ok || port < 0 || port > 65535)
        return fail(
            Error::invalid(QStringLiteral("--listen %1: expected host:port, :port or port").arg(listen)));
    o.port = static_cast<quint16>(port);
    if (!host.isEmpty()) {
        QHostAddress a;
        const QString h = host.startsWith(u'[') ? host.mid(1, host.size() - 2) : host;
        if (h == u"localhost")
            a = QHostAddress::LocalHost;
        else if (!a.setAddress(h))
            return fail(
                Error::invalid(QStringLiteral("--listen %1: '%2' is not an IP address").arg(listen, host)));
        o.address = a;
    }
    return {};
}

Result<std::unique_ptr<Service>> Service::start(const ServiceOptions& options, Dependencies deps) {
    std::unique_ptr<Service> s(new Service);
    s->m_host = options.address.protocol() == QAbstractSocket::IPv6Protocol
                    ? u'[' + options.address.toString() + u']'
                    : options.address.toString();
    s->m_thread.setObjectName(QStringLiteral("loadlevel-http"));
    s->m_thread.start();
    Result<quint16> port = fail(Error::failed(QStringLiteral("the HTTP service did not start")));
    Service* raw = s.get();
    auto* impl = new Impl(*raw, options, std::move(deps));
    impl->moveToThread(&raw->m_thread);
    QMetaObject::invokeMethod(
        impl, [impl, &port] { port = impl->init(); }, Qt::BlockingQueuedConnection);
    raw->m_impl = impl;
    if (!port)
        return fail(port.error()); // ~Service stops the thread and deletes impl
    raw->m_port = *port;
    return s;
}

Service::~Service() {
    if (m_impl)
        QMetaObject::invokeMethod(
            m_impl, [impl = m_impl] { delete impl; }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

QString Service::url() const {
    return QStringLiteral("http://%1:%2").arg(m_host).arg(m_port);
}

} // namespace loadlevel::ingest
