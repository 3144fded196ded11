// The spine against the real stack: Kafka 4 (KRaft) and PostgreSQL 15 from scripts/stack.
#include "pipeline_fixture.h"

using namespace loadlevel;
using test::BackgroundRun;
using test::PipelineFixture;
using test::SinkTrace;

class TestPipeline final : public PipelineFixture {
    Q_OBJECT

    struct DemoOutcome {
        int exitCode = -1;
        QString out;
    };
    // `loadlevel-cli demo` of `count` events through `kafka`, with `properties` as its
    // client.properties file, into a topic of its own.
    DemoOutcome demoThrough(const QString& kafka, const QString& properties, const QString& topicPrefix,
                            int count) {
        QTemporaryDir dir;
        const QString propertiesFile = dir.filePath(QStringLiteral("client.properties"));
        QFile f(propertiesFile);
        if (f.open(QIODevice::WriteOnly))
            f.write(properties.toUtf8());
        f.close();
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(QStringLiteral(LOADLEVEL_CLI_PATH),
                {QStringLiteral("demo"), QStringLiteral("--kafka"), kafka, QStringLiteral("--kafka-config"),
                 propertiesFile, QStringLiteral("--db"), m_stack.db, QStringLiteral("--topic"),
                 test::uniqueName(topicPrefix), QStringLiteral("--count"), QString::number(count)});
        const bool finished = p.waitForFinished(180000); // a guard against a hang, not a timing check
        if (!finished)
            p.kill();
        return DemoOutcome{finished ? p.exitCode() : -1, QString::fromUtf8(p.readAll())};
    }

private slots:
    void initTestCase() {
        LOADLEVEL_REQUIRE_STACK(m_stack);
        openFixture();
    }
    void init() { SinkTrace::clear(); }
    void cleanup() { stopLeftoverProcesses(); }
    void cleanupTestCase() { m_store.reset(); }

    void burstOf1000LandsAsExactly1000Rows() {
        const QString topic = newTopic(QStringLiteral("burst"));
        auto sink = startSink(topic, test::uniqueName(QStringLiteral("g")), 1);
        load::RunSpec spec;
        spec.count = 1000;
        auto m = load::Runner(config(), topic).run(spec);
        QVERIFY2(m.has_value(), m ? "" : qPrintable(m.error().message));
        QCOMPARE(m->acked, qint64(1000));
        const auto v = waitVerified(*m, 60000);
        QCOMPARE(v.missing, qint64(0));
        QCOMPARE(v.duplicates, qint64(0));
        QCOMPARE(v.persisted, qint64(1000));
        QCOMPARE(persistedOf(m->runId), qint64(1000));
        QTRY_COMPARE_WITH_TIMEOUT(sink->status().persisted, qint64(1000), 10000);
        // Offsets went to the database and, after each transaction, to Kafka as well. The Kafka
        // commit is asynchronous (the database holds the truth), so it may land a moment after the
        // rows do.
        auto admin = kafka::Admin::create(config());
        QVERIFY(admin.has_value());
        auto committedTotal = [&]() -> qint64 {
            auto committed = (*admin)->committedOffsets(sink->options().group, topic);
            if (!committed)
                return -1;
            qint64 total = 0;
            for (const auto& [p, o] : *committed)
                total += std::max<qint64>(0, o);
            return total;
        };
        QTRY_COMPARE_WITH_TIMEOUT(committedTotal(), qint64(1000), 15000);
    }

