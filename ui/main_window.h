#pragma once

#include "metrics/latency_histogram.h"
#include "pipeline/settings.h"
#include "ui/live_chart.h"
#include "ui/live_panel.h"
#include "ui/live_text.h"
#include "ui/models.h"
#include "ui/rows_browser.h"
#include "ui/secrets.h"
#include "ui/session.h"

#include <QMainWindow>
#include <QThread>
#include <memory>

class QLabel;
class QSettings;
class QTabWidget;

namespace loadlevel::ui {
class FaultsPanel;
class FirePanel;
class HttpPanel;
class RunsPanel;
class ScenarioPlayer;
class SinkPanel;
} // namespace loadlevel::ui

namespace loadlevel::ui {

// The desktop workbench: a header that says which mode, addresses and health are in play, the
// controls to fire ratings (one, a burst, a paced run) and steer the sink (members, ceiling,
// pause, embedded faults), live charts, and a browser of what was persisted. All pipeline work
// happens in a Session on its own thread. Thread: the UI thread.
class MainWindow final : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    // profile: the settings profile the settings came from (its secrets are read from the
    // keychain before the pipeline starts); empty when they came from the environment.
    explicit MainWindow(pipeline::Settings settings, QString profile = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    // For tests and automation: the panels (each owns its controls) and the window's state.
    [[nodiscard]] FirePanel* firePanel() const { return m_fire; }
    [[nodiscard]] SinkPanel* sinkPanel() const { return m_sink; }
    [[nodiscard]] FaultsPanel* faultsPanel() const { return m_faults; }
    [[nodiscard]] HttpPanel* httpPanel() const { return m_http; }
    [[nodiscard]] LivePanel* livePanel() const { return m_livePanel; }
    [[nodiscard]] RowsBrowser* browser() const { return m_browser; }
    [[nodiscard]] RunsPanel* runsPanel() const { return m_runs; }
    [[nodiscard]] ScenarioPlayer* scenarios() const { return m_scenarios; }
    void showTab(int index); // 0: Live, 1: Persisted, 2: Runs
    [[nodiscard]] bool isReady() const { return m_ready; }
    [[nodiscard]] bool isRunning() const { return m_running; }
    [[nodiscard]] QString lastRunSummary() const { return m_lastSummary; }
    [[nodiscard]] Health health() const { return m_health; }
    [[nodiscard]] QString headerText() const;
    [[nodiscard]] const metrics::Snapshot& lastSnapshot() const { return m_lastSnapshot; }
    [[nodiscard]] const pipeline::Settings& settings() const { return m_settings; }
    // Applies new settings: restarts the pipeline with them (what the settings dialog does).
    void applySettings(const pipeline::Settings& settings);

public slots:
    void openSettings();
    void sendPoison(); // three poison messages into the topic (the poison scenario)
    void showAbout();
    bool exportChartsPng(const QString& file);
    bool exportChartsCsv(const QString& file);

protected:
    void closeEvent(QCloseEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void buildUi();
    QWidget* buildHeader();
    QWidget* buildControls();  // the left column: the panels that fire ratings and steer the pipeline
    QWidget* buildScenarios(); // the left column's Scenarios box
    void buildMenus();
    void connectSession();
    void connectControls();
    void startSession();
    void setRunning(bool running);
    void applyChartTheme();
    void onStarted(const QString& description, int partitions, int embeddedBrokers);
    void onHealth(Health state, const QString& detail, const QString& lastError);
    void onProblem(const QString& message);
    void onRunStarted(qint64 total, const QString& description);
    void onRunFinished(const QString& summary, bool ok);
    void onSnapshot(const metrics::Snapshot& s);
    template <typename F> void toSession(F&& f) {
        QMetaObject::invokeMethod(m_session, std::forward<F>(f), Qt::QueuedConnection);
    }

    pipeline::Settings m_settings;
    QString m_profile;
    QThread m_thread;
    Session* m_session; // lives on m_thread
    SecretStore* m_secrets;
    Health m_health = Health::Starting;

    QLabel* m_healthDot = nullptr;
    QLabel* m_header = nullptr;
    QLabel* m_lastError = nullptr;
    FirePanel* m_fire = nullptr;
    SinkPanel* m_sink = nullptr;
    FaultsPanel* m_faults = nullptr;
    HttpPanel* m_http = nullptr;
    RunsPanel* m_runs = nullptr;
    LivePanel* m_livePanel = nullptr;
    ScenarioPlayer* m_scenarios = nullptr;
    QTabWidget* m_tabs = nullptr;
    RowsBrowser* m_browser = nullptr;
    LiveText* m_rateLabel = nullptr;

    metrics::Snapshot m_lastSnapshot;
    bool m_ready = false;
    bool m_running = false;
    QString m_lastSummary;
};

} // namespace loadlevel::ui
