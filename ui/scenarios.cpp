#include "ui/scenarios.h"

#include "load/report.h"
#include "ui/capacity_chart.h"
#include "ui/main_window.h"
#include "ui/runs_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGroupBox>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>

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
    w.rateBox()->setValue(rate);
    w.durationBox()->setValue(seconds);
    w.pacedButton()->click();
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
    } else if (total == 0 && m_peakLag > 0 && m_drainedAtMs < 0) {
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
    if (m_name == u"capacity") {
        facts << m_window.runsPanel()->capacityChart()->title();
    } else if (const auto reports = load::RunReport::list(m_window.settings().runsDir, 1); !reports.empty()) {
        const load::RunReport& r = reports.front();
        if (r.persist)
            facts << tr("send→row p50 %1 ms, p99 %2 ms")
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
             w.membersBox()->setValue(2);
             w.ceilingBox()->setValue(2000);
         },
         {},
         1500},
        {tr("20,000 ratings arrive at once: Kafka acknowledges each as soon as it is stored."),
         [&w] {
             w.countBox()->setValue(20000);
             w.sendButton()->click();
         },
         [&w] {
             return w.ackedBar()->value() >= 20000;
         }},
        {tr("The queue holds the burst as lag; the sink drains it at the database's pace, 2,000 a second."),
         {},
         [&w] {
             return !w.isRunning();
         }},
        {tr("Every acknowledged rating is a row, once: the database never took more than it could."),
         [&w] { w.ceilingBox()->setValue(0); },
         {},
         1000},
    };
}

std::vector<ScenarioPlayer::Step> ScenarioPlayer::outage() {
    MainWindow& w = m_window;
    const bool embedded = w.faultsBox()->isVisible();
    std::vector<Step> steps{{tr("A steady 500 ratings a second for 25 s through three brokers."),
                             [&w] { startPaced(w, 500, 25); },
                             [&w] {
                                 return w.ackedBar()->value() >= 2500;
                             }}};
    if (embedded) {
        steps.push_back(
            {tr("Broker 1 goes down: ratings for the partitions it leads wait in the producer and are "
                "retried; the sink cannot read them. Nothing acknowledged is lost."),
             [&w] {
                 if (!w.brokerDownButton()->isChecked())
                     w.brokerDownButton()->click();
             },
             {},
             7000});
        steps.push_back({tr("Broker 1 is back: the cluster heals, the backlog drains."),
                         [&w] {
                             if (w.brokerDownButton()->isChecked())
                                 w.brokerDownButton()->click();
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
             return w.ackedBar()->value() >= 900;
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

std::vector<ScenarioPlayer::Step> ScenarioPlayer::capacity() {
    MainWindow& w = m_window;
    return {
        {tr("The database takes 1,700 rows a second; what rate does the whole pipeline sustain?"),
         [&w] {
             w.ceilingBox()->setValue(1700);
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
         [&w] { w.ceilingBox()->setValue(0); },
         {},
         1000},
    };
}

} // namespace loadlevel::ui
