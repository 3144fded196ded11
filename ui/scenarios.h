#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QStringList>
#include <QTimer>
#include <functional>
#include <vector>

class QComboBox;
class QPushButton;

namespace loadlevel::ui {

class MainWindow;

// The load-levelling story, told by the window itself: a scenario sets the knobs, runs, and says in
// one line what is happening and why at each step; it ends with a summary card (peak lag, drain
// time, send→row p50/p99, acknowledged/persisted/missing/duplicates). It drives the window as a
// person would (its spin boxes and buttons), so what it shows is what a presenter can do by hand.
//   burst      Burst vs a slow database: a 2,000 rows/s ceiling, a burst of 20,000, the lag rises
//              and drains at the database's pace, nothing lost.
//   outage     Broker outage: a paced run, one embedded broker down for 7 s and up again (in real
//              mode it says what to do by hand), nothing lost.
//   poison     Poison messages: three bad events among good ones go to dead letters with their
//              reasons, and the sink goes on.
//   scale      Scale the consumers: each member's connection takes 700 rows/s, ratings arrive at
//              1,000/s; one member falls behind, three drain the backlog while the run goes on.
//   capacity   Find the capacity: the Runs tab's capacity search against a 1,700 rows/s ceiling.
// Thread: the UI thread.
class ScenarioPlayer final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScenarioPlayer)
public:
    explicit ScenarioPlayer(MainWindow& window);

    // name → title, in menu order.
    static const std::vector<std::pair<QString, QString>>& catalogue();
    // False (said why by finished) for an unknown name or while one plays.
    bool play(const QString& name);
    void stop();
    [[nodiscard]] bool isPlaying() const { return m_timer.isActive(); }
    [[nodiscard]] QString lastCard() const { return m_card; }
    [[nodiscard]] QStringList said() const { return m_said; }

signals:
    void say(const QString& line);                   // the current step, in one line
    void finished(const QString& cardHtml, bool ok); // the summary card

private:
    struct Step {
        QString line;                // said when the step begins
        std::function<void()> act;   // done when it begins
        std::function<bool()> until; // the step ends when this holds (none: at once)
        int atLeastMs = 0;           // … and not before this long
        int timeoutMs = 180000;
    };
    void tick();
    void begin(size_t index);
    void end(bool ok, const QString& why = {});
    void watchLag();
    [[nodiscard]] QString card(bool ok, const QString& why) const;
    std::vector<Step> burst();
    std::vector<Step> outage();
    std::vector<Step> poison();
    std::vector<Step> scale();
    std::vector<Step> capacity();

    MainWindow& m_window;
    QTimer m_timer;
    QElapsedTimer m_stepClock;
    QElapsedTimer m_clock;
    std::vector<Step> m_steps;
    size_t m_step = 0;
    QString m_name;
    QString m_card;
    QStringList m_said;
    // Lag over the scenario: its peak, and when it was drained after the peak (back to a hundredth
    // of the peak or 10 messages: what a steady flow keeps in flight).
    qint64 m_peakLag = 0;
    qint64 m_peakAtMs = -1;
    qint64 m_drainedAtMs = -1;
    qint64 m_deadLettersBefore = 0;
    QStringList m_facts; // a scenario's own facts for its card
};

} // namespace loadlevel::ui
