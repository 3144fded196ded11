#pragma once

#include "pipeline/settings.h"
#include "ui/live_chart.h"
#include "ui/ratings_model.h"
#include "ui/session.h"

#include <QLabel>
#include <QMainWindow>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>
#include <QTimer>
#include <memory>

class QCheckBox;
class QTableView;

namespace loadlevel::ui {

// The desktop workbench: a header that says which mode and addresses are in use, the controls to
// fire ratings and steer the sink, live throughput, and the newest persisted rows. All pipeline
// work happens in a Session on its own thread. Thread: the UI thread.
class MainWindow final : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    explicit MainWindow(pipeline::Settings settings, QWidget* parent = nullptr);
    ~MainWindow() override;

    // For tests and automation.
    [[nodiscard]] RatingsModel* ratingsModel() const { return m_ratings; }
    [[nodiscard]] QPushButton* sendButton() const { return m_send; }
    [[nodiscard]] QSpinBox* countBox() const { return m_count; }
    [[nodiscard]] bool isReady() const { return m_ready; }
    [[nodiscard]] QString lastRunSummary() const { return m_lastSummary; }
    [[nodiscard]] LiveChart* throughputChart() const { return m_throughput; }
    [[nodiscard]] LiveChart* lagChart() const { return m_lag; }
    [[nodiscard]] LiveChart* latencyChart() const { return m_latency; }

private:
    void buildUi();
    void onStarted(const QString& description, int partitions);
    void onProblem(const QString& message);
    void onRunProgress(qint64 sent, qint64 acked, qint64 persisted, qint64 total);
    void onRunFinished(const QString& summary, bool ok);
    void onSnapshot(const metrics::Snapshot& s);

    QThread m_thread;
    Session* m_session; // lives on m_thread
    QLabel* m_header = nullptr;
    QSpinBox* m_count = nullptr;
    QPushButton* m_send = nullptr;
    QPushButton* m_cancel = nullptr;
    QProgressBar* m_acked = nullptr;
    QProgressBar* m_persisted = nullptr;
    QSpinBox* m_members = nullptr;
    QCheckBox* m_pause = nullptr;
    LiveChart* m_throughput = nullptr;
    LiveChart* m_lag = nullptr;
    LiveChart* m_latency = nullptr;
    qint64 m_firstSnapshotMs = 0;
    qint64 m_lastRateMs = 0;
    metrics::StageCounters m_lastTotals;
    QTableView* m_table = nullptr;
    RatingsModel* m_ratings = nullptr;
    QTimer m_refresh;
    bool m_ready = false;
    QString m_lastSummary;
};

} // namespace loadlevel::ui
