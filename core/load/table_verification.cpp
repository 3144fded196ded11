#include "load/table_verification.h"

#include <QThread>
#include <QUuid>
#include <unordered_map>
#include <unordered_set>

namespace loadlevel::load {

namespace {

// One reading of the table, matched to the run's events.
struct Match {
    Verification v;
    std::vector<std::pair<qint64, qint64>> rows; // (seq, first row time ms) of the events found
};

// The run's events by the key their rows carry, built once for every reading of the table.
struct Index {
    std::unordered_map<QString, qint64> seqOf; // key → sequence number
    QStringList keys;                          // the event ids to ask for (run_seq: asked by time)
    std::unordered_set<qint64> unacked;

    Index(const RunReport& r, const store::ExternalTable& t)
        : unacked(r.manifest.unacked.begin(), r.manifest.unacked.end()) {
        for (const auto& e : r.sent) {
            const QString key = t.keyKind == u"event_id" ? e.eventId : QString::number(e.seq);
            seqOf.emplace(key, e.seq);
            if (t.keyKind == u"event_id")
                keys << key;
        }
    }
};

Result<Match> readOnce(const RunReport& r, const store::ExternalTable& t, const Index& index,
                       store::Store& store) {
    auto rows = store.keyedRows(t, index.keys, r.manifest.startedAt.addSecs(-5));
    if (!rows)
        return fail(rows.error());
    const auto& seqOf = index.seqOf;
    const auto& unacked = index.unacked;
    Match m;
    m.v.runId = r.manifest.runId;
    m.v.acked = r.accepted;
    std::unordered_set<qint64> found;
    for (const auto& row : *rows) {
        const auto it = seqOf.find(row.key);
        if (it == seqOf.end())
            continue; // another run's row (run_seq keys), or not ours
        m.v.persisted += row.count;
        m.v.duplicates += row.count - 1;
        found.insert(it->second);
        if (unacked.count(it->second))
            ++m.v.unackedPersisted;
        m.rows.emplace_back(it->second, row.firstMs);
    }
    for (const auto& e : r.sent)
        if (!unacked.count(e.seq) && !found.count(e.seq)) {
            ++m.v.missing;
            if (m.v.missingSample.size() < 10)
                m.v.missingSample.push_back(e.seq);
        }
    return m;
}

} // namespace

Result<void> verifyTable(RunReport& report, const store::ExternalTable& table, store::Store& store,
                         std::chrono::milliseconds wait,
                         const std::function<bool(const Verification&)>& onPoll) {
    if (report.sent.empty() && report.manifest.sent > 0)
        return fail(
            Error::invalid(QStringLiteral("the run did not keep its sent events (RunPlan::recordSent)")));
    const auto deadline = std::chrono::steady_clock::now() + wait;
    const Index index(report, table);
    Result<Match> m = readOnce(report, table, index, store);
    while (m && m->v.missing > 0 && std::chrono::steady_clock::now() < deadline &&
           (!onPoll || onPoll(m->v))) {
        QThread::msleep(200);
        m = readOnce(report, table, index, store);
    }
    if (!m)
        return fail(m.error());
    report.verification = m->v;
    report.verificationNote.clear();
    report.target[QStringLiteral("verify_table")] = table.describe();
    if (table.timeColumn.isEmpty())
        return {};
    std::unordered_map<qint64, qint64> timeOf;
    for (const auto& e : report.sent)
        timeOf.emplace(e.seq, e.eventTimeMs);
    std::vector<double> latencies;
    std::vector<qint64> at;
    for (const auto& [seq, firstMs] : m->rows) {
        if (firstMs < 0)
            continue;
        latencies.push_back(static_cast<double>(firstMs - timeOf[seq]));
        at.push_back(firstMs);
    }
    countPersisted(report, at);
    report.persist = StageLatency::fromMillis(std::move(latencies));
    return {};
}

} // namespace loadlevel::load
