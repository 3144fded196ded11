#include "ui/live_chart.h"

#include "ui/nice_step.h"

#include <QChart>
#include <QContextMenuEvent>
#include <QFile>
#include <QFileDialog>
#include <QMenu>
#include <QTextStream>
#include <QToolTip>
#include <algorithm>
#include <cmath>

namespace loadlevel::ui {

namespace {

QString formatValue(double v) {
    if (std::abs(v) >= 100 || v == std::floor(v))
        return QStringLiteral("%L1").arg(v, 0, 'f', 0);
    return QStringLiteral("%L1").arg(v, 0, 'f', 1);
}

} // namespace

LiveChart::LiveChart(const QString& title, const QString& unit, const QStringList& names, QWidget* parent)
    : QChartView(parent)
    , m_title(title)
    , m_unit(unit)
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
    setMinimumHeight(140); // three stack in a window that fits 1366×768
    setToolTip(tr("Hover a line for its value; right-click to save the chart as PNG or its data as CSV"));
    setSeriesNames(names);
    m_redraw.setSingleShot(true);
    m_redraw.setInterval(100); // ~10 Hz, however often points come in
    connect(&m_redraw, &QTimer::timeout, this, &LiveChart::redraw);
}

void LiveChart::setSeriesNames(const QStringList& names) {
    while (m_series.size() < static_cast<size_t>(names.size())) {
        auto* s = new QLineSeries;
        chart()->addSeries(s);
        s->attachAxis(m_x);
        s->attachAxis(m_y);
        connect(s, &QLineSeries::hovered, this, &LiveChart::showHover);
        m_series.push_back(s);
        m_rings.emplace_back();
    }
    for (qsizetype i = 0; i < names.size(); ++i)
        if (m_series[static_cast<size_t>(i)]->name() != names[i])
            m_series[static_cast<size_t>(i)]->setName(names[i]);
}

QStringList LiveChart::seriesNames() const {
    QStringList out;
    for (const QLineSeries* s : m_series)
        out << s->name();
    return out;
}

qsizetype LiveChart::drawnPoints() const {
    qsizetype n = 0;
    for (const QLineSeries* s : m_series)
        n += s->count();
    return n;
}

void LiveChart::setWindowSeconds(double seconds) {
    m_windowSec = std::clamp(seconds, 10.0, kMaxWindowSec);
    redraw();
}

void LiveChart::setSpan(double start, double end) {
    m_spanStart = std::max(0.0, start);
    m_spanEnd = end;
    redraw();
}

void LiveChart::clearSpan() {
    m_spanStart = m_spanEnd = -1;
    redraw();
}

void LiveChart::addMarker(double t, const QString& label) {
    m_markers.emplace_back(t, label);
    while (!m_markers.empty() && m_markers.front().first < t - kMaxWindowSec)
        m_markers.pop_front();
    if (!m_paused && !m_redraw.isActive())
        m_redraw.start();
}

QStringList LiveChart::drawnMarkers() const {
    return m_drawnMarkers;
}

void LiveChart::setUnit(const QString& unit) {
    m_unit = unit;
    chart()->setTitle(QStringLiteral("%1 (%2)").arg(m_title, unit));
}

void LiveChart::setPaused(bool paused) {
    m_paused = paused;
    if (paused)
        m_redraw.stop(); // a redraw already due would change the frozen picture
    else
        redraw();
}

void LiveChart::clear() {
    for (auto& ring : m_rings)
        ring.clear();
    m_markers.clear();
    redraw();
}

void LiveChart::append(double t, const QList<double>& values) {
    for (size_t i = 0; i < m_rings.size() && i < static_cast<size_t>(values.size()); ++i) {
        auto& ring = m_rings[i];
        ring.emplace_back(t, values[static_cast<qsizetype>(i)]);
        while (!ring.empty() && ring.front().x() < t - kMaxWindowSec)
            ring.pop_front();
    }
    if (!m_paused && !m_redraw.isActive())
        m_redraw.start();
}

