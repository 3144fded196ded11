#include "metrics/recorder.h"

namespace loadlevel::metrics {

StageCounters Recorder::counters() const {
    return {produced.load(),  acked.load(),      failed.load(),     consumed.load(),
            persisted.load(), duplicates.load(), deadLetters.load()};
}

Snapshot Recorder::snapshot() const {
    Snapshot s;
    s.at = QDateTime::currentDateTimeUtc();
    s.totals = counters();
    auto a = std::make_shared<LatencyHistogram::Counts>(sendToAck.snapshot());
    auto b = std::make_shared<LatencyHistogram::Counts>(ackToPersisted.snapshot());
    auto c = std::make_shared<LatencyHistogram::Counts>(sendToPersisted.snapshot());
    s.sendToAck = a->summary();
    s.ackToPersisted = b->summary();
    s.sendToPersisted = c->summary();
    s.sendToAckCounts = std::move(a);
    s.ackToPersistedCounts = std::move(b);
    s.sendToPersistedCounts = std::move(c);
    return s;
}

void Recorder::reset() {
    for (auto* c : {&produced, &acked, &failed, &consumed, &persisted, &duplicates, &deadLetters})
        c->store(0);
    sendToAck.reset();
    ackToPersisted.reset();
    sendToPersisted.reset();
}

SnapshotPublisher::SnapshotPublisher(const Recorder& recorder, int intervalMs, QObject* parent)
    : QObject(parent)
    , m_recorder(recorder) {
    qRegisterMetaType<loadlevel::metrics::Snapshot>();
    m_timer.setInterval(intervalMs);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, [this] { emit snapshot(current()); });
}

void SnapshotPublisher::start() {
    m_timer.start();
}
void SnapshotPublisher::stop() {
    m_timer.stop();
}

void SnapshotPublisher::setLag(const QList<GroupLag>& lag) {
    std::lock_guard lock(m_lagMutex);
    m_lag = lag;
}

Snapshot SnapshotPublisher::current() {
    Snapshot s = m_recorder.snapshot();
    {
        std::lock_guard lock(m_lagMutex);
        s.lag = m_lag;
    }
    if (m_previous.at.isValid()) {
        const double dt = m_previous.at.msecsTo(s.at) / 1000.0;
        if (dt > 0) {
            s.rates.produced = (s.totals.produced - m_previous.totals.produced) / dt;
            s.rates.acked = (s.totals.acked - m_previous.totals.acked) / dt;
            s.rates.consumed = (s.totals.consumed - m_previous.totals.consumed) / dt;
            s.rates.persisted = (s.totals.persisted - m_previous.totals.persisted) / dt;
        }
    }
    m_previous = s;
    return s;
}

} // namespace loadlevel::metrics
