// loadlevel-cli: thin commands over the headless core.
#include "commands.h"
#include "kafka/client_config.h"

#include <QCoreApplication>
#include <cstdio>

using namespace loadlevel;
using namespace loadlevel::cli;

namespace {

const char* const kCommands = R"txt(Commands:
  demo       Zero setup: start the whole pipeline in this process (embedded Kafka cluster and an
             SQLite file unless --kafka/--db are given), send a burst, verify, print a summary.
               loadlevel-cli demo
               loadlevel-cli demo --count 20000 --members 3
               loadlevel-cli demo --rate 2000 --count 20000 --metrics     (paced, then Prometheus text)
  burst      Send N generated ratings to Kafka, as fast as possible or paced; records a run.
               loadlevel-cli burst --count 1000
               loadlevel-cli burst --count 100000 --rate 5000
  sink       Persist the topic into PostgreSQL exactly once, as a consumer group (Ctrl+C stops).
               loadlevel-cli sink --members 3 --max-rows-per-sec 20000
  serve      The HTTP rating service with the sink, in one process (Ctrl+C stops): POST /ratings
             answers 202 once Kafka acknowledged; GET /ratings, /movies/{id}/stats, /health,
             /metrics, /openapi.json, /docs. Loopback only unless --listen says otherwise.
               loadlevel-cli serve --listen 127.0.0.1:8080
               curl -H 'Content-Type: application/json' -d '{"user_id":4,"movie_id":3,"rating":4}' \
                    http://127.0.0.1:8080/ratings
  topics     Create the topic if missing, or show partitions and offsets.
               loadlevel-cli topics ensure --partitions 6
               loadlevel-cli topics describe
  lag        Consumer lag of any group on the topic, per partition, with Burrow-style status
             (OK, WARN, STOP, STALL, REWIND); all groups on the cluster without --group.
               loadlevel-cli lag --group loadlevel-sink --watch
               loadlevel-cli lag --json
  metrics    Prometheus text exposition of the consumer lag (one observation).
               loadlevel-cli metrics --group loadlevel-sink
  verify     Compare a run's acknowledged events with the persisted rows (missing, duplicates).
               loadlevel-cli verify --run 20261123-021935-3fa2 --wait 60
  run        A load test: a profile (single, burst, constant, ramp, steps, spike) sent on schedule
             (open model: events late against the schedule are counted, never silently slowed)
             to Kafka or to any HTTP endpoint; then verified against the database when it can be,
             and saved as a report (JSON + CSV) in the runs folder.
               loadlevel-cli run --profile ramp --from 100 --to 5000 --duration 60s --target kafka
               loadlevel-cli run --profile constant --rate 2000 --duration 10s \
                    --target http://127.0.0.1:8080/ratings --verify --report out.json
               loadlevel-cli run --profile steps --steps 500:10s,1000:10s,2000:10s \
                    --target http://rating-service:8000/ratings --concurrency 128 \
                    --body-template '{"userId":{{user_id}},"movieId":{{movie_id}},"stars":{{rating}}}'
               loadlevel-cli run --profile spike --rate 200 --peak-rate 5000 --peak-at 20s \
                    --peak-for 5s --duration 60s --target kafka
  report     Run reports: list them, show one (summary and timeline), compare two side by side.
               loadlevel-cli report list
               loadlevel-cli report show 20261123-021935-3fa2
               loadlevel-cli report compare 20261123-021935-3fa2 20261123-022410-9b1c

Kafka and the database come from --kafka/--db or LOADLEVEL_KAFKA/LOADLEVEL_DB
(`eval "$(scripts/stack env)"` sets both for the local stack). Without them `demo` runs embedded:
librdkafka's mock cluster (3 brokers, in this process) and $XDG_DATA_HOME/loadlevel/loadlevel/
loadlevel.sqlite. Limit of embedded mode: the mock cluster keeps about 20,000 ratings per partition
(5 MiB) and drops the oldest; a run therefore goes no more than a quarter of that ahead of the sink
(a large run is paced by the sink; a paused sink holds it).
Any librdkafka property can be passed with -X key=value, or a Java-style client.properties file
with --kafka-config (SASL/TLS).
Exit codes: 0 ok, 1 problem found (events missing, not all acknowledged), 2 usage, 3 unreachable.)txt";

} // namespace

