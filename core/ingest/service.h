#pragma once

#include "error.h"
#include "kafka/client_config.h"
#include "kafka/sink.h"
#include "metrics/recorder.h"

#include <QHostAddress>
#include <QObject>
#include <QThread>
#include <chrono>
#include <memory>

namespace loadlevel::ingest {

struct ServiceOptions {
    QHostAddress address = QHostAddress::LocalHost; // loopback unless told otherwise
    quint16 port = 8080;                            // 0: any free port (see Service::port())
    QByteArray token;                               // bearer token required on every route but /health
    qsizetype maxBodyBytes = 64 * 1024;             // larger bodies: 413
    int maxBatch = 1000;                            // ratings per POST at most
    std::chrono::milliseconds ackTimeout{5000};     // no broker acknowledgement by then: 503
    qint64 maxPendingEvents = 100000;               // produced, not yet acknowledged; beyond: 503
    // Slow or idle clients (slowloris): a request must arrive whole within requestTimeout of its
    // first byte, a kept-alive connection may sit idle for idleTimeout, and at most maxConnections
    // are open at once (more are closed on arrival). Each closed connection is counted.
    std::chrono::milliseconds requestTimeout{10000};
    std::chrono::milliseconds idleTimeout{120000};
    int maxConnections = 4096;
};

// Parses "host:port", ":port" or "port" into the options' address and port.
Result<void> parseListen(const QString& listen, ServiceOptions& options);

// The rating endpoint in front of Kafka, and a read API over the database (Qt HttpServer).
//   POST /ratings               one rating object or an array of up to maxBatch; 202 with the event
//                               ids once the broker acknowledged every one (idempotent producer,
//                               acks=all); a client-given event_id makes retries land as one row
//   GET  /ratings               newest first, filters user_id and movie_id, keyset paging (limit, after)
//   GET  /movies/{id}/stats     the movie_stats read model
//   GET  /health                Kafka and database status; 503 when degraded
//   GET  /metrics               Prometheus text
//   GET  /openapi.json, /docs   the OpenAPI 3 document and a page that renders it
// Errors are JSON {"error", "field", "detail"}: 400 malformed, 401 token, 404, 405, 413 too large,
// 415 content type, 422 values out of range, 503 overload or broker unreachable (with Retry-After).
// Thread: the service runs on its own thread; create and destroy it on any one thread.
class Service final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Service)
public:
    struct Dependencies {
        kafka::ClientConfig kafka;
        QString topic;
        kafka::Sink::StoreFactory stores;      // the read side opens its own connection
        metrics::Recorder* recorder = nullptr; // counters for /metrics (may be null)
    };

    static Result<std::unique_ptr<Service>> start(const ServiceOptions& options, Dependencies deps);
    ~Service() override;

    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] QString url() const; // http://host:port

    // Counters since start (any thread).
    [[nodiscard]] qint64 accepted() const { return m_accepted.load(); }
    [[nodiscard]] qint64 rejected() const { return m_rejected.load(); }
    // Connections closed for sending a request too slowly, idling too long, or being too many.
    [[nodiscard]] qint64 closedSlow() const { return m_closedSlow.load(); }

    class Impl;

private:
    Service() = default;

    QThread m_thread;
    Impl* m_impl = nullptr; // lives on m_thread
    quint16 m_port = 0;
    QString m_host;
    std::atomic<qint64> m_accepted{0};
    std::atomic<qint64> m_rejected{0};
    std::atomic<qint64> m_closedSlow{0};
};

} // namespace loadlevel::ingest
