#include "load/http_target.h"

#include <QJsonArray>
#include <arpa/inet.h>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace loadlevel::load {

namespace {

constexpr qsizetype kMaxHeaderBytes = 64 * 1024;
constexpr auto kConnectCheck = std::chrono::seconds(3);

QByteArray errnoText(int err) {
    return QByteArray(std::strerror(err));
}

// "202", "503", ...: made once, shared afterwards (QByteArray copies are reference counts).
const QByteArray& statusText(int status) {
    static const std::array<QByteArray, 600> texts = [] {
        std::array<QByteArray, 600> t;
        for (int i = 100; i < 600; ++i)
            t[static_cast<size_t>(i)] = QByteArray::number(i);
        return t;
    }();
    static const QByteArray other("bad status");
    return status >= 100 && status < 600 ? texts[static_cast<size_t>(status)] : other;
}

bool startsWithNoCase(QByteArrayView line, QByteArrayView prefix) {
    return line.size() >= prefix.size() &&
           line.first(prefix.size()).compare(prefix, Qt::CaseInsensitive) == 0;
}

} // namespace

struct HttpTarget::Connection {
    int fd = -1;
    bool connected = false;
    bool watchingWrite = false;
    bool busy = false;
    bool reused = false;  // the request went out on a connection kept alive from before
    bool retried = false; // ...and was already sent again once on a new one
    QByteArray out;
    qsizetype written = 0;
    QByteArray in;
    quint64 seq = 0;
    Clock::time_point due;
    Clock::time_point sentAt;
    Clock::time_point deadline;
    // Response parsing.
    qsizetype bodyStart = -1;
    int status = 0;
    qint64 contentLength = -1;
    bool chunked = false;
    bool closeAfter = false;
    qsizetype chunkAt = 0;
    QByteArray deferred; // a failure found inside send(), delivered by the next poll()
};

Result<std::unique_ptr<HttpTarget>> HttpTarget::create(const Options& o) {
    const QUrl& url = o.url;
    if (!url.isValid() || url.host().isEmpty())
        return fail(Error::invalid(
            QStringLiteral("'%1' is not a URL (write http://host:port/path)").arg(url.toString())));
    if (url.scheme() == u"https")
        return fail(Error::invalid(QStringLiteral(
            "https is not supported by the HTTP target; use http:// (or a TLS-terminating proxy)")));
    if (url.scheme() != u"http")
        return fail(Error::invalid(QStringLiteral("'%1' is not an http:// URL").arg(url.toString())));
    if (o.concurrency < 1 || o.concurrency > 10000)
        return fail(Error::invalid(
            QStringLiteral("concurrency must be between 1 and 10,000 (got %1)").arg(o.concurrency)));
    if (o.timeout.count() < 1)
        return fail(Error::invalid(QStringLiteral("the request timeout must be positive")));

    std::unique_ptr<HttpTarget> t(new HttpTarget);
    t->m_options = o;
    auto tpl = BodyTemplate::compile(o.bodyTemplate);
    if (!tpl)
        return fail(tpl.error());
    t->m_template = std::move(*tpl);

    const int port = url.port(80);
    QByteArray path = url.path(QUrl::FullyEncoded).toUtf8();
    if (path.isEmpty())
        path = "/";
    if (url.hasQuery())
        path += '?' + url.query(QUrl::FullyEncoded).toUtf8();
    const QByteArray host = url.host(QUrl::FullyEncoded).toUtf8();
    QByteArray head = "POST " + path + " HTTP/1.1\r\nHost: " + host;
    if (port != 80)
        head += ':' + QByteArray::number(port);
    head += "\r\nUser-Agent: loadlevel/" LOADLEVEL_VERSION "\r\nContent-Type: application/json\r\n";
    for (const QString& h : o.headers) {
        const QByteArray line = h.toUtf8().trimmed();
        const auto colon = line.indexOf(':');
        if (colon <= 0 || line.contains('\r') || line.contains('\n'))
            return fail(Error::invalid(QStringLiteral("'%1' is not a header (write 'Name: value')").arg(h)));
        const QByteArray name = line.left(colon).trimmed().toLower();
        if (name == "content-length" || name == "host" || name == "transfer-encoding" || name == "connection")
            return fail(Error::invalid(
                QStringLiteral("the %1 header is set by Loadlevel").arg(QString::fromUtf8(name))));
        head += line + "\r\n";
    }
    if (!o.keepAlive)
        head += "Connection: close\r\n";
    head += "Content-Length: ";
    t->m_head = head;

    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const QByteArray portText = QByteArray::number(port);
    const QByteArray lookup =
        url.host().startsWith(u'[') ? host.mid(1, host.size() - 2) : url.host().toUtf8();
    if (const int rc = ::getaddrinfo(lookup.constData(), portText.constData(), &hints, &found); rc != 0)
        return fail(Error::unavailable(
            QStringLiteral("cannot resolve %1: %2").arg(url.host(), QString::fromUtf8(::gai_strerror(rc)))));
    t->m_address = std::make_unique<sockaddr_storage>();
    std::memcpy(t->m_address.get(), found->ai_addr, found->ai_addrlen);
    t->m_addressLength = found->ai_addrlen;
    ::freeaddrinfo(found);

    // Is anything listening? One blocking-with-timeout connect.
    {
        const int fd = ::socket(t->m_address->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return fail(Error::failed(QStringLiteral("socket: %1").arg(QString::fromUtf8(errnoText(errno)))));
        int err = 0;
        if (::connect(fd, reinterpret_cast<const sockaddr*>(t->m_address.get()), t->m_addressLength) != 0) {
            err = errno;
            if (err == EINPROGRESS) {
                pollfd p{fd, POLLOUT, 0};
                const int n =
                    ::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(kConnectCheck).count()));
                socklen_t len = sizeof err;
                if (n == 0)
                    err = ETIMEDOUT;
                else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
                    err = errno;
            }
        }
        ::close(fd);
        if (err != 0)
            return fail(Error::unavailable(QStringLiteral("cannot connect to %1:%2: %3")
                                               .arg(url.host())
                                               .arg(port)
                                               .arg(QString::fromUtf8(errnoText(err)))));
    }

    t->m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
    if (t->m_epoll < 0)
        return fail(Error::failed(QStringLiteral("epoll: %1").arg(QString::fromUtf8(errnoText(errno)))));
    t->m_connections.reserve(static_cast<size_t>(o.concurrency));
    for (int i = 0; i < o.concurrency; ++i) {
        t->m_connections.push_back(std::make_unique<Connection>());
        t->m_free.push_back(t->m_connections.back().get());
    }
    t->m_lastTimeoutCheck = Clock::now();
    return t;
}

