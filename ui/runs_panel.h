#pragma once

#include "load/capacity.h"
#include "load/report.h"
#include "load/runner.h"
#include "ui/live_text.h"
#include "ui/models.h"
#include "ui/session.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QTableView;

namespace loadlevel::ui {

class CapacityChart;

// Run reports, newest first (the Runs tab's history). Key: the start time.
class RunsModel final : public RowTableModel<load::RunReport> {
public:
    // The verdicts come first, so that they show without scrolling beside the editor; the figures
    // behind them follow.
    enum Column {
        Started,
        Profile,
        Verdict,
        Thresholds,
        Sent,
        Accepted,
        Failed,
        Late,
        P99,
        Persisted,
        Target,
        ColumnCount
    };
    explicit RunsModel(QObject* parent = nullptr);

protected:
    qint64 key(const load::RunReport& r) const override { return r.manifest.startedAt.toMSecsSinceEpoch(); }
    QVariant cell(const load::RunReport& r, int column, int role) const override;
};

// The Runs tab: a profile editor (single, burst, constant, ramp, steps, spike, and the capacity
// search) with its target (this pipeline's topic or an HTTP endpoint), start/stop and progress, a
// chart of the capacity search's steps, and the history of run reports with show, compare and export. It only
// edits and shows: the window hands the plan to the Session and the Session's answers back here. Thread: the
// UI thread.
class RunsPanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunsPanel)
public:
    explicit RunsPanel(QWidget* parent = nullptr);

    // The plan and target the editor describes; the editor's complaint when it cannot be run.
    [[nodiscard]] load::RunPlan plan() const;
    [[nodiscard]] pipeline::RunTarget target() const;
    [[nodiscard]] QString problem() const;
    // The capacity search is the profile chosen; its options.
    [[nodiscard]] bool isCapacitySearch() const;
    [[nodiscard]] load::CapacityOptions capacityOptions() const;

    void setReady(bool ready);              // the pipeline can take a run
    void setServiceUrl(const QString& url); // Loadlevel's own HTTP service, when it is on
    void setHistory(const QList<load::RunReport>& reports);
    void onStarted(qint64 total);
    void onProgress(qint64 sent, qint64 acked, qint64 persisted, qint64 total, double elapsedSec);
    void onDetail(qint64 late, qint64 failed, double lastSecondRate, double lastSecondP99Ms);
    void onFinished(const QString& summary, bool ok);
    void onCapacityStep(const load::CapacityStep& step);
    void onCapacityFinished(const load::CapacityResult& result);

    // The selected runs' side-by-side table (two selected), or a report with its timeline (one).
    [[nodiscard]] QString comparison() const;
    [[nodiscard]] QString details() const;
    // Writes the selected run's report: .csv (timeline) or .json.
    bool exportSelected(const QString& file);

    // For tests and automation.
    [[nodiscard]] QComboBox* profileBox() const { return m_profile; }
    [[nodiscard]] QSpinBox* countBox() const { return m_count; }
    [[nodiscard]] QDoubleSpinBox* rateBox() const { return m_rate; }
    [[nodiscard]] QDoubleSpinBox* fromBox() const { return m_from; }
    [[nodiscard]] QDoubleSpinBox* toBox() const { return m_to; }
    // The duration of the profile shown (constant, ramp or spike).
    [[nodiscard]] QDoubleSpinBox* durationBox() const;
    [[nodiscard]] QLineEdit* stepsField() const { return m_steps; }
    [[nodiscard]] QLineEdit* thresholdsField() const { return m_thresholds; }
    [[nodiscard]] QComboBox* targetBox() const { return m_target; }
    [[nodiscard]] QLineEdit* urlField() const { return m_url; }
    [[nodiscard]] QCheckBox* runTagsBox() const { return m_runTags; }
    [[nodiscard]] QPushButton* startButton() const { return m_start; }
    [[nodiscard]] QPushButton* stopButton() const { return m_stop; }
    [[nodiscard]] QPushButton* compareButton() const { return m_compare; }
    [[nodiscard]] QTableView* historyView() const { return m_view; }
    [[nodiscard]] RunsModel* history() const { return m_model; }
    [[nodiscard]] QString lastSummary() const { return m_lastSummary; }
    [[nodiscard]] CapacityChart* capacityChart() const { return m_capacityChart; }
    [[nodiscard]] QDoubleSpinBox* capacityStartBox() const { return m_capStart; }
    [[nodiscard]] QDoubleSpinBox* capacityHoldBox() const { return m_capHold; }
    [[nodiscard]] QSpinBox* capacityP99Box() const { return m_capP99; }
    [[nodiscard]] QSpinBox* capacityToleranceBox() const { return m_capTolerance; }

