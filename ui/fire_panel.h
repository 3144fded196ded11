#pragma once

#include <QWidget>

class QDoubleSpinBox;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace loadlevel::ui {

class LiveText;

// Firing ratings: one by hand ("One rating"), a burst sent as fast as possible, or a paced run
// ("Runs"), with the run's acknowledged and persisted bars and its result line. It asks for work
// through its signals and shows what the session reports back. One run at a time: while one is
// going, Send and Start are disabled and Stop is enabled. Thread: the UI thread.
class FirePanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FirePanel)
public:
    explicit FirePanel(QWidget* parent = nullptr);

    void setReady(bool ready, bool running); // the pipeline is up; a run is going
    void onSingleSent(const QString& message, bool ok);
    void onRunStarted(qint64 total, const QString& description);
    void onRunProgress(qint64 sent, qint64 acked, qint64 persisted, qint64 total, double elapsedSec);
    void onRunFinished(const QString& summary, bool ok);

    [[nodiscard]] QPushButton* singleButton() const { return m_single; }
    [[nodiscard]] QString lastSingleResult() const;
    [[nodiscard]] QSpinBox* countBox() const { return m_count; }
    [[nodiscard]] QPushButton* sendButton() const { return m_send; }
    [[nodiscard]] QSpinBox* rateBox() const { return m_rate; }
    [[nodiscard]] QSpinBox* durationBox() const { return m_duration; }
    [[nodiscard]] QPushButton* pacedButton() const { return m_paced; }
    [[nodiscard]] QPushButton* cancelButton() const { return m_cancel; }
    [[nodiscard]] QProgressBar* ackedBar() const { return m_acked; }
    [[nodiscard]] QProgressBar* persistedBar() const { return m_persisted; }

signals:
    void singleRequested(qint64 user, qint64 movie, double stars);
    void runRequested(qint64 events, double ratePerSec); // rate 0: a burst
    void stopRequested();

private:
    QWidget* buildSingle();
    QWidget* buildRuns();

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
};

} // namespace loadlevel::ui