HttpTarget::~HttpTarget() {
    for (auto& c : m_connections)
        closeSocket(*c);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

QJsonObject HttpTarget::describe() const {
    QJsonArray headers;
    for (const QString& h : m_options.headers) {
        // Header values can be credentials: the report keeps the names only.
        headers.append(QString(h.section(u':', 0, 0).trimmed() + QStringLiteral(": …")));
    }
    return {{QStringLiteral("kind"), QStringLiteral("http")},
            {QStringLiteral("url"), m_options.url.toString(QUrl::RemoveUserInfo)},
            {QStringLiteral("concurrency"), m_options.concurrency},
            {QStringLiteral("keep_alive"), m_options.keepAlive},
            {QStringLiteral("timeout_ms"), static_cast<qint64>(m_options.timeout.count())},
            {QStringLiteral("body_template"), m_template.text()},
            {QStringLiteral("headers"), headers}};
}

bool HttpTarget::open(Connection& c) {
    c.fd = ::socket(m_address->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
        c.deferred = "connect: " + errnoText(errno);
        return false;
    }
    const int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c.connected = false;
    if (::connect(c.fd, reinterpret_cast<const sockaddr*>(m_address.get()), m_addressLength) == 0) {
        c.connected = true;
    } else if (errno != EINPROGRESS) {
        c.deferred = "connect: " + errnoText(errno);
        ::close(c.fd);
        c.fd = -1;
        return false;
    }
    epoll_event ev{};
    ev.events = EPOLLIN | (c.connected ? 0u : unsigned(EPOLLOUT));
    ev.data.ptr = &c;
    ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, c.fd, &ev);
    c.watchingWrite = !c.connected;
    return true;
}

void HttpTarget::closeSocket(Connection& c) {
    if (c.fd >= 0) {
        ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, c.fd, nullptr);
        ::close(c.fd);
    }
    c.fd = -1;
    c.connected = false;
    c.watchingWrite = false;
}

void HttpTarget::watch(Connection& c, bool wantWrite) {
    if (c.watchingWrite == wantWrite || c.fd < 0)
        return;
    epoll_event ev{};
    ev.events = EPOLLIN | (wantWrite ? unsigned(EPOLLOUT) : 0u);
    ev.data.ptr = &c;
    ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, c.fd, &ev);
    c.watchingWrite = wantWrite;
}