    // A producer whose queue fills waits for room and loses nothing, whether the caller serves
    // the delivery reports itself (Producer::serve(), as the load runner does) or leaves them to
    // the producer's poller thread (as the HTTP service does). The queue holds 200 messages here,
    // so the 20,000 go through it a hundred times over.
    void aFullProducerQueueWaitsForRoomAndLosesNothing_data() {
        QTest::addColumn<bool>("callerServes");
        QTest::newRow("the caller serves") << true;
        QTest::newRow("the poller thread serves") << false;
    }
    void aFullProducerQueueWaitsForRoomAndLosesNothing() {
        QFETCH(bool, callerServes);
        constexpr int kMessages = 20000;
        const QString topic = newTopic(QStringLiteral("fullq"));
        kafka::ClientConfig small = config();
        small.set("queue.buffering.max.messages", "200");
        std::mutex mutex;
        std::vector<int> acks(kMessages, 0);
        qint64 failed = 0;
        auto producer = kafka::Producer::create(small, topic, [&](const kafka::Delivery& d) {
            std::lock_guard lock(mutex);
            if (!d.ok)
                ++failed;
            else if (d.token < acks.size())
                ++acks[d.token];
        });
        QVERIFY2(producer.has_value(), producer ? "" : qPrintable(producer.error().message));
        event::WireMessage m;
        m.headers = {{"ce_specversion", "1.0"}};
        for (int i = 0; i < kMessages; ++i) {
            m.key = QByteArray::number(i % 97);
            m.value = QByteArray::number(i);
            auto sent = (*producer)->produce(m, static_cast<quint64>(i));
            QVERIFY2(sent.has_value(), sent ? "" : qPrintable(sent.error().message));
            if (callerServes)
                (*producer)->serve();
        }
        QVERIFY((*producer)->flush(std::chrono::seconds(60)).has_value());
        {
            std::lock_guard lock(mutex);
            QCOMPARE(failed, qint64(0));
            QCOMPARE(std::count(acks.begin(), acks.end(), 1), std::ptrdiff_t(kMessages)); // each once
        }
        auto admin = kafka::Admin::create(config());
        QVERIFY(admin.has_value());
        auto info = (*admin)->describeTopic(topic);
        QVERIFY2(info.has_value(), info ? "" : qPrintable(info.error().message));
        QCOMPARE(info->messages(), qint64(kMessages)); // and each written once
    }

