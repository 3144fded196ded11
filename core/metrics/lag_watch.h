#pragma once

#include "metrics/lag_monitor.h"

#include <atomic>
#include <memory>

namespace loadlevel::metrics {

// The total lag of a LagMonitor's first group, as last observed, for code that only needs the
// number (the capacity search and the drain test, in the CLI and the desktop alike). Starts the
// monitor; stops it on destruction.
// Thread: lag() and observations() from any thread; the monitor's thread updates them.
class LagWatch {
public:
    explicit LagWatch(std::unique_ptr<LagMonitor> monitor);
    ~LagWatch();
    LagWatch(const LagWatch&) = delete;
    LagWatch& operator=(const LagWatch&) = delete;
    // The group's total lag as last observed; -1 before the first observation or after an error.
    [[nodiscard]] qint64 lag() const { return m_lag.load(); }
    // How many observations there have been. An observation counts when it ends, so one that began
    // before a moment may end after it: only the second after `mark` surely began after it.
    [[nodiscard]] qint64 observations() const { return m_observations.load(); }
    [[nodiscard]] bool freshSince(qint64 mark) const { return observations() >= mark + 2; }

private:
    std::unique_ptr<LagMonitor> m_monitor;
    std::atomic<qint64> m_lag{-1};
    std::atomic<qint64> m_observations{0};
};

} // namespace loadlevel::metrics
