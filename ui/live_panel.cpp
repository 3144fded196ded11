#include "ui/live_panel.h"

#include "metrics/lag_monitor.h"

#include <QChart>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QVBoxLayout>

namespace loadlevel::ui {

namespace {
constexpr int kTheRun = 0; // the window combo's data for "the run"

bool isDark(const QPalette& p) {
    return p.color(QPalette::Window).lightness() < 128;
}
} // namespace

LivePanel::LivePanel(QWidget* parent)
    : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    m_window = new QComboBox;
    m_window->addItem(tr("last minute"), 60);
    m_window->addItem(tr("last 5 minutes"), 300);
    m_window->addItem(tr("last 15 minutes"), 900);
    m_window->addItem(tr("the run"), kTheRun);
    m_window->setToolTip(tr("How much time the charts show; \"the run\" frames the last run from its start "
                            "to a little after its end (at least 10 s), so a short burst is drawn wide"));
    m_lagUnit = new QComboBox;
    m_lagUnit->addItem(tr("lag in messages"));
    m_lagUnit->addItem(tr("lag in seconds"));
    m_lagUnit->setToolTip(tr("Messages behind, or seconds behind: the age of the oldest event not yet "
                             "consumed (the time to drain at the current pace when the age is unknown)"));
    m_pause = new QPushButton(tr("Pause"));
    m_pause->setCheckable(true);
    m_pause->setToolTip(tr("Freeze the charts to look closely (Ctrl+P); data keeps being recorded"));
    auto* png = new QPushButton(tr("Save PNG…"));
    png->setToolTip(tr("Save the three charts as one PNG image"));
    auto* csv = new QPushButton(tr("Save CSV…"));
    csv->setToolTip(tr("Save every point and marker of the three charts (up to 15 minutes) as CSV"));
    bar->addWidget(new QLabel(tr("Show")));
    bar->addWidget(m_window);
    bar->addWidget(m_lagUnit);
    bar->addWidget(m_pause);
    bar->addStretch();
    bar->addWidget(png);
    bar->addWidget(csv);
    layout->addLayout(bar);
    m_story = new QLabel;
    m_story->setWordWrap(true);
    m_story->setStyleSheet(QStringLiteral("font-weight: bold; padding: 2px"));
    m_story->hide();
    m_card = new QLabel;
    m_card->setWordWrap(true);
    m_card->setTextFormat(Qt::RichText);
    m_card->setFrameShape(QFrame::StyledPanel);
    m_card->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_card->hide();
    layout->addWidget(m_story);
    layout->addWidget(m_card);
    m_throughput = new LiveChart(tr("Throughput"), tr("ratings/s"),
                                 {tr("produced"), tr("acknowledged"), tr("consumed"), tr("persisted")});
    m_lag = new LiveChart(tr("Consumer lag"), tr("messages"), {tr("total")});
    m_latency = new LiveChart(tr("End-to-end latency, last second (send → persisted)"), tr("ms"),
                              {tr("p50"), tr("p95"), tr("p99")});
    m_drain = new LiveText(1);
    m_drain->setToolTip(
        tr("The sink group's lag, how fast it shrinks (consumed minus produced), and when it "
           "will be gone at that pace: the slowest partition decides; skew 1× is an even drain"));
    layout->addWidget(m_throughput, 1);
    layout->addWidget(m_drain);
    layout->addWidget(m_lag, 1);
    layout->addWidget(m_latency, 1);
    // One chart painted per event-loop turn, not three at once (bench/ui-stall: the longest stall).
    m_lag->setRedrawDelay(133);
    m_latency->setRedrawDelay(166);

    connect(m_window, &QComboBox::currentIndexChanged, this, [this] {
        frame();
        QSettings().setValue(QStringLiteral("charts/window"), m_window->currentData().toInt());
    });
    connect(m_lagUnit, &QComboBox::currentIndexChanged, this, [this] {
        m_lag->clear(); // one unit per chart
        m_lag->setUnit(lagInSeconds() ? tr("seconds behind") : tr("messages"));
    });
    connect(m_pause, &QPushButton::toggled, this, [this](bool on) {
        m_pause->setText(on ? tr("Resume") : tr("Pause"));
        for (LiveChart* c : charts())
            c->setPaused(on);
    });
    connect(png, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getSaveFileName(
            this, tr("Save charts"), QStringLiteral("loadlevel-charts.png"), tr("PNG images (*.png)"));
        if (!f.isEmpty())
            exportPng(f);
    });
    connect(csv, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getSaveFileName(
            this, tr("Save chart data"), QStringLiteral("loadlevel-charts.csv"), tr("CSV files (*.csv)"));
        if (!f.isEmpty())
            exportCsv(f);
    });
    // The run framed by default: what a new user sends is drawn wide, not a spike at the edge.
    const int window = QSettings().value(QStringLiteral("charts/window"), kTheRun).toInt();
    m_window->setCurrentIndex(std::max(0, m_window->findData(window)));
}

bool LivePanel::lagInSeconds() const {
    return m_lagUnit->currentIndex() == 1;
}

void LivePanel::frame() {
    const int window = m_window->currentData().toInt();
    for (LiveChart* c : charts()) {
        if (window != kTheRun) {
            c->clearSpan();
            c->setWindowSeconds(window);
        } else if (m_runStart >= 0) {
            c->setSpan(m_runStart, m_runEnd);
        } else {
            c->clearSpan(); // no run yet: the last minute
            c->setWindowSeconds(60);
        }
    }
}

