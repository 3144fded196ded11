// The peer of the HTTP benchmark: a bare Qt HttpServer endpoint that answers every POST /ratings
// with 202 and a small JSON body, and does nothing else (no parsing, no Kafka). What it reaches
// is the HTTP layer's own limit on this machine.
#include <QCoreApplication>
#include <QHttpServer>
#include <QHttpServerResponder>
#include <cstdio>

int main(int argc, char* argv[]) {
    QCoreApplication app(argc, argv);
    const quint16 port = argc > 1 ? static_cast<quint16>(QByteArray(argv[1]).toUShort()) : 18182;
    QHttpServer server;
    server.route(QStringLiteral("/ratings"), QHttpServerRequest::Method::Post,
                 [](const QHttpServerRequest&, QHttpServerResponder&& r) {
                     r.write(QByteArrayLiteral("{\"accepted\":1}"), {{"Content-Type", "application/json"}},
                             QHttpServerResponder::StatusCode::Accepted);
                 });
    if (server.listen(QHostAddress::LocalHost, port) == 0) {
        std::fprintf(stderr, "bare-http: cannot listen on 127.0.0.1:%u\n", port);
        return 1;
    }
    std::printf("bare-http: listening on 127.0.0.1:%u\n", port);
    std::fflush(stdout);
    return QCoreApplication::exec();
}
