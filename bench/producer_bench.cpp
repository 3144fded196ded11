// Loadlevel's kafka::Producer on exactly the input kcat -P gets in bench/run: the same
// "key:value" lines and the same eight CloudEvents headers. Measures first produce() to last
// acknowledgement. Prints {"acked":N,"seconds":S,"acked_per_sec":R}.
//   producer-bench --kafka host:port --topic T --file events.txt
#include "kafka/producer.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <atomic>
#include <cstdio>

using namespace loadlevel;

int main(int argc, char* argv[]) {
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.addOptions({{QStringLiteral("kafka"), QStringLiteral("bootstrap"), QStringLiteral("b")},
                  {QStringLiteral("topic"), QStringLiteral("topic"), QStringLiteral("t")},
                  {QStringLiteral("file"), QStringLiteral("key:value lines"), QStringLiteral("f")},
                  {QStringLiteral("X"), QStringLiteral("librdkafka property key=value (repeatable)"),
                   QStringLiteral("prop")}});
    p.process(app);
    QFile f(p.value(QStringLiteral("file")));
    if (!f.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "producer-bench: cannot read %s\n", qPrintable(f.fileName()));
        return 2;
    }
    // The file is mapped (kcat's comes from the page cache too, through read()), and each line
    // becomes a message on the fly, as kcat -P does: no per-message copies are kept around, so the
    // producer's own allocations are measured in a small heap, not a 1 GB one.
    const uchar* mapped = f.size() > 0 ? f.map(0, f.size()) : nullptr;
    if (f.size() > 0 && !mapped) {
        std::fprintf(stderr, "producer-bench: cannot map %s\n", qPrintable(f.fileName()));
        return 2;
    }
    const QByteArray input =
        QByteArray::fromRawData(reinterpret_cast<const char*>(mapped), static_cast<qsizetype>(f.size()));
    event::WireMessage message;
    message.headers = {{"ce_specversion", "1.0"},
                       {"content-type", "application/json"},
                       {"ce_id", "0190f3c2-7d1e-7a3b-8c4d-5e6f7a8b9c0d"},
                       {"ce_source", "/loadlevel/cli"},
                       {"ce_type", "loadlevel.rating.v1"},
                       {"ce_time", "2026-11-23T02:19:35.123Z"},
                       {"ce_runid", "20261123-021935-3fa2"},
                       {"ce_runseq", "123456"}};
    auto config = kafka::ClientConfig::make(p.value(QStringLiteral("kafka")), p.values(QStringLiteral("X")));
    if (!config) {
        std::fprintf(stderr, "producer-bench: %s\n", qPrintable(config.error().message));
        return 2;
    }
    std::atomic<qint64> acked{0};
    auto producer =
        kafka::Producer::create(*config, p.value(QStringLiteral("topic")), [&](const kafka::Delivery& d) {
            if (d.ok)
                ++acked;
        });
    if (!producer) {
        std::fprintf(stderr, "producer-bench: %s\n", qPrintable(producer.error().message));
        return 3;
    }
    QElapsedTimer clock;
    clock.start();
    qint64 sent = 0;
    for (qsizetype at = 0; at < input.size();) {
        qsizetype end = input.indexOf('\n', at);
        if (end < 0)
            end = input.size();
        const qsizetype colon = input.indexOf(':', at);
        if (colon > at && colon < end) {
            message.key = QByteArray::fromRawData(input.constData() + at, colon - at);
            message.value = QByteArray::fromRawData(input.constData() + colon + 1, end - colon - 1);
            if (!(*producer)->produce(message, static_cast<quint64>(sent++)))
                return 1;
            (*producer)->serve(); // as kcat -P polls after every message
        }
        at = end + 1;
    }
    if (!(*producer)->flush(std::chrono::seconds(300)))
        return 1;
    const double secs = clock.nsecsElapsed() / 1e9;
    std::printf("{\"acked\":%lld,\"seconds\":%.3f,\"acked_per_sec\":%.0f}\n",
                static_cast<long long>(acked.load()), secs, acked.load() / secs);
    return acked.load() == sent ? 0 : 1;
}
