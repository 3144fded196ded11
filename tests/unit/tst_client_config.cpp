#include "kafka/client_config.h"

#include <QTemporaryFile>
#include <QtTest>

using namespace loadlevel::kafka;

class TestClientConfig final : public QObject {
    Q_OBJECT

private slots:
    // The sample in resources/examples is a working file: it parses, its JAAS line is translated,
    // and librdkafka takes every property.
    void theSampleClientPropertiesWork() {
        auto c = ClientConfig::make(
            {}, {}, QStringLiteral(LOADLEVEL_SOURCE_DIR "/resources/examples/client.properties"));
        QVERIFY2(c.has_value(), c ? "" : qPrintable(c.error().message));
        QCOMPARE(c->get("sasl.username"), std::string("loadlevel"));
        QCOMPARE(c->get("security.protocol"), std::string("SASL_SSL"));
        QVERIFY(!c->bootstrapServers().isEmpty());
        auto conf = c->build();
        QVERIFY2(conf.has_value(), conf ? "" : qPrintable(conf.error().message));
    }

    // A file that is not text (say, a binary given by mistake) is refused with where and what,
    // and its bytes are never echoed (issue 17: "error: Kafka property " and raw bytes).
    void aBinaryPropertiesFileIsRefusedPlainly() {
        QTemporaryFile f;
        QVERIFY(f.open());
        static const char raw[] = "bootstrap.servers=127.0.0.1:9092\n\x7f"
                                  "ELF\x02\x01\x01\x00\x00garbage=\x01\n";
        f.write(raw, sizeof raw - 1);
        f.close();
        auto c = ClientConfig::make({}, {}, f.fileName());
        QVERIFY(!c.has_value());
        const QString m = c.error().message;
        QVERIFY2(m.contains(u"is not a client.properties file: line 2 holds the control byte 0x7f"),
                 qPrintable(m));
        for (const QChar ch : m)
            QVERIFY2(ch.unicode() >= 0x20 && ch.unicode() != 0x7f, qPrintable(m));
        // A control byte given to -X is shown escaped.
        auto x = ClientConfig::make(QStringLiteral("127.0.0.1:9092"), {QStringLiteral("fo\x01o=1")});
        QVERIFY(x.has_value());
        auto built = x->build();
        QVERIFY(!built.has_value());
        QVERIFY2(built.error().message.contains(u"fo\\x01o"), qPrintable(built.error().message));
    }

    void javaPropertiesSyntax() {
        const QString text = QStringLiteral(
            "# comment\n"
            "! another comment\n"
            "bootstrap.servers = broker1:9092,broker2:9092\n"
            "security.protocol:SASL_SSL\n"
            "sasl.mechanism SCRAM-SHA-512\n"
            "ssl.ca.location=/etc/ssl/ca.pem\n"
            "client.id=long\\\n"
            "    name\n"
            "key.serializer=org.apache.kafka.common.serialization.StringSerializer\n"
            "\n"
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
            "username=\"alice\" password=\"s3cret\";\n");
        auto props = ClientConfig::parseProperties(text);
        QVERIFY2(props.has_value(), props ? "" : qPrintable(props.error().message));
        const std::vector<ClientConfig::Property> expected = {
            {"bootstrap.servers", "broker1:9092,broker2:9092"},
            {"security.protocol", "SASL_SSL"},
            {"sasl.mechanism", "SCRAM-SHA-512"},
            {"ssl.ca.location", "/etc/ssl/ca.pem"},
            {"client.id", "longname"},
            {"sasl.username", "alice"},
            {"sasl.password", "s3cret"},
        };
        QCOMPARE(*props, expected);
    }

    void javaKeystoresAreRefusedWithAdvice() {
        auto props = ClientConfig::parseProperties(QStringLiteral("ssl.truststore.location=/x.jks\n"));
        QVERIFY(!props.has_value());
        QVERIFY(props.error().message.contains(u"ssl.ca.location"));
    }

    void commandLineOverridesFileAndBootstrapWins() {
        QTemporaryFile f;
        QVERIFY(f.open());
        f.write("bootstrap.servers=from-file:9092\nlinger.ms=50\n");
        f.flush();
        auto c =
            ClientConfig::make(QStringLiteral("cli:9092"),
                               {QStringLiteral("linger.ms=7"), QStringLiteral("acks = all")}, f.fileName());
        QVERIFY(c.has_value());
        QCOMPARE(c->get("bootstrap.servers"), std::string("cli:9092"));
        QCOMPARE(c->get("linger.ms"), std::string("7"));
        QCOMPARE(c->get("acks"), std::string(" all"));
    }

    void badInputIsExplained_data() {
        QTest::addColumn<QStringList>("xprops");
        QTest::addColumn<QString>("message");
        QTest::addRow("no equals") << QStringList{QStringLiteral("linger.ms")}
                                   << QStringLiteral("-X expects key=value");
        QTest::addRow("empty key") << QStringList{QStringLiteral("=5")}
                                   << QStringLiteral("-X expects key=value");
    }
    void badInputIsExplained() {
        QFETCH(QStringList, xprops);
        QFETCH(QString, message);
        auto c = ClientConfig::make(QStringLiteral("b:9092"), xprops);
        QVERIFY(!c.has_value());
        QVERIFY2(c.error().message.contains(message), qPrintable(c.error().message));
        QVERIFY(c.error().isFatal());
    }

    void unknownPropertyNamedInError() {
        auto c = ClientConfig::make(QStringLiteral("b:9092"), {QStringLiteral("no.such.property=1")});
        QVERIFY(c.has_value());
        auto conf = c->build();
        QVERIFY(!conf.has_value());
        QVERIFY2(conf.error().message.contains(u"no.such.property"), qPrintable(conf.error().message));
    }

    void missingBootstrapIsAnError() {
        auto c = ClientConfig::make({});
        QVERIFY(c.has_value());
        auto conf = c->build();
        QVERIFY(!conf.has_value());
        QVERIFY(conf.error().message.contains(u"LOADLEVEL_KAFKA"));
    }

    void userPropertiesBeatDefaultsButNotForcedOnes() {
        auto c = ClientConfig::make(QStringLiteral("b:9092"), {QStringLiteral("linger.ms=9"),
                                                               QStringLiteral("enable.auto.commit=true")});
        auto conf = c->build({{"linger.ms", "5"}}, {{"enable.auto.commit", "false"}});
        QVERIFY(conf.has_value());
        char buf[64];
        size_t size = sizeof buf;
        QCOMPARE(rd_kafka_conf_get(conf->get(), "linger.ms", buf, &size), RD_KAFKA_CONF_OK);
        QCOMPARE(QByteArray(buf), QByteArray("9"));
        size = sizeof buf;
        QCOMPARE(rd_kafka_conf_get(conf->get(), "enable.auto.commit", buf, &size), RD_KAFKA_CONF_OK);
        QCOMPARE(QByteArray(buf), QByteArray("false"));
    }

    void secretsAreRedacted() {
        auto c = ClientConfig::make(QStringLiteral("b:9092"), {QStringLiteral("sasl.username=alice"),
                                                               QStringLiteral("sasl.password=s3cret"),
                                                               QStringLiteral("ssl.key.password=k3y")});
        const QString text = c->redacted();
        QVERIFY(text.contains(u"sasl.username=alice"));
        QVERIFY(!text.contains(u"s3cret"));
        QVERIFY(!text.contains(u"k3y"));
        QVERIFY(text.contains(u"sasl.password=[redacted]"));
    }
};

QTEST_GUILESS_MAIN(TestClientConfig)
#include "tst_client_config.moc"
