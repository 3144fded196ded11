// Settings::validate: every field checked for form, with a message naming what is wrong.
#include "pipeline/settings.h"

#include <QtTest>

using namespace loadlevel;
using Field = pipeline::SettingsProblem::Field;

Q_DECLARE_METATYPE(Field)

class TestSettings final : public QObject {
    Q_OBJECT

private slots:
    void theDefaultsAreValid() {
        pipeline::Settings s;
        const auto problem = s.validate();
        QVERIFY2(!problem, problem ? qPrintable(problem->message) : "");
        s.kafka = QStringLiteral("127.0.0.1:9092, broker-2.example.com:9093,[::1]:9094");
        s.kafkaProperties = {QStringLiteral("security.protocol=SASL_PLAINTEXT"),
                             QStringLiteral("sasl.mechanism=SCRAM-SHA-512"),
                             QStringLiteral("sasl.username=u"), QStringLiteral("sasl.password=p")};
        s.database =
            QStringLiteral("postgresql://loadlevel:secret@127.0.0.1:25432/loadlevel?sslmode=disable");
        QVERIFY(!s.validate());
    }

    void invalidInputIsRejectedWithAMessage_data() {
        QTest::addColumn<QString>("kafka");
        QTest::addColumn<QString>("property");
        QTest::addColumn<QString>("database");
        QTest::addColumn<QString>("topic");
        QTest::addColumn<QString>("group");
        QTest::addColumn<Field>("field");
        QTest::addColumn<QString>("says");
        const QString ok = QStringLiteral("127.0.0.1:9092");
        const QString t = QStringLiteral("ratings");
        const QString g = QStringLiteral("sink");
        QTest::newRow("no port") << QStringLiteral("localhost") << QString() << QString() << t << g
                                 << Field::Kafka << QStringLiteral("host:port");
        QTest::newRow("port too big") << QStringLiteral("localhost:70000") << QString() << QString() << t << g
                                      << Field::Kafka << QStringLiteral("65535");
        QTest::newRow("space in host") << QStringLiteral("my host:9092") << QString() << QString() << t << g
                                       << Field::Kafka << QStringLiteral("host:port");
        QTest::newRow("property without =") << ok << QStringLiteral("acks") << QString() << t << g
                                            << Field::KafkaProperties << QStringLiteral("key=value");
        QTest::newRow("unknown property") << ok << QStringLiteral("no.such.property=1") << QString() << t << g
                                          << Field::KafkaProperties << QStringLiteral("no.such.property");
        QTest::newRow("bad property value")
            << ok << QStringLiteral("security.protocol=carrier-pigeon") << QString() << t << g
            << Field::KafkaProperties << QStringLiteral("security.protocol");
        QTest::newRow("unknown database") << ok << QString() << QStringLiteral("mysql://h/db") << t << g
                                          << Field::Database << QStringLiteral("unsupported");
        QTest::newRow("database without name")
            << ok << QString() << QStringLiteral("postgresql://h:5432") << t << g << Field::Database
            << QStringLiteral("names no database");
        QTest::newRow("database without host") << ok << QString() << QStringLiteral("postgresql:///db") << t
                                               << g << Field::Database << QStringLiteral("names no host");
        QTest::newRow("topic with space") << ok << QString() << QString() << QStringLiteral("my ratings") << g
                                          << Field::Topic << QStringLiteral("topic name");
        QTest::newRow("topic ..") << ok << QString() << QString() << QStringLiteral("..") << g << Field::Topic
                                  << QStringLiteral("topic name");
        QTest::newRow("empty group") << ok << QString() << QString() << t << QString() << Field::Group
                                     << QStringLiteral("group");
    }

    void invalidInputIsRejectedWithAMessage() {
        QFETCH(QString, kafka);
        QFETCH(QString, property);
        QFETCH(QString, database);
        QFETCH(QString, topic);
        QFETCH(QString, group);
        QFETCH(Field, field);
        QFETCH(QString, says);
        pipeline::Settings s;
        s.kafka = kafka;
        if (!property.isEmpty())
            s.kafkaProperties << property;
        s.database = database;
        s.topic = topic;
        s.group = group;
        const auto problem = s.validate();
        QVERIFY(problem.has_value());
        QCOMPARE(problem->field, field);
        QVERIFY2(problem->message.contains(says), qPrintable(problem->message));
    }
};

QTEST_GUILESS_MAIN(TestSettings)
#include "tst_settings.moc"
