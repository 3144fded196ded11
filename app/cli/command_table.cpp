#include "command_table.h"

#include "load/threshold.h"

#include <algorithm>

namespace loadlevel::cli {

namespace {

QCommandLineOption opt(const QString& name, const QString& help, const QString& value = {},
                       const QString& fallback = {}) {
    QCommandLineOption o(name, help, value, fallback);
    return o;
}

// Option sets that several commands share.
const QStringList kKafka = {QStringLiteral("kafka"), QStringLiteral("X"), QStringLiteral("kafka-config"),
                            QStringLiteral("topic")};
const QStringList kCreates = {QStringLiteral("partitions"), QStringLiteral("replication-factor")};
const QStringList kGroup = {QStringLiteral("group"), QStringLiteral("group-protocol")};
// The generated events of a run (run, capacity, drain) and where they go over HTTP (run, capacity).
const QStringList kGenerator = {QStringLiteral("seed"),      QStringLiteral("users"),
                                QStringLiteral("movies"),    QStringLiteral("zipf"),
                                QStringLiteral("user-zipf"), QStringLiteral("late-after")};
const QStringList kHttpTarget = {QStringLiteral("target"),        QStringLiteral("concurrency"),
                                 QStringLiteral("no-keep-alive"), QStringLiteral("body-template"),
                                 QStringLiteral("header"),        QStringLiteral("timeout")};

QStringList join(std::initializer_list<QStringList> sets) {
    QStringList all;
    for (const auto& s : sets)
        all += s;
    return all;
}

QString wrap(const QString& text, int indent, int width = 100) {
    QStringList lines;
    QString line;
    for (const QString& word : text.split(u' ', Qt::SkipEmptyParts)) {
        if (!line.isEmpty() && indent + line.size() + 1 + word.size() > width) {
            lines << line;
            line.clear();
        }
        line += (line.isEmpty() ? QString() : QStringLiteral(" ")) + word;
    }
    if (!line.isEmpty())
        lines << line;
    return lines.join(u'\n' + QString(indent, u' '));
}

} // namespace

const QList<ExitCodeDoc>& exitCodes() {
    static const QList<ExitCodeDoc> codes = {
        {kOk, QStringLiteral("ok"), QStringLiteral("done, and everything checked held")},
        {kFailed, QStringLiteral("problem found"),
         QStringLiteral("events missing or duplicated, not all acknowledged, or the sink's members all "
                        "stopped")},
        {kUsage, QStringLiteral("usage"),
         QStringLiteral("a wrong command, option or value (the message says which)")},
        {kUnavailable, QStringLiteral("unavailable"),
         QStringLiteral("Kafka or the database could not be reached in time")},
        {kNotFound, QStringLiteral("not found"),
         QStringLiteral("the run, report or consumer group named does not exist")},
        {kThreshold, QStringLiteral("threshold failed"),
         QStringLiteral("the run itself held (else 1), but a --threshold did not (the report and --junit say "
                        "which)")},
        {kInterrupted, QStringLiteral("interrupted"),
         QStringLiteral(
             "Ctrl+C (SIGINT) or SIGTERM before it finished: what was done is printed, and a run "
             "keeps its report (sink, serve and lag --watch stop with 0: Ctrl+C is how they end)")},
    };
    return codes;
}

const QList<Command>& commands() {
    static const QList<Command> table = {
        {QStringLiteral("demo"),
         QStringLiteral("Zero setup: start the whole pipeline in this process (embedded Kafka cluster and an "
                        "SQLite file unless --kafka/--db are given), send a burst, verify, print a summary."),
         {QStringLiteral("loadlevel-cli demo"),
          QStringLiteral("loadlevel-cli demo --count 20000 --members 3"),
          QStringLiteral("loadlevel-cli demo --rate 2000 --count 20000 --metrics     (paced, then Prometheus "
                         "text)")},
         join({kKafka,
               kCreates,
               kGroup,
               {QStringLiteral("db"), QStringLiteral("runs-dir"), QStringLiteral("count"),
                QStringLiteral("rate"), QStringLiteral("members"), QStringLiteral("wait"),
                QStringLiteral("metrics"), QStringLiteral("json")}}),
         &runDemo,
         false},
        {QStringLiteral("burst"),
         QStringLiteral("Send N generated ratings to Kafka, as fast as possible or paced; records a run."),
         {QStringLiteral("loadlevel-cli burst --count 1000"),
          QStringLiteral("loadlevel-cli burst --count 100000 --rate 5000")},
         join({kKafka,
               kCreates,
               {QStringLiteral("runs-dir"), QStringLiteral("count"), QStringLiteral("rate"),
                QStringLiteral("seed"), QStringLiteral("no-create"), QStringLiteral("json")}}),
         &runBurst},
        {QStringLiteral("run"),
         QStringLiteral(
             "A load test: a profile (single, burst, constant, ramp, steps, spike) sent on schedule "
             "(open model: events late against the schedule are counted, never silently slowed) to "
             "Kafka or to any HTTP endpoint; then verified against the database when it can be, and "
             "saved as a report (JSON + CSV) in the runs folder. The HTTP options (--concurrency, "
             "--no-keep-alive, --body-template, --header, --timeout, --verify) need an http:// "
             "target."),
         {QStringLiteral(
              "loadlevel-cli run --profile ramp --from 100 --to 5000 --duration 60s --target kafka"),
          QStringLiteral("loadlevel-cli run --profile constant --rate 2000 --duration 10s \\\n"
                         "     --target http://127.0.0.1:8080/ratings --verify --report out.json"),
          QStringLiteral("loadlevel-cli run --profile steps --steps 500:10s,1000:10s,2000:10s \\\n"
                         "     --target http://rating-service:8000/ratings --concurrency 128 \\\n"
                         "     --body-template '{\"userId\":{{user_id}},\"movieId\":{{movie_id}},"
                         "\"stars\":{{rating}}}'"),
          QStringLiteral("loadlevel-cli run --profile spike --rate 200 --peak-rate 5000 --peak-at 20s \\\n"
                         "     --peak-for 5s --duration 60s --target kafka")},
         join({kKafka,
               kCreates,
               kGenerator,
               kHttpTarget,
               {QStringLiteral("db"),        QStringLiteral("runs-dir"),  QStringLiteral("no-create"),
                QStringLiteral("profile"),   QStringLiteral("count"),     QStringLiteral("rate"),
                QStringLiteral("from"),      QStringLiteral("to"),        QStringLiteral("duration"),
                QStringLiteral("steps"),     QStringLiteral("peak-rate"), QStringLiteral("peak-at"),
                QStringLiteral("peak-for"),  QStringLiteral("verify"),    QStringLiteral("verify-table"),
                QStringLiteral("no-verify"), QStringLiteral("report"),    QStringLiteral("threshold"),
                QStringLiteral("junit"),     QStringLiteral("wait"),      QStringLiteral("json")}}),
         &runRun,
         false}, // names Kafka and the database only for a Kafka target
        {QStringLiteral("capacity"),
         QStringLiteral(
             "The highest rate the target sustains: constant runs of --hold each, doubling from "
             "--start-rate until one fails, then halving the bracket to --tolerance, then confirming. "
             "Sustained: no failures, the schedule kept, p99 (due → answer) within --p99, and the "
             "consumer group's lag not growing (slope ≤ 5 % of the rate, lag ≤ --max-lag of it). On "
             "Kafka the group is the sink's (the whole pipeline); without --kafka the embedded one."),
         {QStringLiteral("loadlevel-cli capacity --max-rows-per-sec 2000 --hold 5s     (the embedded "
                         "pipeline, its sink held to 2000 rows/s)"),
          QStringLiteral(
              "loadlevel-cli capacity --kafka 127.0.0.1:9092 --p99 100ms     (the sink: loadlevel-cli sink)"),
          QStringLiteral("loadlevel-cli capacity --target http://127.0.0.1:8080/ratings --start-rate 500 "
                         "--group rating-sink")},
         join({kKafka,
               kCreates,
               kGroup,
               kGenerator,
               kHttpTarget,
               {QStringLiteral("db"), QStringLiteral("runs-dir"), QStringLiteral("no-create"),
                QStringLiteral("start-rate"), QStringLiteral("max-rate"), QStringLiteral("hold"),
                QStringLiteral("p99"), QStringLiteral("max-lag"), QStringLiteral("tolerance"),
                QStringLiteral("max-rows-per-sec"), QStringLiteral("report"), QStringLiteral("json")}}),
         &runCapacity,
         false},
        {QStringLiteral("drain"),
         QStringLiteral(
             "Backlog drain test: a burst of --count events built into a backlog (the sink paused with "
             "--pause-sink, or simply faster than the sink), then released; measures the peak lag, the "
             "time to drain it and the drain rate, and verifies nothing was lost. Kafka only; without "
             "--kafka the embedded pipeline."),
         {QStringLiteral("loadlevel-cli drain --count 10000 --pause-sink"),
          QStringLiteral("loadlevel-cli drain --count 50000 --max-rows-per-sec 5000"),
          QStringLiteral(
              "loadlevel-cli drain --kafka 127.0.0.1:29092 --count 200000     (with `loadlevel-cli "
              "sink` running)")},
         join({kKafka,
               kCreates,
               kGroup,
               kGenerator,
               {QStringLiteral("db"), QStringLiteral("runs-dir"), QStringLiteral("no-create"),
                QStringLiteral("count"), QStringLiteral("pause-sink"), QStringLiteral("max-rows-per-sec"),
                QStringLiteral("wait"), QStringLiteral("json")}}),
         &runDrain,
         false},
        {QStringLiteral("report"),
         QStringLiteral("Run reports: list them, show one (summary and timeline), compare two side by side, "
                        "export one as OpenMessaging Benchmark's result JSON (what does not map is said)."),
         {QStringLiteral("loadlevel-cli report list"),
          QStringLiteral("loadlevel-cli report show 20261123-021935-3fa2"),
          QStringLiteral("loadlevel-cli report compare 20261123-021935-3fa2 20261123-022410-9b1c"),
          QStringLiteral("loadlevel-cli report export 20261123-021935-3fa2 --format omb --output omb.json")},
         {QStringLiteral("runs-dir"), QStringLiteral("count"), QStringLiteral("format"),
          QStringLiteral("output"), QStringLiteral("json")},
         &runReport,
         false},
        {QStringLiteral("sink"),
         QStringLiteral(
             "Persist the topic into PostgreSQL exactly once, as a consumer group (Ctrl+C stops)."),
         {QStringLiteral("loadlevel-cli sink --members 3 --max-rows-per-sec 20000")},
         join({kKafka,
               kCreates,
               kGroup,
               {QStringLiteral("db"), QStringLiteral("members"), QStringLiteral("max-rows-per-sec"),
                QStringLiteral("batch-rows"), QStringLiteral("batch-ms"), QStringLiteral("exit-when-idle"),
                QStringLiteral("json")}}),
         &runSink},
        {QStringLiteral("serve"),
         QStringLiteral("The HTTP rating service with the sink, in one process (Ctrl+C stops): POST /ratings "
                        "answers 202 once Kafka acknowledged; GET /ratings, /movies/{id}/stats, /health, "
                        "/metrics, /openapi.json, /docs. Loopback only unless --listen says otherwise."),
         {QStringLiteral("loadlevel-cli serve --listen 127.0.0.1:8080"),
          QStringLiteral("curl -H 'Content-Type: application/json' -d '{\"user_id\":4,\"movie_id\":3,"
                         "\"rating\":4}' \\\n     http://127.0.0.1:8080/ratings")},
         join({kKafka,
               kCreates,
               kGroup,
               {QStringLiteral("db"), QStringLiteral("members"), QStringLiteral("listen"),
                QStringLiteral("token"), QStringLiteral("max-body"), QStringLiteral("ack-timeout")}}),
         &runServe},
        {QStringLiteral("topics"),
         QStringLiteral("Create the topic if missing, or show partitions and offsets."),
         {QStringLiteral("loadlevel-cli topics ensure --partitions 6"),
          QStringLiteral("loadlevel-cli topics describe")},
         join({kKafka, kCreates, {QStringLiteral("json")}}),
         &runTopics},
        {QStringLiteral("lag"),
         QStringLiteral(
             "Consumer lag of any group on the topic, per partition, with Burrow-style status (OK, "
             "WARN, STOP, STALL, REWIND) and Kafka's own group state; all groups consuming the topic "
             "without --group."),
         {QStringLiteral("loadlevel-cli lag --group loadlevel-sink --watch"),
          QStringLiteral("loadlevel-cli lag --json")},
         join({kKafka,
               {QStringLiteral("group"), QStringLiteral("watch"), QStringLiteral("interval"),
                QStringLiteral("json")}}),
         &runLag},
        {QStringLiteral("metrics"),
         QStringLiteral("Prometheus text exposition of the consumer lag (one observation)."),
         {QStringLiteral("loadlevel-cli metrics --group loadlevel-sink")},
         join({kKafka, {QStringLiteral("group")}}),
         &runMetrics},
        {QStringLiteral("verify"),
         QStringLiteral("Compare a run's acknowledged events with the persisted rows (missing, duplicates)."),
         {QStringLiteral("loadlevel-cli verify --run 20261123-021935-3fa2 --wait 60")},
         {QStringLiteral("db"), QStringLiteral("runs-dir"), QStringLiteral("run"), QStringLiteral("wait"),
          QStringLiteral("json")},
         &runVerify,
         false},
    };
    return table;
}

const Command* findCommand(const QString& name) {
    const auto& all = commands();
    const auto it = std::find_if(all.begin(), all.end(), [&](const Command& c) { return c.name == name; });
    return it == all.end() ? nullptr : &*it;
}

QList<QCommandLineOption> allOptions() {
    return {
        opt(QStringLiteral("kafka"), QStringLiteral("Kafka bootstrap servers (default: $LOADLEVEL_KAFKA)."),
            QStringLiteral("host:port")),
        opt(QStringLiteral("db"),
            QStringLiteral(
                "Database: postgresql://user@host:port/db, sqlite:///path or a file path (default: "
                "$LOADLEVEL_DB, else an SQLite file in the user data folder)."),
            QStringLiteral("url")),
        opt(QStringLiteral("topic"), QStringLiteral("Topic (default: ratings)."), QStringLiteral("name"),
            QStringLiteral("ratings")),
        opt(QStringLiteral("group"),
            QStringLiteral(
                "Consumer group (sink, serve, demo: its group, default loadlevel-sink; lag, metrics: "
                "repeatable, default all groups consuming the topic)."),
            QStringLiteral("id")),
        opt(QStringLiteral("group-protocol"),
            QStringLiteral("The consumer group protocol: classic (default; any Kafka) or consumer (KIP-848, "
                           "Kafka 4+: the broker assigns partitions, rebalances are incremental)."),
            QStringLiteral("classic|consumer"), QStringLiteral("classic")),
        opt(QStringLiteral("watch"), QStringLiteral("Refresh every --interval until Ctrl+C.")),
        opt(QStringLiteral("metrics"), QStringLiteral("Print the Prometheus text exposition at the end.")),
        opt(QStringLiteral("interval"), QStringLiteral("Milliseconds between observations (default: 1000)."),
            QStringLiteral("ms")),
        opt(QStringLiteral("X"),
            QStringLiteral("librdkafka property, repeatable (e.g. -X security.protocol=SASL_SSL)."),
            QStringLiteral("key=value")),
        opt(QStringLiteral("kafka-config"), QStringLiteral("Java-style client.properties file (SASL/TLS)."),
            QStringLiteral("file")),
        opt(QStringLiteral("partitions"),
            QStringLiteral("Partitions when the topic is created (default: 6)."), QStringLiteral("n"),
            QStringLiteral("6")),
        opt(QStringLiteral("replication-factor"),
            QStringLiteral("Replication factor when the topic is created (default: 1)."), QStringLiteral("n"),
            QStringLiteral("1")),
        opt(QStringLiteral("runs-dir"),
            QStringLiteral("Folder of run reports (default: $LOADLEVEL_RUNS_DIR or the user data folder)."),
            QStringLiteral("dir")),
        opt(QStringLiteral("json"), QStringLiteral("Machine-readable output: one JSON object per line.")),
        opt(QStringLiteral("count"),
            QStringLiteral("Number of events (default: 1000); report list: how many reports (default: 20)."),
            QStringLiteral("n")),
        opt(QStringLiteral("rate"),
            QStringLiteral("Events per second; 0 or absent = as fast as possible. run: the constant or base "
                           "rate."),
            QStringLiteral("r")),
        opt(QStringLiteral("seed"), QStringLiteral("Generator seed, for a reproducible run."),
            QStringLiteral("n")),
        opt(QStringLiteral("no-create"), QStringLiteral("Do not create the topic if it is missing.")),
        opt(QStringLiteral("members"),
            QStringLiteral(
                "Consumer-group members, one thread each (default: sink 1, demo and serve 2; serve "
                "0 = no sink)."),
            QStringLiteral("n")),
        opt(QStringLiteral("max-rows-per-sec"),
            QStringLiteral("Ceiling on rows written per second (protects the database)."),
            QStringLiteral("r")),
        opt(QStringLiteral("batch-rows"), QStringLiteral("Rows per transaction at most (default: 5000)."),
            QStringLiteral("n")),
        opt(QStringLiteral("batch-ms"),
            QStringLiteral("A batch closes this long after its first row (default: 50)."),
            QStringLiteral("ms")),
        opt(QStringLiteral("exit-when-idle"),
            QStringLiteral("Exit after this many seconds without new messages."), QStringLiteral("s")),
        opt(QStringLiteral("run"), QStringLiteral("The run id printed by burst or run."),
            QStringLiteral("id")),
        opt(QStringLiteral("listen"),
            QStringLiteral("Address and port (default 127.0.0.1:8080; :0 picks a free port)."),
            QStringLiteral("host:port")),
        opt(QStringLiteral("token"),
            QStringLiteral(
                "Bearer token required on every route but /health (default: $LOADLEVEL_HTTP_TOKEN; "
                "none)."),
            QStringLiteral("token")),
        opt(QStringLiteral("max-body"), QStringLiteral("Largest request body in bytes (default: 65536)."),
            QStringLiteral("bytes")),
        opt(QStringLiteral("ack-timeout"),
            QStringLiteral(
                "ms to wait for the broker's acknowledgement before answering 503 (default: 5000)."),
            QStringLiteral("ms")),
        opt(QStringLiteral("profile"),
            QStringLiteral("single, burst (--count), constant (--rate, --duration), ramp (--from, --to, "
                           "--duration), steps (--steps), spike (--rate, --peak-rate, --peak-at, --peak-for, "
                           "--duration). Default: burst, or constant with --rate."),
            QStringLiteral("kind")),
        opt(QStringLiteral("from"), QStringLiteral("ramp: starting rate (per second)."), QStringLiteral("r")),
        opt(QStringLiteral("to"), QStringLiteral("ramp: final rate (per second)."), QStringLiteral("r")),
        opt(QStringLiteral("duration"), QStringLiteral("How long (60s, 2m, 1m30s, 500ms)."),
            QStringLiteral("d")),
        opt(QStringLiteral("steps"), QStringLiteral("steps: rate:duration pairs, e.g. 100:10s,500:10s."),
            QStringLiteral("list")),
        opt(QStringLiteral("peak-rate"), QStringLiteral("spike: the rate during the spike."),
            QStringLiteral("r")),
        opt(QStringLiteral("peak-at"), QStringLiteral("spike: when the spike starts (from the start)."),
            QStringLiteral("d")),
        opt(QStringLiteral("peak-for"), QStringLiteral("spike: how long the spike lasts."),
            QStringLiteral("d")),
        opt(QStringLiteral("target"),
            QStringLiteral("kafka (the topic, default) or an http:// URL that takes one rating per POST."),
            QStringLiteral("kafka|url")),
        opt(QStringLiteral("concurrency"),
            QStringLiteral("HTTP: connections, each with one request at a time (default: 64)."),
            QStringLiteral("n")),
        opt(QStringLiteral("no-keep-alive"), QStringLiteral("HTTP: a new connection per request.")),
        opt(QStringLiteral("body-template"),
            QStringLiteral(
                "HTTP: the request body with {{user_id}} {{movie_id}} {{rating}} {{event_id}} "
                "{{event_time}} {{run_id}} {{run_seq}} {{source}}; @file reads it from a file. "
                "Default: {\"user_id\":{{user_id}},\"movie_id\":{{movie_id}},\"rating\":{{rating}}}."),
            QStringLiteral("text")),
        opt(QStringLiteral("header"),
            QStringLiteral("HTTP: extra request header, repeatable ('Name: value')."),
            QStringLiteral("header")),
        opt(QStringLiteral("timeout"), QStringLiteral("HTTP: ms to wait for each response (default: 10000)."),
            QStringLiteral("ms")),
        opt(QStringLiteral("late-after"),
            QStringLiteral("An event sent this many ms after its due time counts as late (default: 10)."),
            QStringLiteral("ms")),
        opt(QStringLiteral("verify"),
            QStringLiteral(
                "HTTP: the endpoint is Loadlevel's (the body carries the run tags): check the database "
                "behind it.")),
        opt(QStringLiteral("verify-table"),
            QStringLiteral(
                "HTTP: check your own pipeline's table: 'table=NAME,key=COLUMN[,time=COLUMN][,by=event_id|"
                "run_seq][,db=URL]' (db: default --db). The body template carries {{event_id}} (or "
                "{{run_seq}}, with time=) into the field your service stores in the key column; the "
                "report gets missing, duplicates and request → row latency."),
            QStringLiteral("mapping")),
        opt(QStringLiteral("no-verify"), QStringLiteral("Do not check the database after the run.")),
        opt(QStringLiteral("report"),
            QStringLiteral("Also write the report here (.json, or .csv for the timeline)."),
            QStringLiteral("file")),
        opt(QStringLiteral("start-rate"), QStringLiteral("capacity: the first rate tried (default: 250)."),
            QStringLiteral("r")),
        opt(QStringLiteral("max-rate"),
            QStringLiteral("capacity: never try above this rate (default: 1000000)."), QStringLiteral("r")),
        opt(QStringLiteral("hold"), QStringLiteral("capacity: how long each rate is held (default: 10s)."),
            QStringLiteral("duration")),
        opt(QStringLiteral("p99"),
            QStringLiteral(
                "capacity: the p99 budget of the response latency, due → answer (default: 250ms)."),
            QStringLiteral("duration")),
        opt(QStringLiteral("max-lag"),
            QStringLiteral(
                "capacity: the group's lag may be at most this much of the rate's events (default: 5s)."),
            QStringLiteral("duration")),
        opt(QStringLiteral("tolerance"),
            QStringLiteral("capacity: the search ends when the bracket is this narrow (default: 5%)."),
            QStringLiteral("fraction")),
        opt(QStringLiteral("format"), QStringLiteral("report export: the format (omb)."),
            QStringLiteral("name")),
        opt(QStringLiteral("output"), QStringLiteral("report export: write here instead of standard output."),
            QStringLiteral("file")),
        opt(QStringLiteral("pause-sink"),
            QStringLiteral("drain: pause the embedded sink while the backlog builds, then resume it.")),
        opt(QStringLiteral("threshold"),
            QStringLiteral("Pass/fail condition on the run's figures, repeatable: 'p99(persist) < 250ms', "
                           "'missing == 0', 'rate(accepted) >= 950/s', 'ratio(late) < 0.01'. One that fails "
                           "exits 5; 'loadlevel-cli run --help' lists the metrics."),
            QStringLiteral("expr")),
        opt(QStringLiteral("junit"),
            QStringLiteral(
                "Write JUnit XML here for CI: one test case per threshold, plus the verification."),
            QStringLiteral("file")),
        opt(QStringLiteral("users"), QStringLiteral("Distinct users, Zipf-distributed (default: 100000)."),
            QStringLiteral("n")),
        opt(QStringLiteral("movies"), QStringLiteral("Distinct movies, Zipf-distributed (default: 10000)."),
            QStringLiteral("n")),
        opt(QStringLiteral("zipf"), QStringLiteral("The movies' Zipf exponent (default: 1.0)."),
            QStringLiteral("s")),
        opt(QStringLiteral("user-zipf"),
            QStringLiteral("The users' Zipf exponent (default: 0.8; 0: uniform)."), QStringLiteral("s")),
        opt(QStringLiteral("wait"),
            QStringLiteral(
                "Wait up to this many seconds for the sink to catch up (default: verify 0, demo and run "
                "120)."),
            QStringLiteral("s")),
    };
}

QString overviewHelp() {
    QString out = QStringLiteral("Commands (loadlevel-cli COMMAND --help lists the options of one):\n");
    for (const Command& c : commands()) {
        out += QStringLiteral("  %1 %2\n").arg(c.name.leftJustified(10), wrap(c.summary, 13));
        for (const QString& e : c.examples)
            out += QStringLiteral("               %1\n")
                       .arg(QString(e).replace(QStringLiteral("\n"), QStringLiteral("\n               ")));
    }
    out += QStringLiteral(
        "\nKafka and the database come from --kafka/--db or LOADLEVEL_KAFKA/LOADLEVEL_DB\n"
        "(`eval \"$(scripts/stack env)\"` exports both for the local stack). Without them `demo`\n"
        "runs embedded: librdkafka's mock cluster (3 brokers, in this process) and an SQLite file in the "
        "user\n"
        "data folder. Any librdkafka property can be passed with -X key=value, or a Java-style\n"
        "client.properties file with --kafka-config (SASL/TLS).\n\nExit codes (the same for every "
        "command):\n");
    for (const ExitCodeDoc& e : exitCodes())
        out += QStringLiteral("  %1 %2\n")
                   .arg(QString::number(e.code).rightJustified(3), wrap(e.name + u": " + e.meaning, 6));
    return out;
}

QString commandHelp(const Command& command) {
    QString out =
        QStringLiteral("loadlevel-cli %1: %2\n\nExamples:\n").arg(command.name, wrap(command.summary, 2));
    for (const QString& e : command.examples)
        out += QStringLiteral("  %1\n").arg(QString(e).replace(QStringLiteral("\n"), QStringLiteral("\n  ")));
    out += QStringLiteral("\nOptions:\n");
    for (const QCommandLineOption& o : allOptions()) {
        const QString name = o.names().constFirst();
        if (!command.options.contains(name))
            continue;
        QString flag = (name.size() == 1 ? u"-" : u"--") + name;
        if (!o.valueName().isEmpty())
            flag += u' ' + o.valueName();
        out += QStringLiteral("  %1 %2\n").arg(flag.leftJustified(28), wrap(o.description(), 31));
    }
    if (command.options.contains(QStringLiteral("threshold"))) {
        out += QStringLiteral("\nThreshold metrics (METRIC OP VALUE; OP is <, <=, >, >=, == or !=):\n");
        for (const QString& m : load::thresholdMetrics())
            out += QStringLiteral("  %1\n").arg(wrap(m, 4));
    }
    out += QStringLiteral("\nExit codes: ");
    QStringList codes;
    for (const ExitCodeDoc& e : exitCodes())
        codes << QStringLiteral("%1 %2").arg(e.code).arg(e.name);
    out += codes.join(QStringLiteral(", ")) + QStringLiteral(" (loadlevel-cli --help says more).\n");
    return out;
}

QStringList refusedOptions(const Command& command, const QStringList& setOptionNames) {
    QStringList refused;
    for (const QString& name : setOptionNames)
        if (name != u"help" && name != u"h" && name != u"?" && name != u"version" && name != u"v" &&
            !command.options.contains(name) && !refused.contains(name))
            refused << name;
    return refused;
}

} // namespace loadlevel::cli
