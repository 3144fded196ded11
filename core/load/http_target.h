#pragma once

#include "load/body_template.h"
#include "load/target.h"

#include <QStringList>
#include <QUrl>
#include <memory>
#include <vector>

struct sockaddr_storage;

namespace loadlevel::load {

// A run's events go to an HTTP endpoint, one POST per event: Loadlevel's own /ratings or any
// rating service. A fixed number of connections (the concurrency), each carrying one request at a
// time, kept alive or opened per request; non-blocking sockets on one epoll set, driven by the
// runner's thread (no Qt event loop, no per-request allocation beyond the body).
// A completion is the response's status code ("202"), or "timeout", "connect: <reason>",
// "closed by peer", "bad response". 2xx counts as accepted.
// Plain http:// only.
class HttpTarget final : public Target {
public:
    struct Options {
        QUrl url;
        int concurrency = 64;
        bool keepAlive = true;
        QString bodyTemplate = BodyTemplate::plainDefault();
        QStringList headers; // "Name: value", added to every request (Authorization, ...)
        std::chrono::milliseconds timeout{10000}; // per request, from the moment it is sent
    };
    // Resolves the host and opens one connection to check that something listens (a clear error
    // now rather than a run of refused connections).
    static Result<std::unique_ptr<HttpTarget>> create(const Options& options);
    ~HttpTarget() override;
    HttpTarget(const HttpTarget&) = delete;
    HttpTarget& operator=(const HttpTarget&) = delete;

    [[nodiscard]] QJsonObject describe() const override;
    [[nodiscard]] bool canSend() const override { return !m_free.empty(); }
    Result<void> send(const event::RatingEvent& e, quint64 seq, Clock::time_point due) override;
    void poll(Clock::time_point until, const Completed& completed) override;
    [[nodiscard]] qint64 inFlight() const override { return m_inFlight; }
    void abandon(const Completed& completed) override;
    [[nodiscard]] const BodyTemplate& bodyTemplate() const { return m_template; }

private:
    struct Connection;
    HttpTarget() = default;
    bool open(Connection& c);
    void start(Connection& c);
    void writeSome(Connection& c, const Completed& completed);
    void readSome(Connection& c, const Completed& completed);
    // Parses what has been read; true when a whole response is there.
    bool parse(Connection& c);
    void finish(Connection& c, bool ok, QByteArray outcome, const Completed& completed);
    void failTransport(Connection& c, QByteArray outcome, const Completed& completed);
    void closeSocket(Connection& c);
    void watch(Connection& c, bool wantWrite);
    void checkTimeouts(Clock::time_point now, const Completed& completed);

    Options m_options;
    BodyTemplate m_template;
    QByteArray m_head; // request line and fixed headers, up to "Content-Length: "
    std::unique_ptr<sockaddr_storage> m_address;
    unsigned m_addressLength = 0;
    int m_epoll = -1;
    std::vector<std::unique_ptr<Connection>> m_connections;
    std::vector<Connection*> m_free;
    qint64 m_inFlight = 0;
    Clock::time_point m_lastTimeoutCheck;
    QByteArray m_body; // reused for each request
};

} // namespace loadlevel::load