    void loadTestRunsAreVerifiedReportedAndCompared() {
        // loadlevel-cli run, as a user types it: a stepped profile to Kafka with a sink process
        // running, verified in PostgreSQL, saved as a report; then report show and compare.
        const QString topic = newTopic(QStringLiteral("run"));
        const QString group = test::uniqueName(QStringLiteral("g"));
        QProcess* sink = startSinkProcess(topic, group, {QStringLiteral("--members"), QStringLiteral("2")});
        QTemporaryDir runs;
        QTemporaryDir elsewhere;
        auto cli = [&](const QStringList& args, QByteArray* out = nullptr) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("LOADLEVEL_RUNS_DIR"), runs.path());
            env.insert(QStringLiteral("LOADLEVEL_KAFKA"), m_stack.kafka);
            env.insert(QStringLiteral("LOADLEVEL_DB"), m_stack.db);
            p.setProcessEnvironment(env);
            p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
            p.start(QStringLiteral(LOADLEVEL_CLI_PATH), args);
            if (!p.waitForFinished(180000))
                return -1;
            if (out)
                *out = p.readAllStandardOutput();
            return p.exitCode();
        };
        const QString file = elsewhere.filePath(QStringLiteral("first.json"));
        const QStringList common{QStringLiteral("--topic"),  topic,
                                 QStringLiteral("--target"), QStringLiteral("kafka"),
                                 QStringLiteral("--seed"),   QStringLiteral("7")};
        QCOMPARE(cli(QStringList{QStringLiteral("run"), QStringLiteral("--profile"), QStringLiteral("steps"),
                                 QStringLiteral("--steps"), QStringLiteral("500:1s,1500:1s"),
                                 QStringLiteral("--report"), file} +
                     common),
                 0);
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject first = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(first.value(u"profile").toObject().value(u"kind").toString(), QStringLiteral("steps"));
        QCOMPARE(first.value(u"sent").toInteger(), qint64(2000));
        QCOMPARE(first.value(u"accepted").toInteger(), qint64(2000));
        const QJsonObject v = first.value(u"verification").toObject();
        QCOMPARE(v.value(u"persisted").toInteger(), qint64(2000));
        QCOMPARE(v.value(u"missing").toInteger(), qint64(0));
        QCOMPARE(v.value(u"duplicates").toInteger(), qint64(0));
        QCOMPARE(first.value(u"outcomes").toObject().value(u"ack").toInteger(), qint64(2000));
        const QString firstId = first.value(u"run_id").toString();
        QCOMPARE(persistedOf(firstId), qint64(2000));

        QByteArray out;
        QCOMPARE(
            cli(QStringList{QStringLiteral("run"), QStringLiteral("--profile"), QStringLiteral("burst"),
                            QStringLiteral("--count"), QStringLiteral("3000"), QStringLiteral("--json")} +
                    common,
                &out),
            0);
        const QJsonObject second = QJsonDocument::fromJson(out.trimmed().split('\n').last()).object();
        QCOMPARE(second.value(u"verification").toObject().value(u"persisted").toInteger(), qint64(3000));
        const QString secondId = second.value(u"run_id").toString();
        QVERIFY(!secondId.isEmpty());

        QCOMPARE(cli({QStringLiteral("report"), QStringLiteral("show"), firstId}, &out), 0);
        QVERIFY2(out.contains("steps 500/s for 1 s, 1,500/s for 1 s"), out.constData());
        QVERIFY2(out.contains("2,000 persisted, 0 missing, 0 duplicates"), out.constData());
        QCOMPARE(cli({QStringLiteral("report"), QStringLiteral("compare"), firstId, secondId}, &out), 0);
        QVERIFY2(out.contains("events sent") && out.contains("2,000") && out.contains("3,000") &&
                     out.contains("+50.0 % (better)"),
                 out.constData());
        QCOMPARE(cli({QStringLiteral("report"), QStringLiteral("list")}, &out), 0);
        QVERIFY(out.indexOf(secondId.toUtf8()) < out.indexOf(firstId.toUtf8())); // newest first
        QCOMPARE(
            cli({QStringLiteral("report"), QStringLiteral("show"), QStringLiteral("20000101-000000-0000")}),
            4); // not found
        sink->terminate();
        QVERIFY(sink->waitForFinished(30000));
    }

    void saslLoginCarriesThePipelineAndRefusalsAreExplained() {
        // The stack's SASL_PLAINTEXT listener (PLAIN and SCRAM-SHA-512, one user). A user's
        // Java-style client.properties with sasl.jaas.config, as a Java client would take it.
        const QString sasl = qEnvironmentVariable("LOADLEVEL_KAFKA_SASL");
        const QString user = qEnvironmentVariable("LOADLEVEL_KAFKA_SASL_USER");
        const QString password = qEnvironmentVariable("LOADLEVEL_KAFKA_SASL_PASSWORD");
        if (sasl.isEmpty()) {
            if (test::inCi())
                QFAIL("LOADLEVEL_KAFKA_SASL must be set in CI (scripts/stack env)");
            QSKIP("no SASL listener: eval \"$(scripts/stack env)\"");
        }
        auto properties = [&](const QString& mechanism, const QString& module, const QString& pw) {
            return QStringLiteral("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=%1\n"
                                  "sasl.jaas.config=org.apache.kafka.common.security.%2 required "
                                  "username=\"%3\" password=\"%4\";\n")
                .arg(mechanism, module, user, pw);
        };
        auto demo = [&](const QString& text) {
            return demoThrough(sasl, text, QStringLiteral("sasl"), 5000);
        };

        const auto plain =
            demo(properties(QStringLiteral("PLAIN"), QStringLiteral("plain.PlainLoginModule"), password));
        QVERIFY2(plain.exitCode == 0, qPrintable(plain.out.right(2000)));
        QVERIFY2(plain.out.contains(u"persisted 5000 · missing 0 · duplicates 0"),
                 qPrintable(plain.out.right(2000)));
        QVERIFY(!plain.out.contains(password));

        // A wrong password: refused at once, in the broker's words, not a timeout.
        const auto wrong = demo(properties(QStringLiteral("PLAIN"), QStringLiteral("plain.PlainLoginModule"),
                                           QStringLiteral("not-the-password")));
        QVERIFY2(wrong.exitCode != 0, qPrintable(wrong.out.right(2000)));
        QVERIFY2(wrong.out.contains(u"refused the login") &&
                     wrong.out.contains(u"Invalid username or password"),
                 qPrintable(wrong.out.right(2000)));
        QVERIFY(!wrong.out.contains(u"not-the-password"));

        // SCRAM, both mechanisms, carries a verified run (librdkafka before 2.6.1 could not log in
        // to Kafka 3.8.1+ with it: confluentinc/librdkafka#4895).
        for (const char* mechanism : {"SCRAM-SHA-256", "SCRAM-SHA-512"}) {
            const auto scram = demo(
                properties(QLatin1String(mechanism), QStringLiteral("scram.ScramLoginModule"), password));
            QVERIFY2(scram.exitCode == 0,
                     qPrintable(QLatin1String(mechanism) + u": " + scram.out.right(2000)));
            QVERIFY2(scram.out.contains(u"persisted 5000 · missing 0 · duplicates 0"),
                     qPrintable(scram.out.right(2000)));
            QVERIFY(!scram.out.contains(password));
        }
        const auto wrongScram =
            demo(properties(QStringLiteral("SCRAM-SHA-256"), QStringLiteral("scram.ScramLoginModule"),
                            QStringLiteral("not-the-password")));
        QVERIFY2(wrongScram.exitCode != 0 && wrongScram.out.contains(u"refused the login"),
                 qPrintable(wrongScram.out.right(2000)));
    }

    void tlsCarriesThePipelineAndAnUntrustedBrokerIsRefused() {
        // The stack's TLS listener, its certificate signed by the stack's own CA. Trusting that CA
        // (ssl.ca.location) carries the pipeline; without it the handshake fails, said at once.
        const QString tls = qEnvironmentVariable("LOADLEVEL_KAFKA_TLS");
        const QString ca = qEnvironmentVariable("LOADLEVEL_KAFKA_TLS_CA");
        if (tls.isEmpty() || ca.isEmpty()) {
            if (test::inCi())
                QFAIL("LOADLEVEL_KAFKA_TLS and LOADLEVEL_KAFKA_TLS_CA must be set in CI (scripts/stack env)");
            QSKIP("no TLS listener: eval \"$(scripts/stack env)\"");
        }
        const auto trusted =
            demoThrough(tls, QStringLiteral("security.protocol=SSL\nssl.ca.location=%1\n").arg(ca),
                        QStringLiteral("tls"), 5000);
        QVERIFY2(trusted.exitCode == 0, qPrintable(trusted.out.right(2000)));
        QVERIFY2(trusted.out.contains(u"persisted 5000 · missing 0 · duplicates 0"),
                 qPrintable(trusted.out.right(2000)));

        const auto untrusted =
            demoThrough(tls, QStringLiteral("security.protocol=SSL\n"), QStringLiteral("tls"), 1000);
        QVERIFY2(untrusted.exitCode != 0, qPrintable(untrusted.out.right(2000)));
        QVERIFY2(untrusted.out.contains(u"the TLS connection to Kafka at") &&
                     untrusted.out.contains(u"certificate verify failed"),
                 qPrintable(untrusted.out.right(2000)));
    }

    void secretsStayOutOfEveryOutputAndFile() {
        // A database password in the URL and Kafka credentials as properties (the stack's broker
        // ignores them: it takes plaintext; librdkafka still reads and checks them). Then a sink, a
        // load run with its report, report show, verify and the metrics: none of what they print
        // or write may contain either secret.
        const QByteArray dbSecret = "Pg-s3cret-4711";
        const QByteArray kafkaSecret = "Kafka-s3cret-0815";
        QUrl db(m_stack.db);
        db.setPassword(QString::fromLatin1(dbSecret));
        QTemporaryDir home;
        QByteArray everything;
        auto cli = [&](const QStringList& args, int timeoutMs = 180000) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("LOADLEVEL_RUNS_DIR"), home.filePath(QStringLiteral("runs")));
            env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
            env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
            env.insert(QStringLiteral("LOADLEVEL_KAFKA"), m_stack.kafka);
            env.insert(QStringLiteral("LOADLEVEL_DB"), db.toString());
            p.setProcessEnvironment(env);
            // Every command that talks to Kafka gets the secret (report reads files only, and
            // refuses Kafka options).
            const QStringList secret =
                args.first() == u"report"
                    ? QStringList()
                    : QStringList{QStringLiteral("-X"), QStringLiteral("sasl.username=loadlevel"),
                                  QStringLiteral("-X"),
                                  QStringLiteral("sasl.password=") + QString::fromLatin1(kafkaSecret)};
            p.start(QStringLiteral(LOADLEVEL_CLI_PATH), args + secret);
            p.waitForFinished(timeoutMs);
            everything += p.readAllStandardOutput() + p.readAllStandardError();
            return p.exitCode();
        };
        const QString topic = newTopic(QStringLiteral("secrets"));
        const QStringList where{QStringLiteral("--topic"), topic, QStringLiteral("--group"),
                                test::uniqueName(QStringLiteral("g"))};
        QProcess sink;
        {
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("LOADLEVEL_DB"), db.toString());
            sink.setProcessEnvironment(env);
            sink.start(QStringLiteral(LOADLEVEL_CLI_PATH),
                       QStringList{QStringLiteral("sink"), QStringLiteral("--kafka"), m_stack.kafka,
                                   QStringLiteral("--exit-when-idle"), QStringLiteral("5"),
                                   QStringLiteral("-X"),
                                   QStringLiteral("sasl.password=") + QString::fromLatin1(kafkaSecret)} +
                           where);
            QVERIFY(sink.waitForStarted(10000));
        }
        const QString report = home.filePath(QStringLiteral("out/report.json"));
        QCOMPARE(
            cli(QStringList{QStringLiteral("run"), QStringLiteral("--profile"), QStringLiteral("constant"),
                            QStringLiteral("--rate"), QStringLiteral("1000"), QStringLiteral("--duration"),
                            QStringLiteral("2s"), QStringLiteral("--target"), QStringLiteral("kafka"),
                            QStringLiteral("--report"), report, QStringLiteral("--topic"), topic}),
            0); // (not --group: run takes no consumer group, and refuses one)
        QCOMPARE(cli({QStringLiteral("report"), QStringLiteral("list")}), 0);
        cli(QStringList{QStringLiteral("metrics")} + where, 60000);
        QVERIFY(sink.waitForFinished(120000));
        everything += sink.readAllStandardOutput() + sink.readAllStandardError();
        QVERIFY2(everything.contains("database: postgresql://"),
                 everything.constData()); // it did print the URL
        // Every file the commands wrote.
        QDirIterator files(home.path(), QDir::Files, QDirIterator::Subdirectories);
        int read = 0;
        while (files.hasNext()) {
            QFile f(files.next());
            QVERIFY(f.open(QIODevice::ReadOnly));
            everything += f.readAll();
            ++read;
        }
        QVERIFY(read >= 3); // the report, its CSV, the --report copy
        QVERIFY2(!everything.contains(dbSecret), "the database password leaked");
        QVERIFY2(!everything.contains(kafkaSecret), "the Kafka password leaked");
    }

    void poisonMessagesGoToDeadLettersAndTheSinkGoesOn() {
        const QString topic = newTopic(QStringLiteral("poison"));
        // A plain console producer (kcat), no headers: four poison messages, one good one.
        QByteArray lines;
        lines += "not json\n";
        lines += R"({"user_id":1,"movie_id":2,"rating":11})"
                 "\n";
        lines += "{\"user_id\":1,\"movie_id\":2,\"rating\":3,\"x\":\"\xff\xfe\"}\n";
        lines += R"({"user_id":1,"rating":3})"
                 "\n";
        lines += "{\"pad\":\"" + QByteArray(1000000, 'x') + "\"}\n"; // 1 MB, under the broker's 1 MiB limit
        lines += R"({"user_id":77,"movie_id":88,"rating":4})"
                 "\n";
        QProcess kcat;
        kcat.start(QStringLiteral("kcat"),
                   {QStringLiteral("-P"), QStringLiteral("-b"), m_stack.kafka, QStringLiteral("-t"), topic,
                    QStringLiteral("-p"), QStringLiteral("0"), QStringLiteral("-X"),
                    QStringLiteral("message.max.bytes=2000000")});
        QVERIFY2(kcat.waitForStarted(10000), "kcat is not installed (scripts/setup)");
        kcat.write(lines);
        kcat.closeWriteChannel();
        QVERIFY(kcat.waitForFinished(30000));
        QCOMPARE(kcat.exitCode(), 0);

        auto sink = startSink(topic, test::uniqueName(QStringLiteral("g")), 1);
        load::RunSpec spec;
        spec.count = 200;
        auto m = load::Runner(config(), topic).run(spec);
        QVERIFY(m.has_value());
        const auto v = waitVerified(*m, 60000);
        QVERIFY(v.ok());
        QTRY_COMPARE_WITH_TIMEOUT(sink->status().deadLetters, qint64(5), 30000);
        QCOMPARE(test::scalar(
                     m_stack.db,
                     QStringLiteral("SELECT count(*) FROM ratings WHERE kafka_topic = ? AND run_id IS NULL"),
                     {topic})
                     .toLongLong(),
                 qint64(1));
        QCOMPARE(test::scalar(
                     m_stack.db,
                     QStringLiteral("SELECT rating FROM ratings WHERE kafka_topic = ? AND run_id IS NULL"),
                     {topic})
                     .toDouble(),
                 4.0);
        auto dead = m_store->deadLetters(topic, 10);
        QVERIFY(dead.has_value());
        QCOMPARE(dead->size(), size_t(5));
        // Each poison message once, by its reason, in whatever order the partition holds them (a
        // producer may legitimately retry a batch behind a later one: kcat is not idempotent).
        QStringList reasons;
        for (const auto& d : *dead)
            reasons << d.reason;
        const QString all = reasons.join(u" | ");
        for (const char* expected :
             {"malformed JSON", "out of range", "UTF-8", "movie_id is missing", "too large"}) {
            const auto hits = std::count_if(dead->begin(), dead->end(), [&](const auto& d) {
                return d.reason.contains(QLatin1String(expected));
            });
            QVERIFY2(hits == 1, qPrintable(QLatin1String(expected) + u" in: " + all));
        }
        const auto malformed = std::find_if(
            dead->begin(), dead->end(), [](const auto& d) { return d.reason.contains(u"malformed JSON"); });
        QCOMPARE(malformed->value, QByteArray("not json")); // kept verbatim
    }

    // Every way a group can hand out partitions: eager (range, librdkafka's default), incremental
    // (cooperative-sticky: partitions move one by one while the others keep fetching), and KIP-848's
    // consumer protocol (the broker assigns, always incrementally).
    void membersSplitPartitionsAndAThirdJoiningChangesNothing_data() {
        QTest::addColumn<QString>("strategy");
        QTest::addColumn<QString>("protocol");
        QTest::addRow("classic, eager (range)") << QString() << QStringLiteral("classic");
        QTest::addRow("classic, cooperative-sticky")
            << QStringLiteral("cooperative-sticky") << QStringLiteral("classic");
        QTest::addRow("consumer protocol (KIP-848)") << QString() << QStringLiteral("consumer");
    }
    void membersSplitPartitionsAndAThirdJoiningChangesNothing() {
        QFETCH(QString, strategy);
        QFETCH(QString, protocol);
        const QString topic = newTopic(QStringLiteral("members"));
        const QString group = test::uniqueName(QStringLiteral("g"));
        kafka::ClientConfig sinkConfig = config();
        if (!strategy.isEmpty())
            sinkConfig.set("partition.assignment.strategy", strategy.toStdString());
        auto startSink = [&](int members) {
            return PipelineFixture::startSink(topic, group, members, sinkConfig, protocol);
        };
        auto first = startSink(2);
        QTRY_VERIFY_WITH_TIMEOUT(first->status().assignments.size() == 2 &&
                                     !first->status().assignments[0].isEmpty() &&
                                     !first->status().assignments[1].isEmpty(),
                                 30000);
        QCOMPARE(first->status().assignments[0].size() + first->status().assignments[1].size(), 6);
        BackgroundRun run(config(), topic, 40000, 5000); // 8 s of events
        QTest::qWait(3000);
        auto third = startSink(1);
        QTRY_VERIFY_WITH_TIMEOUT(!third->status().assignments.value(0).isEmpty(), 30000);
        auto m = run.wait();
        QVERIFY(m.has_value());
        const auto v = waitVerified(*m, 120000);
        QCOMPARE(v.missing, qint64(0));
        QCOMPARE(v.duplicates, qint64(0));
        QCOMPARE(v.persisted, qint64(40000));
        auto owned = [&] {
            int n = 0;
            for (const auto& a : first->status().assignments + third->status().assignments)
                n += static_cast<int>(a.size());
            return n;
        };
        QTRY_COMPARE_WITH_TIMEOUT(owned(), 6, 30000);
    }

    void aSinkWhoseMembersCannotStartSaysSoAndExits() {
        // A configuration librdkafka refuses only when the consumer is made (KIP-848 takes no
        // client-side assignor) used to leave `sink` running with no member, for ever. And a
        // mistyped protocol is a usage error before anything starts.
        auto sink = [&](const QStringList& extra) {
            QProcess p;
            p.setProcessChannelMode(QProcess::MergedChannels);
            p.start(QStringLiteral(LOADLEVEL_CLI_PATH),
                    QStringList{QStringLiteral("sink"), QStringLiteral("--kafka"), m_stack.kafka,
                                QStringLiteral("--db"), m_stack.db, QStringLiteral("--topic"),
                                newTopic(QStringLiteral("nomember"))} +
                        extra);
            const bool finished = p.waitForFinished(60000);
            if (!finished)
                p.kill();
            return std::make_tuple(finished, p.exitCode(), QString::fromUtf8(p.readAll()));
        };
        const auto [done, code, out] =
            sink({QStringLiteral("--group-protocol"), QStringLiteral("consumer"), QStringLiteral("-X"),
                  QStringLiteral("partition.assignment.strategy=range")});
        QVERIFY2(done, qPrintable(out));
        QCOMPARE(code, 1);
        QVERIFY2(out.contains(u"not supported for `group.protocol=consumer`") &&
                     out.contains(u"every member stopped"),
                 qPrintable(out));
        const auto [done2, code2, out2] =
            sink({QStringLiteral("--group-protocol"), QStringLiteral("kip848")});
        QVERIFY2(done2, qPrintable(out2));
        QCOMPARE(code2, 2);
        QVERIFY2(out2.contains(u"--group-protocol expects classic or consumer"), qPrintable(out2));
    }

    void aFatalKafkaErrorStopsTheMemberAndSaysWhy() {
        // Static membership (KIP-345): a second sink started with the same group.instance.id takes
        // the member's place; Kafka fences the first, which librdkafka reports as fatal. The first
        // member must stop (not poll a dead handle) and say why; the second goes on.
        const QString topic = newTopic(QStringLiteral("fatal"));
        const QString group = test::uniqueName(QStringLiteral("g"));
        kafka::ClientConfig staticConfig = config();
        staticConfig.set("group.instance.id", test::uniqueName(QStringLiteral("instance")).toStdString());
        auto first = startSink(topic, group, 1, staticConfig);
        QTRY_VERIFY_WITH_TIMEOUT(first->status().assignments.value(0).size() == 6, 30000);
        auto second = startSink(topic, group, 1, staticConfig);
        QTRY_VERIFY_WITH_TIMEOUT(first->status().members == 0, 60000);
        const QString error = first->status().lastError;
        QVERIFY2(error.contains(u"fatal Kafka error") && error.contains(u"FENCED_INSTANCE_ID"),
                 qPrintable(error));
        QVERIFY(first->status().assignments.value(0).isEmpty());

        load::RunSpec spec;
        spec.count = 2000;
        auto m = load::Runner(config(), topic).run(spec);
        QVERIFY(m.has_value());
        const auto v = waitVerified(*m, 60000);
        QVERIFY2(v.ok(), QJsonDocument(v.toJson()).toJson().constData());
        QCOMPARE(v.persisted, qint64(2000));
    }
};

QTEST_GUILESS_MAIN(TestPipeline)
#include "tst_pipeline.moc"