Result<void> HttpTarget::send(const event::RatingEvent& e, quint64 seq, Clock::time_point due) {
    if (m_free.empty())
        return fail(Error::failed(QStringLiteral("no free connection (the runner must check canSend)")));
    Connection& c = *m_free.back();
    m_free.pop_back();
    m_body.clear();
    m_template.render(e, m_body);
    c.out.clear();
    c.out.reserve(m_head.size() + m_body.size() + 24);
    c.out.append(m_head);
    char len[24];
    const auto r = std::to_chars(len, len + sizeof len, m_body.size());
    c.out.append(len, r.ptr - len);
    c.out.append("\r\n\r\n", 4);
    c.out.append(m_body);
    c.seq = seq;
    c.due = due;
    c.sentAt = Clock::now();
    c.deadline = c.sentAt + m_options.timeout;
    c.busy = true;
    c.retried = false;
    ++m_inFlight;
    start(c);
    return {};
}

void HttpTarget::start(Connection& c) {
    c.written = 0;
    c.in.clear();
    c.bodyStart = -1;
    c.status = 0;
    c.contentLength = -1;
    c.chunked = false;
    c.closeAfter = !m_options.keepAlive;
    c.chunkAt = 0;
    c.reused = c.fd >= 0;
    if (c.fd < 0 && !open(c))
        return; // c.deferred says why; the next poll() reports it
    if (c.connected)
        writeSome(c, {});
}

void HttpTarget::writeSome(Connection& c, const Completed& completed) {
    while (c.written < c.out.size()) {
        const ssize_t n = ::send(c.fd, c.out.constData() + c.written,
                                 static_cast<size_t>(c.out.size() - c.written), MSG_NOSIGNAL);
        if (n > 0) {
            c.written += n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            watch(c, true);
            return;
        }
        const QByteArray why = n < 0 ? errnoText(errno) : QByteArray("closed");
        if (c.reused && !c.retried) {
            // A kept-alive connection the server had already closed: send again on a new one.
            c.retried = true;
            closeSocket(c);
            start(c);
            return;
        }
        if (completed)
            failTransport(c, "send: " + why, completed);
        else
            c.deferred = "send: " + why;
        return;
    }
    watch(c, false);
}

