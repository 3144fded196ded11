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

#include <QLabel>
#include <QMainWindow>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>
#include <deque>
#include <memory>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLineEdit;
class QSettings;
class QTabWidget;

namespace loadlevel::ui {
class RunsPanel;
class ScenarioPlayer;
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

    // For tests and automation.
    [[nodiscard]] RatingsModel* ratingsModel() const { return m_browser->ratings(); }
    [[nodiscard]] RowsBrowser* browser() const { return m_browser; }
    [[nodiscard]] RunsPanel* runsPanel() const { return m_runs; }
    [[nodiscard]] QPushButton* sendButton() const { return m_send; }
    [[nodiscard]] QPushButton* cancelButton() const { return m_cancel; }
    [[nodiscard]] QPushButton* pacedButton() const { return m_paced; }
    [[nodiscard]] QPushButton* singleButton() const { return m_single; }
    [[nodiscard]] QSpinBox* countBox() const { return m_count; }
    [[nodiscard]] QSpinBox* rateBox() const { return m_rate; }
    [[nodiscard]] QSpinBox* durationBox() const { return m_duration; }
    [[nodiscard]] QSpinBox* membersBox() const { return m_members; }
    [[nodiscard]] QCheckBox* pauseBox() const { return m_pause; }
    [[nodiscard]] QSpinBox* ceilingBox() const { return m_ceiling; }
    void showTab(int index); // 0: Live, 1: Persisted, 2: Runs
    [[nodiscard]] QGroupBox* faultsBox() const { return m_faults; }
    [[nodiscard]] QPushButton* brokerDownButton() const { return m_brokerDown; }
    [[nodiscard]] ScenarioPlayer* scenarios() const { return m_scenarios; }
    [[nodiscard]] QCheckBox* httpBox() const { return m_http; }
    [[nodiscard]] QLineEdit* httpListenField() const { return m_httpListen; }
    [[nodiscard]] QString httpUrl() const { return m_httpUrl; }
    [[nodiscard]] QProgressBar* ackedBar() const { return m_acked; }
    [[nodiscard]] QProgressBar* persistedBar() const { return m_persisted; }
    [[nodiscard]] bool isReady() const { return m_ready; }
    [[nodiscard]] bool isRunning() const { return m_running; }
    [[nodiscard]] QString lastRunSummary() const { return m_lastSummary; }
    [[nodiscard]] QString lastSingleResult() const { return m_singleResult->text(); }
    [[nodiscard]] Health health() const { return m_health; }
    [[nodiscard]] QString headerText() const;
    [[nodiscard]] LivePanel* livePanel() const { return m_livePanel; }
    [[nodiscard]] LiveChart* throughputChart() const { return m_livePanel->throughputChart(); }
    [[nodiscard]] LiveChart* lagChart() const { return m_livePanel->lagChart(); }
    [[nodiscard]] QString drainText() const;
    [[nodiscard]] LiveChart* latencyChart() const { return m_livePanel->latencyChart(); }
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
    void buildMenus();
    QWidget* buildScenarios(); // the left column's Scenarios box
    void startSession();
    void setRunning(bool running);
    void applyChartTheme();
    void onStarted(const QString& description, int partitions, int embeddedBrokers);
    void onHealth(Health state, const QString& detail, const QString& lastError);
    void onProblem(const QString& message);
    void onRunStarted(qint64 total, const QString& description);
    void onRunProgress(qint64 sent, qint64 acked, qint64 persisted, qint64 total, double elapsedSec);
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
    QSpinBox* m_user = nullptr;
    QSpinBox* m_movie = nullptr;
    QDoubleSpinBox* m_stars = nullptr;
    QPushButton* m_single = nullptr;
    LiveText* m_singleResult = nullptr;
    QSpinBox* m_count = nullptr;
    QPushButton* m_send = nullptr;
    QSpinBox* m_rate = nullptr;
    QSpinBox* m_duration = nullptr;
    QPushButton* m_paced = nullptr;
    QPushButton* m_cancel = nullptr;
    QProgressBar* m_acked = nullptr;
    QProgressBar* m_persisted = nullptr;
    LiveText* m_runLabel = nullptr;
    QSpinBox* m_members = nullptr;
    QSpinBox* m_ceiling = nullptr;
    QCheckBox* m_pause = nullptr;
    QGroupBox* m_faults = nullptr;
    QCheckBox* m_http = nullptr;
    QLineEdit* m_httpListen = nullptr;
    QLabel* m_httpLabel = nullptr;
    QString m_httpUrl;
    QComboBox* m_broker = nullptr;
    QPushButton* m_brokerDown = nullptr;
    QSpinBox* m_delay = nullptr;
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
