// loadlevel-cli as a user meets it, without servers: the exit-code table in --help and the README
// walked row by row, mistyped commands and options, and Ctrl+C. (Kafka and PostgreSQL cases of
// the same codes are in tst_pipeline and tst_lag_monitor.)
#include "load/run_manifest.h"
#include "store/store.h"
#include "test_support.h"

#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>
#include <csignal>

using namespace loadlevel;

namespace {

struct Outcome {
    int code = -1;
    QString out;
    QString err;
};

// Runs the CLI with a private runs folder and data home, and no Kafka or database from outside.
Outcome runCli(const QStringList& args, const QString& home, int interruptAfterMs = -1) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* name : {"LOADLEVEL_KAFKA", "LOADLEVEL_DB", "LOADLEVEL_HTTP_TOKEN"})
        env.remove(QString::fromLatin1(name));
    env.insert(QStringLiteral("LOADLEVEL_RUNS_DIR"), home + u"/runs");
    env.insert(QStringLiteral("XDG_DATA_HOME"), home + u"/data");
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(LOADLEVEL_CLI_PATH), args);
    if (!p.waitForStarted())
        return {};
    if (interruptAfterMs >= 0 && !p.waitForFinished(interruptAfterMs) && p.processId() > 0)
        ::kill(static_cast<pid_t>(p.processId()), SIGINT);
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
        return {};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