void HttpTarget::readSome(Connection& c, const Completed& completed) {
    char buf[16384];
    for (;;) {
        const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
        if (n > 0) {
            if (c.busy)
                c.in.append(buf, n);
            if (c.busy && parse(c)) {
                finish(c, c.status >= 200 && c.status < 300, statusText(c.status), completed);
                if (c.fd < 0)
                    return;
            }
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        // Closed by the peer (n == 0) or reset.
        const QByteArray why = n < 0 ? errnoText(errno) : QByteArray("closed by peer");
        if (!c.busy) {
            closeSocket(c); // an idle kept-alive connection the server closed; reopened when needed
            return;
        }
        if (n == 0 && c.bodyStart >= 0 && !c.chunked && c.contentLength < 0) {
            // A response delimited by the end of the connection (no length given).
            c.closeAfter = true;
            finish(c, c.status >= 200 && c.status < 300, statusText(c.status), completed);
            return;
        }
        if (c.reused && !c.retried && c.in.isEmpty()) {
            c.retried = true;
            closeSocket(c);
            start(c);
            if (!c.deferred.isEmpty())
                failTransport(c, std::exchange(c.deferred, {}), completed);
            return;
        }
        failTransport(c, n == 0 ? QByteArray("closed by peer") : why, completed);
        return;
    }
}

bool HttpTarget::parse(Connection& c) {
    if (c.bodyStart < 0) {
        const qsizetype end = c.in.indexOf("\r\n\r\n");
        if (end < 0) {
            if (c.in.size() > kMaxHeaderBytes)
                c.status = -1;
            return c.status < 0;
        }
        const QByteArrayView head(c.in.constData(), end);
        if (!head.startsWith("HTTP/1.") || head.size() < 12) {
            c.status = -1;
            return true;
        }
        int status = 0;
        std::from_chars(head.data() + 9, head.data() + 12, status);
        c.status = status;
        if (head.startsWith("HTTP/1.0"))
            c.closeAfter = true;
        qsizetype at = head.indexOf("\r\n");
        while (at >= 0 && at < head.size()) {
            const qsizetype next = head.indexOf("\r\n", at + 2);
            const QByteArrayView line = head.sliced(at + 2, (next < 0 ? head.size() : next) - at - 2);
            if (startsWithNoCase(line, "content-length:")) {
                const QByteArrayView v = line.sliced(15).trimmed();
                qint64 len = -1;
                std::from_chars(v.data(), v.data() + v.size(), len);
                c.contentLength = len;
            } else if (startsWithNoCase(line, "transfer-encoding:")) {
                c.chunked = line.sliced(18).trimmed().contains(QByteArrayView("chunked"));
            } else if (startsWithNoCase(line, "connection:")) {
                const QByteArrayView v = line.sliced(11).trimmed();
                if (v.compare("close", Qt::CaseInsensitive) == 0)
                    c.closeAfter = true;
                else if (v.compare("keep-alive", Qt::CaseInsensitive) == 0 && head.startsWith("HTTP/1.0"))
                    c.closeAfter = !m_options.keepAlive;
            }
            at = next;
        }
        c.bodyStart = end + 4;
        c.chunkAt = c.bodyStart;
        if (c.status >= 100 && c.status < 200) {
            // An interim response (100 Continue): drop it and wait for the real one.
            c.in.remove(0, c.bodyStart);
            c.bodyStart = -1;
            c.status = 0;
            c.contentLength = -1;
            c.chunked = false;
            return parse(c);
        }
        if (c.status == 204 || c.status == 304)
            return true;
    }
    if (c.chunked) {
        for (;;) {
            const qsizetype eol = c.in.indexOf("\r\n", c.chunkAt);
            if (eol < 0)
                return false;
            qint64 size = -1;
            const char* first = c.in.constData() + c.chunkAt;
            const auto r = std::from_chars(first, c.in.constData() + eol, size, 16);
            if (r.ptr == first || size < 0) {
                c.status = -1;
                return true;
            }
            if (size == 0) {
                // The last chunk, then optional trailers, then an empty line.
                if (c.in.size() >= eol + 4 && c.in.sliced(eol + 2, 2) == "\r\n")
                    return true;
                return c.in.indexOf("\r\n\r\n", eol) >= 0;
            }
            if (c.in.size() < eol + 2 + size + 2)
                return false;
            c.chunkAt = eol + 2 + size + 2;
        }
    }
    if (c.contentLength >= 0)
        return c.in.size() >= c.bodyStart + c.contentLength;
    return false; // delimited by the end of the connection
}

void HttpTarget::finish(Connection& c, bool ok, QByteArray outcome, const Completed& completed) {
    if (c.status < 0) {
        ok = false;
        outcome = "bad response";
        c.closeAfter = true;
    }
    c.busy = false;
    --m_inFlight;
    const Completion done{c.seq, ok, std::move(outcome), c.due, c.sentAt, Clock::now()};
    c.in.clear();
    if (c.closeAfter)
        closeSocket(c);
    m_free.push_back(&c);
    completed(done);
}

void HttpTarget::failTransport(Connection& c, QByteArray outcome, const Completed& completed) {
    closeSocket(c);
    c.status = 0;
    finish(c, false, std::move(outcome), completed);
}

void HttpTarget::checkTimeouts(Clock::time_point now, const Completed& completed) {
    if (now - m_lastTimeoutCheck < std::chrono::milliseconds(10))
        return;
    m_lastTimeoutCheck = now;
    for (auto& c : m_connections)
        if (c->busy && now >= c->deadline)
            failTransport(*c, "timeout", completed);
}

void HttpTarget::poll(Clock::time_point until, const Completed& completed) {
    for (auto& c : m_connections)
        if (c->busy && !c->deferred.isEmpty())
            failTransport(*c, std::exchange(c->deferred, {}), completed);
    std::array<epoll_event, 256> events;
    for (;;) {
        const auto now = Clock::now();
        checkTimeouts(now, completed);
        const auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(until - now);
        timespec ts{};
        if (wait.count() > 0) {
            // Never past the next timeout check.
            const auto capped = std::min<std::chrono::nanoseconds>(wait, std::chrono::milliseconds(10));
            ts.tv_sec = static_cast<time_t>(capped.count() / 1'000'000'000);
            ts.tv_nsec = static_cast<long>(capped.count() % 1'000'000'000);
        }
        const int n = ::epoll_pwait2(m_epoll, events.data(), static_cast<int>(events.size()), &ts, nullptr);
        if (n < 0 && errno != EINTR)
            return;
        for (int i = 0; i < n; ++i) {
            auto& c = *static_cast<Connection*>(events[static_cast<size_t>(i)].data.ptr);
            const unsigned ev = events[static_cast<size_t>(i)].events;
            if (c.fd < 0)
                continue;
            if (!c.connected) {
                int err = 0;
                socklen_t len = sizeof err;
                ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err != 0 || (ev & (EPOLLERR | EPOLLHUP))) {
                    if (c.busy)
                        failTransport(c, "connect: " + errnoText(err ? err : ECONNREFUSED), completed);
                    else
                        closeSocket(c);
                    continue;
                }
                c.connected = true;
                if (c.busy)
                    writeSome(c, completed);
                continue;
            }
            if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))
                readSome(c, completed);
            if (c.fd >= 0 && c.busy && (ev & EPOLLOUT))
                writeSome(c, completed);
        }
        if (n > 0 || Clock::now() >= until)
            return;
    }
}

void HttpTarget::abandon(const Completed& completed) {
    for (auto& c : m_connections)
        if (c->busy)
            failTransport(*c, "abandoned", completed);
}

} // namespace loadlevel::load