void LiveChart::redraw() {
    double now = 0;
    for (const auto& ring : m_rings)
        if (!ring.empty())
            now = std::max(now, ring.back().x());
    m_now = now;
    // The x range in chart coordinates (lo..hi) and the time at 0 (origin).
    double lo = -m_windowSec, hi = 0;
    m_origin = now;
    if (m_spanStart >= 0) {
        m_origin = m_spanStart;
        const double end = m_spanEnd >= 0 ? m_spanEnd + 3 : now;
        lo = -1;
        hi = std::max(10.0, end - m_spanStart);
    }
    const double from = m_origin + lo, to = m_origin + hi;
    // About one min/max pair per two pixels of plot width.
    const int buckets = std::max(50, static_cast<int>(chart()->plotArea().width() / 2));
    const double bucketSec = (hi - lo) / buckets;
    double top = 10;
    std::vector<QList<QPointF>> lines(m_series.size());
    for (size_t i = 0; i < m_rings.size(); ++i) {
        const auto& ring = m_rings[i];
        auto first = std::lower_bound(ring.begin(), ring.end(), from,
                                      [](const QPointF& p, double x) { return p.x() < x; });
        auto last =
            std::upper_bound(first, ring.end(), to, [](double x, const QPointF& p) { return x < p.x(); });
        const auto inWindow = std::distance(first, last);
        QList<QPointF> points;
        if (inWindow <= 2 * buckets) {
            points.reserve(inWindow);
            for (auto it = first; it != last; ++it)
                points << QPointF(it->x() - m_origin, it->y());
        } else {
            points.reserve(2 * buckets + 2);
            auto it = first;
            while (it != last) {
                const double end = from + (std::floor((it->x() - from) / bucketSec) + 1) * bucketSec;
                QPointF low = *it, high = *it;
                for (; it != last && it->x() < end; ++it) {
                    if (it->y() < low.y())
                        low = *it;
                    if (it->y() > high.y())
                        high = *it;
                }
                // In time order, so the line goes through both extremes of the bucket.
                const QPointF& a = low.x() <= high.x() ? low : high;
                const QPointF& b = low.x() <= high.x() ? high : low;
                points << QPointF(a.x() - m_origin, a.y());
                if (b != a)
                    points << QPointF(b.x() - m_origin, b.y());
            }
        }
        for (const QPointF& p : points)
            top = std::max(top, p.y());
        lines[i] = std::move(points);
    }
    // Axis changes re-create the axis labels (text layout): only when something changed.
    if (m_x->min() != lo || m_x->max() != hi) {
        m_x->setRange(lo, hi);
        if (m_spanStart >= 0) { // ticks on round seconds from the run's start
            m_x->setTickType(QValueAxis::TicksDynamic);
            m_x->setTickAnchor(0);
            m_x->setTickInterval(niceStep((hi - lo) / 6));
        } else {
            m_x->setTickType(QValueAxis::TicksFixed);
            m_x->setTickCount(5);
        }
        m_x->setTitleText(m_spanStart >= 0 ? tr("seconds since the run started") : QString());
    }
    // Every geometry Qt Charts computes must have its points inside the axis range: a point far
    // off the scale (a 1M-lag spike against the previous 0..10 range) makes the line's stroke
    // (its hover shape) enormous, and computing it stalled the UI thread for up to 400 ms. So a
    // growing range is set before the new points, a shrinking one after them. The range shrinks
    // only when the data uses less than 40% of it, so the labels do not change at every redraw.
    const double want = top * 1.1;
    const bool grows = want > m_y->max();
    const bool shrinks = want < m_y->max() * 0.4;
    const auto applyRange = [this, want] {
        m_y->setRange(0, want);
        m_y->applyNiceNumbers(); // round ticks (0, 1000, 2000, …), not 1375, 2750
    };
    if (grows)
        applyRange();
    for (size_t i = 0; i < m_series.size(); ++i)
        m_series[i]->replace(lines[i]);
    if (shrinks)
        applyRange();
    drawMarkers(lo, hi);
}

