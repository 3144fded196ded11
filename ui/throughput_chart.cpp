#include "ui/throughput_chart.h"

#include <QChart>
#include <algorithm>

namespace loadlevel::ui {

ThroughputChart::ThroughputChart(QWidget* parent)
    : QChartView(parent)
    , m_ackedSeries(new QLineSeries)
    , m_persistedSeries(new QLineSeries)
    , m_x(new QValueAxis)
    , m_y(new QValueAxis) {
    auto* c = new QChart;
    c->setTitle(tr("Throughput (ratings/s)"));
    m_ackedSeries->setName(tr("acknowledged by Kafka"));
    m_persistedSeries->setName(tr("persisted"));
    c->addSeries(m_ackedSeries);
    c->addSeries(m_persistedSeries);
    m_x->setRange(-kWindowSec, 0);
    m_x->setTitleText(tr("seconds"));
    m_x->setLabelFormat(QStringLiteral("%d"));
    m_y->setRange(0, 100);
    m_y->setLabelFormat(QStringLiteral("%d"));
    c->addAxis(m_x, Qt::AlignBottom);
    c->addAxis(m_y, Qt::AlignLeft);
    for (QLineSeries* s : {m_ackedSeries, m_persistedSeries}) {
        s->attachAxis(m_x);
        s->attachAxis(m_y);
    }
    c->legend()->setAlignment(Qt::AlignBottom);
    setChart(c);
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(220);
    m_redraw.setSingleShot(true);
    m_redraw.setInterval(40);
    connect(&m_redraw, &QTimer::timeout, this, &ThroughputChart::redraw);
}

void ThroughputChart::addSnapshot(const metrics::Snapshot& s) {
    const qint64 now = s.at.toMSecsSinceEpoch();
    if (m_startMs == 0) {
        m_startMs = now;
        m_lastMs = now;
        m_last = s.totals;
        return;
    }
    const double dt = (now - m_lastMs) / 1000.0;
    if (dt < 0.2) // rates over at least 200 ms: steadier lines
        return;
    const double t = (now - m_startMs) / 1000.0;
    m_acked.emplace_back(t, (s.totals.acked - m_last.acked) / dt);
    m_persisted.emplace_back(t, (s.totals.persisted - m_last.persisted) / dt);
    m_lastMs = now;
    m_last = s.totals;
    for (auto* ring : {&m_acked, &m_persisted})
        while (!ring->empty() && ring->front().x() < t - kWindowSec)
            ring->pop_front();
    if (!m_redraw.isActive())
        m_redraw.start();
}

void ThroughputChart::redraw() {
    if (m_acked.empty())
        return;
    const double now = m_acked.back().x();
    double top = 10;
    QList<QPointF> a, p;
    a.reserve(static_cast<qsizetype>(m_acked.size()));
    p.reserve(static_cast<qsizetype>(m_persisted.size()));
    for (const QPointF& pt : m_acked) {
        a << QPointF(pt.x() - now, pt.y());
        top = std::max(top, pt.y());
    }
    for (const QPointF& pt : m_persisted) {
        p << QPointF(pt.x() - now, pt.y());
        top = std::max(top, pt.y());
    }
    m_ackedSeries->replace(a);
    m_persistedSeries->replace(p);
    m_y->setRange(0, top * 1.1);
    m_y->applyNiceNumbers(); // round ticks (0, 1000, 2000, …), not 1375, 2750
}

} // namespace loadlevel::ui