void LivePanel::runStarted() {
    m_runStart = std::max(0.0, m_t - 1);
    m_runEnd = -1;
    frame();
}

void LivePanel::runEnded() {
    if (m_runStart < 0)
        return;
    m_runEnd = m_t;
    frame();
}

void LivePanel::clear() {
    for (LiveChart* c : charts())
        c->clear();
    m_drain->setText(QString());
    m_firstSnapshotMs = 0;
    m_latencyHistory.clear();
    m_runStart = m_runEnd = -1;
    frame();
}

void LivePanel::setStory(const QString& line) {
    m_story->setText(line);
    m_story->setVisible(!line.isEmpty());
    if (!line.isEmpty())
        m_card->hide(); // a new story: the last card is history
}

void LivePanel::setCard(const QString& html, bool ok) {
    m_card->setText(html);
    m_card->setStyleSheet(ok ? QStringLiteral("padding: 6px")
                             : QStringLiteral("padding: 6px; color: #c62828"));
    m_card->setVisible(!html.isEmpty());
}

QString LivePanel::story() const {
    return m_story->text();
}

QString LivePanel::card() const {
    return m_card->text();
}

void LivePanel::mark(const QString& label) {
    for (LiveChart* c : charts())
        c->addMarker(m_t, label);
}

bool LivePanel::exportPng(const QString& file) {
    const bool ok = grab().save(file, "PNG");
    emit message(ok ? tr("Saved the charts to %1").arg(file) : tr("Cannot write %1").arg(file));
    return ok;
}

bool LivePanel::exportCsv(const QString& file) {
    QSaveFile f(file);
    if (!f.open(QIODevice::WriteOnly)) {
        emit message(tr("Cannot write %1: %2").arg(file, f.errorString()));
        return false;
    }
    bool header = true;
    for (LiveChart* c : charts()) {
        c->writeCsv(f, header);
        header = false;
    }
    if (!f.commit()) {
        emit message(tr("Cannot write %1: %2").arg(file, f.errorString()));
        return false;
    }
    emit message(tr("Saved the chart data to %1").arg(file));
    return true;
}

void LivePanel::applyTheme(const QPalette& palette) {
    // The charts follow the system palette: a dark theme on a dark desktop.
    const auto theme = isDark(palette) ? QChart::ChartThemeDark : QChart::ChartThemeLight;
    for (LiveChart* c : charts()) {
        if (c->chart()->theme() != theme)
            c->chart()->setTheme(theme);
        c->chart()->setBackgroundBrush(palette.color(QPalette::Base));
        c->chart()->setTitleBrush(palette.color(QPalette::Text));
        c->chart()->legend()->setLabelColor(palette.color(QPalette::Text));
    }
}

void LivePanel::onSnapshot(const metrics::Snapshot& s) {
    const qint64 now = s.at.toMSecsSinceEpoch();
    if (m_firstSnapshotMs == 0) {
        m_firstSnapshotMs = m_lastRateMs = now;
        m_lastTotals = s.totals;
        return;
    }
    const double t = m_t = (now - m_firstSnapshotMs) / 1000.0;
    // Rates over at least 200 ms keep the lines readable at 10 snapshots a second.
    if (const double dt = (now - m_lastRateMs) / 1000.0; dt >= 0.2) {
        m_persistedRate = (s.totals.persisted - m_lastTotals.persisted) / dt;
        m_throughput->append(t, {(s.totals.produced - m_lastTotals.produced) / dt,
                                 (s.totals.acked - m_lastTotals.acked) / dt,
                                 (s.totals.consumed - m_lastTotals.consumed) / dt, m_persistedRate});
        m_lastRateMs = now;
        m_lastTotals = s.totals;
    }
    if (!s.lag.isEmpty()) {
        const metrics::GroupLag& g = s.lag.front();
        // In seconds: the oldest unconsumed event's age; the time to drain when no age is known.
        auto seconds = [](double age, double toDrain) {
            return age >= 0 ? age : std::max(0.0, toDrain);
        };
        QStringList names{tr("total")};
        double oldest = -1;
        for (const auto& p : g.partitions)
            oldest = std::max(oldest, p.oldestAgeSeconds);
        QList<double> values{lagInSeconds() ? seconds(oldest, g.lagSeconds)
                                            : static_cast<double>(g.totalLag)};
        for (const auto& p : g.partitions) {
            names << tr("partition %1").arg(p.partition);
            values << (lagInSeconds() ? seconds(p.oldestAgeSeconds, p.lagSeconds)
                                      : static_cast<double>(p.lag));
        }
        m_lag->setSeriesNames(names);
        m_lag->append(t, values);
        m_drain->setText(tr("Consumer lag: %1").arg(metrics::drainText(g)));
    }
    // Latency percentiles over about the last second (not since the start).
    if (s.sendToPersistedCounts) {
        m_latencyHistory.emplace_back(now, s.sendToPersistedCounts);
        while (m_latencyHistory.size() > 2 && m_latencyHistory[1].first <= now - 1000)
            m_latencyHistory.pop_front();
        const auto window = s.sendToPersistedCounts->since(*m_latencyHistory.front().second);
        if (window.count > 0)
            m_latency->append(t, {window.percentile(50) / 1000.0, window.percentile(95) / 1000.0,
                                  window.percentile(99) / 1000.0});
    }
}

} // namespace loadlevel::ui
