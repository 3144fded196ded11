#include "ui/live_chart.h"

#include <QChart>
#include <algorithm>

namespace loadlevel::ui {

LiveChart::LiveChart(const QString& title, const QString& unit, const QStringList& names, QWidget* parent)
    : QChartView(parent)
    , m_x(new QValueAxis)
    , m_y(new QValueAxis) {
    // Three of these stack in one tab: the unit goes into the title and the legend to the side,
    // so the axis labels keep their room (no "…" labels, no clipped axis titles).
    auto* c = new QChart;
    c->setTitle(QStringLiteral("%1 (%2)").arg(title, unit));
    c->setMargins(QMargins(4, 2, 4, 2));
    m_x->setRange(-m_windowSec, 0);
    m_x->setTickCount(5);
    m_x->setLabelFormat(QStringLiteral("%d s"));
    m_y->setRange(0, 10);
    m_y->setLabelFormat(QStringLiteral("%d"));
    c->addAxis(m_x, Qt::AlignBottom);
    c->addAxis(m_y, Qt::AlignLeft);
    c->legend()->setAlignment(Qt::AlignRight);
    setChart(c);
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(180);
    setSeriesNames(names);
    m_redraw.setSingleShot(true);
    m_redraw.setInterval(40);
    connect(&m_redraw, &QTimer::timeout, this, &LiveChart::redraw);
}

void LiveChart::setSeriesNames(const QStringList& names) {
    while (m_series.size() < static_cast<size_t>(names.size())) {
        auto* s = new QLineSeries;
        chart()->addSeries(s);
        s->attachAxis(m_x);
        s->attachAxis(m_y);
        m_series.push_back(s);
        m_rings.emplace_back();
    }
    for (qsizetype i = 0; i < names.size(); ++i)
        m_series[static_cast<size_t>(i)]->setName(names[i]);
}

void LiveChart::append(double t, const QList<double>& values) {
    for (size_t i = 0; i < m_rings.size() && i < static_cast<size_t>(values.size()); ++i) {
        auto& ring = m_rings[i];
        ring.emplace_back(t, values[static_cast<qsizetype>(i)]);
        while (!ring.empty() && ring.front().x() < t - m_windowSec)
            ring.pop_front();
    }
    if (!m_redraw.isActive())
        m_redraw.start();
}

void LiveChart::redraw() {
    double now = 0;
    for (const auto& ring : m_rings)
        if (!ring.empty())
            now = std::max(now, ring.back().x());
    double top = 10;
    for (size_t i = 0; i < m_rings.size(); ++i) {
        QList<QPointF> points;
        points.reserve(static_cast<qsizetype>(m_rings[i].size()));
        for (const QPointF& p : m_rings[i]) {
            points << QPointF(p.x() - now, p.y());
            top = std::max(top, p.y());
        }
        m_series[i]->replace(points);
    }
    m_x->setRange(-m_windowSec, 0);
    m_y->setRange(0, top * 1.1);
    m_y->applyNiceNumbers(); // round ticks (0, 1000, 2000, …), not 1375, 2750
}

} // namespace loadlevel::ui
