#include "metrics/lag_watch.h"

namespace loadlevel::metrics {

LagWatch::LagWatch(std::unique_ptr<LagMonitor> monitor)
    : m_monitor(std::move(monitor)) {
    QObject::connect(
        m_monitor.get(), &LagMonitor::updated, m_monitor.get(),
        [this](const QList<GroupLag>& groups) {
            const bool known = !groups.isEmpty() && groups.first().error.isEmpty();
            m_lag.store(known ? groups.first().totalLag : -1);
            ++m_observations;
        },
        Qt::DirectConnection);
    m_monitor->start();
}

LagWatch::~LagWatch() {
    m_monitor->stop();
}

} // namespace loadlevel::metrics