// "Exit codes (the same for every command):" and the lines "  N name: meaning" under it.
QMap<int, QString> codesInHelp(const QString& help) {
    QMap<int, QString> codes;
    const qsizetype at = help.indexOf(u"Exit codes");
    static const QRegularExpression row(QStringLiteral(R"(^\s+(\d+) ([a-z ]+):)"),
                                        QRegularExpression::MultilineOption);
    for (auto it = row.globalMatch(help.mid(at)); it.hasNext();) {
        const auto m = it.next();
        codes.insert(m.captured(1).toInt(), m.captured(2));
    }
    return codes;
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT

    QTemporaryDir m_home;
    QSet<int> m_walked; // exit codes that the rows below produced

private slots:
    void initTestCase() { QVERIFY(m_home.isValid()); }

    // Each documented exit code, produced the way a user gets it.
    void exitCodes_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("said");
        auto row = [](const char* name, QStringList args, int code, const char* said) {
            QTest::newRow(name) << args << code << QString::fromUtf8(said);
        };
        row("help", {QStringLiteral("--help")}, 0, "");
        row("help of one command", {QStringLiteral("help"), QStringLiteral("burst")}, 0, "");
        row("no runs yet", {QStringLiteral("report"), QStringLiteral("list")}, 0, "");
        row("no command", {}, 2, "Usage: loadlevel-cli COMMAND");
        row("mistyped command", {QStringLiteral("brust")}, 2, "unknown command 'brust'");
        row("unknown option", {QStringLiteral("burst"), QStringLiteral("--cuont"), QStringLiteral("5")}, 2,
            "Unknown option 'cuont'");
        row("option the command does not take",
            {QStringLiteral("burst"), QStringLiteral("--body-template"), QStringLiteral("{}")}, 2,
            "burst does not take --body-template");
        row("HTTP option with a Kafka target",
            {QStringLiteral("run"), QStringLiteral("--kafka"), QStringLiteral("127.0.0.1:9"),
             QStringLiteral("--concurrency"), QStringLiteral("4")},
            2, "--concurrency applies to an HTTP target only");
        row("bad number", {QStringLiteral("burst"), QStringLiteral("--count"), QStringLiteral("abc")}, 2,
            "--count expects a whole number");
        row("mistyped placeholder",
            {QStringLiteral("run"), QStringLiteral("--target"), QStringLiteral("http://127.0.0.1:9/ratings"),
             QStringLiteral("--body-template"), QStringLiteral("{\"u\":{{USER_ID}}}")},
            2, "did you mean {{user_id}}?");
        row("unclosed placeholder",
            {QStringLiteral("run"), QStringLiteral("--target"), QStringLiteral("http://127.0.0.1:9/ratings"),
             QStringLiteral("--body-template"), QStringLiteral("{\"u\":{{user_id}")},
            2, "unclosed placeholder");
        row("Kafka name that does not resolve",
            {QStringLiteral("burst"), QStringLiteral("--kafka"), QStringLiteral("nosuchhost.invalid:9092"),
             QStringLiteral("--no-create")},
            3, "cannot be reached");
        row("Kafka name that does not resolve, creating the topic",
            {QStringLiteral("topics"), QStringLiteral("ensure"), QStringLiteral("--kafka"),
             QStringLiteral("nosuchhost.invalid:9092")},
            3, "Failed to resolve");
        row("mistyped threshold metric",
            {QStringLiteral("run"), QStringLiteral("--threshold"), QStringLiteral("p99(respons) < 250ms")}, 2,
            "did you mean p99(response)?");
        row("threshold with the wrong unit",
            {QStringLiteral("run"), QStringLiteral("--threshold"), QStringLiteral("rate(accepted) >= 950ms")},
            2, "a rate takes /s");
        row("embedded sink ceiling with a user's Kafka",
            {QStringLiteral("capacity"), QStringLiteral("--kafka"), QStringLiteral("127.0.0.1:9"),
             QStringLiteral("--max-rows-per-sec"), QStringLiteral("100")},
            2, "the sink is yours");
        row("capacity hold too short",
            {QStringLiteral("capacity"), QStringLiteral("--hold"), QStringLiteral("1s")}, 2,
            "--hold of at least 5s");
        row("report of no such run",
            {QStringLiteral("report"), QStringLiteral("show"), QStringLiteral("nosuchrun")}, 4,
            "no run nosuchrun");
        row("verify no such run",
            {QStringLiteral("verify"), QStringLiteral("--run"), QStringLiteral("nosuchrun")}, 4,
            "no run nosuchrun");
    }
    void exitCodes() {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, said);
        const Outcome o = runCli(args, m_home.path());
        QVERIFY2(o.code == code, qPrintable(QStringLiteral("exit %1, expected %2; stderr: %3")
                                                .arg(o.code)
                                                .arg(code)
                                                .arg(o.err.right(400))));
        QVERIFY2(said.isEmpty() || QString(o.err + o.out).contains(said), qPrintable(o.err.right(400)));
        m_walked.insert(code);
    }

    // A run whose events the database does not have: "problem found".
    void verifyFindsMissingRows() {
        load::RunManifest m;
        m.runId = QStringLiteral("20261202-120000-test");
        m.topic = QStringLiteral("ratings");
        m.startedAt = m.finishedAt = QDateTime::currentDateTimeUtc();
        m.requested = m.sent = m.acked = 3;
        QVERIFY(m.save(m_home.path() + u"/runs").has_value());
        const QString db = m_home.path() + u"/empty.sqlite";
        const QStringList verify = {QStringLiteral("verify"), QStringLiteral("--run"), m.runId,
                                    QStringLiteral("--db"), db};

        // A database no sink has written to: said so plainly.
        Outcome o = runCli(verify, m_home.path());
        QCOMPARE(o.code, 1);
        QVERIFY2(o.err.contains(u"no such table"), qPrintable(o.err));

        {
            auto store = store::openStore(db, QStringLiteral("tst_cli"));
            QVERIFY(store.has_value());
            QVERIFY((*store)->migrate().has_value());
        }
        o = runCli(verify, m_home.path());
        QCOMPARE(o.code, 1);
        QVERIFY2(o.out.contains(u"missing 3") && o.out.contains(u"FAILED"), qPrintable(o.out + o.err));
        m_walked.insert(o.code);
    }

    // Ctrl+C ends a paced run at once; it says what was done, keeps its report and exits 130.
    void ctrlCEndsARunAndKeepsItsReport() {
        // An endpoint that takes connections and never answers (the kernel accepts them).
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        QElapsedTimer clock;
        clock.start();
        const Outcome o =
            runCli({QStringLiteral("run"), QStringLiteral("--target"),
                    QStringLiteral("http://127.0.0.1:%1/ratings").arg(silent.serverPort()),
                    QStringLiteral("--profile"), QStringLiteral("constant"), QStringLiteral("--rate"),
                    QStringLiteral("20"), QStringLiteral("--duration"), QStringLiteral("60s"),
                    QStringLiteral("--json")},
                   m_home.path(), 1500);
        QCOMPARE(o.code, 130);
        QVERIFY2(clock.elapsed() < 30000, "a 60 s run went on after Ctrl+C");
        const QJsonObject report = QJsonDocument::fromJson(o.out.toUtf8()).object();
        QVERIFY2(!report.isEmpty(), qPrintable(o.out + o.err));
        QVERIFY(report.value(u"sent").toInteger() > 0);
        QVERIFY(report.value(u"sent").toInteger() < 1200);
        QVERIFY2(QFile::exists(report.value(u"report").toString()), qPrintable(o.out));
        m_walked.insert(o.code);
    }

    // Ctrl+C while Kafka does not answer (a connection refused is retried for 30 s): the process
    // still ends, with 130.
    void ctrlCEndsAWaitOnKafka() {
        const Outcome o = runCli({QStringLiteral("topics"), QStringLiteral("ensure"),
                                  QStringLiteral("--kafka"), QStringLiteral("127.0.0.1:9")},
                                 m_home.path(), 1000);
        QCOMPARE(o.code, 130);
        QVERIFY2(o.err.contains(u"interrupted"), qPrintable(o.err));
    }

    // `run` without --kafka runs on the embedded pipeline (as demo does); a threshold that does
    // not hold exits 5, and the report and the JUnit file say which one.
    void aThresholdThatDoesNotHoldExitsFive() {
        const QString junit = m_home.path() + u"/junit.xml";
        const Outcome o = runCli({QStringLiteral("run"), QStringLiteral("--count"), QStringLiteral("200"),
                                  QStringLiteral("--threshold"), QStringLiteral("sent < 1"),
                                  QStringLiteral("--threshold"), QStringLiteral("missing == 0"),
                                  QStringLiteral("--junit"), junit, QStringLiteral("--json")},
                                 m_home.path());
        QVERIFY2(o.code == 5, qPrintable(QStringLiteral("exit %1: %2").arg(o.code).arg(o.err.right(600))));
        QVERIFY2(o.err.contains(u"embedded pipeline"), qPrintable(o.err));
        const QJsonObject report = QJsonDocument::fromJson(o.out.toUtf8()).object();
        QCOMPARE(report.value(u"ok").toBool(), true); // the run itself held: 200 sent, none missing
        QCOMPARE(report.value(u"thresholds_passed").toBool(), false);
        const QJsonArray thresholds = report.value(u"thresholds").toArray();
        QCOMPARE(thresholds.size(), 2);
        QCOMPARE(thresholds[0].toObject().value(u"measured").toInteger(), report.value(u"sent").toInteger());
        QCOMPARE(thresholds[0].toObject().value(u"passed").toBool(), false);
        QCOMPARE(thresholds[1].toObject().value(u"measured").toInteger(),
                 report.value(u"verification").toObject().value(u"missing").toInteger());
        QCOMPARE(thresholds[1].toObject().value(u"passed").toBool(), true);
        QFile f(junit);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString xml = QString::fromUtf8(f.readAll());
        QVERIFY2(xml.contains(u"tests=\"3\" failures=\"1\""), qPrintable(xml.left(400)));
        QVERIFY(xml.contains(u"name=\"threshold: sent &lt; 1\""));
        m_walked.insert(o.code);
    }

    // --help's table, the README's table and the codes produced above are the same set.
    void everyDocumentedCodeIsWalked() {
        const QMap<int, QString> help = codesInHelp(runCli({QStringLiteral("--help")}, m_home.path()).out);
        QVERIFY(help.size() >= 5);
        const QList<int> helpCodes = help.keys();
        QCOMPARE(QSet<int>(helpCodes.begin(), helpCodes.end()), m_walked);

        QFile readme(QStringLiteral(LOADLEVEL_SOURCE_DIR "/README.md"));
        QVERIFY(readme.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(readme.readAll());
        const qsizetype at = text.indexOf(u"| exit code |");
        QVERIFY2(at >= 0, "the README has no exit-code table");
        QMap<int, QString> documented;
        static const QRegularExpression row(QStringLiteral(R"(^\| (\d+) \| ([a-z ]+) \|)"),
                                            QRegularExpression::MultilineOption);
        for (auto it = row.globalMatch(text.mid(at)); it.hasNext();) {
            const auto m = it.next();
            documented.insert(m.captured(1).toInt(), m.captured(2));
        }
        QCOMPARE(documented, help);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
