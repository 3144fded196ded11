#pragma once

#include "load/capacity.h"

#include <QChartView>

class QLineSeries;
class QScatterSeries;
class QValueAxis;

namespace loadlevel::ui {

// A capacity search step by step: the rate tried (x) against the p99 response latency (left axis;
// green when the rate was sustained, red when not) and the backlog's growth, the lag slope (right
// axis, events/s). The budget is a dashed line (when it is near the points; far above, it would
// flatten them); the title says what the search concluded.
// Thread: the UI thread.
class CapacityChart final : public QChartView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CapacityChart)
public:
    explicit CapacityChart(QWidget* parent = nullptr);

    void start(const load::CapacityOptions& options); // forgets the last search
    void addStep(const load::CapacityStep& step);
    void finish(const load::CapacityResult& result);

    [[nodiscard]] int steps() const { return static_cast<int>(m_steps.size()); }
    [[nodiscard]] QString title() const;
    // Points drawn per series: p99 sustained, p99 not sustained, lag slope.
    [[nodiscard]] QList<int> pointCounts() const;

private:
    void rescale();

    load::CapacityOptions m_options;
    std::vector<load::CapacityStep> m_steps;
    QScatterSeries* m_held;
    QScatterSeries* m_notHeld;
    QScatterSeries* m_slope;
    QLineSeries* m_budget;
    QValueAxis* m_x;
    QValueAxis* m_p99;
    QValueAxis* m_lag;
};

} // namespace loadlevel::ui
