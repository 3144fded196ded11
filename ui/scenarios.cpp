#include "ui/scenarios.h"

#include "load/report.h"
#include "ui/capacity_chart.h"
#include "ui/faults_panel.h"
#include "ui/fire_panel.h"
#include "ui/http_panel.h"
#include "ui/main_window.h"
#include "ui/runs_panel.h"
#include "ui/sink_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGroupBox>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <memory>

namespace loadlevel::ui {

namespace {
constexpr int kTickMs = 100;

QString count(qint64 n) {
    return QLocale().toString(n);
}

// The Live tab, its charts framing the run (the scenarios' runs are short).
void showTheRun(MainWindow& w) {
    w.showTab(0);
    w.livePanel()->windowBox()->setCurrentIndex(w.livePanel()->windowBox()->findData(0));
}

void startPaced(MainWindow& w, int rate, int seconds) {
    showTheRun(w);
    w.firePanel()->rateBox()->setValue(rate);
    w.firePanel()->durationBox()->setValue(seconds);
    w.firePanel()->pacedButton()->click();
}
} // namespace

ScenarioPlayer::ScenarioPlayer(MainWindow& window)
    : QObject(&window)
    , m_window(window) {
    m_timer.setInterval(kTickMs);
    connect(&m_timer, &QTimer::timeout, this, &ScenarioPlayer::tick);
}

const std::vector<std::pair<QString, QString>>& ScenarioPlayer::catalogue() {
    static const std::vector<std::pair<QString, QString>> names{
        {QStringLiteral("burst"), tr("Burst vs a slow database")},
        {QStringLiteral("outage"), tr("Broker outage")},
        {QStringLiteral("poison"), tr("Poison messages")},
        {QStringLiteral("scale"), tr("Scale the consumers")},
        {QStringLiteral("capacity"), tr("Find the capacity")}};
    return names;
}

bool ScenarioPlayer::play(const QString& name) {
    if (isPlaying() || m_window.isRunning() || !m_window.isReady()) {
        emit finished(tr("A run is going on or the pipeline is not ready: try again when it is idle."),
                      false);
        return false;
    }
    if (name == u"burst")
        m_steps = burst();
    else if (name == u"outage")
        m_steps = outage();
    else if (name == u"poison")
        m_steps = poison();
    else if (name == u"scale")
        m_steps = scale();
    else if (name == u"capacity")
        m_steps = capacity();
    else {
        QStringList names;
        for (const auto& [n, title] : catalogue())
            names << n;
        emit finished(tr("No scenario named '%1' (there are: %2)").arg(name, names.join(u", ")), false);
        return false;
    }
    m_name = name;
    m_said.clear();
    m_card.clear();
    m_facts.clear();
    m_peakLag = 0;
    m_peakAtMs = m_drainedAtMs = -1;
    m_deadLettersBefore = m_window.lastSnapshot().totals.deadLetters;
    m_clock.start();
    m_timer.start();
    begin(0);
    return true;
}

void ScenarioPlayer::stop() {
    if (isPlaying())
        end(false, tr("stopped"));
}

void ScenarioPlayer::begin(size_t index) {
    m_step = index;
    if (m_step >= m_steps.size()) {
        end(true);
        return;
    }
    Step& s = m_steps[m_step];
    m_stepClock.start();
    if (!s.line.isEmpty()) {
        m_said << s.line;
        emit say(s.line);
    }
    if (s.act)
        s.act();
}

void ScenarioPlayer::tick() {
    watchLag();
    const Step& s = m_steps[m_step];
    if (m_stepClock.elapsed() < s.atLeastMs)
        return;
    if (!s.until || s.until()) {
        begin(m_step + 1);
        return;
    }
    if (m_stepClock.elapsed() > s.timeoutMs)
        end(false, tr("a step did not finish in %1 s: %2").arg(s.timeoutMs / 1000).arg(s.line));
}

void ScenarioPlayer::watchLag() {
    const auto& lag = m_window.lastSnapshot().lag;
    if (lag.isEmpty() || !lag.front().error.isEmpty())
        return;
    const qint64 total = lag.front().totalLag;
    if (total > m_peakLag) {
        m_peakLag = total;
        m_peakAtMs = m_clock.elapsed();
        m_drainedAtMs = -1;
    } else if (total <= std::max<qint64>(10, m_peakLag / 100) && m_peakLag > 0 && m_drainedAtMs < 0) {
        // Drained: back to what a steady flow keeps in flight (a few messages, not exactly 0).
        m_drainedAtMs = m_clock.elapsed();
    }
}

void ScenarioPlayer::end(bool ok, const QString& why) {
    m_timer.stop();
    m_card = card(ok, why);
    emit say(ok ? tr("Done.") : tr("Stopped: %1").arg(why));
    emit finished(m_card, ok);
}

QString ScenarioPlayer::card(bool ok, const QString& why) const {
    QString title;
    for (const auto& [n, t] : catalogue())
        if (n == m_name)
            title = t;
    QStringList facts;
    facts << tr("peak lag %1").arg(count(m_peakLag));
    if (m_peakLag >= 100 && m_peakAtMs >= 0 && m_drainedAtMs >= 0) // a backlog, not a batch in flight
        facts << tr("drained in %1 s").arg((m_drainedAtMs - m_peakAtMs) / 1000.0, 0, 'f', 1);
    if (const qint64 dead = m_window.lastSnapshot().totals.deadLetters - m_deadLettersBefore; dead > 0)
        facts << tr("dead letters %1").arg(count(dead));
    facts << m_facts;
    if (m_name == u"capacity") {
        facts << m_window.runsPanel()->capacityChart()->title();
    } else if (const auto reports = load::RunReport::list(m_window.settings().runsDir, 1); !reports.empty()) {
        const load::RunReport& r = reports.front();
        if (r.persist)
            facts << tr("send→row p50 %L1 ms, p99 %L2 ms")
                         .arg(r.persist->p50, 0, 'f', 0)
                         .arg(r.persist->p99, 0, 'f', 0);
        if (r.verification)
            facts << tr("acknowledged %1 · persisted %2 · missing %3 · duplicates %4")
                         .arg(count(r.verification->acked), count(r.verification->persisted),
                              count(r.verification->missing), count(r.verification->duplicates));
    }
    const QString verdict = ok ? tr("done") : tr("stopped: %1").arg(why.toHtmlEscaped());
    return QStringLiteral("<b>%1</b> (%2)<br>%3")
        .arg(title.toHtmlEscaped(), verdict, facts.join(QStringLiteral(" · ")).toHtmlEscaped());
}

std::vector<ScenarioPlayer::Step> ScenarioPlayer::burst() {
    MainWindow& w = m_window;
    return {
        {tr("The database takes 2,000 rows a second (the sink's ceiling); two sink members."),
         [&w] {
             showTheRun(w);
             w.sinkPanel()->membersBox()->setValue(2);
             w.sinkPanel()->ceilingBox()->setValue(2000);
         },
         {},
         1500},
        {tr("20,000 ratings arrive at once: Kafka acknowledges each as soon as it is stored."),
         [&w] {
             w.firePanel()->countBox()->setValue(20000);
             w.firePanel()->sendButton()->click();
         },
         [&w] {
             return w.firePanel()->ackedBar()->value() >= 20000;
         }},
        {tr("The queue holds the burst as lag; the sink drains it at the database's pace, 2,000 a second."),
         {},
         [&w] {
             return !w.isRunning();
         }},
        {tr("Every acknowledged rating is a row, once: the database never took more than it could."),
         [&w] { w.sinkPanel()->ceilingBox()->setValue(0); },
         {},
         1000},
    };
}

std::vector<ScenarioPlayer::Step> ScenarioPlayer::outage() {
    MainWindow& w = m_window;
    const bool embedded = w.faultsPanel()->isVisible();
    std::vector<Step> steps{{tr("A steady 500 ratings a second for 25 s through three brokers."),
                             [&w] { startPaced(w, 500, 25); },
                             [&w] {
                                 return w.firePanel()->ackedBar()->value() >= 2500;
                             }}};
    if (embedded) {
        steps.push_back(
            {tr("Broker 1 goes down: ratings for the partitions it leads wait in the producer and are "
                "retried; the sink cannot read them. Nothing acknowledged is lost."),
             [&w] {
                 if (!w.faultsPanel()->brokerDownButton()->isChecked())
                     w.faultsPanel()->brokerDownButton()->click();
             },
             {},
             7000});
        steps.push_back({tr("Broker 1 is back: the cluster heals, the backlog drains."),
                         [&w] {
                             if (w.faultsPanel()->brokerDownButton()->isChecked())
                                 w.faultsPanel()->brokerDownButton()->click();
                         },
                         {},
                         500});
    } else {
        steps.push_back({tr("On your cluster, stop one broker by hand now (and start it again after a few "
                            "seconds): Loadlevel keeps sending and will verify every row."),
                         {},
                         {},
                         10000});
    }
    steps.push_back({tr("The run ends and is verified: nothing lost, nothing twice."), {}, [&w] {
                         return !w.isRunning();
                     }});
    return steps;
}

std::vector<ScenarioPlayer::Step> ScenarioPlayer::poison() {
    MainWindow& w = m_window;
    return {
        {tr("A steady 300 ratings a second for 15 s."), [&w] { startPaced(w, 300, 15); },
         [&w] {
             return w.firePanel()->ackedBar()->value() >= 900;
         }},
        {tr("Three poison messages arrive among them: not JSON, a rating of 11 stars, a rating of no movie."),
         [&w] { w.sendPoison(); },
         {},
         2000},
        {tr("The sink sets each aside as a dead letter, with its reason, and goes on: the good ratings keep "
            "flowing, none is held up behind the bad ones."),
         {},
         [&w] {
             return !w.isRunning();
         }},
        {tr("The Persisted tab's dead letters keep them verbatim, with why they were refused."),
         [&w] {
             w.showTab(1);
             w.browser()->showDeadLetters();
         },
         {},
         1500},
    };
}

std::vector<ScenarioPlayer::Step> ScenarioPlayer::scale() {
    MainWindow& w = m_window;
    SinkPanel* sink = w.sinkPanel();
    // Ratings are keyed by movie and a few movies are popular, so partitions are not equal: the
    // busiest of three members gets nearly half the ratings, which must stay under its ceiling.
    constexpr int kRate = 1000;
    constexpr int kEach = 700;
    // When the members were added (ms into the scenario, lag then) and when the backlog was
    // gone again (under a second of arrivals) while ratings still arrived.
    struct Marks {
        qint64 runAtMs = -1, scaledAtMs = -1, scaledLag = 0, clearAtMs = -1;
    };
    auto marks = std::make_shared<Marks>();
    const auto lagNow = [&w] {
        const auto& lag = w.lastSnapshot().lag;
        return lag.isEmpty() || !lag.front().error.isEmpty() ? qint64(-1) : lag.front().totalLag;
    };
    return {
        {tr("Each sink member's database connection takes %L1 rows a second (a per-member ceiling); one "
            "member.")
             .arg(kEach),
         [&w, sink] {
             showTheRun(w);
             sink->membersBox()->setValue(1);
             sink->perMemberBox()->setChecked(true);
             sink->ceilingBox()->setValue(kEach);
         },
         {},
         1500},
        {tr("A steady %L1 ratings a second for 40 s: one member writes %L2 of them, and the lag grows by "
            "%L3 a second.")
             .arg(kRate)
             .arg(kEach)
             .arg(kRate - kEach),
         [this, &w, marks] {
             startPaced(w, kRate, 40);
             marks->runAtMs = m_clock.elapsed();
         },
         [&w] {
             return w.firePanel()->ackedBar()->value() >= kRate * 12;
         }},
        {tr("Two more members join: the group shares the partitions out again, then three connections write "
            "%L1 a second and the backlog drains while ratings still arrive.")
             .arg(3 * kEach),
         [this, sink, marks, lagNow] {
             marks->scaledAtMs = m_clock.elapsed();
             marks->scaledLag = std::max<qint64>(0, lagNow());
             sink->membersBox()->setValue(3);
         },
         [this, &w, marks, lagNow] {
             const qint64 lag = lagNow();
             const bool settled = m_clock.elapsed() > marks->scaledAtMs + 3000; // past the rebalance
             if (settled && lag >= 0 && lag < kRate && m_peakLag >= 2 * kRate)
                 marks->clearAtMs = m_clock.elapsed();
             return marks->clearAtMs >= 0 || !w.isRunning();
         }},
        {tr("The run ends and is verified: more members, more rows a second, nothing lost, nothing twice."),
         [this, marks] {
             if (marks->clearAtMs < 0) {
                 end(false, tr("the backlog did not drain while the run went on"));
                 return;
             }
             if (m_drainedAtMs < 0) // under a second of arrivals is drained while they go on
                 m_drainedAtMs = marks->clearAtMs;
             const double grewSec = (marks->scaledAtMs - marks->runAtMs) / 1000.0;
             const double fellSec = (marks->clearAtMs - m_peakAtMs) / 1000.0;
             m_facts << tr("1 member: lag grew %L1/s · 3 members: it fell %L2/s")
                            .arg(grewSec > 0 ? marks->scaledLag / grewSec : 0.0, 0, 'f', 0)
                            .arg(fellSec > 0 ? m_peakLag / fellSec : 0.0, 0, 'f', 0);
         },
         [&w] {
             return !w.isRunning();
         }},
        {{},
         [sink] {
             sink->ceilingBox()->setValue(0);
             sink->perMemberBox()->setChecked(false);
             sink->membersBox()->setValue(2);
         },
         {},
         500},
    };
}

std::vector<ScenarioPlayer::Step> ScenarioPlayer::capacity() {
    MainWindow& w = m_window;
    return {
        {tr("The database takes 1,700 rows a second; what rate does the whole pipeline sustain?"),
         [&w] {
             w.sinkPanel()->ceilingBox()->setValue(1700);
             RunsPanel* runs = w.runsPanel();
             w.showTab(2);
             runs->profileBox()->setCurrentIndex(runs->profileBox()->findText(tr("Capacity search")));
             runs->targetBox()->setCurrentIndex(0);
             runs->capacityStartBox()->setValue(500);
             runs->capacityHoldBox()->setValue(5);
             runs->capacityP99Box()->setValue(2000);
             runs->capacityToleranceBox()->setValue(20);
         },
         {},
         1000},
        {tr("Constant runs of 5 s, doubling the rate until the backlog grows, then halving the bracket."),
         [&w] { w.runsPanel()->startButton()->click(); }, [&w] { return !w.isRunning(); }, 1000, 600000},
        {tr("The rate found is the database's, not the producer's: the queue levels the rest."),
         [&w] { w.sinkPanel()->ceilingBox()->setValue(0); },
         {},
         1000},
    };
}

} // namespace loadlevel::ui
