// The HTTP target and the runner's open model against a small HTTP server in this process
// (plain sockets on a thread of its own), which answers as each test needs: 202s, chunked or
// close-delimited bodies, 503s, silence, a stall, dropped keep-alive connections.
#include "load/http_target.h"
#include "load/runner.h"

#include <QJsonDocument>
#include <QMutex>
#include <QtTest>
#include <arpa/inet.h>
#include <atomic>
#include <map>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace loadlevel;
using namespace loadlevel::load;
using namespace std::chrono_literals;

namespace {

class TestServer {
public:
    enum class Mode { Accepted, Chunked, CloseDelimited, Unavailable, Silent, StallFirst, DropAfterAnswer };

    explicit TestServer(Mode mode)
        : m_mode(mode) {
        m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const int one = 1;
        ::setsockopt(m_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_listen, reinterpret_cast<sockaddr*>(&a), sizeof a);
        ::listen(m_listen, 512);
        socklen_t len = sizeof a;
        ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&a), &len);
        m_port = ntohs(a.sin_port);
        m_thread = std::thread([this] { loop(); });
    }
    ~TestServer() {
        m_stop = true;
        m_thread.join();
        for (auto& [fd, c] : m_clients)
            ::close(fd);
        ::close(m_listen);
    }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/ratings?src=test").arg(m_port)); }
    qint64 requests() const { return m_requests; }
    qint64 connections() const { return m_connections; }
    QByteArray lastRequest() {
        QMutexLocker lock(&m_mutex);
        return m_last;
    }

private:
    struct Client {
        QByteArray in;
        std::vector<std::chrono::steady_clock::time_point> answerAt; // one per request read
    };

    QByteArray answer() const {
        switch (m_mode) {
        case Mode::Chunked:
            return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n3\r\n[1]\r\n0\r\n\r\n";
        case Mode::CloseDelimited:
            return "HTTP/1.1 201 Created\r\nConnection: close\r\n\r\nstored";
        case Mode::Unavailable:
            return "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n";
        default:
            return "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: "
                   "15\r\n\r\n{\"accepted\":1}\n";
        }
    }

    void loop() {
        while (!m_stop) {
            std::vector<pollfd> fds{{m_listen, POLLIN, 0}};
            for (auto& [fd, c] : m_clients)
                fds.push_back({fd, POLLIN, 0});
            ::poll(fds.data(), fds.size(), 2);
            if (fds[0].revents & POLLIN) {
                const int fd = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
                if (fd >= 0) {
                    m_clients[fd] = {};
                    ++m_connections;
                }
            }
            for (size_t i = 1; i < fds.size(); ++i) {
                if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                    continue;
                char buf[65536];
                const ssize_t n = ::recv(fds[i].fd, buf, sizeof buf, 0);
                if (n <= 0) {
                    ::close(fds[i].fd);
                    m_clients.erase(fds[i].fd);
                    continue;
                }
                Client& c = m_clients[fds[i].fd];
                c.in.append(buf, n);
                readRequests(c);
            }
            const auto now = std::chrono::steady_clock::now();
            std::vector<int> closing;
            for (auto& [fd, c] : m_clients) {
                while (!c.answerAt.empty() && c.answerAt.front() <= now) {
                    c.answerAt.erase(c.answerAt.begin());
                    const QByteArray a = answer();
                    (void)::send(fd, a.constData(), static_cast<size_t>(a.size()), MSG_NOSIGNAL);
                    if (m_mode == Mode::CloseDelimited || m_mode == Mode::DropAfterAnswer) {
                        closing.push_back(fd);
                        break;
                    }
                }
            }
            for (int fd : closing) {
                ::close(fd);
                m_clients.erase(fd);
            }
        }
    }

    void readRequests(Client& c) {
        for (;;) {
            const auto end = c.in.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const auto lenAt = c.in.toLower().indexOf("content-length:");
            const qint64 len =
                lenAt >= 0 && lenAt < end
                    ? c.in.mid(lenAt + 15, end - lenAt - 15).split('\r').first().trimmed().toLongLong()
                    : 0;
            if (c.in.size() < end + 4 + len)
                return;
            {
                QMutexLocker lock(&m_mutex);
                m_last = c.in.left(end + 4 + len);
            }
            c.in.remove(0, end + 4 + len);
            const qint64 n = ++m_requests;
            auto at = std::chrono::steady_clock::now();
            if (m_mode == Mode::Silent)
                at += 1h;
            if (m_mode == Mode::StallFirst && n <= 2)
                at += 1s;
            c.answerAt.push_back(at);
        }
    }

    Mode m_mode;
    int m_listen = -1;
    int m_port = 0;
    std::atomic<bool> m_stop{false};
    std::atomic<qint64> m_requests{0};
    std::atomic<qint64> m_connections{0};
    std::map<int, Client> m_clients; // the server thread's
    QMutex m_mutex;
    QByteArray m_last;
    std::thread m_thread;
};

