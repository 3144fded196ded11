// The design Loadlevel replaces, as a benchmark peer: a subscriber that decodes each message and
// runs one INSERT per row in autocommit mode (one round trip and one commit per rating).
// Writes into bench_naive_ratings (same columns as ratings). Prints one JSON line:
//   {"rows":N,"seconds":S,"rows_per_sec":R}
//   naive-sink --kafka host:port --db postgresql://... --topic T --count N
#include "event/codec.h"
#include "kafka/client_config.h"
#include "kafka/handles.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>
#include <QUuid>
#include <array>
#include <cstdio>

using namespace loadlevel;

int main(int argc, char* argv[]) {
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.addOptions({{QStringLiteral("kafka"), QStringLiteral("bootstrap"), QStringLiteral("b")},
                  {QStringLiteral("db"), QStringLiteral("url"), QStringLiteral("u")},
                  {QStringLiteral("topic"), QStringLiteral("topic"), QStringLiteral("t")},
                  {QStringLiteral("count"), QStringLiteral("rows"), QStringLiteral("n")}});
    p.process(app);
    const qint64 count = p.value(QStringLiteral("count")).toLongLong();
    const QUrl url(p.value(QStringLiteral("db")));

    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("naive"));
    db.setHostName(url.host());
    db.setPort(url.port(5432));
    db.setDatabaseName(url.path().mid(1));
    db.setUserName(url.userName());
    if (!db.open()) {
        std::fprintf(stderr, "naive-sink: %s\n", qPrintable(db.lastError().text()));
        return 3;
    }
    QSqlQuery setup(db);
    setup.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS bench_naive_ratings (LIKE ratings INCLUDING ALL)"));
    setup.exec(QStringLiteral("TRUNCATE bench_naive_ratings"));

    auto config = kafka::ClientConfig::make(p.value(QStringLiteral("kafka")));
    auto conf =
        config->build({}, {{"group.id", QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString()},
                           {"auto.offset.reset", "earliest"}});
    std::array<char, 512> err{};
    kafka::KafkaHandle rk(rd_kafka_new(RD_KAFKA_CONSUMER, conf->release(), err.data(), err.size()));
    rd_kafka_poll_set_consumer(rk.get());
    kafka::PartitionList topics(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(topics.get(), p.value(QStringLiteral("topic")).toUtf8().constData(),
                                      RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk.get(), topics.get());

    QSqlQuery insert(db);
    insert.prepare(QStringLiteral(
        "INSERT INTO bench_naive_ratings (event_id, user_id, movie_id, rating, event_time, run_id, run_seq, "
        "kafka_topic, kafka_partition, kafka_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO "
        "NOTHING"));
    QElapsedTimer clock;
    qint64 rows = 0;
    while (rows < count) {
        kafka::MessageHandle msg(rd_kafka_consumer_poll(rk.get(), 1000));
        if (!msg || msg->err)
            continue;
        std::vector<event::Header> headers;
        rd_kafka_headers_t* h = nullptr;
        if (rd_kafka_message_headers(msg.get(), &h) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            const char* name;
            const void* value;
            size_t size;
            for (size_t i = 0;
                 rd_kafka_header_get_all(h, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i)
                headers.push_back(
                    {name, QByteArray(static_cast<const char*>(value), static_cast<qsizetype>(size))});
        }
        auto e = event::decode(
            QByteArrayView(static_cast<const char*>(msg->payload), static_cast<qsizetype>(msg->len)), headers,
            {p.value(QStringLiteral("topic")), msg->partition, msg->offset, -1});
        if (!e)
            continue;
        if (rows == 0)
            clock.start();
        insert.addBindValue(e->eventId.toString(QUuid::WithoutBraces));
        insert.addBindValue(e->userId);
        insert.addBindValue(e->movieId);
        insert.addBindValue(e->rating);
        insert.addBindValue(e->eventTime);
        insert.addBindValue(e->runId);
        insert.addBindValue(e->runSeq);
        insert.addBindValue(p.value(QStringLiteral("topic")));
        insert.addBindValue(msg->partition);
        insert.addBindValue(static_cast<qint64>(msg->offset));
        if (!insert.exec()) {
            std::fprintf(stderr, "naive-sink: %s\n", qPrintable(insert.lastError().text()));
            return 1;
        }
        ++rows;
    }
    const double secs = clock.nsecsElapsed() / 1e9;
    std::printf("{\"rows\":%lld,\"seconds\":%.3f,\"rows_per_sec\":%.1f}\n", static_cast<long long>(rows),
                secs, rows / secs);
    rd_kafka_consumer_close(rk.get());
    return 0;
}
