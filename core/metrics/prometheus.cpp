#include "metrics/prometheus.h"

#include <array>
#include <cmath>
#include <limits>
#include <set>

namespace loadlevel::metrics {

namespace {

// Bucket bounds in seconds for the exported histograms (the fine histogram is folded into them).
constexpr std::array<double, 17> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                            0.5,    1,     2.5,    5,     10,   30,    60,   120};

QByteArray number(double v) {
    if (std::isinf(v))
        return v > 0 ? QByteArrayLiteral("+Inf") : QByteArrayLiteral("-Inf");
    if (std::isnan(v))
        return QByteArrayLiteral("NaN");
    return QByteArray::number(v, 'g', 15);
}

void header(QByteArray& out, const char* name, const char* type, const char* help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

void sample(QByteArray& out, const char* name, const QByteArray& labels, double value) {
    out += name;
    if (!labels.isEmpty()) {
        out += '{';
        out += labels;
        out += '}';
    }
    out += ' ';
    out += number(value);
    out += '\n';
}

void counter(QByteArray& out, const char* name, const char* help, qint64 value) {
    header(out, name, "counter", help);
    sample(out, name, {}, static_cast<double>(value));
}

void histogram(QByteArray& out, const char* name, const char* help, const LatencyHistogram::Counts* counts) {
    header(out, name, "histogram", help);
    const QByteArray bucket = QByteArray(name) + "_bucket";
    quint64 total = 0;
    long double sum = 0;
    std::array<quint64, kBounds.size()> cumulative{};
    if (counts) {
        for (size_t i = 0; i < counts->buckets.size(); ++i) {
            const quint64 n = counts->buckets[i];
            if (n == 0)
                continue;
            total += n;
            const double highestSeconds =
                static_cast<double>(LatencyHistogram::highestIn(static_cast<int>(i))) / 1e6;
            for (size_t b = 0; b < kBounds.size(); ++b)
                if (highestSeconds <= kBounds[b])
                    cumulative[b] += n;
        }
        sum = counts->sum / 1e6L;
    }
    for (size_t b = 0; b < kBounds.size(); ++b)
        sample(out, bucket.constData(), "le=\"" + number(kBounds[b]) + '"',
               static_cast<double>(cumulative[b]));
    sample(out, bucket.constData(), "le=\"+Inf\"", static_cast<double>(total));
    sample(out, QByteArray(QByteArray(name) + "_sum").constData(), {}, static_cast<double>(sum));
    sample(out, QByteArray(QByteArray(name) + "_count").constData(), {}, static_cast<double>(total));
}

} // namespace

QByteArray toPrometheus(const HttpCounters& c) {
    return "# HELP loadlevel_http_accepted_total Ratings accepted (202) by the HTTP service.\n"
           "# TYPE loadlevel_http_accepted_total counter\n"
           "loadlevel_http_accepted_total " +
           QByteArray::number(c.accepted) +
           "\n# HELP loadlevel_http_rejected_total Requests refused with a 4xx or 503.\n"
           "# TYPE loadlevel_http_rejected_total counter\n"
           "loadlevel_http_rejected_total " +
           QByteArray::number(c.rejected) +
           "\n# HELP loadlevel_http_closed_slow_total Connections closed for being too slow, idle or too "
           "many.\n# TYPE loadlevel_http_closed_slow_total counter\n"
           "loadlevel_http_closed_slow_total " +
           QByteArray::number(c.closedSlow) + "\n";
}

QByteArray escapeLabel(const QString& value) {
    QByteArray out;
    for (const char c : value.toUtf8()) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

QByteArray toPrometheus(const Snapshot& s, bool withCounters) {
    QByteArray out;
    out.reserve(16 * 1024);
    if (withCounters) {
        const StageCounters& t = s.totals;
        counter(out, "loadlevel_events_produced_total", "Rating events handed to the Kafka producer.",
                t.produced);
        counter(out, "loadlevel_events_acked_total", "Rating events acknowledged by the broker.", t.acked);
        counter(out, "loadlevel_events_failed_total", "Rating events whose delivery failed.", t.failed);
        counter(out, "loadlevel_events_consumed_total", "Messages read by the sink.", t.consumed);
        counter(out, "loadlevel_rows_persisted_total", "Rating rows committed to the database.", t.persisted);
        counter(out, "loadlevel_rows_duplicate_total", "Redelivered events the database already had.",
                t.duplicates);
        counter(out, "loadlevel_dead_letters_total", "Messages stored as dead letters.", t.deadLetters);
        histogram(out, "loadlevel_send_to_ack_seconds",
                  "From the (intended) send time to the broker's acknowledgement.", s.sendToAckCounts.get());
        histogram(out, "loadlevel_ack_to_persisted_seconds",
                  "From the broker's append time to the committed row (LogAppendTime topics).",
                  s.ackToPersistedCounts.get());
        histogram(out, "loadlevel_send_to_persisted_seconds",
                  "From the (intended) send time to the committed row.", s.sendToPersistedCounts.get());
    }
    if (s.lag.isEmpty())
        return out;

    header(out, "loadlevel_log_end_offset", "gauge", "Log-end offset of a partition.");
    std::set<std::pair<QString, int>> seen;
    for (const auto& g : s.lag)
        for (const auto& p : g.partitions)
            if (seen.insert({g.topic, p.partition}).second)
                sample(out, "loadlevel_log_end_offset",
                       "topic=\"" + escapeLabel(g.topic) + "\",partition=\"" +
                           QByteArray::number(p.partition) + '"',
                       static_cast<double>(p.end));

    // One block per metric: its header, then its samples for every group and partition.
    auto perPartition = [&](const char* name, const char* help, auto value) {
        header(out, name, "gauge", help);
        for (const auto& g : s.lag)
            for (const auto& p : g.partitions)
                sample(out, name,
                       "group=\"" + escapeLabel(g.group) + "\",topic=\"" + escapeLabel(g.topic) +
                           "\",partition=\"" + QByteArray::number(p.partition) + '"',
                       value(p));
    };
    perPartition("loadlevel_consumer_committed_offset", "Offset the group committed; -1 if never.",
                 [](const PartitionLag& p) { return static_cast<double>(p.committed); });
    perPartition("loadlevel_consumer_lag_messages", "Messages the group has not consumed yet.",
                 [](const PartitionLag& p) { return static_cast<double>(p.lag); });
    perPartition("loadlevel_consumer_lag_seconds",
                 "Time to drain the lag at the recent consume rate (+Inf: not consuming).",
                 [](const PartitionLag& p) {
                     return p.lagSeconds >= 0 ? p.lagSeconds : std::numeric_limits<double>::infinity();
                 });
    perPartition("loadlevel_consumer_oldest_unconsumed_age_seconds",
                 "Age of the oldest message the group has not consumed (NaN: none or unknown).",
                 [](const PartitionLag& p) {
                     return p.oldestAgeSeconds >= 0 ? p.oldestAgeSeconds
                                                    : std::numeric_limits<double>::quiet_NaN();
                 });
    header(out, "loadlevel_consumer_partition_status", "gauge",
           "Burrow-style status of a partition (1 = current).");
    for (const auto& g : s.lag)
        for (const auto& p : g.partitions)
            for (auto st : {PartitionStatus::Ok, PartitionStatus::Warn, PartitionStatus::Stop,
                            PartitionStatus::Stall, PartitionStatus::Rewind})
                sample(out, "loadlevel_consumer_partition_status",
                       "group=\"" + escapeLabel(g.group) + "\",topic=\"" + escapeLabel(g.topic) +
                           "\",partition=\"" + QByteArray::number(p.partition) + "\",status=\"" +
                           statusName(st).toLatin1() + '"',
                       p.status == st ? 1 : 0);

    header(out, "loadlevel_consumer_group_status", "gauge", "Burrow-style status of a group (1 = current).");
    for (const auto& g : s.lag)
        for (auto st : {GroupStatus::Ok, GroupStatus::Warn, GroupStatus::Err})
            sample(out, "loadlevel_consumer_group_status",
                   "group=\"" + escapeLabel(g.group) + "\",topic=\"" + escapeLabel(g.topic) + "\",status=\"" +
                       statusName(st).toLatin1() + '"',
                   g.status == st ? 1 : 0);
    header(out, "loadlevel_consumer_group_members", "gauge", "Live members of a group (-1: unknown).");
    for (const auto& g : s.lag)
        sample(out, "loadlevel_consumer_group_members", "group=\"" + escapeLabel(g.group) + '"', g.members);
    return out;
}

} // namespace loadlevel::metrics