std::unique_ptr<HttpTarget> target(const QUrl& url, int concurrency, bool keepAlive = true,
                                   std::chrono::milliseconds timeout = 10s) {
    HttpTarget::Options o;
    o.url = url;
    o.concurrency = concurrency;
    o.keepAlive = keepAlive;
    o.timeout = timeout;
    o.headers = {QStringLiteral("Authorization: Bearer s3cret")};
    auto t = HttpTarget::create(o);
    if (!t)
        qWarning("%s", qPrintable(t.error().message));
    return t ? std::move(*t) : nullptr;
}

RunPlan plan(Profile p) {
    RunPlan plan;
    plan.profile = std::move(p);
    plan.generator.seed = 5;
    plan.drainTimeout = 20s;
    return plan;
}

} // namespace

class TestHttpTarget final : public QObject {
    Q_OBJECT

private slots:
    void aBurstIsAcceptedAndCountedByStatus() {
        TestServer server(TestServer::Mode::Accepted);
        auto t = target(server.url(), 8);
        QVERIFY(t);
        auto r = runPlan(*t, plan(Profile::burst(2000)));
        QVERIFY2(r.has_value(), r ? "" : qPrintable(r.error().message));
        QCOMPARE(r->manifest.sent, qint64(2000));
        QCOMPARE(r->accepted, qint64(2000));
        QCOMPARE(r->failed, qint64(0));
        QCOMPARE(r->outcomes, (std::map<QString, qint64>{{QStringLiteral("202"), 2000}}));
        QCOMPARE(server.requests(), qint64(2000));
        // At most one per slot, plus the one create() opens to check that something listens.
        QVERIFY2(server.connections() <= 8 + 1, qPrintable(QString::number(server.connections())));
        QCOMPARE(r->response.count, qint64(2000));
        QVERIFY(r->manifest.unacked.empty());
        QVERIFY(r->manifest.error.isEmpty());
        QVERIFY(r->ok());

        // What went over the wire: the path with its query, the header, a JSON body from the template.
        const QByteArray req = server.lastRequest();
        QVERIFY2(req.startsWith("POST /ratings?src=test HTTP/1.1\r\n"), req.constData());
        QVERIFY(req.contains("\r\nAuthorization: Bearer s3cret\r\n"));
        QVERIFY(req.contains("\r\nContent-Type: application/json\r\n"));
        const QJsonObject body = QJsonDocument::fromJson(req.mid(req.indexOf("\r\n\r\n") + 4)).object();
        QVERIFY(body.value(u"user_id").toInteger() >= 1);
        QVERIFY(body.value(u"movie_id").toInteger() >= 1);
        QVERIFY(body.value(u"rating").toDouble() >= 0.5);
        // The report names the header, never its value.
        QVERIFY(!QJsonDocument(r->toJson()).toJson().contains("s3cret"));
    }

    void chunkedAndCloseDelimitedBodiesAreRead() {
        {
            TestServer server(TestServer::Mode::Chunked);
            auto t = target(server.url(), 4);
            auto r = runPlan(*t, plan(Profile::burst(300)));
            QVERIFY(r.has_value());
            QCOMPARE(r->accepted, qint64(300));
            QCOMPARE(r->outcomes.at(QStringLiteral("200")), qint64(300));
            QVERIFY(server.connections() <= 4 + 1);
        }
        {
            TestServer server(TestServer::Mode::CloseDelimited);
            auto t = target(server.url(), 4);
            auto r = runPlan(*t, plan(Profile::burst(300)));
            QVERIFY(r.has_value());
            QCOMPARE(r->accepted, qint64(300));
            QCOMPARE(r->outcomes.at(QStringLiteral("201")), qint64(300));
            QCOMPARE(server.connections(), qint64(300 + 1)); // the server closes each one
        }
    }

    void withoutKeepAliveEachRequestHasItsConnection() {
        TestServer server(TestServer::Mode::Accepted);
        auto t = target(server.url(), 4, false);
        auto r = runPlan(*t, plan(Profile::burst(200)));
        QVERIFY(r.has_value());
        QCOMPARE(r->accepted, qint64(200));
        QCOMPARE(server.connections(), qint64(200 + 1));
        QVERIFY(server.lastRequest().contains("\r\nConnection: close\r\n"));
        QCOMPARE(r->target.value(u"keep_alive").toBool(), false);
    }

    void aServerClosingIdleConnectionsCostsNoRequest() {
        // The server answers, then closes without saying so: the next request on that connection
        // finds it dead and is sent again on a new one, once.
        TestServer server(TestServer::Mode::DropAfterAnswer);
        auto t = target(server.url(), 2);
        auto r = runPlan(*t, plan(Profile::constant(200, 1)));
        QVERIFY(r.has_value());
        QCOMPARE(r->failed, qint64(0));
        QCOMPARE(r->accepted, qint64(200));
    }