void LiveChart::drawMarkers(double lo, double hi) {
    for (auto& [line, text] : m_markerItems) {
        delete line;
        delete text;
    }
    m_markerItems.clear();
    m_drawnMarkers.clear();
    const QRectF plot = chart()->plotArea();
    const QColor color = chart()->legend()->labelColor();
    QPen pen(color);
    pen.setStyle(Qt::DashLine);
    double lastLabelEnd = -1e9; // labels that would overlap step down a line
    int row = 0;
    for (const auto& [t, label] : m_markers) {
        const double x = t - m_origin;
        if (x < lo || x > hi)
            continue;
        const double px = plot.left() + (x - lo) / (hi - lo) * plot.width();
        auto* line = new QGraphicsLineItem(px, plot.top(), px, plot.bottom(), chart());
        line->setPen(pen);
        line->setZValue(10);
        auto* text = new QGraphicsSimpleTextItem(label, chart());
        text->setBrush(color);
        QFont small = text->font();
        small.setPointSizeF(small.pointSizeF() * 0.85);
        text->setFont(small);
        row = px < lastLabelEnd ? row + 1 : 0;
        text->setPos(px + 3, plot.top() + 2 + row * text->boundingRect().height());
        text->setZValue(11);
        lastLabelEnd = px + 3 + text->boundingRect().width();
        m_markerItems.emplace_back(line, text);
        m_drawnMarkers << label;
    }
}

QString LiveChart::valuesAt(double relativeT) const {
    const double t = m_origin + relativeT;
    QStringList lines;
    for (size_t i = 0; i < m_rings.size(); ++i) {
        const auto& ring = m_rings[i];
        if (ring.empty())
            continue;
        auto it = std::lower_bound(ring.begin(), ring.end(), t,
                                   [](const QPointF& p, double x) { return p.x() < x; });
        if (it == ring.end())
            --it;
        else if (it != ring.begin() && std::abs(std::prev(it)->x() - t) < std::abs(it->x() - t))
            --it;
        lines << QStringLiteral("%1: %2 %3").arg(m_series[i]->name(), formatValue(it->y()), m_unit);
    }
    return QStringLiteral("%1 s\n").arg(relativeT, 0, 'f', 1) + lines.join(u'\n');
}

void LiveChart::showHover(const QPointF& point, bool state) {
    if (!state) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(QCursor::pos(), valuesAt(point.x()), this);
}

void LiveChart::writeCsv(QIODevice& out, bool header) const {
    QTextStream s(&out);
    if (header)
        s << "chart,series,time_s,value\r\n";
    for (size_t i = 0; i < m_rings.size(); ++i)
        for (const QPointF& p : m_rings[i])
            s << '"' << m_title << "\",\"" << m_series[i]->name() << "\"," << QString::number(p.x(), 'f', 3)
              << ',' << QString::number(p.y(), 'g', 10) << "\r\n";
    for (const auto& [t, label] : m_markers)
        s << '"' << m_title << "\",\"marker\"," << QString::number(t, 'f', 3) << ",\""
          << QString(label).replace(u'"', QStringLiteral("\"\"")) << "\"\r\n";
}

void LiveChart::contextMenuEvent(QContextMenuEvent* event) {
    QMenu menu(this);
    menu.addAction(m_paused ? tr("Resume") : tr("Pause"), this, [this] { setPaused(!m_paused); });
    menu.addSeparator();
    menu.addAction(tr("Save chart as PNG…"), this, [this] {
        const QString file =
            QFileDialog::getSaveFileName(this, tr("Save chart"), m_title + u".png", tr("PNG images (*.png)"));
        if (!file.isEmpty())
            grab().save(file, "PNG");
    });
    menu.addAction(tr("Save data as CSV…"), this, [this] {
        const QString file = QFileDialog::getSaveFileName(this, tr("Save chart data"), m_title + u".csv",
                                                          tr("CSV files (*.csv)"));
        if (file.isEmpty())
            return;
        QFile f(file);
        if (f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            writeCsv(f);
    });
    menu.exec(event->globalPos());
}

} // namespace loadlevel::ui
