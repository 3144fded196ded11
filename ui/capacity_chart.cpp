#include "ui/capacity_chart.h"

#include "ui/nice_step.h"

#include <QLineSeries>
#include <QLocale>
#include <QPen>
#include <QScatterSeries>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

namespace loadlevel::ui {

CapacityChart::CapacityChart(QWidget* parent)
    : QChartView(parent)
    , m_held(new QScatterSeries)
    , m_notHeld(new QScatterSeries)
    , m_slope(new QScatterSeries)
    , m_budget(new QLineSeries)
    , m_x(new QValueAxis)
    , m_p99(new QValueAxis)
    , m_lag(new QValueAxis) {
    auto* c = new QChart;
    c->setMargins(QMargins(4, 4, 4, 4));
    m_held->setName(tr("p99, held"));
    m_held->setColor(QColor(0x2e, 0x7d, 0x32));
    m_notHeld->setName(tr("p99, not held"));
    m_notHeld->setColor(QColor(0xc6, 0x28, 0x28));
    m_slope->setName(tr("lag slope"));
    m_slope->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
    m_slope->setMarkerSize(8);
    m_slope->setColor(QColor(0x15, 0x65, 0xc0));
    m_budget->setName(tr("budget"));
    QPen dashed(QColor(0x75, 0x75, 0x75));
    dashed.setStyle(Qt::DashLine);
    m_budget->setPen(dashed);
    for (QAbstractSeries* s : std::initializer_list<QAbstractSeries*>{m_budget, m_held, m_notHeld, m_slope})
        c->addSeries(s);
    m_x->setTitleText(tr("rate tried, events/s"));
    m_x->setLabelFormat(QStringLiteral("%.0f"));
    m_p99->setTitleText(tr("p99 ms"));
    m_p99->setLabelFormat(QStringLiteral("%g"));
    m_lag->setTitleText(tr("lag slope /s"));
    m_lag->setLabelFormat(QStringLiteral("%g"));
    c->addAxis(m_x, Qt::AlignBottom);
    c->addAxis(m_p99, Qt::AlignLeft);
    c->addAxis(m_lag, Qt::AlignRight);
    for (QAbstractSeries* s : std::initializer_list<QAbstractSeries*>{m_budget, m_held, m_notHeld}) {
        s->attachAxis(m_x);
        s->attachAxis(m_p99);
    }
    m_slope->attachAxis(m_x);
    m_slope->attachAxis(m_lag);
    c->legend()->setAlignment(Qt::AlignBottom);
    setChart(c);
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(220);
    start({});
}

void CapacityChart::start(const load::CapacityOptions& options) {
    m_options = options;
    m_steps.clear();
    for (QScatterSeries* s : {m_held, m_notHeld, m_slope})
        s->clear();
    chart()->setTitle(tr("Capacity search: from %L1/s, %2 s per step, p99 ≤ %L3 ms")
                          .arg(options.startRate, 0, 'f', 0)
                          .arg(options.holdSeconds)
                          .arg(options.p99BudgetMs, 0, 'f', 0));
    rescale();
}

void CapacityChart::addStep(const load::CapacityStep& step) {
    m_steps.push_back(step);
    (step.sustained ? m_held : m_notHeld)->append(step.rate, step.p99Ms);
    if (step.lagWatched)
        m_slope->append(step.rate, step.lagSlope);
    chart()->setTitle(tr("Capacity search: step %1, %L2/s %3")
                          .arg(m_steps.size())
                          .arg(step.rate, 0, 'f', 0)
                          .arg(step.sustained ? tr("sustained") : tr("not sustained: %1").arg(step.why)));
    rescale();
}

void CapacityChart::finish(const load::CapacityResult& result) {
    chart()->setTitle(tr("Capacity: %1").arg(result.conclusion));
}

QString CapacityChart::title() const {
    return chart()->title();
}

QList<int> CapacityChart::pointCounts() const {
    return {static_cast<int>(m_held->count()), static_cast<int>(m_notHeld->count()),
            static_cast<int>(m_slope->count())};
}

void CapacityChart::rescale() {
    double maxRate = m_options.startRate * 2, maxP99 = 1, minSlope = 0, maxSlope = 1;
    for (const auto& s : m_steps) {
        maxRate = std::max(maxRate, s.rate);
        maxP99 = std::max(maxP99, s.p99Ms);
        if (s.lagWatched) {
            minSlope = std::min(minSlope, s.lagSlope);
            maxSlope = std::max(maxSlope, s.lagSlope);
        }
    }
    m_x->setRange(0, maxRate * 1.1);
    // The budget line is drawn when it is near the points; far above them it would flatten them all.
    double top = maxP99 * 1.3;
    if (m_options.p99BudgetMs <= 3 * top)
        top = std::max(top, m_options.p99BudgetMs * 1.1);
    m_p99->setRange(0, top);
    for (QValueAxis* axis : {m_x, m_p99, m_lag}) {
        // Ticks on round numbers from 0 (0, 20, 40, …), five or so over the range.
        const double step = niceStep((axis->max() - axis->min()) / 6);
        axis->setTickType(QValueAxis::TicksDynamic);
        axis->setTickAnchor(0);
        axis->setTickInterval(step);
    }
    m_lag->setRange(minSlope * 1.1, maxSlope * 1.1);
    m_budget->replace({QPointF(0, m_options.p99BudgetMs), QPointF(maxRate * 1.1, m_options.p99BudgetMs)});
}

} // namespace loadlevel::ui