    void errorsAreCountedByKind() {
        {
            TestServer server(TestServer::Mode::Unavailable);
            auto t = target(server.url(), 4);
            auto r = runPlan(*t, plan(Profile::burst(100)));
            QVERIFY(r.has_value());
            QCOMPARE(r->accepted, qint64(0));
            QCOMPARE(r->failed, qint64(100));
            QCOMPARE(r->outcomes.at(QStringLiteral("503")), qint64(100));
            QCOMPARE(r->manifest.unacked.size(), size_t(100));
            QVERIFY2(r->manifest.error.contains(u"503"), qPrintable(r->manifest.error));
            QVERIFY(!r->ok());
        }
        {
            TestServer server(TestServer::Mode::Silent);
            auto t = target(server.url(), 4, true, 200ms);
            auto r = runPlan(*t, plan(Profile::burst(8)));
            QVERIFY(r.has_value());
            QCOMPARE(r->outcomes.at(QStringLiteral("timeout")), qint64(8));
            QCOMPARE(r->failed, qint64(8));
        }
    }

    void theOpenModelReportsLateEventsWhenTheTargetStalls() {
        // 200 events due over one second; the server holds its first two answers for a second, so
        // with two connections nothing else can go until then. The runner does not slow down the
        // schedule: it sends the backlog as soon as connections free up and counts it late.
        TestServer server(TestServer::Mode::StallFirst);
        auto t = target(server.url(), 2);
        auto r = runPlan(*t, plan(Profile::constant(200, 1)));
        QVERIFY(r.has_value());
        QCOMPARE(r->accepted, qint64(200));
        QVERIFY2(r->late >= 190, qPrintable(QString::number(r->late)));
        QVERIFY2(r->maxLateMs >= 500, qPrintable(QString::number(r->maxLateMs)));
        // Latency is measured from each event's due time, so the stall shows in it.
        QVERIFY2(r->response.max >= 500, qPrintable(QString::number(r->response.max)));
        qint64 lateInTimeline = 0;
        for (const auto& row : r->timeline)
            lateInTimeline += row.late;
        QCOMPARE(lateInTimeline, r->late);
        QVERIFY(r->ok()); // late is a finding, not a failure: everything was accepted
    }

    void cancelStopsSendingAndReportsTheRest() {
        TestServer server(TestServer::Mode::Accepted);
        auto t = target(server.url(), 4);
        std::atomic<bool> cancel{false};
        auto r = runPlan(
            *t, plan(Profile::constant(500, 20)),
            [&](const RunProgress& p) {
                if (p.sent >= 100)
                    cancel = true;
            },
            &cancel);
        QVERIFY(r.has_value());
        QVERIFY(r->manifest.sent < 10000);
        QCOMPARE(r->accepted, r->manifest.sent);
        QCOMPARE(static_cast<qint64>(r->manifest.unacked.size()), qint64(10000) - r->manifest.sent);
        QVERIFY2(r->manifest.error.startsWith(u"cancelled"), qPrintable(r->manifest.error));
    }

    void unusableTargetsAreRefusedUpFront() {
        HttpTarget::Options o;
        o.url = QUrl(QStringLiteral("https://127.0.0.1:1/ratings"));
        auto https = HttpTarget::create(o);
        QVERIFY(!https && https.error().message.contains(u"https"));

        // A port nobody listens on: one clear error, not a run of refusals.
        int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        socklen_t len = sizeof a;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        ::close(fd);
        o.url = QUrl(QStringLiteral("http://127.0.0.1:%1/ratings").arg(ntohs(a.sin_port)));
        auto refused = HttpTarget::create(o);
        QVERIFY(!refused);
        QCOMPARE(refused.error().kind, Error::Kind::Unavailable);
        QVERIFY2(refused.error().message.contains(u"cannot connect"), qPrintable(refused.error().message));

        TestServer server(TestServer::Mode::Accepted);
        o.url = server.url();
        o.headers = {QStringLiteral("Content-Length: 5")};
        QVERIFY(!HttpTarget::create(o));
        o.headers = {QStringLiteral("no colon")};
        QVERIFY(!HttpTarget::create(o));
        o.headers = {};
        o.bodyTemplate = QStringLiteral("{{nope}}");
        QVERIFY(!HttpTarget::create(o));
        o.bodyTemplate = BodyTemplate::plainDefault();
        o.concurrency = 0;
        QVERIFY(!HttpTarget::create(o));
    }
};

QTEST_GUILESS_MAIN(TestHttpTarget)
#include "tst_http_target.moc"