int main(int argc, char* argv[]) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("loadlevel"));
    QCoreApplication::setOrganizationName(QStringLiteral("loadlevel"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LOADLEVEL_VERSION));

    // The settings and data folders are the desktop app's ("loadlevel"); the version line names
    // this program.
    if (const QStringList args = QCoreApplication::arguments();
        args.size() == 2 && (args[1] == u"--version" || args[1] == u"-v")) {
        std::printf("loadlevel-cli %s (%s)\n", LOADLEVEL_VERSION,
                    qPrintable(loadlevel::kafka::clientLibrary()));
        return 0;
    }
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Loadlevel: fire ratings through Kafka into PostgreSQL, exactly once.\n\n") +
        QString::fromUtf8(kCommands));
    p.addHelpOption();
    p.addVersionOption();
    p.addPositionalArgument(
        QStringLiteral("command"),
        QStringLiteral("demo | burst | run | report | sink | serve | topics | lag | metrics | verify"));
    p.addOptions({
        {QStringLiteral("kafka"), QStringLiteral("Kafka bootstrap servers (default: $LOADLEVEL_KAFKA)."),
         QStringLiteral("host:port")},
        {QStringLiteral("db"),
         QStringLiteral("Database: postgresql://user@host:port/db, sqlite:///path or a file path (default: "
                        "$LOADLEVEL_DB, else an SQLite file in the user data folder)."),
         QStringLiteral("url")},
        {QStringLiteral("topic"), QStringLiteral("Topic (default: ratings)."), QStringLiteral("name"),
         QStringLiteral("ratings")},
        {QStringLiteral("group"),
         QStringLiteral(
             "Consumer group (sink: its group, default loadlevel-sink; lag: repeatable, default all)."),
         QStringLiteral("id")},
        {QStringLiteral("group-protocol"),
         QStringLiteral("sink, serve, demo: the consumer group protocol, classic (default; any Kafka) or "
                        "consumer (KIP-848, Kafka 4+: the broker assigns partitions, rebalances are "
                        "incremental)."),
         QStringLiteral("classic|consumer"), QStringLiteral("classic")},
        {QStringLiteral("watch"), QStringLiteral("lag: refresh every --interval until Ctrl+C.")},
        {QStringLiteral("metrics"), QStringLiteral("demo: print the Prometheus text exposition at the end.")},
        {QStringLiteral("interval"),
         QStringLiteral("lag: milliseconds between observations (default: 1000)."), QStringLiteral("ms")},
        {QStringLiteral("X"),
         QStringLiteral("librdkafka property, repeatable (e.g. -X security.protocol=SASL_SSL)."),
         QStringLiteral("key=value")},
        {QStringLiteral("kafka-config"), QStringLiteral("Java-style client.properties file."),
         QStringLiteral("file")},
        {QStringLiteral("partitions"), QStringLiteral("Partitions when the topic is created (default: 6)."),
         QStringLiteral("n"), QStringLiteral("6")},
        {QStringLiteral("replication-factor"),
         QStringLiteral("Replication factor when the topic is created (default: 1)."), QStringLiteral("n"),
         QStringLiteral("1")},
        {QStringLiteral("runs-dir"),
         QStringLiteral("Folder of run manifests (default: $LOADLEVEL_RUNS_DIR or the user data folder)."),
         QStringLiteral("dir")},
        {QStringLiteral("json"), QStringLiteral("Machine-readable output: one JSON object per line.")},
        {QStringLiteral("count"),
         QStringLiteral("burst, demo, run: number of events (default: 1000); report list: how many."),
         QStringLiteral("n")},
        {QStringLiteral("rate"),
         QStringLiteral("burst, demo: events per second; 0 or absent = as fast as possible. run: the "
                        "constant or base rate."),
         QStringLiteral("r")},
        {QStringLiteral("seed"), QStringLiteral("burst, run: generator seed, for a reproducible run."),
         QStringLiteral("n")},
        {QStringLiteral("no-create"), QStringLiteral("burst: do not create the topic if it is missing.")},
        {QStringLiteral("members"),
         QStringLiteral("sink, demo: consumer-group members, one thread each (default: 1; demo 2)."),
         QStringLiteral("n")},
        {QStringLiteral("max-rows-per-sec"),
         QStringLiteral("sink: ceiling on rows written per second (protects the database)."),
         QStringLiteral("r")},
        {QStringLiteral("batch-rows"), QStringLiteral("sink: rows per transaction at most (default: 5000)."),
         QStringLiteral("n")},
        {QStringLiteral("batch-ms"),
         QStringLiteral("sink: a batch closes this long after its first row (default: 50)."),
         QStringLiteral("ms")},
        {QStringLiteral("exit-when-idle"),
         QStringLiteral("sink: exit after this many seconds without new messages."), QStringLiteral("s")},
        {QStringLiteral("run"), QStringLiteral("verify: the run id printed by burst."), QStringLiteral("id")},
        {QStringLiteral("listen"),
         QStringLiteral("serve: address and port (default 127.0.0.1:8080; :0 picks a free port)."),
         QStringLiteral("host:port")},
        {QStringLiteral("token"),
         QStringLiteral("serve: bearer token required on every route but /health (default: "
                        "$LOADLEVEL_HTTP_TOKEN; none)."),
         QStringLiteral("token")},
        {QStringLiteral("max-body"), QStringLiteral("serve: largest request body in bytes (default: 65536)."),
         QStringLiteral("bytes")},
        {QStringLiteral("ack-timeout"),
         QStringLiteral("serve: ms to wait for the broker's acknowledgement before answering 503 "
                        "(default: 5000)."),
         QStringLiteral("ms")},
        {QStringLiteral("profile"),
         QStringLiteral("run: single, burst (--count), constant (--rate, --duration), ramp (--from, --to, "
                        "--duration), steps (--steps), spike (--rate, --peak-rate, --peak-at, --peak-for, "
                        "--duration). Default: burst, or constant with --rate."),
         QStringLiteral("kind")},
        {QStringLiteral("from"), QStringLiteral("run, ramp: starting rate (per second)."),
         QStringLiteral("r")},
        {QStringLiteral("to"), QStringLiteral("run, ramp: final rate (per second)."), QStringLiteral("r")},
        {QStringLiteral("duration"), QStringLiteral("run: how long (60s, 2m, 1m30s, 500ms)."),
         QStringLiteral("d")},
        {QStringLiteral("steps"), QStringLiteral("run, steps: rate:duration pairs, e.g. 100:10s,500:10s."),
         QStringLiteral("list")},
        {QStringLiteral("peak-rate"), QStringLiteral("run, spike: the rate during the spike."),
         QStringLiteral("r")},
        {QStringLiteral("peak-at"), QStringLiteral("run, spike: when the spike starts (from the start)."),
         QStringLiteral("d")},
        {QStringLiteral("peak-for"), QStringLiteral("run, spike: how long the spike lasts."),
         QStringLiteral("d")},
        {QStringLiteral("target"),
         QStringLiteral("run: kafka (the topic, default) or an http:// URL that takes one rating per POST."),
         QStringLiteral("kafka|url")},
        {QStringLiteral("concurrency"),
         QStringLiteral("run, HTTP: connections, each with one request at a time (default: 64)."),
         QStringLiteral("n")},
        {QStringLiteral("no-keep-alive"), QStringLiteral("run, HTTP: a new connection per request.")},
        {QStringLiteral("body-template"),
         QStringLiteral(
             "run, HTTP: the request body with {{user_id}} {{movie_id}} {{rating}} {{event_id}} "
             "{{event_time}} {{run_id}} {{run_seq}} {{source}}; @file reads it from a file. Default: "
             "{\"user_id\":{{user_id}},\"movie_id\":{{movie_id}},\"rating\":{{rating}}}."),
         QStringLiteral("text")},
        {QStringLiteral("header"),
         QStringLiteral("run, HTTP: extra request header, repeatable ('Name: value')."),
         QStringLiteral("header")},
        {QStringLiteral("timeout"),
         QStringLiteral("run, HTTP: ms to wait for each response (default: 10000)."), QStringLiteral("ms")},
        {QStringLiteral("late-after"),
         QStringLiteral("run: an event sent this many ms after its due time counts as late (default: 10)."),
         QStringLiteral("ms")},
        {QStringLiteral("verify"),
         QStringLiteral("run, HTTP: the endpoint is Loadlevel's (the body carries the run tags): check the "
                        "database behind it.")},
        {QStringLiteral("no-verify"), QStringLiteral("run: do not check the database after the run.")},
        {QStringLiteral("report"),
         QStringLiteral("run: also write the report here (.json, or .csv for the timeline)."),
         QStringLiteral("file")},
        {QStringLiteral("users"), QStringLiteral("run: distinct users, Zipf-distributed (default: 100000)."),
         QStringLiteral("n")},
        {QStringLiteral("movies"), QStringLiteral("run: distinct movies, Zipf-distributed (default: 10000)."),
         QStringLiteral("n")},
        {QStringLiteral("zipf"), QStringLiteral("run: the movies' Zipf exponent (default: 1.0)."),
         QStringLiteral("s")},
        {QStringLiteral("user-zipf"),
         QStringLiteral("run: the users' Zipf exponent (default: 0.8; 0: uniform)."), QStringLiteral("s")},
        {QStringLiteral("wait"),
         QStringLiteral("verify, demo: wait up to this many seconds for the sink to catch up (demo: 120)."),
         QStringLiteral("s")},
    });
    p.process(app);

    const QStringList positional = p.positionalArguments();
    if (positional.isEmpty()) {
        std::fputs(p.helpText().toLocal8Bit().constData(), stderr);
        return kUsage;
    }
    Console console(p.isSet(QStringLiteral("json")));
    bool okP = false, okR = false;
    pipeline::Settings settings;
    settings.kafka = p.value(QStringLiteral("kafka"));
    settings.database = p.value(QStringLiteral("db"));
    settings.topic = p.value(QStringLiteral("topic"));
    if (p.isSet(QStringLiteral("group")))
        settings.group = p.value(QStringLiteral("group"));
    settings.groupProtocol = p.value(QStringLiteral("group-protocol"));
    settings.kafkaProperties = p.values(QStringLiteral("X"));
    settings.kafkaPropertiesFile = p.value(QStringLiteral("kafka-config"));
    settings.partitions = p.value(QStringLiteral("partitions")).toInt(&okP);
    settings.replicationFactor = p.value(QStringLiteral("replication-factor")).toInt(&okR);
    settings.runsDir = p.value(QStringLiteral("runs-dir"));
    settings.applyEnvironment();
    if (!okP || settings.partitions < 1 || !okR || settings.replicationFactor < 1) {
        console.error(QStringLiteral("--partitions and --replication-factor expect whole numbers >= 1"));
        return kUsage;
    }
    if (!settings.groupProtocolKnown()) {
        console.error(QStringLiteral("--group-protocol expects classic or consumer (KIP-848), not '%1'")
                          .arg(settings.groupProtocol));
        return kUsage;
    }

    installInterruptHandler();
    Context c{settings, p, positional.mid(1), console};
    const QString command = positional.first();
    if (command == u"demo")
        return runDemo(c);
    if (command == u"report")
        return runReport(c); // reads files only: no Kafka or database banner
    console.info(u"loadlevel " + settings.describe());
    if (command == u"burst")
        return runBurst(c);
    if (command == u"run")
        return runRun(c);
    if (command == u"serve")
        return runServe(c);
    if (command == u"sink")
        return runSink(c);
    if (command == u"topics")
        return runTopics(c);
    if (command == u"verify")
        return runVerify(c);
    if (command == u"lag")
        return runLag(c);
    if (command == u"metrics")
        return runMetrics(c);
    console.error(QStringLiteral("unknown command '%1' (try --help)").arg(command));
    return kUsage;
}
