#include "kafka/sink.h"

#include "kafka/sink_member.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace loadlevel::kafka {

namespace {

double steadySeconds() {
    return std::chrono::duration<double>(SinkClock::now().time_since_epoch()).count();
}

} // namespace

Sink::Sink(ClientConfig config, SinkOptions options, StoreFactory stores, QObject* parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_options(std::move(options))
    , m_stores(std::move(stores)) {
    m_maxRowsPerSec = m_options.maxRowsPerSec;
    m_ceilingPerMember = m_options.ceilingPerMember;
    // -X group.protocol=consumer means the same as the option.
    if (const std::string protocol = m_config.get(key::kGroupProtocol); !protocol.empty())
        m_options.groupProtocol = QString::fromStdString(protocol);
}

Sink::~Sink() {
    stop();
}

Result<void> Sink::start() {
    if (!m_members.empty())
        return {};
    if (m_options.members < 0 || m_options.batchRows < 1 || m_options.batchMs < 1)
        return fail(
            Error::invalid(QStringLiteral("sink needs at least one member, one row and one ms per batch")));
    {
        auto st = m_stores(
            QStringLiteral("loadlevel-sink-migrate-%1").arg(reinterpret_cast<quintptr>(this), 0, 16));
        if (!st)
            return fail(st.error());
        if (auto v = (*st)->migrate(); !v)
            return fail(v.error());
    }
    m_stopping = false;
    setMembers(m_options.members);
    return {};
}

void Sink::setMembers(int members) {
    members = std::max(0, members);
    // status() may run on another thread meanwhile: the lists change under m_membersMutex, and
    // a leaving member is joined outside it (that can take a batch's time) while it still counts.
    std::vector<Member*> leaving;
    {
        std::lock_guard lock(m_membersMutex);
        while (static_cast<int>(m_members.size()) < members) {
            m_members.push_back(std::make_unique<Member>(*this, m_nextMemberIndex++));
            m_members.back()->start();
        }
        for (auto i = static_cast<size_t>(members); i < m_members.size(); ++i)
            leaving.push_back(m_members[i].get());
    }
    for (Member* m : leaving)
        m->requestStop(); // all at once, so they leave the group together
    for (Member* m : leaving)
        m->join();
    std::lock_guard lock(m_membersMutex);
    while (static_cast<int>(m_members.size()) > members) {
        const Member& last = *m_members.back();
        m_retired.consumed += last.consumed;
        m_retired.persisted += last.persisted;
        m_retired.duplicates += last.duplicates;
        m_retired.deadLetters += last.deadLetters;
        m_retired.batches += last.batches;
        m_members.pop_back();
    }
    m_options.members = members;
    m_memberCount = members;
}

void Sink::setPaused(bool paused) {
    m_paused = paused;
}

void Sink::stop() {
    m_stopping = true;
    const int running = m_memberCount.load();
    setMembers(0);
    m_options.members = running; // a later start() brings back as many
}

void Sink::setMaxRowsPerSecond(double rowsPerSec) {
    m_maxRowsPerSec = std::max(0.0, rowsPerSec);
}

void Sink::setCeilingPerMember(bool perMember) {
    m_ceilingPerMember = perMember;
}

void Sink::throttle(qint64 rows, double& nextFreeSec) {
    const double rate = m_maxRowsPerSec.load();
    if (rate <= 0 || rows <= 0)
        return;
    const auto reserve = [&](double& next) {
        const double startAt = std::max(next, steadySeconds());
        next = startAt + static_cast<double>(rows) / rate;
        return startAt;
    };
    double startAt = 0;
    if (m_ceilingPerMember.load()) {
        startAt = reserve(nextFreeSec);
    } else {
        std::lock_guard lock(m_throttleMutex);
        startAt = reserve(m_throttleNextFreeSec);
    }
    while (!m_stopping.load()) {
        const double wait = startAt - steadySeconds();
        if (wait <= 0)
            break;
        std::this_thread::sleep_for(std::chrono::duration<double>(std::min(wait, 0.05)));
    }
}

void Sink::reportProblem(const QString& message) {
    {
        std::lock_guard lock(m_errorMutex);
        m_lastError = message;
    }
    emit problem(message);
}

void Sink::reportRecovered(const QString& message) {
    emit recovered(message);
}

SinkStatus Sink::status() const {
    SinkStatus s;
    std::unique_lock members(m_membersMutex);
    s.consumed = m_retired.consumed;
    s.persisted = m_retired.persisted;
    s.duplicates = m_retired.duplicates;
    s.deadLetters = m_retired.deadLetters;
    s.batches = m_retired.batches;
    for (const auto& m : m_members) {
        s.consumed += m->consumed;
        s.persisted += m->persisted;
        s.duplicates += m->duplicates;
        s.deadLetters += m->deadLetters;
        s.batches += m->batches;
        s.assignments << m->assigned();
        s.members += m->failed() ? 0 : 1;
    }
    members.unlock();
    s.strayDropped = m_strayMessages.load();
    s.gapsRechecked = m_gapsRechecked.load();
    s.fencedBatches = m_fencedBatches.load();
    s.paused = m_paused.load();
    s.databaseUp = m_databaseDownMembers.load() == 0;
    std::lock_guard lock(m_errorMutex);
    s.lastError = m_lastError;
    return s;
}

} // namespace loadlevel::kafka
