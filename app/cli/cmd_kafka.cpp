// Commands that look at Kafka: topics, lag, metrics.
#include "commands.h"
#include "kafka/admin.h"
#include "metrics/lag_monitor.h"
#include "metrics/prometheus.h"
#include "options.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QTimer>
#include <cstdio>

namespace loadlevel::cli {

namespace {

QString colored(const Console& console, const QString& text, metrics::PartitionStatus s) {
    if (!console.colors())
        return text;
    const char* code = s == metrics::PartitionStatus::Ok     ? "32"
                       : s == metrics::PartitionStatus::Warn ? "33"
                                                             : "31";
    return QStringLiteral("\033[%1m%2\033[0m").arg(QLatin1String(code), text);
}

QString colored(const Console& console, const QString& text, metrics::GroupStatus s) {
    return colored(console, text,
                   s == metrics::GroupStatus::Ok     ? metrics::PartitionStatus::Ok
                   : s == metrics::GroupStatus::Warn ? metrics::PartitionStatus::Warn
                                                     : metrics::PartitionStatus::Stop);
}

QString seconds(double s) {
    return s < 0 ? QStringLiteral("-") : QString::number(s, 'f', 1);
}

QJsonObject lagJson(const metrics::GroupLag& g) {
    QJsonArray parts;
    for (const auto& p : g.partitions)
        parts.append(QJsonObject{{QStringLiteral("partition"), p.partition},
                                 {QStringLiteral("end"), p.end},
                                 {QStringLiteral("committed"), p.committed},
                                 {QStringLiteral("lag"), p.lag},
                                 {QStringLiteral("consume_rate"), p.consumeRate},
                                 {QStringLiteral("lag_seconds"), p.lagSeconds},
                                 {QStringLiteral("produce_rate"), p.produceRate},
                                 {QStringLiteral("drain_rate"), p.drainRate},
                                 {QStringLiteral("clear_seconds"), p.clearSeconds},
                                 {QStringLiteral("oldest_age_seconds"), p.oldestAgeSeconds},
                                 {QStringLiteral("status"), metrics::statusName(p.status)},
                                 {QStringLiteral("reason"), p.reason}});
    return {{QStringLiteral("time"), g.at.toString(Qt::ISODateWithMs)},
            {QStringLiteral("group"), g.group},
            {QStringLiteral("topic"), g.topic},
            {QStringLiteral("members"), g.members},
            {QStringLiteral("kafka_state"), g.state},
            {QStringLiteral("group_protocol"), g.protocol},
            {QStringLiteral("status"), metrics::statusName(g.status)},
            {QStringLiteral("complete"), g.complete},
            {QStringLiteral("total_lag"), g.totalLag},
            {QStringLiteral("consume_rate"), g.consumeRate},
            {QStringLiteral("lag_seconds"), g.lagSeconds},
            {QStringLiteral("produce_rate"), g.produceRate},
            {QStringLiteral("drain_rate"), g.drainRate},
            {QStringLiteral("clear_seconds"), g.clearSeconds},
            {QStringLiteral("slowest_partition"), g.slowestPartition},
            {QStringLiteral("skew"), g.skew},
            {QStringLiteral("drain"), metrics::drainText(g)},
            {QStringLiteral("error"), g.error},
            {QStringLiteral("partitions"), parts}};
}

void printLag(Console& console, const QList<metrics::GroupLag>& lags, bool redraw) {
    if (console.jsonMode()) {
        for (const auto& g : lags)
            console.json(lagJson(g));
        return;
    }
    QStringList out;
    if (redraw)
        out << QStringLiteral("\033[H\033[2J") +
                   QStringLiteral("loadlevel lag · %1 · Ctrl+C stops")
                       .arg(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss")));
    for (const auto& g : lags) {
        if (!g.error.isEmpty()) {
            out << QStringLiteral("group %1: %2").arg(g.group, g.error);
            continue;
        }
        // Kafka's own state and protocol beside Loadlevel's status: "Stable, consumer protocol".
        QString kafka = g.state.isEmpty() ? QString() : u" · Kafka: " + g.state;
        if (!g.protocol.isEmpty())
            kafka += QStringLiteral(", %1 protocol").arg(g.protocol);
        out << QStringLiteral("group %1 · topic %2 · %3%4 · status %5%6 · %7")
                   .arg(g.group, g.topic,
                        g.members < 0 ? QStringLiteral("members unknown")
                                      : QStringLiteral("%1 member(s)").arg(g.members),
                        kafka, colored(console, metrics::statusName(g.status), g.status),
                        g.complete ? QString() : QStringLiteral(" (window filling)"), metrics::drainText(g));
        out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8  %9")
                   .arg(u"PARTITION", 9)
                   .arg(u"END", 12)
                   .arg(u"COMMITTED", 12)
                   .arg(u"LAG", 10)
                   .arg(u"IN/s", 9)
                   .arg(u"OUT/s", 9)
                   .arg(u"CLEAR s", 8)
                   .arg(u"OLDEST s", 9)
                   .arg(u"STATUS");
        for (const auto& p : g.partitions)
            out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8  %9")
                       .arg(p.partition, 9)
                       .arg(p.end, 12)
                       .arg(p.committed < 0 ? QStringLiteral("-") : QString::number(p.committed), 12)
                       .arg(p.lag, 10)
                       .arg(p.produceRate, 9, 'f', 1)
                       .arg(p.consumeRate, 9, 'f', 1)
                       .arg(seconds(p.clearSeconds), 8)
                       .arg(seconds(p.oldestAgeSeconds), 9)
                       .arg(colored(console, metrics::statusName(p.status), p.status));
        out << QString();
    }
    console.line(out.join(u'\n'));
}

// The groups to report on: the --group values, or every group on the cluster that has committed
// offsets on the topic (the cluster's other groups are someone else's business).
Result<QStringList> groupsOnTopic(Context& c, const kafka::ClientConfig& config) {
    const QStringList given = c.args.values(QStringLiteral("group"));
    auto admin = kafka::Admin::create(config);
    if (!admin)
        return fail(admin.error());
    if (!given.isEmpty()) {
        // A group Kafka does not know has no lag to show: say so instead of a lag of everything.
        // (A cluster that cannot describe groups is taken at its word that the group exists.)
        for (const QString& group : given)
            if (auto d = (*admin)->describeGroup(group); d && d->missing())
                return fail(Error::notFound(
                    QStringLiteral(
                        "consumer group %1 does not exist on the cluster at %2 (`loadlevel-cli lag` "
                        "without --group lists the groups consuming topic %3)")
                        .arg(group, config.bootstrapServers(), c.settings.topic)));
        return given;
    }
    auto all = (*admin)->listGroups();
    if (!all)
        return fail(
            Error{all.error().kind, all.error().message + QStringLiteral(" (name the group with --group)")});
    metrics::LagMonitor::Options o;
    o.topic = c.settings.topic;
    o.groups = *all;
    o.peekOldest = false;
    auto lags = metrics::LagMonitor(config, o).pollOnce();
    if (!lags)
        return fail(lags.error());
    QStringList consuming;
    for (const auto& g : std::as_const(*lags))
        if (std::any_of(g.partitions.begin(), g.partitions.end(),
                        [](const auto& p) { return p.committed >= 0; }))
            consuming << g.group;
    if (consuming.isEmpty())
        return fail(Error::notFound(
            QStringLiteral("no consumer group has committed offsets on topic %1 (name one with --group)")
                .arg(o.topic)));
    return consuming;
}

} // namespace

int runLag(Context& c) {
    auto intervalMs = intOption(c, QStringLiteral("interval"), 1000, 100);
    if (!intervalMs)
        return kUsage;
    auto config = c.settings.clientConfig();
    if (!config) {
        c.console.error(config.error().message);
        return exitFor(config.error());
    }
    metrics::LagMonitor::Options o;
    o.topic = c.settings.topic;
    o.intervalMs = static_cast<int>(*intervalMs);
    auto groups = groupsOnTopic(c, *config);
    if (!groups) {
        c.console.error(groups.error().message);
        return exitFor(groups.error());
    }
    o.groups = *groups;
    metrics::LagMonitor monitor(*config, o);
    if (!c.args.isSet(QStringLiteral("watch"))) {
        auto lags = monitor.pollOnce();
        if (!lags) {
            c.console.error(lags.error().message);
            return exitFor(lags.error());
        }
        printLag(c.console, *lags, false);
        return kOk;
    }
    const bool redraw = c.console.stdoutIsTerminal() && !c.console.jsonMode();
    QObject::connect(
        &monitor, &metrics::LagMonitor::updated, &monitor,
        [&](const QList<metrics::GroupLag>& lags) { printLag(c.console, lags, redraw); },
        Qt::QueuedConnection);
    QObject::connect(
        &monitor, &metrics::LagMonitor::problem, &monitor, [&](const QString& m) { c.console.error(m); },
        Qt::QueuedConnection);
    QTimer interruptCheck;
    QObject::connect(&interruptCheck, &QTimer::timeout, &monitor, [] {
        if (interrupted().load())
            QCoreApplication::quit();
    });
    interruptCheck.start(100);
    monitor.start();
    QCoreApplication::exec();
    monitor.stop();
    return kOk;
}

int runMetrics(Context& c) {
    auto config = c.settings.clientConfig();
    if (!config) {
        c.console.error(config.error().message);
        return exitFor(config.error());
    }
    auto groups = groupsOnTopic(c, *config);
    if (!groups) {
        c.console.error(groups.error().message);
        return exitFor(groups.error());
    }
    metrics::LagMonitor::Options o;
    o.topic = c.settings.topic;
    o.groups = *groups;
    auto lags = metrics::LagMonitor(*config, o).pollOnce();
    if (!lags) {
        c.console.error(lags.error().message);
        return exitFor(lags.error());
    }
    metrics::Snapshot s;
    s.at = QDateTime::currentDateTimeUtc();
    s.lag = *lags;
    std::fputs(
        "# Consumer lag as of one observation (rates and windowed status need `lag --watch` or a running "
        "pipeline; counters and latency histograms come from a running pipeline, e.g. `demo --metrics`).\n",
        stdout);
    std::fputs(metrics::toPrometheus(s, false).constData(), stdout);
    return kOk;
}

int runTopics(Context& c) {
    const QString sub = c.positional.value(0);
    auto config = c.settings.clientConfig();
    if (!config) {
        c.console.error(config.error().message);
        return exitFor(config.error());
    }
    auto admin = kafka::Admin::create(*config);
    if (!admin) {
        c.console.error(admin.error().message);
        return exitFor(admin.error());
    }
    if (sub == u"ensure") {
        auto created =
            (*admin)->ensureTopic(c.settings.topic, c.settings.partitions, c.settings.replicationFactor);
        if (!created) {
            c.console.error(created.error().message);
            return exitFor(created.error());
        }
        c.console.line(*created ? QStringLiteral("created topic %1 (%2 partitions, replication factor %3)")
                                      .arg(c.settings.topic)
                                      .arg(c.settings.partitions)
                                      .arg(c.settings.replicationFactor)
                                : QStringLiteral("topic %1 already exists").arg(c.settings.topic));
        if (c.console.jsonMode())
            c.console.json(
                {{QStringLiteral("topic"), c.settings.topic}, {QStringLiteral("created"), *created}});
        return kOk;
    }
    if (sub == u"describe") {
        auto info = (*admin)->describeTopic(c.settings.topic);
        if (!info) {
            c.console.error(info.error().message);
            return exitFor(info.error());
        }
        if (c.console.jsonMode()) {
            QJsonArray parts;
            for (const auto& p : info->partitions)
                parts.append(QJsonObject{{QStringLiteral("partition"), p.id},
                                         {QStringLiteral("leader"), p.leader},
                                         {QStringLiteral("replicas"), static_cast<int>(p.replicas.size())},
                                         {QStringLiteral("isr"), static_cast<int>(p.isr.size())},
                                         {QStringLiteral("low"), p.low},
                                         {QStringLiteral("high"), p.high}});
            c.console.json({{QStringLiteral("topic"), info->name},
                            {QStringLiteral("partitions"), parts},
                            {QStringLiteral("messages"), info->messages()}});
            return kOk;
        }
        c.console.line(QStringLiteral("topic %1: %2 partitions, %3 messages on the broker")
                           .arg(info->name)
                           .arg(info->partitions.size())
                           .arg(info->messages()));
        c.console.line(QStringLiteral("%1 %2 %3 %4 %5")
                           .arg(u"partition", 9)
                           .arg(u"leader", 6)
                           .arg(u"isr", 7)
                           .arg(u"low", 12)
                           .arg(u"high", 12));
        for (const auto& p : info->partitions)
            c.console.line(QStringLiteral("%1 %2 %3 %4 %5")
                               .arg(p.id, 9)
                               .arg(p.leader, 6)
                               .arg(QStringLiteral("%1/%2").arg(p.isr.size()).arg(p.replicas.size()), 7)
                               .arg(p.low, 12)
                               .arg(p.high, 12));
        return kOk;
    }
    c.console.error(QStringLiteral("topics expects 'ensure' or 'describe'"));
    return kUsage;
}

} // namespace loadlevel::cli