signals:
    void startRequested(const loadlevel::load::RunPlan& plan, const loadlevel::pipeline::RunTarget& target);
    void capacityRequested(const loadlevel::load::RunPlan& plan, const loadlevel::pipeline::RunTarget& target,
                           const loadlevel::load::CapacityOptions& options);
    void stopRequested();
    void refreshRequested();

private:
    QWidget* buildEditor();
    void buildProfiles();
    void buildTarget();
    QWidget* buildHistory();
    void connectEditor();
    [[nodiscard]] load::Profile profile() const;
    void updateForm();
    void updateButtons();
    [[nodiscard]] QList<load::RunReport> selectedReports() const;
    void showText(const QString& title, const QString& text);

    bool m_ready = false;
    bool m_running = false;
    QString m_lastSummary;
    QLineEdit* m_thresholds = nullptr; // "p99(persist) < 250ms; missing == 0"
    QFormLayout* m_form = nullptr;
    QComboBox* m_profile = nullptr;
    QSpinBox* m_count = nullptr;
    QDoubleSpinBox* m_rate = nullptr;
    QDoubleSpinBox* m_from = nullptr;
    QDoubleSpinBox* m_to = nullptr;
    QDoubleSpinBox* m_constantDuration = nullptr;
    QDoubleSpinBox* m_rampDuration = nullptr;
    QDoubleSpinBox* m_spikeDuration = nullptr;
    QDoubleSpinBox* m_spikeBase = nullptr;
    QStackedWidget* m_params = nullptr;
    QWidget* m_httpOptions = nullptr;
    QLineEdit* m_steps = nullptr;
    QDoubleSpinBox* m_peakRate = nullptr;
    QDoubleSpinBox* m_peakAt = nullptr;
    QDoubleSpinBox* m_peakFor = nullptr;
    QDoubleSpinBox* m_capStart = nullptr;
    QDoubleSpinBox* m_capHold = nullptr;
    QDoubleSpinBox* m_capMaxLag = nullptr;
    QSpinBox* m_capP99 = nullptr;
    QSpinBox* m_capTolerance = nullptr;
    CapacityChart* m_capacityChart = nullptr;
    QComboBox* m_target = nullptr;
    QLineEdit* m_url = nullptr;
    QSpinBox* m_concurrency = nullptr;
    QCheckBox* m_keepAlive = nullptr;
    QCheckBox* m_runTags = nullptr;
    QLineEdit* m_template = nullptr;
    QSpinBox* m_lateAfter = nullptr;
    QSpinBox* m_seed = nullptr;
    QLabel* m_summary = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_stop = nullptr;
    QProgressBar* m_progress = nullptr;
    LiveText* m_line = nullptr;
    QTableView* m_view = nullptr;
    RunsModel* m_model = nullptr;
    QPushButton* m_show = nullptr;
    QPushButton* m_compare = nullptr;
    QPushButton* m_export = nullptr;
    qint64 m_late = 0;
    qint64 m_failed = 0;
    double m_rateNow = 0;
    double m_p99Now = 0;
};

} // namespace loadlevel::ui
